"""Strategy API: the whole tree, projects and KPIs, and KPI measurements from automated feeds."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer

from core.models import ApiToken
from strategy import origins, selectors, services
from strategy.models import KPI, Ambition, Project, ProjectStatus

router = Router(tags=["strategy"])


class TokenAuth(HttpBearer):
    """Bearer token from the back office (core.ApiToken); only its hash is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = ApiToken.objects.select_related("owner").filter(
            key_hash=ApiToken.hash_key(token), revoked_at__isnull=True).first()
        if found is None or not found.owner.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


# --- Schemas -------------------------------------------------------------------------------------


class MeasurementOut(Schema):
    date: dt.date
    value: Decimal
    source: str


class KpiOut(Schema):
    code: str
    name: str
    kind: str
    unit: str
    ambition: int | None
    baseline_value: Decimal | None
    baseline_year: int | None
    target_value: Decimal | None
    target_year: int | None
    direction: str
    source: str
    latest: MeasurementOut | None
    status: str
    url: str


class KpiDetailOut(KpiOut):
    measurements: list[MeasurementOut]
    notes: str


class ProjectOut(Schema):
    code: str
    title: str
    description: str
    status: str | None = Field(description="planned, in_progress, completed, suspended; null when not recorded")
    flagship: bool
    progress: float = Field(description="0–100; for a project with sub-projects, the weighted roll-up")
    lead: str
    funding_programme: str | None
    budget: Decimal | None
    currency: str
    start_date: dt.date | None
    end_date: dt.date | None
    ambition: int | None
    objective: str | None
    url: str


class MilestoneOut(Schema):
    title: str
    due_date: dt.date | None
    completed_on: dt.date | None


class UpdateOut(Schema):
    date: dt.datetime
    kind: str
    old_status: str
    new_status: str
    text: str


class OriginOut(Schema):
    kind: str = Field(description="e.g. accepted proposal, consultation outcome, participatory budget")
    title: str
    url: str
    detail: str


class ProjectDetailOut(ProjectOut):
    partners: str
    origins: list[OriginOut] = Field(description="What this project carries out (strategy.origins registry)")
    milestones: list[MilestoneOut]
    updates: list[UpdateOut]
    sub_projects: list[ProjectOut]
    kpis: list[str]


class ObjectiveOut(Schema):
    code: str
    number: int
    title: str | None
    projects: list[ProjectOut]


class AmbitionOut(Schema):
    code: str
    number: int
    title: str
    dimension: str | None
    sdg: int | None
    progress: float | None
    objectives: list[ObjectiveOut]
    kpis: list[KpiOut]


class FigureOut(Schema):
    code: str
    name: str | None = Field(description="null where the seed lost it")
    value: Decimal
    unit: str
    year: int | None
    source: str


class StrategyOut(Schema):
    slug: str
    title: str
    motto: str
    vision: str
    mission: str
    period_start: int
    period_end: int
    dataset_version: str
    figures: list[FigureOut] = Field(description="The city in figures: context numbers that belong to no ambition")
    ambitions: list[AmbitionOut]


class MeasurementIn(Schema):
    date: dt.date
    value: Decimal = Field(max_digits=18, decimal_places=4)
    source: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=500)


class MeasurementCreated(Schema):
    kpi: str
    date: dt.date
    value: Decimal
    created: bool


class ErrorOut(Schema):
    detail: Any


# --- Serialisers -------------------------------------------------------------------------------


def _project(p: Project, progress: dict[int, float], ambition_number: int | None = None) -> dict[str, Any]:
    return {
        "code": p.code, "title": p.title, "description": p.description, "status": p.status or None,
        "flagship": p.flagship, "progress": round(progress.get(p.pk, 0.0), 1), "lead": p.lead,
        "funding_programme": p.funding_programme.code if p.funding_programme else None,
        "budget": p.budget, "currency": p.currency, "start_date": p.start_date, "end_date": p.end_date,
        "ambition": ambition_number, "objective": p.objective.code if p.objective else None,
        "url": p.get_absolute_url(),
    }


