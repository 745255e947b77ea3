"""Budgeting API: editions, projects, results with explanations, Pabulib files; proposing and voting.

Reading needs no key. Writing needs a signed-in session (with its CSRF token) or a bearer token
with the `budgeting:write` scope acting for its owner; voting with a printed code needs only the
code. Errors are 4xx with `detail` naming the field, e.g. {"detail": {"choices": ["..."]}}.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import SessionAuth

from budgeting import counting, selectors, services
from budgeting.explain import result_rows
from budgeting.models import Edition, Pool, ProjectStatus
from budgeting.pb.pabulib import write_pabulib_text
from core.models import ApiToken, Neighbourhood
from strategy.api import TokenAuth

router = Router(tags=["budgeting"])


class WriteToken(TokenAuth):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = super().authenticate(request, token)
        if found is not None and not found.has_scope("budgeting:write"):
            raise HttpError(403, "this token lacks the budgeting:write scope")
        return found


WRITE_AUTH = [WriteToken(), SessionAuth()]


def _actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth.owner if isinstance(auth, ApiToken) else request.user


class FieldErrors(Exception):
    """A 4xx answer {"detail": {field: [messages]}} (ninja's HttpError only carries text)."""

    def __init__(self, detail: dict[str, list[str]], status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status

    def response(self) -> Status:
        return Status(self.status, {"detail": self.detail})


def _field_errors(error: ValidationError) -> FieldErrors:
    return FieldErrors(error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages})


# --- Schemas -------------------------------------------------------------------------------------


class PoolOut(Schema):
    slug: str
    name: str
    kind: str
    district: str | None
    category: str | None
    budget: Decimal


class EditionOut(Schema):
    slug: str
    title: str
    phase: str
    is_demo: bool
    imported_from_pabulib: bool
    currency: str
    ballot_type: str
    min_choices: int
    max_choices: int | None
    max_total_points: int | None
    max_points_per_project: int | None
    rule: str
    max_selected_projects: int | None
    topup_limit: Decimal | None
    submission_start: dt.datetime | None
    submission_end: dt.datetime | None
    voting_start: dt.datetime | None
    voting_end: dt.datetime | None
    pools: list[PoolOut]
    url: str
    pabulib_urls: list[str] = Field(description="Open-data files of a finished edition (one per budget)")


class ProjectOut(Schema):
    number: int
    title: str
    description: str
    language: str
    status: str
    budget: str = Field(description="slug of the budget pool")
    district: str | None
    category: str | None
    latitude: float | None
    longitude: float | None
    cost: Decimal
    cost_estimate: Decimal
    rejection_reason: str
    supports: int
    votes: int | None
    selected: bool | None
    url: str


class ExplanationOut(Schema):
    number: int
    title: str
    votes: int | None
    cost: Decimal
    selected: bool
    position: int | None
    reason: str
    text: str


class PoolResultOut(Schema):
    pool: str
    rule: str
    official: bool
    voters: int
    budget: Decimal
    spent: Decimal
    topped_up: Decimal
    selected: list[int]
    projects: list[ExplanationOut]


class ResultsOut(Schema):
    edition: str
    ballots: int
    results: list[PoolResultOut]


class ErrorOut(Schema):
    detail: Any


class ProjectIn(Schema):
    title: str = Field(min_length=5, max_length=200)
    description: str = Field(min_length=20, max_length=5000)
    cost_estimate: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    district: str | None = Field(None, max_length=50, description="Neighbourhood slug")
    category: str | None = Field(None, max_length=50, description="Category slug")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    signed: bool = False


class ChoiceIn(Schema):
    project: int = Field(description="Project number", ge=1)
    value: int = Field(1, ge=0, le=1_000_000, description="1 for approval; points; or rank (1 = first)")


class BallotIn(Schema):
    choices: list[ChoiceIn] = Field(max_length=1000)


class CodeBallotIn(BallotIn):
    code: str = Field(min_length=1, max_length=40)


class BallotOut(Schema):
    recorded: bool
    replaced: bool = False
    choices: dict[int, int] | None = None


# --- Serialisers ---------------------------------------------------------------------------------


def _pabulib_urls(edition: Edition, pools: list[Pool]) -> list[str]:
    if not edition.is_finished:
        return []
    base = f"/api/v1/budgeting/editions/{edition.slug}"
    if len(pools) == 1:
        return [f"{base}/pabulib.pb"]
    return [f"{base}/pools/{pool.slug}/pabulib.pb" for pool in pools]


def _edition(edition: Edition) -> dict[str, Any]:
    pools = list(edition.pools.all())
    return {
        "slug": edition.slug, "title": edition.title, "phase": edition.phase, "is_demo": edition.is_demo,
        "imported_from_pabulib": edition.is_imported, "currency": edition.currency,
        "ballot_type": edition.ballot_type, "min_choices": edition.min_choices, "max_choices": edition.max_choices,
        "max_total_points": edition.max_total_points, "max_points_per_project": edition.max_points_per_project,
        "rule": edition.rule, "max_selected_projects": edition.max_selected_projects,
        "topup_limit": edition.topup_limit, "submission_start": edition.submission_start,
        "submission_end": edition.submission_end, "voting_start": edition.voting_start,
        "voting_end": edition.voting_end, "url": edition.get_absolute_url(),
        "pools": [{"slug": p.slug, "name": p.name, "kind": p.kind,
                   "district": p.neighbourhood.slug if p.neighbourhood else None,
                   "category": p.category.slug if p.category else None, "budget": p.budget} for p in pools],
        "pabulib_urls": _pabulib_urls(edition, pools),
    }


def _editions(request: HttpRequest) -> Any:
    return selectors.visible_editions(request.user).prefetch_related("pools__neighbourhood", "pools__category")


# --- Reading -------------------------------------------------------------------------------------


@router.get("budgeting/editions", response=list[EditionOut], summary="Participatory-budgeting editions")
def list_editions(request: HttpRequest) -> Any:
    return [_edition(edition) for edition in _editions(request)]


@router.get("budgeting/editions/{slug}", response={200: EditionOut, 404: ErrorOut}, summary="One edition")
def get_edition(request: HttpRequest, slug: str) -> Any:
    return _edition(get_object_or_404(_editions(request), slug=slug))


@router.get("budgeting/editions/{slug}/projects", response={200: list[ProjectOut], 404: ErrorOut},
            summary="Public projects of an edition (authors are never included)")
def list_projects(request: HttpRequest, slug: str) -> Any:
    edition = selectors.edition_or_404(request.user, slug)
    finished = edition.is_finished
    return [{
        "number": p.number, "title": p.title, "description": p.description, "language": p.language,
        "status": p.status, "budget": p.pool.slug, "district": p.neighbourhood.slug if p.neighbourhood else None,
        "category": p.category.slug if p.category else None, "latitude": p.latitude, "longitude": p.longitude,
        "cost": p.cost, "cost_estimate": p.cost_estimate, "rejection_reason": p.rejection_reason,
        "supports": getattr(p, "support_count", 0), "votes": p.votes if finished else None,
        "selected": p.selected if finished else None, "url": p.get_absolute_url(),
    } for p in selectors.public_projects(edition).order_by("number")]


@router.get("budgeting/editions/{slug}/results", response={200: ResultsOut, 404: ErrorOut},
            summary="Results: the selected projects and, for every project, why it was or was not selected")
def get_results(request: HttpRequest, slug: str) -> Any:
    edition = selectors.edition_or_404(request.user, slug)
    if not edition.is_finished:
        raise HttpError(404, "the results of this edition are not published yet")
    pools = list(edition.pools.prefetch_related("results"))
    projects = list(edition.projects.filter(status=ProjectStatus.FEASIBLE).select_related("pool"))
    out = []
    for pool in pools:
        pool_projects = [p for p in projects if p.pool_id == pool.pk]
        for result in pool.results.all():
            rows = result_rows(result, pool_projects, edition.currency)
            out.append({
                "pool": pool.slug, "rule": result.rule, "official": result.is_official, "voters": result.voters,
                "budget": result.budget, "spent": result.spent, "topped_up": result.topped_up,
                "selected": result.selected,
                "projects": [{"number": r["project"].number, "title": r["project"].title, "votes": r["votes"],
                              "cost": r["project"].cost, "selected": r["selected"], "position": r["position"],
                              "reason": r["reason"], "text": r["text"]} for r in rows],
            })
    return {"edition": edition.slug, "ballots": edition.ballots.count(), "results": out}


def _pabulib_text(edition: Edition, pool: Pool) -> str:
    """The file of a finished pool, cached: a large edition takes a second or two to write, and its
    ballots no longer change (a new count changes the key)."""
    from django.core.cache import cache
    from django.db.models import Max

    counted = pool.results.aggregate(last=Max("computed_at"))["last"]
    key = f"budgeting:pabulib:{pool.pk}:{counted.timestamp() if counted else 0}:{edition.phase}"
    text = cache.get(key)
    if text is None:
        instance, _projects, _tally = counting.pool_instance(edition, pool, for_export=True)
        text = write_pabulib_text(instance)
        cache.set(key, text, 24 * 3600)
    return str(text)


def _pabulib_response(edition: Edition, pool: Pool, filename: str) -> HttpResponse:
    response = HttpResponse(_pabulib_text(edition, pool), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _finished(request: HttpRequest, slug: str) -> Edition:
    edition = selectors.edition_or_404(request.user, slug)
    if not edition.is_finished:
        # Ballots are published only with the results.
        raise HttpError(404, "the ballots of an edition are published with its results")
    return edition


@router.get("budgeting/editions/{slug}/pabulib.pb", response={200: None, 404: ErrorOut, 409: ErrorOut},
            summary="Open data: the finished edition as a Pabulib file (anonymous ballots)")
def pabulib_file(request: HttpRequest, slug: str) -> Any:
    edition = _finished(request, slug)
    pools = list(edition.pools.all())
    if len(pools) != 1:
        return Status(409, {"detail": {"pool": [f"this edition has {len(pools)} budgets; download one file per "
                                                 "budget", *_pabulib_urls(edition, pools)]}})
    return _pabulib_response(edition, pools[0], f"{edition.slug}.pb")


@router.get("budgeting/editions/{slug}/pools/{pool}/pabulib.pb", response={200: None, 404: ErrorOut},
            summary="Open data: one budget of a finished edition as a Pabulib file")
def pabulib_pool_file(request: HttpRequest, slug: str, pool: str) -> Any:
    edition = _finished(request, slug)
    found = get_object_or_404(Pool, edition=edition, slug=pool)
    return _pabulib_response(edition, found, f"{edition.slug}-{found.slug}.pb")


# --- Writing -------------------------------------------------------------------------------------


@router.post("budgeting/editions/{slug}/projects", auth=WRITE_AUTH,
             response={201: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             summary="Propose a project (verified account)")
def propose_project(request: HttpRequest, slug: str, payload: ProjectIn) -> Any:
    actor = _actor(request)
    edition = selectors.edition_or_404(actor, slug)
    district = None
    if payload.district:
        district = Neighbourhood.objects.filter(slug=payload.district).first()
        if district is None:
            return FieldErrors({"district": [f"unknown neighbourhood {payload.district!r}"]}).response()
    category = None
    if payload.category:
        from budgeting.models import Category

        category = Category.objects.filter(slug=payload.category).first()
        if category is None:
            return FieldErrors({"category": [f"unknown category {payload.category!r}"]}).response()
    data = services.ProjectInput(
        title=payload.title, description=payload.description, cost_estimate=payload.cost_estimate,
        neighbourhood=district, category=category, latitude=payload.latitude, longitude=payload.longitude,
        signed=payload.signed, language=(get_language() or "ro")[:2])
    try:
        project = services.submit_project(actor, edition, data)
    except PermissionDenied:
        raise HttpError(403, "a verified account is needed to propose projects") from None
    except ValidationError as error:
        return _field_errors(error).response()
    return Status(201, {
        "number": project.number, "title": project.title, "description": project.description,
        "language": project.language, "status": project.status, "budget": project.pool.slug,
        "district": project.neighbourhood.slug if project.neighbourhood else None,
        "category": project.category.slug if project.category else None, "latitude": project.latitude,
        "longitude": project.longitude, "cost": project.cost, "cost_estimate": project.cost_estimate,
        "rejection_reason": "", "supports": 0, "votes": None, "selected": None, "url": project.get_absolute_url()})


def _choices(payload: BallotIn) -> dict[int, int]:
    choices: dict[int, int] = {}
    for position, choice in enumerate(payload.choices):
        if choice.project in choices:
            raise FieldErrors({f"choices[{position}].project": [f"project {choice.project} appears twice"]})
        if choice.value == 0:
            continue
        choices[choice.project] = choice.value
    return choices


@router.get("budgeting/editions/{slug}/ballot", auth=WRITE_AUTH, response={200: BallotOut, 404: ErrorOut},
            summary="Your own ballot while voting is open")
def my_ballot(request: HttpRequest, slug: str) -> Any:
    actor = _actor(request)
    edition = selectors.edition_or_404(actor, slug)
    choices = services.current_choices(actor, edition)
    return {"recorded": choices is not None, "choices": choices}


@router.put("budgeting/editions/{slug}/ballot", auth=WRITE_AUTH,
            response={200: BallotOut, 201: BallotOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="Cast or replace your ballot (verified resident)")
def cast_ballot(request: HttpRequest, slug: str, payload: BallotIn) -> Any:
    actor = _actor(request)
    edition = selectors.edition_or_404(actor, slug)
    try:
        replaced = services.cast_account_ballot(actor, edition, _choices(payload))
    except FieldErrors as error:
        return error.response()
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "you may not vote in this edition") from None
    except ValidationError as error:
        return _field_errors(error).response()
    return Status(200 if replaced else 201, {"recorded": True, "replaced": replaced})


@router.post("budgeting/editions/{slug}/code-ballot", response={201: BallotOut, 400: ErrorOut, 404: ErrorOut,
                                                                 429: ErrorOut},
             summary="Cast a ballot with a printed single-use voting code (no account)")
def cast_code_ballot(request: HttpRequest, slug: str, payload: CodeBallotIn) -> Any:
    from core import ratelimit

    edition = selectors.edition_or_404(request.user, slug)
    if not ratelimit.hit(request, "voting_code_failure", dry_run=True).allowed:
        return FieldErrors({"code": ["too many wrong codes from this address; try again later"]}, 429).response()
    try:
        services.cast_code_ballot(edition, payload.code, _choices(payload))
    except FieldErrors as error:
        return error.response()
    except ValidationError as error:
        if "code" in getattr(error, "error_dict", {}):
            ratelimit.hit(request, "voting_code_failure")
        return _field_errors(error).response()
    return Status(201, {"recorded": True})
