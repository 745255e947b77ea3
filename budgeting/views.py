"""Pages of the budgeting room. Public pages render in a constant number of queries; every POST
goes through budgeting.services and shows its errors on the field they concern."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgeting import forms, selectors, services
from budgeting.explain import result_rows
from budgeting.models import (
    BallotType,
    Category,
    Comment,
    Edition,
    Phase,
    Photo,
    Project,
    ProjectStatus,
)
from core import ratelimit
from core.models import Neighbourhood


def _language() -> str:
    return (get_language() or "ro").split("-")[0]


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _project(edition: Edition, number: int, user: Any) -> Project:
    project = get_object_or_404(Project.objects.select_related(
        "edition", "pool", "category", "neighbourhood", "author", "strategy_project"), edition=edition, number=number)
    if (project.hidden or project.status == ProjectStatus.WITHDRAWN) and not (
            user.has_perm("budgeting.view_staff_pages") or project.author_id == user.pk):
        raise Http404(_("This project is not public."))
    return project


# --- Public pages --------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    editions = list(selectors.visible_editions(request.user).annotate(
        project_count=Count("projects", filter=Q(projects__hidden=False, projects__status__in=[
            ProjectStatus.SUBMITTED, ProjectStatus.FEASIBLE])),
        ).prefetch_related("pools"))
    for edition in editions:
        edition.total_budget = sum(p.budget for p in edition.pools.all())  # type: ignore[attr-defined]
    current = [e for e in editions if not e.is_finished]
    finished = [e for e in editions if e.is_finished]
    return render(request, "budgeting/index.html", {"current": current, "finished": finished})


def edition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    pools = list(edition.pools.select_related("neighbourhood", "category"))
    counts = dict(edition.projects.filter(hidden=False).values_list("status").annotate(n=Count("id")))
    may_vote, reason = services.account_may_vote(request.user, edition)
    return render(request, "budgeting/edition.html", {
        "edition": edition, "pools": pools, "total_budget": sum(p.budget for p in pools),
        "counts": {status: counts.get(status, 0) for status in ProjectStatus.values},
        "submission_open": services.submission_is_open(edition), "voting_open": edition.voting_is_open(),
        "may_vote": may_vote, "vote_blocker": reason, "has_voted": services.has_voted(request.user, edition),
        "ballots": edition.ballots.count() if edition.is_finished else None,
    })


PAGE_SIZE = 30


def project_list(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    projects = selectors.public_projects(edition)
    filters = {key: request.GET.get(key, "").strip()[:100] for key in ("pool", "category", "district", "status", "q")}
    if filters["pool"]:
        projects = projects.filter(pool__slug=filters["pool"])
    if filters["category"]:
        projects = projects.filter(category__slug=filters["category"])
    if filters["district"] == "none":
        projects = projects.filter(neighbourhood__isnull=True)
    elif filters["district"]:
        projects = projects.filter(neighbourhood__slug=filters["district"])
    if filters["status"] in ProjectStatus.values:
        projects = projects.filter(status=filters["status"])
    elif filters["status"] == "selected":
        projects = projects.filter(selected=True)
    if filters["q"]:
        projects = projects.filter(Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    order = "-votes" if edition.is_finished else "number"
    rows = list(projects.order_by(order, "number").prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("order", "id"))))
    markers = [{"lat": p.latitude, "lon": p.longitude, "title": f"#{p.number} {p.title}",
                "url": p.get_absolute_url()} for p in rows if p.latitude is not None]
    context = {
        "edition": edition, "projects": rows, "filters": filters, "markers": markers,
        "pools": list(edition.pools.all()), "categories": list(Category.objects.all()),
        "districts": list(Neighbourhood.objects.only("slug", "name")),
        "statuses": ProjectStatus.choices,
    }
    template = "budgeting/_project_results.html" if request.headers.get("HX-Request") else "budgeting/projects.html"
    return render(request, template, context)


def project_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    project = _project(edition, number, request.user)
    comments = list(Comment.objects.filter(project=project, hidden=False).select_related("author"))
    for comment in comments:
        comment.author_label = selectors.public_name(comment.author, comment.signed)  # type: ignore[attr-defined]
    user = request.user
    supported = user.is_authenticated and project.supports.filter(user=user).exists()
    explanation = None
    if edition.is_finished and project.status == ProjectStatus.FEASIBLE:
        results = selectors.official_results(edition)
        result = results.get(project.pool_id)
        if result is not None:
            explanation = next((row for row in result_rows(result, [project]) if row["project"] == project), None)
    return render(request, "budgeting/project.html", {
        "edition": edition, "project": project, "photos": list(project.photos.all()), "comments": comments,
        "support_count": project.supports.count(), "supported": supported,
        "author_label": selectors.public_name(project.author, project.signed),
        "can_support": edition.phase == Phase.SUBMISSION and project.status in (
            ProjectStatus.SUBMITTED, ProjectStatus.FEASIBLE),
        "can_comment": edition.phase in services.COMMENT_PHASES,
        "can_edit": project.status == ProjectStatus.SUBMITTED and services.submission_is_open(edition)
        and user.has_perm("budgeting.edit_project", project),
        "can_add_photo": edition.phase in (Phase.SUBMISSION, Phase.REVIEW)
        and user.has_perm("budgeting.edit_project", project),
        "comment_form": forms.CommentForm(), "photo_form": forms.PhotoForm(), "explanation": explanation,
        "marker": project.latitude is not None,
        "marker_list": [{"lat": project.latitude, "lon": project.longitude, "title": project.title}]
        if project.latitude is not None else [],
    })


def results(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    if not edition.is_finished:
        raise Http404(_("The results of this edition are not published yet."))
    pools = list(edition.pools.select_related("neighbourhood", "category").prefetch_related("results"))
    projects = list(edition.projects.filter(status=ProjectStatus.FEASIBLE).select_related("pool"))
    sections = []
    for pool in pools:
        pool_projects = [p for p in projects if p.pool_id == pool.pk]
        pool_results = list(pool.results.all())
        official = next((r for r in pool_results if r.is_official), None)
        rows = result_rows(official, pool_projects) if official else []
        comparisons = [r for r in pool_results if not r.is_official]
        comparison_rows = []
        if comparisons and official:
            chosen = {r.rule: set(r.selected) for r in [official, *comparisons]}
            comparison_rows = [{"project": p, "marks": [p.number in chosen[r.rule] for r in [official, *comparisons]],
                                "official_file": p.official_selected} for p in sorted(
                pool_projects, key=lambda p: (-(p.votes or 0), p.number))]
        top = max((row["votes"] or 0 for row in rows), default=0)
        for row in rows:
            row["bar"] = round(100 * (row["votes"] or 0) / top) if top else 0
        sections.append({"pool": pool, "result": official, "rows": rows, "comparisons": comparisons,
                         "comparison_rows": comparison_rows})
    return render(request, "budgeting/results.html", {
        "edition": edition, "sections": sections, "ballots": edition.ballots.count(),
        "has_official_file": any(p.official_selected is not None for p in projects),
    })


# --- Citizens ------------------------------------------------------------------------------------


@login_required
def propose(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    _require(request, "budgeting.submit_project", edition)
    if not services.submission_is_open(edition):
        messages.error(request, _("Project submission is not open in this edition."))
        return redirect(edition)
    form = forms.ProposeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.submit_project(request.user, edition, form.to_input(_language()), form.photos())
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you! Your project was submitted; it will be reviewed by the city."))
            return redirect(project)
    status = 400 if request.method == "POST" else 200
    return render(request, "budgeting/propose.html", {"edition": edition, "form": form, "editing": None},
                  status=status)


@login_required
def edit_project(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    project = _project(edition, number, request.user)
    _require(request, "budgeting.edit_project", project)
    form = forms.ProjectForm(request.POST or None, initial=forms.ProjectForm.initial_for(project))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(request.user, project, form.to_input(project.language))
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(project)
    status = 400 if request.method == "POST" else 200
    return render(request, "budgeting/propose.html", {"edition": edition, "form": form, "editing": project},
                  status=status)


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    project = _project(edition, number, request.user)
    _require(request, "budgeting.edit_project", project)
    try:
        services.withdraw_project(request.user, project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The project was withdrawn."))
    return HttpResponseRedirect(project.get_absolute_url(), status=303)


@login_required
@require_POST
def add_photo(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    project = _project(edition, number, request.user)
    _require(request, "budgeting.edit_project", project)
    form = forms.PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_photo(request.user, project, form.cleaned_data["photo"].read(), form.cleaned_data["alt_text"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
    if form.errors:
        return render(request, "budgeting/photo_form.html", {"edition": edition, "project": project, "form": form},
                      status=400)
    messages.success(request, _("The photo was added."))
    return redirect(project)


@login_required
@require_POST
def support(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    project = _project(edition, number, request.user)
    _require(request, "budgeting.support_project", project)
    try:
        now_supports = services.toggle_support(request.user, project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(project.get_absolute_url(), status=303)
    messages.success(request, _("You support this project.") if now_supports else _("Your support was withdrawn."))
    return HttpResponseRedirect(project.get_absolute_url(), status=303)


@login_required
@require_POST
def comment(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    project = _project(edition, number, request.user)
    _require(request, "budgeting.comment_project", project)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(request.user, project, form.cleaned_data["text"], signed=form.cleaned_data["signed"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
    if form.errors:
        return render(request, "budgeting/comment_form.html", {"edition": edition, "project": project, "form": form},
                      status=400)
    messages.success(request, _("Your comment was published."))
    return HttpResponseRedirect(project.get_absolute_url() + "#comments", status=303)


# --- Voting --------------------------------------------------------------------------------------


def _ballot_page(request: HttpRequest, edition: Edition, *, choices: dict[int, int] | None,
                 errors: dict[str, str] | None = None, general_errors: list[str] | None = None,
                 code: str = "", paper: bool = False, allowed_pools: set[str] | None = None,
                 status: int = 200) -> HttpResponse:
    pools = list(edition.pools.select_related("neighbourhood", "category"))
    projects = list(edition.projects.filter(status=ProjectStatus.FEASIBLE, hidden=False)
                    .select_related("category", "neighbourhood").order_by("pool_id", "number"))
    errors = errors or {}
    choices = choices or {}
    sections = []
    for pool in pools:
        if allowed_pools is not None and pool.slug not in allowed_pools:
            continue
        items = [{"project": p, "field": forms.ballot_field_name(p.number), "value": choices.get(p.number),
                  "error": errors.get(forms.ballot_field_name(p.number))} for p in projects if p.pool_id == pool.pk]
        if items:
            sections.append({"pool": pool, "items": items})
    return render(request, "budgeting/ballot.html", {
        "edition": edition, "sections": sections, "general_errors": general_errors or [],
        "field_errors": errors, "code": code, "paper": paper, "replacing": bool(choices) and not code,
        "ballot_type": edition.ballot_type, "types": BallotType,
    }, status=status)


def _numbers(edition: Edition) -> list[int]:
    return list(edition.projects.filter(status=ProjectStatus.FEASIBLE, hidden=False).values_list("number", flat=True))


def _read_ballot(request: HttpRequest, edition: Edition) -> tuple[dict[int, int], dict[str, str]]:
    return forms.parse_ballot(edition, request.POST, _numbers(edition))


def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """The ballot of a signed-in verified resident (changeable until the close)."""
    edition = selectors.edition_or_404(request.user, slug)
    if not edition.voting_is_open():
        return render(request, "budgeting/vote_closed.html", {"edition": edition}, status=403)
    if not request.user.is_authenticated:
        return render(request, "budgeting/vote_start.html", {"edition": edition, "code_form": forms.CodeForm()})
    may_vote, reason = services.account_may_vote(request.user, edition)
    if not may_vote:
        return render(request, "budgeting/vote_start.html", {"edition": edition, "reason": reason,
                                                             "code_form": forms.CodeForm()}, status=403)
    allowed = services.ballot_pools(edition, neighbourhood=services.voter_neighbourhood(request.user),
                                    restrict=edition.vote_in_own_district)
    if request.method != "POST":
        return _ballot_page(request, edition, choices=services.current_choices(request.user, edition),
                            allowed_pools=allowed)
    choices, errors = _read_ballot(request, edition)
    if not errors:
        try:
            replaced = services.cast_account_ballot(request.user, edition, choices)
        except ValidationError as error:
            return _ballot_page(request, edition, choices=choices, general_errors=error.messages,
                                allowed_pools=allowed, status=400)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect(edition)
        messages.success(request, _("Your ballot was changed.") if replaced else _("Thank you! Your ballot was cast."))
        return render(request, "budgeting/voted.html", {"edition": edition})
    return _ballot_page(request, edition, choices=choices, errors=errors, allowed_pools=allowed, status=400)


def vote_with_code(request: HttpRequest, slug: str) -> HttpResponse:
    """Voting with a printed single-use code, no account needed."""
    edition = selectors.edition_or_404(request.user, slug)
    if not edition.voting_is_open():
        return render(request, "budgeting/vote_closed.html", {"edition": edition}, status=403)
    if not edition.accepts_codes:
        raise Http404(_("This edition does not use voting codes."))
    return _code_ballot(request, edition, paper=False)


def _code_ballot(request: HttpRequest, edition: Edition, *, paper: bool) -> HttpResponse:
    template = "budgeting/paper.html" if paper else "budgeting/vote_code.html"
    if request.method != "POST":
        return render(request, template, {"edition": edition, "code_form": forms.CodeForm()})
    if not ratelimit.hit(request, "voting_code_failure", dry_run=True).allowed:
        return render(request, template, {"edition": edition, "code_form": forms.CodeForm(),
                                          "throttled": True}, status=429)
    code_form = forms.CodeForm(request.POST)
    if not code_form.is_valid():
        return render(request, template, {"edition": edition, "code_form": code_form}, status=400)
    code = code_form.cleaned_data["code"]
    try:
        voting_code = services.check_code(edition, code)
    except ValidationError as error:
        ratelimit.hit(request, "voting_code_failure")
        forms.add_service_errors(code_form, error)
        return render(request, template, {"edition": edition, "code_form": code_form}, status=400)
    allowed = services.ballot_pools(edition, neighbourhood=voting_code.neighbourhood,
                                    restrict=voting_code.neighbourhood_id is not None)
    if "cast" not in request.POST:
        return _ballot_page(request, edition, choices=None, code=code, paper=paper, allowed_pools=allowed)
    choices, errors = _read_ballot(request, edition)
    if errors:
        return _ballot_page(request, edition, choices=choices, errors=errors, code=code, paper=paper,
                            allowed_pools=allowed, status=400)
    try:
        services.cast_code_ballot(edition, code, choices, entered_by=request.user if paper else None)
    except ValidationError as error:
        return _ballot_page(request, edition, choices=choices, general_errors=error.messages, code=code,
                            paper=paper, allowed_pools=allowed, status=400)
    if paper:
        messages.success(request, _("The paper ballot was recorded. Enter the next one."))
        return redirect("budgeting:paper", slug=edition.slug)
    return render(request, "budgeting/voted.html", {"edition": edition, "with_code": True})


# --- Staff ---------------------------------------------------------------------------------------


@login_required
def paper_ballot(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    _require(request, "budgeting.enter_paper_ballot", edition)
    if not edition.voting_is_open():
        return render(request, "budgeting/vote_closed.html", {"edition": edition}, status=403)
    return _code_ballot(request, edition, paper=True)


@login_required
def review_list(request: HttpRequest, slug: str) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    _require(request, "budgeting.review_project", edition)
    projects = list(edition.projects.select_related("pool", "category", "neighbourhood").annotate(
        support_count=Count("supports")).order_by("status", "number"))
    return render(request, "budgeting/review_list.html", {"edition": edition, "projects": projects})


@login_required
def review(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    edition = selectors.edition_or_404(request.user, slug)
    project = get_object_or_404(Project.objects.select_related("pool", "category", "neighbourhood"),
                                edition=edition, number=number)
    _require(request, "budgeting.review_project", project)
    initial = {"feasible": "yes" if project.status != ProjectStatus.REJECTED else "no",
               "corrected_cost": project.corrected_cost, "rejection_reason": project.rejection_reason,
               "review_note": project.review_note}
    form = forms.ReviewForm(request.POST or None, initial=initial, edition=edition)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_project(request.user, project, feasible=data["feasible"],
                                    corrected_cost=data["corrected_cost"], pool=data["pool"],
                                    rejection_reason=data["rejection_reason"], review_note=data["review_note"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("The review of #%(n)s was recorded.") % {"n": project.number})
            return redirect("budgeting:review_list", slug=edition.slug)
    return render(request, "budgeting/review.html", {"edition": edition, "project": project, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Phases, closing the vote, counting, publishing and voting codes of one edition."""
    edition = selectors.edition_or_404(request.user, slug)
    _require(request, "budgeting.manage_edition", edition)
    codes_form = forms.GenerateCodesForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "phase":
                services.set_phase(request.user, edition, request.POST.get("phase", ""))
                messages.success(request, _("The phase was changed."))
            elif action == "close":
                services.close_voting(request.user, edition)
                messages.success(request, _("Voting is closed; voters and ballots are no longer linked."))
            elif action == "count":
                services.count_votes(request.user, edition)
                messages.success(request, _("The votes were counted. Check the results before publishing them."))
            elif action == "publish":
                services.publish_results(request.user, edition)
                messages.success(request, _("The results are published."))
                return redirect("budgeting:results", slug=edition.slug)
            elif action == "codes":
                codes_form = forms.GenerateCodesForm(request.POST)
                if codes_form.is_valid():
                    data = codes_form.cleaned_data
                    codes = services.generate_codes(request.user, edition, data["count"], batch=data["batch"],
                                                    neighbourhood=data["neighbourhood"])
                    return render(request, "budgeting/code_sheet.html", {
                        "edition": edition, "codes": codes, "batch": data["batch"],
                        "neighbourhood": data["neighbourhood"], "vote_url": request.build_absolute_uri(
                            edition.get_absolute_url() + "vote/code/")})
                status = 400
            else:
                messages.error(request, _("Unknown action."))
                status = 400
            if status == 200:
                return redirect("budgeting:manage", slug=edition.slug)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            status = 400
        edition.refresh_from_db()
    code_stats = edition.voting_codes.aggregate(total=Count("id"), used=Count("id", filter=Q(used_at__isnull=False)))
    return render(request, "budgeting/manage.html", {
        "edition": edition, "codes_form": codes_form, "code_stats": code_stats,
        "ballots": edition.ballots.count(), "results": list(selectors.official_results(edition).values()),
        "next_phases": sorted(services.ALLOWED_STEPS.get(Phase(edition.phase), set()), key=services.phase_index),
        "now": timezone.now(),
    }, status=status)


@login_required
def import_edition(request: HttpRequest) -> HttpResponse:
    """Administrators import a Pabulib file as a finished edition (e.g. to compare rules)."""
    _require(request, "budgeting.manage_edition")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            edition = services.import_pabulib(request.user, data["file"], slug=data["slug"], title=data["title"],
                                              rule=data["rule"] or None, compare=data["compare"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("The file was imported."))
            return redirect("budgeting:results", slug=edition.slug)
    return render(request, "budgeting/import.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
