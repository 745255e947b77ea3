"""Background jobs of the resources room (django-tasks API, run by Huey; scheduled by core.recurring)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_funding_reminders() -> int:
    from resources.services import send_funding_reminders as send

    return send()
