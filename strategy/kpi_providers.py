"""KPI providers: functions that compute a KPI's value from live data.

Rooms register a provider under a stable key; an editor links a KPI to it (KPI.provider) and
the daily job (strategy.tasks.refresh_kpi_providers) records a measurement from it, through
strategy.services.record_measurement, so it is audited like any other change.

    from strategy.kpi_providers import register

    @register("reports.median_days_to_fix", label=_("Median days to fix a report"), unit="days")
    def median_days_to_fix() -> Decimal | None: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ProviderFunction = Callable[[], Decimal | None]


@dataclass(frozen=True)
class KpiProvider:
    key: str
    label: str | Promise
    unit: str
    compute: ProviderFunction


_registry: dict[str, KpiProvider] = {}


def register(key: str, *, label: str | Promise, unit: str = "") -> Callable[[ProviderFunction], ProviderFunction]:
    def decorator(function: ProviderFunction) -> ProviderFunction:
        if key in _registry and _registry[key].compute is not function:
            raise ValueError(f"KPI provider {key!r} is already registered")
        _registry[key] = KpiProvider(key=key, label=label, unit=unit, compute=function)
        return function

    return decorator


def get(key: str) -> KpiProvider:
    try:
        return _registry[key]
    except KeyError:
        raise LookupError(f"no KPI provider registered as {key!r}") from None


def all_providers() -> list[KpiProvider]:
    return sorted(_registry.values(), key=lambda provider: provider.key)


def choices() -> list[tuple[str, str]]:
    return [(provider.key, f"{provider.key} — {provider.label}") for provider in all_providers()]


@register("strategy.projects_started_percent", label=_("Strategic projects started or completed"), unit="%")
def projects_started_percent() -> Decimal | None:
    """Share of strategic projects (top level) that are in progress or completed."""
    from strategy.models import Project, ProjectStatus

    counts = Project.objects.filter(parent__isnull=True).aggregate(
        total=Count("id"),
        started=Count("id", filter=Q(status__in=[ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED])),
    )
    if not counts["total"]:
        return None
    return (Decimal(counts["started"]) * 100 / Decimal(counts["total"])).quantize(Decimal("0.01"))
