"""Background jobs of the strategy room (django-tasks API, run by Huey)."""

from __future__ import annotations

from django_tasks import task

from strategy.models import KPI


@task()
def refresh_kpi_providers() -> int:
    """Record today's value for every KPI linked to a live provider. Run daily (see docs/operations.md)."""
    from strategy.services import refresh_from_provider

    recorded = 0
    for kpi in KPI.objects.exclude(provider=""):
        if refresh_from_provider(kpi) is not None:
            recorded += 1
    return recorded
