"""Background jobs of the notifications room (django-tasks API, run by Huey)."""

from __future__ import annotations

from django_tasks import task


@task()
def fan_out(event_id: str) -> int:
    """Match one stored event against the subscriptions and create its deliveries; send those due now."""
    from notifications.pipeline import fan_out as run

    return run(event_id)


@task()
def send_deliveries(delivery_ids: list[int]) -> int:
    from notifications.pipeline import send_deliveries as run

    return run(delivery_ids)


@task()
def send_due_deliveries() -> int:
    """Recurring: retries, quiet-hours deferrals and rate-limited deliveries whose time has come, and the
    retries of transactional e-mails."""
    from notifications import transactional
    from notifications.pipeline import send_due

    return send_due() + transactional.send_due()


@task()
def send_due_digests() -> int:
    """Recurring: one message per endpoint gathering the daily or weekly digest's deliveries."""
    from notifications.pipeline import send_digests

    return send_digests()


@task()
def send_transactional(message_id: int) -> bool:
    """One transactional e-mail (notifications/transactional.py), enqueued after its room's commit."""
    from notifications.transactional import send_message

    return send_message(message_id)