def _kpi(view: selectors.KpiView, ambition_number: int | None) -> dict[str, Any]:
    k = view.kpi
    latest = view.latest
    return {
        "code": k.code, "name": k.name, "kind": k.kind, "unit": k.unit, "ambition": ambition_number,
        "baseline_value": k.baseline_value, "baseline_year": k.baseline_year, "target_value": k.target_value,
        "target_year": k.target_year, "direction": k.direction, "source": k.source,
        "latest": {"date": latest.date, "value": latest.value, "source": latest.source} if latest else None,
        "status": view.track.value, "url": k.get_absolute_url(),
    }


# --- Endpoints ----------------------------------------------------------------------------------


@router.get("strategy", response={200: StrategyOut, 404: ErrorOut}, summary="The whole strategy tree")
def strategy_tree(request: HttpRequest) -> Any:
    strategy = selectors.current_strategy()
    if strategy is None:
        raise HttpError(404, "No strategy loaded")
    progress = selectors.project_progress_map()
    per_ambition = selectors.ambition_progress(progress)
    ambitions: list[Ambition] = list(selectors.ambitions_tree().select_related("dimension").prefetch_related(
        "objectives__projects__objective"))
    kpi_views = {v.kpi.pk: v for v in selectors.with_latest([k for a in ambitions for k in a.kpis.all()])}
    return {
        "slug": strategy.slug, "title": strategy.title, "motto": strategy.motto, "vision": strategy.vision,
        "mission": strategy.mission, "period_start": strategy.period_start, "period_end": strategy.period_end,
        "dataset_version": strategy.dataset_version,
        "figures": [{"code": f.code, "name": f.name or None, "value": f.value, "unit": f.unit, "year": f.year,
                     "source": f.source} for f in selectors.city_figures()],
        "ambitions": [{
            "code": a.code, "number": a.number, "title": a.title,
            "dimension": a.dimension.code if a.dimension else None, "sdg": a.sdg,
            "progress": per_ambition.get(a.pk),
            "objectives": [{
                "code": o.code, "number": o.number, "title": o.title or None,
                "projects": [_project(p, progress, a.number) for p in o.projects.all()],
            } for o in a.objectives.all()],
            "kpis": [_kpi(kpi_views[k.pk], a.number) for k in a.kpis.all()],
        } for a in ambitions],
    }


class ProjectFilter(FilterSchema):
    ambition: int | None = Field(None, description="Ambition number (1–7)")
    status: str | None = Field(None, description="planned, in_progress, completed, suspended or unrecorded")
    dimension: str | None = Field(None, description="Smart-city dimension code, e.g. governance")
    funding: str | None = Field(None, description="Funding programme code")
    q: str | None = Field(None, max_length=200, description="Text search in title and description")


def _filtered_projects(filters: ProjectFilter) -> QuerySet[Project]:
    projects = Project.objects.filter(parent__isnull=True).select_related(
        "objective__ambition", "funding_programme").order_by("code")
    if filters.ambition is not None:
        projects = projects.filter(objective__ambition__number=filters.ambition)
    if filters.status:
        if filters.status == "unrecorded":
            projects = projects.filter(status="")
        elif filters.status in ProjectStatus.values:
            projects = projects.filter(status=filters.status)
        else:
            raise HttpError(400, f"status: must be one of {', '.join(ProjectStatus.values)}, unrecorded")
    if filters.dimension:
        projects = projects.filter(objective__ambition__dimension__code=filters.dimension)
    if filters.funding:
        projects = projects.filter(funding_programme__code=filters.funding)
    if filters.q:
        q = filters.q
        projects = projects.filter(Q(title_en__icontains=q) | Q(title_ro__icontains=q)
                                   | Q(description_en__icontains=q) | Q(description_ro__icontains=q))
    return projects


@router.get("projects", response=list[ProjectOut], summary="Strategic projects (filterable, paginated)")
@paginate(LimitOffsetPagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFilter]) -> Any:
    progress = selectors.project_progress_map()
    return [_project(p, progress, p.objective.ambition.number if p.objective else None)
            for p in _filtered_projects(filters)]


