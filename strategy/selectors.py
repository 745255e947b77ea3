"""Read-side helpers: fetch what a page or API response needs in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from strategy.history import Change, state_as_of, with_recorded_descendant
from strategy.kpi_status import KpiFacts, Track, track
from strategy.models import KPI, Ambition, Figure, Measurement, Project, ProjectStatus, ProjectUpdate, Strategy
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


@dataclass(frozen=True)
class ProjectState:
    """A project's status and (rolled-up) progress at a moment; None where nothing was recorded."""

    status: str | None
    progress: float | None

    @property
    def status_label(self) -> str:
        return str(ProjectStatus(self.status).label) if self.status else ""


NOT_RECORDED = ProjectState(status=None, progress=None)


def current_project_states() -> dict[int, ProjectState]:
    """Today's status and rolled-up progress of every project (two queries)."""
    progress = project_progress_map()
    return {pk: ProjectState(status=status or None, progress=progress.get(pk, 0.0))
            for pk, status in Project.objects.values_list("id", "status")}


def project_states_at_year_end(year: int) -> dict[int, ProjectState]:
    """Each project's status and progress at the end of `year` (midnight, the city's time zone), from its
    dated updates (strategy/history.py). Two queries whatever the number of projects and updates."""
    moment = dt.datetime(year + 1, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
    changes = [Change(project=pk, at=at, status=status, progress=progress) for pk, at, status, progress in
               ProjectUpdate.objects.filter(created_at__lt=moment).exclude(kind=ProjectUpdate.Kind.NOTE)
               .order_by("created_at", "id").values_list("project_id", "created_at", "new_status", "new_progress")]
    recorded = state_as_of(changes, moment)
    rows = list(Project.objects.values_list("id", "parent_id", "weight"))
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id, _weight in rows:
        if parent_id is not None:
            children[parent_id].append(pk)
    with_progress = with_recorded_descendant(children, {pk for pk, s in recorded.items() if s.progress is not None})
    nodes = {str(pk): Node(key=str(pk), weight=float(weight), children=[str(c) for c in children.get(pk, [])],
                           own_progress=float(recorded[pk].progress or 0) if pk in recorded else 0.0)
             for pk, _parent, weight in rows}
    rolled = rolled_up_progress(nodes)
    return {pk: ProjectState(status=recorded[pk].status if pk in recorded else None,
                             progress=rolled[str(pk)] if pk in with_progress else None)
            for pk, _parent, _weight in rows}


def city_figures() -> list[Figure]:
    """The seed's context figures that belong to no ambition (population, metropolitan area...)."""
    return list(Figure.objects.filter(ambition__isnull=True).exclude(value__isnull=True).order_by("id"))


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
