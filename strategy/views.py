"""Public pages of the strategy room. Each renders in a constant number of queries."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.charts import Point, Series, line_chart
from core.home import active_panels
from strategy import origins, selectors
from strategy.models import (
    KPI,
    Ambition,
    CoDesignActivity,
    EvaluationCycle,
    FundingProgramme,
    GovernanceBody,
    Project,
    ProjectStatus,
    SmartCityDimension,
)


def home(request: HttpRequest) -> HttpResponse:
    """What is happening now: the panels the rooms register (core.home), then the strategy in brief.
    The strategy room imports no other room; each panel runs a constant number of queries."""
    return render(request, "strategy/home.html", {
        "panels": active_panels(request),
        "strategy": selectors.current_strategy(),
        "ambitions": list(Ambition.objects.only("number", "title_en", "title_ro")),
    })


def _shown_progress(project: Project, value: float) -> float | None:
    """A project's progress as shown: None ("no progress recorded") when it has neither a status nor any
    progress, rather than a 0 % bar that reads as a measured fact."""
    return None if not project.status and not value else value


def _ambitions_with_progress() -> list[Ambition]:
    """Ambitions with their rolled-up progress, or None where none of their projects has a recorded
    status or progress (an ambition with nothing recorded is not "0 % done")."""
    progress = selectors.project_progress_map()
    by_ambition = selectors.ambition_progress(progress)
    recorded = set(Project.objects.filter(Q(progress__gt=0) | ~Q(status="")).values_list(
        "objective__ambition_id", flat=True).distinct())
    ambitions = list(Ambition.objects.select_related("dimension"))
    for ambition in ambitions:
        ambition.progress_value = by_ambition.get(ambition.pk) if ambition.pk in recorded else None  # type: ignore[attr-defined]
    return ambitions


def overview(request: HttpRequest) -> HttpResponse:
    """The strategy itself: vision, mission, the ambitions and the projects by status."""
    counts = dict.fromkeys(ProjectStatus.values, 0)
    unrecorded = 0
    for status in Project.objects.filter(parent__isnull=True).values_list("status", flat=True):
        if status:
            counts[status] += 1
        else:
            unrecorded += 1
    return render(request, "strategy/overview.html", {
        "strategy": selectors.current_strategy(), "ambitions": _ambitions_with_progress(),
        "status_counts": [(ProjectStatus(s).label, n) for s, n in counts.items()], "unrecorded": unrecorded,
    })


def ambition_detail(request: HttpRequest, number: int) -> HttpResponse:
    ambition = get_object_or_404(
        selectors.ambitions_tree().prefetch_related(
            "open_actions__category", "digital_enablers", "local_actor_types", "dysfunction_clusters",
            "value_propositions", "figures", "action_groups",
        ),
        number=number,
    )
    progress = selectors.project_progress_map()
    objectives = list(ambition.objectives.all())
    for objective in objectives:
        for project in objective.projects.all():
            project.progress_value = _shown_progress(project, progress.get(project.pk, 0.0))  # type: ignore[attr-defined]
    recorded = any(p.progress_value is not None for o in objectives for p in o.projects.all())  # type: ignore[attr-defined]
    ambition_progress = selectors.ambition_progress(progress).get(ambition.pk)  # same queries either way
    swot = [(label, ambition.swot.get(key, [])) for key, label in (
        ("strengths", _("Strengths")), ("weaknesses", _("Weaknesses")),
        ("opportunities", _("Opportunities")), ("threats", _("Threats")))]
    return render(request, "strategy/ambition.html", {
        "ambition": ambition, "objectives": objectives, "kpis": selectors.with_latest(ambition.kpis.all()),
        "swot": swot, "swot_recorded": any(items for _label, items in swot),
        "progress": ambition_progress if recorded else None,
    })


PAGE_SIZE = 25


def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.filter(parent__isnull=True).select_related(
        "objective__ambition__dimension", "funding_programme")
    filters = {
        "ambition": request.GET.get("ambition", ""),
        "status": request.GET.get("status", ""),
        "dimension": request.GET.get("dimension", ""),
        "funding": request.GET.get("funding", ""),
        "q": request.GET.get("q", "").strip()[:200],
    }
    if filters["ambition"].isdigit():
        projects = projects.filter(objective__ambition__number=int(filters["ambition"]))
    if filters["status"] == "unrecorded":
        projects = projects.filter(status="")
    elif filters["status"] in ProjectStatus.values:
        projects = projects.filter(status=filters["status"])
    if filters["dimension"]:
        projects = projects.filter(objective__ambition__dimension__code=filters["dimension"])
    if filters["funding"]:
        projects = projects.filter(funding_programme__code=filters["funding"])
    if filters["q"]:
        query = filters["q"]
        projects = projects.filter(
            Q(title_en__icontains=query) | Q(title_ro__icontains=query) | Q(description_en__icontains=query)
            | Q(description_ro__icontains=query) | Q(code__iexact=query))
    paginator = Paginator(projects.order_by("code"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    progress = selectors.project_progress_map()
    for project in page.object_list:
        project.progress_value = _shown_progress(project, progress.get(project.pk, 0.0))  # type: ignore[attr-defined]
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    context = {
        "page": page, "filters": filters, "query_string": query_without_page.urlencode(),
        "ambitions": Ambition.objects.only("number", "title_en", "title_ro"),
        "statuses": ProjectStatus.choices,
        "dimensions": SmartCityDimension.objects.all(),
        "funding_programmes": FundingProgramme.objects.all(),
    }
    template = "strategy/_project_results.html" if request.headers.get("HX-Request") else "strategy/projects.html"
    return render(request, template, context)


def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    project: Project = get_object_or_404(
        Project.objects.select_related("objective__ambition__dimension", "funding_programme", "parent")
        .prefetch_related("milestones", "children", "kpis"),
        code=code,
    )
    progress = selectors.project_progress_map()
    children = list(project.children.all())
    for child in children:
        child.progress_value = _shown_progress(child, progress.get(child.pk, 0.0))  # type: ignore[attr-defined]
    updates = list(project.updates.order_by("-created_at", "-id")[:100])
    # What the rooms registered (strategy.origins): where the project comes from (accepted proposals,
    # consultation outcomes, budgeting projects selected for funding) and their sections (participation).
    sections = []
    for section in origins.sections():
        context = section.context(project)
        if context is not None:
            sections.append(render_to_string(section.template, context, request=request))
    return render(request, "strategy/project.html", {
        "origins": origins.for_projects([project.pk]).get(project.pk, []), "sections": sections,
        "project": project, "progress": _shown_progress(project, progress.get(project.pk, 0.0)), "children": children,
        "milestones": list(project.milestones.all()), "updates": updates,
        "kpis": selectors.with_latest(project.kpis.all()), "today": dt.date.today(),
    })


def _kpi(code: str) -> KPI:
    return get_object_or_404(KPI.objects.select_related("ambition"), code=code)


def kpi_detail(request: HttpRequest, code: str) -> HttpResponse:
    kpi = _kpi(code)
    measurements = list(kpi.measurements.order_by("date"))
    view = selectors.with_latest([kpi])[0]
    series = []
    if kpi.baseline_value is not None and kpi.baseline_year:
        series.append(Series(_("Baseline"), [Point(kpi.baseline_year, float(kpi.baseline_value),
                                                   str(kpi.baseline_year))], "baseline"))
    if measurements:
        series.append(Series(_("Measured"), [
            Point(m.date.year + (m.date.timetuple().tm_yday - 1) / 366, float(m.value), m.date.isoformat())
            for m in measurements], "measured"))
    if kpi.target_value is not None and kpi.target_year:
        start = (kpi.baseline_year, float(kpi.baseline_value)) if kpi.baseline_value is not None and \
            kpi.baseline_year else None
        points = ([Point(start[0], start[1], str(start[0]))] if start else []) + [
            Point(kpi.target_year, float(kpi.target_value), str(kpi.target_year))]
        series.append(Series(_("Path to target"), points, "target", dashed=True))
    projects = list(kpi.projects.only("code", "title_en", "title_ro"))  # type: ignore[attr-defined]
    return render(request, "strategy/kpi.html", {
        "kpi": kpi, "measurements": measurements, "view": view, "chart": line_chart(series), "projects": projects,
    })


def kpi_csv(request: HttpRequest, code: str) -> HttpResponse:
    kpi = _kpi(code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpi-{kpi.code}.csv"'
    writer = csv.writer(response)
    writer.writerow(["kpi", "kind", "date", "value", "unit", "source"])
    if kpi.baseline_value is not None:
        writer.writerow([kpi.code, "baseline", kpi.baseline_year or "", kpi.baseline_value, kpi.unit, kpi.source])
    for m in kpi.measurements.order_by("date"):
        writer.writerow([kpi.code, "measurement", m.date.isoformat(), m.value, kpi.unit, m.source])
    if kpi.target_value is not None:
        writer.writerow([kpi.code, "target", kpi.target_year or "", kpi.target_value, kpi.unit, ""])
    return response


def kpi_list(request: HttpRequest) -> HttpResponse:
    kpis = selectors.with_latest(KPI.objects.select_related("ambition"))
    return render(request, "strategy/kpis.html", {"kpis": kpis})


def governance(request: HttpRequest) -> HttpResponse:
    bodies = list(GovernanceBody.objects.select_related("ambition"))
    top = [b for b in bodies if b.parent_id is None]
    children: dict[int, list[GovernanceBody]] = {}
    for body in bodies:
        if body.parent_id:
            children.setdefault(body.parent_id, []).append(body)
    for body in top:
        body.child_list = children.get(body.pk, [])  # type: ignore[attr-defined]
    return render(request, "strategy/governance.html", {
        "strategy": selectors.current_strategy(), "bodies": top,
        "activities": list(CoDesignActivity.objects.all()),
        "funding": list(FundingProgramme.objects.all()),
    })


def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    strategy = selectors.current_strategy()
    if strategy is None or not (strategy.period_start <= year <= strategy.period_end + 1):
        raise Http404(_("No report for this year."))
    # A year that has ended shows each project as it stood at its end, from the dated updates; the
    # current year shows today's values.
    ended = year < dt.date.today().year
    states = selectors.project_states_at_year_end(year) if ended else selectors.current_project_states()
    ambitions = list(selectors.ambitions_tree())
    year_end = dt.date(year, 12, 31)
    kpis = list(KPI.objects.select_related("ambition"))
    latest: dict[int, Any] = {}
    from strategy.models import Measurement

    for m in Measurement.objects.filter(date__lte=year_end).order_by("kpi_id", "date"):
        latest[m.kpi_id] = m
    kpi_views = [selectors.KpiView(kpi=k, latest=latest.get(k.pk), track=selectors.kpi_track(k, latest.get(k.pk)))
                 for k in kpis]
    by_ambition: dict[int, list[selectors.KpiView]] = {}
    for view in kpi_views:
        if view.kpi.ambition_id:
            by_ambition.setdefault(view.kpi.ambition_id, []).append(view)
    sections = []
    for ambition in ambitions:
        projects = [p for o in ambition.objectives.all() for p in o.projects.all()]
        for project in projects:
            project.state = states.get(project.pk, selectors.NOT_RECORDED)  # type: ignore[attr-defined]
        sections.append({"ambition": ambition, "projects": projects, "kpis": by_ambition.get(ambition.pk, [])})
    cycle = EvaluationCycle.objects.filter(year=year, published=True).first()
    return render(request, "strategy/report.html", {"strategy": strategy, "year": year, "sections": sections,
                                                    "cycle": cycle, "year_ended": ended})
