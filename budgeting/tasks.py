"""Background jobs of the budgeting room (django-tasks API, run by Huey)."""

from __future__ import annotations

from django_tasks import task


@task()
def close_due_editions() -> list[str]:
    """Close the vote of every edition whose closing time has passed (run every few minutes)."""
    from budgeting.services import close_due_editions as close

    return close()


@task()
def count_edition(edition_id: int, publish: bool = False) -> int:
    """Count an edition's ballots (MES on a large edition takes seconds to minutes), then publish."""
    from budgeting import services
    from budgeting.models import Edition

    edition = Edition.objects.get(pk=edition_id)
    results = services.count_votes("scheduler", edition)
    if publish:
        services.publish_results("scheduler", edition)
    return len(results)
