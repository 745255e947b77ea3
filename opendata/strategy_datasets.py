"""The strategy's open datasets, registered by the opendata room itself (OpendataConfig.ready()).

The strategy sits below the connective rooms and imports none of them (tests/strategy/test_monitoring.py), so
the catalogue reads the strategy, as it reads core's neighbourhoods; rooms above register themselves.

Ambitions and objectives, projects with their status history, KPIs with their measurements, and the yearly
monitoring report's table. Who wrote an update or entered a measurement is never published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Max

from opendata.registry import DataService, Dataset, Distribution, Text, register
from opendata.tables import Table, register_table, schema
from strategy import selectors
from strategy.models import KPI, Ambition, Measurement, Objective, Project, ProjectUpdate

ROOM = "strategy"
API = DataService(key="api", title=Text(ro="API-ul strategiei (JSON)", en="Strategy API (JSON)"),
                  endpoint_url="/api/v1/strategy", endpoint_description_url="/api/openapi.json")


def _both(instance: object, field: str) -> tuple[str, str]:
    text = Text.of(instance, field)
    return text.ro, text.en


def _ambitions(_part: str | None) -> Iterable[Sequence[Any]]:
    for a in Ambition.objects.select_related("dimension").order_by("number"):
        yield (a.code, a.number, *_both(a, "title"),
               a.dimension.code if a.dimension else None, a.sdg)


def _objectives(_part: str | None) -> Iterable[Sequence[Any]]:
    for o in Objective.objects.select_related("ambition").order_by("ambition__number", "number"):
        yield (o.code, o.ambition.code, o.number, *_both(o, "title"))


def _projects(_part: str | None) -> Iterable[Sequence[Any]]:
    progress = selectors.project_progress_map()
    rows = Project.objects.select_related("objective", "parent", "funding_programme").order_by("code")
    for p in rows:
        yield (p.code, p.objective.code if p.objective else None, p.parent.code if p.parent else None,
               *_both(p, "title"), p.status or None, round(progress.get(p.pk, 0.0), 2),
               p.flagship, p.lead, p.funding_programme.code if p.funding_programme else None, p.budget,
               p.currency, p.start_date, p.end_date, p.updated_at)


def _project_history(_part: str | None) -> Iterable[Sequence[Any]]:
    updates = ProjectUpdate.objects.exclude(kind=ProjectUpdate.Kind.NOTE).select_related("project")
    for u in updates.order_by("project__code", "created_at", "id"):
        yield (u.project.code, u.created_at, u.kind, u.old_status or None, u.new_status or None,
               u.old_progress, u.new_progress)


def _kpis(_part: str | None) -> Iterable[Sequence[Any]]:
    for k in KPI.objects.select_related("ambition").order_by("code"):
        yield (k.code, k.ambition.code if k.ambition else None, *_both(k, "name"),
               k.kind or None, k.unit, k.baseline_value, k.baseline_year, k.target_value, k.target_year,
               k.direction or None, k.source)


def _measurements(_part: str | None) -> Iterable[Sequence[Any]]:
    for m in Measurement.objects.select_related("kpi").order_by("kpi__code", "date"):
        yield (m.kpi.code, m.date, m.value, m.source, m.note)


def _report_years() -> list[int]:
    strategy = selectors.current_strategy()
    if strategy is None:
        return []
    last = min(strategy.period_end + 1, dt.date.today().year)
    return list(range(strategy.period_start, last + 1))


def _report(part: str | None) -> Iterable[Sequence[Any]]:
    if part is None or not part.isdigit() or int(part) not in _report_years():
        raise LookupError(f"year: no monitoring report for {part!r}")
    year = int(part)
    states = (selectors.project_states_at_year_end(year) if year < dt.date.today().year
              else selectors.current_project_states())
    for pk, code, title_ro, title_en in Project.objects.order_by("code").values_list("pk", "code", "title_ro",
                                                                                     "title_en"):
        state = states.get(pk)
        yield (year, code, title_ro or title_en, title_en or title_ro, state.status if state else None,
               round(state.progress, 2) if state and state.progress is not None else None)


TABLES = {
    "ambitions": register_table(Table(ROOM, "ambitions", schema(
        ("code", "string", "Ambition code"), ("number", "integer", "Number"),
        ("title_ro", "string", "Title (Romanian)"), ("title_en", "string", "Title (English)"),
        ("dimension", "string", "Smart-city dimension code"),
        ("sdg", "integer", "UN Sustainable Development Goal"), primary_key=["code"]), _ambitions)),
    "objectives": register_table(Table(ROOM, "objectives", schema(
        ("code", "string", "Objective code"), ("ambition", "string", "Ambition code"), ("number", "integer", "Number"),
        ("title_ro", "string", "Title (Romanian)"), ("title_en", "string", "Title (English)"),
        primary_key=["code"]), _objectives)),
    "projects": register_table(Table(ROOM, "projects", schema(
        ("code", "string", "Project code"), ("objective", "string", "Objective code"),
        ("parent", "string", "Parent project code"), ("title_ro", "string", "Title (Romanian)"),
        ("title_en", "string", "Title (English)"),
        ("status", "string", "planned, in_progress, completed, suspended; empty: not recorded"),
        ("progress_percent", "number", "Progress (%), rolled up from sub-projects"),
        ("flagship", "boolean", "Flagship project"), ("lead", "string", "Lead organisation"),
        ("funding_programme", "string", "Funding source code"), ("budget", "number", "Budget"),
        ("currency", "string", "Currency (ISO 4217)"), ("start_date", "date", "Start"), ("end_date", "date", "End"),
        ("updated_at", "datetime", "Last change (UTC)"), primary_key=["code"]), _projects)),
    "project-history": register_table(Table(ROOM, "project-history", schema(
        ("project", "string", "Project code"), ("at", "datetime", "When (UTC)"),
        ("kind", "string", "status or progress"), ("old_status", "string", "Status before"),
        ("new_status", "string", "Status after"), ("old_progress", "integer", "Progress before (%)"),
        ("new_progress", "integer", "Progress after (%)")), _project_history)),
    "kpis": register_table(Table(ROOM, "kpis", schema(
        ("code", "string", "KPI code"), ("ambition", "string", "Ambition code"),
        ("name_ro", "string", "Name (Romanian)"), ("name_en", "string", "Name (English)"),
        ("kind", "string", "key, outcome or output"), ("unit", "string", "Unit"),
        ("baseline_value", "number", "Baseline"), ("baseline_year", "integer", "Baseline year"),
        ("target_value", "number", "Target"), ("target_year", "integer", "Target year"),
        ("direction", "string", "higher or lower is better"), ("source", "string", "Source"),
        primary_key=["code"]), _kpis)),
    "kpi-measurements": register_table(Table(ROOM, "kpi-measurements", schema(
        ("kpi", "string", "KPI code"), ("date", "date", "Date"), ("value", "number", "Value"),
        ("source", "string", "Source"), ("note", "string", "Note"), primary_key=["kpi", "date"]), _measurements)),
    "monitoring-report": register_table(Table(ROOM, "monitoring-report", schema(
        ("year", "integer", "Year of the report"), ("project", "string", "Project code"),
        ("title_ro", "string", "Title (Romanian)"), ("title_en", "string", "Title (English)"),
        ("status", "string", "Status at the end of the year"),
        ("progress_percent", "number", "Progress (%) at the end of the year")), _report)),
}


def _csv(key: str, title: Text, part: str | None = None, modified: dt.datetime | None = None) -> Distribution:
    table = TABLES[key]
    return Distribution(key=f"{key}-{part}" if part else key, title=title, url=table.url(part),
                        media_type="text/csv", file_type="CSV", table_schema=table.schema, modified=modified)


def datasets() -> list[Dataset]:
    strategy = selectors.current_strategy()
    if strategy is None:
        return []
    projects_modified = Project.objects.aggregate(last=Max("updated_at"))["last"]
    measured = Measurement.objects.aggregate(last=Max("created_at"))["last"]
    start, end = dt.date(strategy.period_start, 1, 1), dt.date(strategy.period_end, 12, 31)
    common: dict[str, Any] = {"room": ROOM, "temporal_start": start, "temporal_end": end, "services": (API,)}
    years = _report_years()
    return [
        Dataset(name="strategy-ambitions-objectives",
                title=Text(ro="Strategia: ambiții și obiective", en="Strategy: ambitions and objectives"),
                description=Text(ro=f"Ambițiile și obiectivele strategice ale strategiei „{strategy.title}”.",
                                 en=f"The strategic ambitions and objectives of the strategy “{strategy.title}”."),
                themes=("GOVE", "REGI"), tags=("strategy", "smart-city"), frequency="IRREG",
                landing_page="/ro/strategie/", distributions=(
                    _csv("ambitions", Text(ro="Ambiții (CSV)", en="Ambitions (CSV)")),
                    _csv("objectives", Text(ro="Obiective (CSV)", en="Objectives (CSV)")),
                    Distribution(key="json", title=Text(ro="Strategia întreagă (JSON)", en="The whole strategy (JSON)"),
                                 url="/api/v1/strategy", media_type="application/json", file_type="JSON")),
                **common),
        Dataset(name="strategy-projects", title=Text(ro="Strategia: proiecte și istoricul stărilor",
                                                     en="Strategy: projects and their status history"),
                description=Text(ro="Proiectele strategice cu starea, progresul, bugetul și fiecare schimbare "
                                    "de stare sau progres datată.",
                                 en="The strategic projects with status, progress, budget and every dated change "
                                    "of status or progress."),
                themes=("GOVE", "REGI"), tags=("strategy", "projects", "monitoring"), frequency="CONT",
                modified=projects_modified, landing_page="/ro/proiecte/", distributions=(
                    _csv("projects", Text(ro="Proiecte (CSV)", en="Projects (CSV)"), modified=projects_modified),
                    _csv("project-history", Text(ro="Istoricul stărilor (CSV)", en="Status history (CSV)")),
                    Distribution(key="json", title=Text(ro="Proiecte (JSON)", en="Projects (JSON)"),
                                 url="/api/v1/projects", media_type="application/json", file_type="JSON")),
                **common),
        Dataset(name="strategy-kpis", title=Text(ro="Strategia: indicatori (KPI) și măsurători",
                                                 en="Strategy: indicators (KPIs) and measurements"),
                description=Text(ro="Indicatorii strategiei cu valoarea de bază, ținta și fiecare măsurătoare.",
                                 en="The strategy's indicators with baseline, target and every measurement."),
                themes=("GOVE", "REGI"), tags=("strategy", "kpi", "indicators", "statistics"), frequency="CONT",
                modified=measured, landing_page="/ro/indicatori/", distributions=(
                    _csv("kpis", Text(ro="Indicatori (CSV)", en="Indicators (CSV)")),
                    _csv("kpi-measurements", Text(ro="Măsurători (CSV)", en="Measurements (CSV)"), modified=measured),
                    Distribution(key="json", title=Text(ro="Indicatori (JSON)", en="Indicators (JSON)"),
                                 url="/api/v1/kpis", media_type="application/json", file_type="JSON")),
                **common),
        Dataset(name="strategy-monitoring-report", title=Text(ro="Raportul anual de monitorizare",
                                                              en="Yearly monitoring report"),
                description=Text(ro="Pentru fiecare an: starea și progresul fiecărui proiect la sfârșitul anului, "
                                    "reconstruite din istoricul datat (tabelul raportului anual).",
                                 en="For each year: every project's status and progress at the end of the year, "
                                    "rebuilt from the dated history (the yearly report's table)."),
                themes=("GOVE",), tags=("strategy", "monitoring", "report"), frequency="ANNUAL",
                landing_page=f"/ro/raport/{years[-1]}/" if years else None, distributions=tuple(
                    _csv("monitoring-report", Text(ro=f"Raportul {year} (CSV)", en=f"Report {year} (CSV)"),
                         part=str(year)) for year in years),
                **common),
    ]


def register_all() -> None:
    register(ROOM, datasets)