@router.get("projects/{code}", response={200: ProjectDetailOut, 404: ErrorOut}, summary="One project")
def get_project(request: HttpRequest, code: str) -> Any:
    project: Project = get_object_or_404(
        Project.objects.select_related("objective__ambition", "funding_programme")
        .prefetch_related("milestones", "kpis", "children__objective", "children__funding_programme"), code=code)
    progress = selectors.project_progress_map()
    number = project.objective.ambition.number if project.objective else None
    data = _project(project, progress, number)
    data["partners"] = project.partners
    data["origins"] = [{"kind": str(o.kind), "title": o.title, "url": o.url, "detail": o.detail}
                       for o in origins.for_projects([project.pk]).get(project.pk, [])]
    data["milestones"] = [{"title": m.title, "due_date": m.due_date, "completed_on": m.completed_on}
                          for m in project.milestones.all()]
    data["updates"] = [{"date": u.created_at, "kind": u.kind, "old_status": u.old_status,
                        "new_status": u.new_status, "text": u.text} for u in project.updates.all()[:100]]
    data["sub_projects"] = [_project(c, progress, number) for c in project.children.all()]
    data["kpis"] = [k.code for k in project.kpis.all()]
    return data


class KpiFilter(FilterSchema):
    ambition: int | None = Field(None, description="Ambition number (1–7)")
    kind: str | None = Field(None, description="key, outcome or output")


@router.get("kpis", response=list[KpiOut], summary="KPIs with baseline, target and latest value")
@paginate(LimitOffsetPagination)
def list_kpis(request: HttpRequest, filters: Query[KpiFilter]) -> Any:
    kpis = KPI.objects.select_related("ambition")
    if filters.ambition is not None:
        kpis = kpis.filter(ambition__number=filters.ambition)
    if filters.kind:
        if filters.kind not in KPI.Kind.values:
            raise HttpError(400, f"kind: must be one of {', '.join(KPI.Kind.values)}")
        kpis = kpis.filter(kind=filters.kind)
    return [_kpi(v, v.kpi.ambition.number if v.kpi.ambition else None) for v in selectors.with_latest(kpis)]


@router.get("kpis/{code}", response={200: KpiDetailOut, 404: ErrorOut}, summary="One KPI with its series")
def get_kpi(request: HttpRequest, code: str) -> Any:
    kpi: KPI = get_object_or_404(KPI.objects.select_related("ambition"), code=code)
    view = selectors.with_latest([kpi])[0]
    data = _kpi(view, kpi.ambition.number if kpi.ambition else None)
    data["measurements"] = [{"date": m.date, "value": m.value, "source": m.source}
                            for m in kpi.measurements.order_by("date")]
    data["notes"] = kpi.notes
    return data


@router.post("kpis/{code}/measurements", auth=TokenAuth(),
             response={201: MeasurementCreated, 200: MeasurementCreated, 400: ErrorOut, 403: ErrorOut,
                       404: ErrorOut},
             summary="Record a KPI value (bearer token with the kpi:write scope)")
def post_measurement(request: HttpRequest, code: str, payload: MeasurementIn) -> Any:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if not token.has_scope("kpi:write"):
        raise HttpError(403, "this token lacks the kpi:write scope")
    kpi = get_object_or_404(KPI, code=code)
    try:
        measurement, created = services.record_measurement(
            token.owner, kpi, payload.date, payload.value, source=payload.source or f"api:{token.name}",
            note=payload.note)
    except PermissionDenied:
        raise HttpError(403, "the token's owner may not record measurements") from None
    except ValidationError as error:
        raise HttpError(400, "; ".join(f"{field}: {' '.join(msgs)}"
                                       for field, msgs in error.message_dict.items())) from None
    return Status(201 if created else 200, {"kpi": kpi.code, "date": measurement.date,
                                            "value": measurement.value, "created": created})
