"""Read-side helpers: fetch what a page or API response needs in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from strategy.kpi_status import KpiFacts, Track, track
from strategy.models import KPI, Ambition, Measurement, Project, Strategy
from strategy.progress import Node, mean_progress, rolled_up_progress

TRACK_LABELS = {
    Track.ON_TRACK: _("On track"),
    Track.AT_RISK: _("At risk"),
    Track.OFF_TRACK: _("Off track"),
    Track.ACHIEVED: _("Target achieved"),
    Track.NO_TARGET: _("No target set"),
    Track.NO_DATA: _("No measurement yet"),
}


def current_strategy() -> Strategy | None:
    return Strategy.objects.order_by("-period_start").first()


def project_progress_map() -> dict[int, float]:
    """Rolled-up progress of every project, from one query."""
    rows = list(Project.objects.values_list("id", "parent_id", "progress", "weight"))
    children: dict[int, list[str]] = defaultdict(list)
    for pk, parent_id, _progress, _weight in rows:
        if parent_id is not None:
            children[parent_id].append(str(pk))
    nodes = {
        str(pk): Node(key=str(pk), own_progress=float(progress), weight=float(weight), children=children.get(pk, []))
        for pk, _parent, progress, weight in rows
    }
    return {int(key): value for key, value in rolled_up_progress(nodes).items()}


def ambition_progress(progress: dict[int, float]) -> dict[int, float | None]:
    """Mean rolled-up progress of each ambition's top-level projects, from one query."""
    per_ambition: dict[int, list[float]] = defaultdict(list)
    for pk, ambition_id in Project.objects.filter(parent__isnull=True).values_list("id", "objective__ambition_id"):
        if ambition_id is not None:
            per_ambition[ambition_id].append(progress.get(pk, 0.0))
    return {ambition_id: mean_progress(values) for ambition_id, values in per_ambition.items()}


@dataclass
class KpiView:
    kpi: KPI
    latest: Measurement | None
    track: Track

    @property
    def track_label(self) -> str:
        return str(TRACK_LABELS[self.track])


def _year_fraction(date: dt.date) -> float:
    return date.year + (date.timetuple().tm_yday - 1) / 366


def kpi_track(kpi: KPI, latest: Measurement | None) -> Track:
    facts = KpiFacts(
        baseline_value=_f(kpi.baseline_value), baseline_year=kpi.baseline_year,
        target_value=_f(kpi.target_value), target_year=kpi.target_year,
        lower_is_better=kpi.direction == KPI.Direction.LOWER,
        latest_value=_f(latest.value) if latest else None,
        latest_year_fraction=_year_fraction(latest.date) if latest else None,
    )
    return track(facts)


def _f(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def with_latest(kpis: Iterable[KPI]) -> list[KpiView]:
    """Attach the latest measurement and the on-track judgement (one query for all KPIs)."""
    kpis = list(kpis)
    latest: dict[int, Measurement] = {}
    if kpis:
        for measurement in Measurement.objects.filter(kpi__in=kpis).order_by("kpi_id", "date"):
            latest[measurement.kpi_id] = measurement
    return [KpiView(kpi=k, latest=latest.get(k.pk), track=kpi_track(k, latest.get(k.pk))) for k in kpis]


def ambitions_tree() -> QuerySet[Ambition]:
    top_projects = Project.objects.filter(parent__isnull=True).select_related("funding_programme").order_by("code")
    return Ambition.objects.select_related("dimension").prefetch_related(
        Prefetch("objectives__projects", queryset=top_projects),
        "kpis",
    )
