"""Every state change of the budgeting room: one function, one transaction, one audit row.

Views, the API, the back office, commands and jobs call these; nothing else writes budgeting data.
Bad input raises django.core.exceptions.ValidationError with a dict {field: [messages]} so every
caller can name the field; missing rights raise PermissionDenied.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgeting import ballots as ballot_rules
from budgeting.models import (
    PHASE_ORDER,
    Ballot,
    BallotChoice,
    BallotType,
    Category,
    Comment,
    Edition,
    Eligibility,
    Phase,
    Photo,
    Pool,
    PoolResult,
    Project,
    ProjectStatus,
    Rule,
    SplitBy,
    Support,
    VoteRecord,
    VotingCode,
    token_digest,
)
from core import audit
from core.images import PhotoError, clean_photo
from core.models import Neighbourhood
from core.uploads import photo_error_message

MAX_PHOTOS = 5
# A generous box around the municipality and its metropolitan area (lat, lon).
TIMISOARA_BOUNDS = ((45.60, 21.05), (45.90, 21.45))
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 16  # 80 bits: guessing one is hopeless


def set_translations(instance: models.Model, *, languages: Iterable[str] = ("ro",), **values: str) -> None:
    """Set modeltranslation's per-language columns (title_ro, title_en...) of translated fields."""
    for field, value in values.items():
        for language in languages:
            setattr(instance, f"{field}_{language}", value)


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if user is None or isinstance(user, str):
        return  # scripts and loaders act with their own label
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _user(actor: Any) -> Any:
    return actor if isinstance(actor, models.Model) else None


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- Editions and phases --------------------------------------------------------------------------


@transaction.atomic
def create_edition(actor: Any, *, slug: str, title: str, budget: Decimal, **fields: Any) -> Edition:
    """A new edition with one city-wide budget pool (more pools can be added for splits)."""
    _require(actor, "budgeting.manage_edition")
    edition = Edition(slug=slug, title=title, **fields)
    edition.full_clean()
    edition.save()
    pool = Pool(edition=edition, slug="city", name_ro="Tot orașul", name_en="Whole city", kind=Pool.Kind.CITY,
                budget=budget)
    pool.full_clean()
    pool.save()
    audit.record(actor, "budgeting.edition.created", edition, {"slug": slug, "budget": budget})
    return edition


@transaction.atomic
def add_pool(actor: Any, edition: Edition, *, slug: str, name: str, budget: Decimal, kind: str = Pool.Kind.CITY,
             neighbourhood: Neighbourhood | None = None, category: Category | None = None) -> Pool:
    _require(actor, "budgeting.manage_edition", edition)
    if edition.phase not in (Phase.DRAFT, Phase.SUBMISSION):
        raise _fail("pool", _("Budgets can only be changed before the technical review."))
    pool = Pool(edition=edition, slug=slug, name=name, budget=budget, kind=kind, neighbourhood=neighbourhood,
                category=category, order=edition.pools.count())
    pool.full_clean()
    pool.save()
    audit.record(actor, "budgeting.pool.created", pool, {"edition": edition.slug, "budget": budget, "kind": kind})
    return pool


ALLOWED_STEPS = {
    Phase.DRAFT: {Phase.SUBMISSION},
    Phase.SUBMISSION: {Phase.REVIEW},
    Phase.REVIEW: {Phase.VOTING},
    # voting → results goes through publish_results (it needs the count).
    Phase.RESULTS: {Phase.IMPLEMENTATION},
}


@transaction.atomic
def set_phase(actor: Any, edition: Edition, phase: str) -> Edition:
    """Move an edition to its next phase (phases only move forward)."""
    _require(actor, "budgeting.manage_edition", edition)
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if phase not in ALLOWED_STEPS.get(Phase(locked.phase), set()):
        if locked.phase == Phase.VOTING and phase == Phase.RESULTS:
            raise _fail("phase", _("Close the vote and publish the results to move to the results phase."))
        raise _fail("phase", _("An edition in phase “%(current)s” cannot move to “%(new)s”.") % {
            "current": Phase(locked.phase).label, "new": Phase(phase).label if phase in Phase.values else phase})
    if phase == Phase.VOTING:
        if not locked.projects.filter(status=ProjectStatus.FEASIBLE, hidden=False).exists():
            raise _fail("phase", _("No project is on the ballot yet: review the projects first."))
        pending = locked.projects.filter(status=ProjectStatus.SUBMITTED, hidden=False).count()
        if pending:
            raise _fail("phase", ngettext("%(n)d project still awaits its technical review.",
                                          "%(n)d projects still await their technical review.", pending)
                        % {"n": pending})
    old = locked.phase
    locked.phase = phase
    locked.save(update_fields=["phase"])
    audit.record(actor, "budgeting.edition.phase_changed", locked, {"phase": [old, phase]})
    edition.phase = phase
    return locked


def phase_index(phase: str) -> int:
    return PHASE_ORDER.index(Phase(phase))


# --- Submission -----------------------------------------------------------------------------------


def submission_is_open(edition: Edition) -> bool:
    now = timezone.now()
    return edition.phase == Phase.SUBMISSION and not (edition.submission_end and now >= edition.submission_end) \
        and not (edition.submission_start and now < edition.submission_start)


def pool_for(edition: Edition, neighbourhood: Neighbourhood | None, category: Category | None) -> Pool:
    """The budget a project competes in, from the edition's split and the project's district/category."""
    pools = list(edition.pools.all())
    if not pools:
        raise _fail("edition", _("This edition has no budget yet."))
    if edition.split_by == SplitBy.DISTRICT and neighbourhood is not None:
        match = next((p for p in pools if p.neighbourhood_id == neighbourhood.pk), None)
        if match:
            return match
    if edition.split_by == SplitBy.CATEGORY and category is not None:
        match = next((p for p in pools if p.category_id == category.pk), None)
        if match:
            return match
    city = next((p for p in pools if p.kind == Pool.Kind.CITY), None)
    if city is None:
        field = "neighbourhood" if edition.split_by == SplitBy.DISTRICT else "category"
        raise _fail(field, _("Choose one of the districts or categories that have a budget in this edition."))
    return city


def _check_location(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": [_("Give both latitude and longitude, or neither.")]})
    if latitude is None or longitude is None:
        return
    (south, west), (north, east) = TIMISOARA_BOUNDS
    if not (south <= latitude <= north and west <= longitude <= east):
        raise ValidationError({"latitude": [_("The location is outside Timișoara.")],
                               "longitude": [_("The location is outside Timișoara.")]})


@dataclass
class ProjectInput:
    title: str
    description: str
    cost_estimate: Decimal
    neighbourhood: Neighbourhood | None = None
    category: Category | None = None
    latitude: float | None = None
    longitude: float | None = None
    signed: bool = False
    language: str = "ro"


def _apply(project: Project, data: ProjectInput) -> None:
    project.title = data.title.strip()
    project.description = data.description.strip()
    project.cost_estimate = data.cost_estimate
    project.category = data.category
    project.latitude, project.longitude = data.latitude, data.longitude
    project.signed = data.signed
    project.language = data.language[:8]
    if data.neighbourhood is None and data.latitude is not None and data.longitude is not None:
        from core.geo import neighbourhood_for

        project.neighbourhood = neighbourhood_for(data.latitude, data.longitude)
    else:
        project.neighbourhood = data.neighbourhood


@transaction.atomic
def submit_project(actor: Any, edition: Edition, data: ProjectInput,
                   photos: Iterable[tuple[bytes, str]] = ()) -> Project:
    """A citizen proposes a project (with photos as (bytes, alternative text))."""
    _require(actor, "budgeting.submit_project", edition)
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if not submission_is_open(locked):
        raise _fail("edition", _("Project submission is not open in this edition."))
    _check_location(data.latitude, data.longitude)
    project = Project(edition=locked, author=_user(actor))
    _apply(project, data)
    project.pool = pool_for(locked, project.neighbourhood, project.category)
    project.number = (locked.projects.aggregate(n=Max("number"))["n"] or 0) + 1
    project.full_clean()
    project.save()
    for position, (content, alt_text) in enumerate(photos):
        _store_photo(project, content, alt_text, position, field=f"photo_{position + 1}")
    audit.record(actor, "budgeting.project.submitted", project, {"edition": locked.slug,
                                                                 "cost_estimate": project.cost_estimate})
    return project


@transaction.atomic
def update_project(actor: Any, project: Project, data: ProjectInput) -> Project:
    """The author corrects their project while submission is open and before its review."""
    _require(actor, "budgeting.edit_project", project)
    locked = Project.objects.select_for_update(of=("self",)).select_related("edition").get(pk=project.pk)
    if locked.status != ProjectStatus.SUBMITTED or not submission_is_open(locked.edition):
        raise _fail("project", _("This project can no longer be changed."))
    _check_location(data.latitude, data.longitude)
    fields = ["title", "description", "cost_estimate", "category_id", "neighbourhood_id", "latitude", "longitude",
              "signed"]
    before = {name: getattr(locked, name) for name in fields}
    _apply(locked, data)
    locked.pool = pool_for(locked.edition, locked.neighbourhood, locked.category)
    locked.full_clean()
    locked.save()
    changes = {name: [before[name], getattr(locked, name)] for name in fields if before[name] != getattr(locked, name)}
    audit.record(actor, "budgeting.project.updated", locked, changes)
    return locked


@transaction.atomic
def withdraw_project(actor: Any, project: Project) -> Project:
    _require(actor, "budgeting.edit_project", project)
    locked = Project.objects.select_for_update(of=("self",)).select_related("edition").get(pk=project.pk)
    if locked.edition.phase not in (Phase.SUBMISSION, Phase.REVIEW) or locked.status == ProjectStatus.WITHDRAWN:
        raise _fail("project", _("This project can no longer be withdrawn."))
    old = locked.status
    locked.status = ProjectStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    audit.record(actor, "budgeting.project.withdrawn", locked, {"status": [old, locked.status]})
    return locked


def _store_photo(project: Project, content: bytes, alt_text: str, order: int, *, field: str = "photo") -> Photo:
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise _fail(f"{field}_alt" if field != "photo" else "alt_text",
                    _("Describe what the photo shows (for people who cannot see it)."))
    try:
        clean = clean_photo(content, thumbnail_side=None)
    except PhotoError as error:
        raise _fail(field, photo_error_message(error)) from None
    photo = Photo(project=project, alt_text=alt_text[:250], order=order, width=clean.width, height=clean.height)
    photo.image.save("photo.jpg", ContentFile(clean.content), save=False)
    photo.save()
    return photo


@transaction.atomic
def add_photo(actor: Any, project: Project, content: bytes, alt_text: str) -> Photo:
    _require(actor, "budgeting.edit_project", project)
    locked = Project.objects.select_for_update(of=("self",)).select_related("edition").get(pk=project.pk)
    if locked.edition.phase not in (Phase.SUBMISSION, Phase.REVIEW):
        raise _fail("photo", _("Photos can be added during submission and review only."))
    count = locked.photos.count()
    if count >= MAX_PHOTOS:
        raise _fail("photo", _("A project has at most %(n)d photos.") % {"n": MAX_PHOTOS})
    photo = _store_photo(locked, content, alt_text, count)
    audit.record(actor, "budgeting.photo.added", locked, {"photo": photo.pk})
    return photo


@transaction.atomic
def toggle_support(actor: Any, project: Project) -> bool:
    """Support a project, or take the support back. Returns whether the user now supports it."""
    _require(actor, "budgeting.support_project", project)
    if project.edition.phase != Phase.SUBMISSION or project.hidden or project.status in (
            ProjectStatus.WITHDRAWN, ProjectStatus.REJECTED):
        raise _fail("project", _("Projects can be supported while submission is open."))
    deleted, _rows = Support.objects.filter(project=project, user=actor).delete()
    if deleted:
        audit.record(actor, "budgeting.support.withdrawn", project)
        return False
    try:
        with transaction.atomic():
            Support.objects.create(project=project, user=actor)
    except IntegrityError:
        return True  # a double click: the support exists already
    audit.record(actor, "budgeting.support.given", project)
    return True


COMMENT_PHASES = {Phase.SUBMISSION, Phase.REVIEW, Phase.VOTING}


@transaction.atomic
def add_comment(actor: Any, project: Project, text: str, *, signed: bool = False) -> Comment:
    _require(actor, "budgeting.comment_project", project)
    if project.edition.phase not in COMMENT_PHASES or project.hidden:
        raise _fail("text", _("Comments are closed for this project."))
    text = (text or "").strip()
    if not text:
        raise _fail("text", _("Write a comment."))
    if len(text) > 2000:
        raise _fail("text", _("A comment has at most 2000 characters."))
    comment = Comment.objects.create(project=project, author=actor, text=text, signed=signed)
    audit.record(actor, "budgeting.comment.added", comment, {"project": project.pk})
    return comment


@transaction.atomic
def moderate(actor: Any, target: Project | Comment, *, hidden: bool, reason: str = "") -> None:
    _require(actor, "budgeting.moderate", target)
    if isinstance(target, Project) and target.edition.phase not in (Phase.SUBMISSION, Phase.REVIEW):
        raise _fail("hidden", _("Projects on the ballot cannot be hidden."))
    type(target).objects.filter(pk=target.pk).update(hidden=hidden)
    target.hidden = hidden
    audit.record(actor, f"budgeting.{target._meta.model_name}.{'hidden' if hidden else 'shown'}", target,
                 {"reason": reason})


# --- Technical review ----------------------------------------------------------------------------


@transaction.atomic
def review_project(actor: Any, project: Project, *, feasible: bool, corrected_cost: Decimal | None = None,
                   rejection_reason: str = "", review_note: str = "", pool: Pool | None = None) -> Project:
    """Staff record the technical review: feasible (maybe at a corrected cost) or not, with the public reason."""
    _require(actor, "budgeting.review_project", project)
    locked = Project.objects.select_for_update(of=("self",)).select_related("edition").get(pk=project.pk)
    if locked.edition.phase not in (Phase.SUBMISSION, Phase.REVIEW):
        raise _fail("feasible", _("Reviews can be recorded before the vote only."))
    if locked.status == ProjectStatus.WITHDRAWN:
        raise _fail("feasible", _("The author withdrew this project."))
    rejection_reason = rejection_reason.strip()
    if pool is not None and pool.edition_id != locked.edition_id:
        raise _fail("pool", _("This budget belongs to another edition."))
    target_pool = pool or locked.pool
    if corrected_cost is not None and corrected_cost <= 0:
        raise _fail("corrected_cost", _("The cost must be more than zero."))
    if feasible:
        cost = corrected_cost if corrected_cost is not None else locked.cost_estimate
        if cost > target_pool.budget:
            raise _fail("corrected_cost", _("The cost (%(cost)s) is more than the whole budget (%(budget)s).") % {
                "cost": cost, "budget": target_pool.budget})
    elif not rejection_reason:
        raise _fail("rejection_reason", _("Give the public reason why the project is not feasible."))
    old = {"status": locked.status, "corrected_cost": locked.corrected_cost, "pool": locked.pool_id}
    locked.status = ProjectStatus.FEASIBLE if feasible else ProjectStatus.REJECTED
    locked.corrected_cost = corrected_cost
    locked.rejection_reason = "" if feasible else rejection_reason
    locked.review_note = review_note.strip()
    locked.pool = target_pool
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = _user(actor)
    locked.full_clean()
    locked.save()
    new = {"status": locked.status, "corrected_cost": locked.corrected_cost, "pool": locked.pool_id}
    audit.record(actor, "budgeting.project.reviewed", locked,
                 {key: [old[key], new[key]] for key in old if old[key] != new[key]})
    if locked.author_id:
        from budgeting.emails import send_review_outcome

        send_review_outcome(locked)  # the project as reviewed now; sent after commit
    return locked


# --- Voting --------------------------------------------------------------------------------------


def account_may_vote(user: Any, edition: Edition) -> tuple[bool, str]:
    """Whether the account may vote in this edition, and if not, why (shown to the user)."""
    from budgeting.rules import is_verified

    if not edition.accepts_accounts:
        return False, _("In this edition, votes are cast with the voting codes the city hands out.")
    if not getattr(user, "is_authenticated", False):
        return False, _("Sign in to vote.")
    if not is_verified(user):
        return False, _("Confirm your email address to vote.")
    from accounts.verification import is_demo_account

    if is_demo_account(user) and not edition.is_demo:
        # The demo resident's password is published in the docs: it votes only in demonstration editions.
        return False, _("Demo accounts vote only in demonstration editions.")
    decision = voter_eligibility(user, edition)
    if not decision.allowed:
        return False, decision.reason
    if VoteRecord.objects.filter(edition=edition, person_key=decision.key).exclude(user=user).exists():
        return False, _("You have already voted in this edition with another account.")
    return True, ""


def voter_eligibility(user: Any, edition: Edition) -> Any:
    """accounts decides who votes and under which key: budgeting votes need a verified resident."""
    from accounts.verification import RESIDENT, eligibility

    return eligibility(user, RESIDENT, f"budgeting:edition:{edition.pk}")


def voter_neighbourhood(user: Any) -> Neighbourhood | None:
    """The neighbourhood the person's residence verification names (for district-restricted ballots)."""
    from accounts.verification import active_resident

    verification = active_resident(user)
    return verification.neighbourhood if verification is not None else None


def ballot_pools(edition: Edition, *, neighbourhood: Neighbourhood | None, restrict: bool) -> set[str] | None:
    """Pools a voter may choose from (None: all). Restricted voters see their district and city-wide pools."""
    if not restrict:
        return None
    return {p.slug for p in edition.pools.all()
            if p.kind != Pool.Kind.DISTRICT or (neighbourhood is not None and p.neighbourhood_id == neighbourhood.pk)}


def ballot_context(edition: Edition) -> tuple[ballot_rules.BallotRules, dict[str, ballot_rules.PoolInfo],
                                              dict[int, ballot_rules.ProjectInfo]]:
    rules = ballot_rules.BallotRules(
        ballot_type=edition.ballot_type, min_choices=edition.min_choices, max_choices=edition.max_choices,
        max_total_points=edition.max_total_points, max_points_per_project=edition.max_points_per_project,
        one_district_per_ballot=edition.one_district_per_ballot)
    pools = {p.slug: ballot_rules.PoolInfo(p.slug, p.budget, p.kind == Pool.Kind.DISTRICT)
             for p in edition.pools.all()}
    projects = {number: ballot_rules.ProjectInfo(number, pool_slug, corrected if corrected is not None else estimate)
                for number, pool_slug, corrected, estimate in edition.projects.filter(
                    status=ProjectStatus.FEASIBLE, hidden=False).values_list(
                    "number", "pool__slug", "corrected_cost", "cost_estimate")}
    return rules, pools, projects


def describe_problem(problem: ballot_rules.BallotProblem, pool_names: Mapping[str, str]) -> str:
    """The ballot problem in the reader's language."""
    n = problem.numbers
    pool = pool_names.get(problem.pool or "", problem.pool or "")
    messages = {
        "empty": lambda: _("Choose at least one project."),
        "unknown_project": lambda: _("These projects are not on the ballot: %(p)s.") % {
            "p": ", ".join(f"#{x}" for x in n["projects"])},  # type: ignore[attr-defined]
        "pool_not_allowed": lambda: _("You cannot vote for projects of “%(pool)s”.") % {"pool": pool},
        "several_districts": lambda: _("Choose projects of one district only."),
        "too_few": lambda: _("%(pool)s: choose at least %(minimum)s projects (you chose %(chosen)s).") % {
            "pool": pool, **n},
        "too_many": lambda: _("%(pool)s: choose at most %(maximum)s projects (you chose %(chosen)s).") % {
            "pool": pool, **n},
        "over_budget": lambda: _("%(pool)s: the projects you chose cost %(total)s, more than the budget of "
                                 "%(budget)s.") % {"pool": pool, "total": _money(n["total"]),
                                                   "budget": _money(n["budget"])},
        "approval_value": lambda: _("%(pool)s: a project is either chosen or not.") % {"pool": pool},
        "points_too_low": lambda: _("%(pool)s: give at least 1 point to each project you choose.") % {"pool": pool},
        "points_over_project_limit": lambda: _("%(pool)s: at most %(maximum)s points per project.") % {
            "pool": pool, **n},
        "points_over_total": lambda: _("%(pool)s: you gave %(total)s points, at most %(maximum)s are allowed.") % {
            "pool": pool, **n},
        "ranks_not_consecutive": lambda: _("%(pool)s: number your choices 1, 2, 3… without gaps or repeats.") % {
            "pool": pool},
    }
    return messages[problem.code]()


def _money(value: Any) -> str:
    amount = Decimal(value).quantize(Decimal(1))
    return f"{amount:,}".replace(",", "\u202f")


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return token_digest(normalise_code(code))


def _validate_choices(edition: Edition, choices: Mapping[int, int], allowed_pools: set[str] | None) -> None:
    rules, pools, projects = ballot_context(edition)
    problems = ballot_rules.check_ballot(rules, pools, projects, choices, allowed_pools)
    if problems:
        names = {p.slug: p.name for p in edition.pools.all()}
        raise ValidationError({"choices": [describe_problem(problem, names) for problem in problems]})


def _write_choices(ballot: Ballot, edition: Edition, choices: Mapping[int, int]) -> None:
    ids = dict(edition.projects.filter(number__in=list(choices)).values_list("number", "id"))
    BallotChoice.objects.bulk_create(
        [BallotChoice(ballot=ballot, project_id=ids[number], value=value) for number, value in choices.items()])


def _lock_open_edition(edition: Edition) -> Edition:
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if not locked.voting_is_open():
        raise _fail("edition", _("Voting is not open in this edition."))
    return locked


@transaction.atomic
def cast_account_ballot(user: Any, edition: Edition, choices: Mapping[int, int]) -> bool:
    """Cast or replace the account's ballot. Returns True when it replaced an earlier one.

    The ballot carries the digest of a random token that only the voter's VoteRecord holds, so the
    voter can change it until the close; after the close neither side keeps it.
    """
    # A shared (read) lock would do, but one ballot at a time per edition keeps SQLite and
    # PostgreSQL behaving alike and stops a close racing a ballot.
    locked = _lock_open_edition(edition)
    may, reason = account_may_vote(user, locked)
    if not may:
        raise PermissionDenied(reason)
    person_key = voter_eligibility(user, locked).key
    allowed = ballot_pools(locked, neighbourhood=voter_neighbourhood(user), restrict=locked.vote_in_own_district)
    _validate_choices(locked, choices, allowed)
    record = VoteRecord.objects.select_for_update().filter(edition=locked, user=user).first()
    replaced = False
    if record is not None:
        deleted, _rows = Ballot.objects.filter(replacement_digest=token_digest(record.token)).delete()
        replaced = bool(deleted)
        record.token = secrets.token_hex(32)
        record.save(update_fields=["token"])
    else:
        try:
            with transaction.atomic():
                record = VoteRecord.objects.create(edition=locked, user=user, token=secrets.token_hex(32),
                                                   person_key=person_key)
        except IntegrityError:
            raise _fail("choices", _("Your ballot is being recorded already; reload the page.")) from None
    ballot = Ballot.objects.create(edition=locked, channel=Ballot.Channel.ONLINE,
                                   replacement_digest=token_digest(record.token))
    _write_choices(ballot, locked, choices)
    # The audit says that this account voted (as VoteRecord does), never what or which ballot.
    audit.record(user, "budgeting.ballot.replaced" if replaced else "budgeting.ballot.cast", locked)
    return replaced


def current_choices(user: Any, edition: Edition) -> dict[int, int] | None:
    """The account's own ballot while voting is open (None when it has not voted or the link is gone)."""
    if not getattr(user, "is_authenticated", False):
        return None
    token = VoteRecord.objects.filter(edition=edition, user=user).values_list("token", flat=True).first()
    if not token:
        return None
    return dict(BallotChoice.objects.filter(ballot__replacement_digest=token_digest(token)).values_list(
        "project__number", "value"))


def has_voted(user: Any, edition: Edition) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and VoteRecord.objects.filter(
        edition=edition, user=user).exists()


def check_code(edition: Edition, code: str, *, lock: bool = False) -> VotingCode:
    """The unused code of this edition, or a ValidationError on `code`."""
    if not normalise_code(code):
        raise _fail("code", _("Enter the voting code printed on your sheet."))
    codes = VotingCode.objects.filter(edition=edition, code_hash=hash_code(code))
    found = (codes.select_for_update() if lock else codes).first()
    if found is None:
        raise _fail("code", _("This voting code is not valid for this edition."))
    if found.used_at is not None:
        raise _fail("code", _("This voting code has already been used."))
    return found


@transaction.atomic
def cast_code_ballot(edition: Edition, code: str, choices: Mapping[int, int], *, entered_by: Any = None) -> None:
    """Cast a ballot with a single-use code: online by the voter, or a paper ballot entered by staff.

    The code is spent in the same transaction; the ballot keeps no trace of it.
    """
    channel = Ballot.Channel.CODE
    if entered_by is not None:
        _require(entered_by, "budgeting.enter_paper_ballot", edition)
        channel = Ballot.Channel.PAPER
    locked = _lock_open_edition(edition)
    if not locked.accepts_codes:
        raise _fail("code", _("This edition does not use voting codes."))
    voting_code = check_code(locked, code, lock=True)
    allowed = ballot_pools(locked, neighbourhood=voting_code.neighbourhood,
                           restrict=voting_code.neighbourhood_id is not None)
    _validate_choices(locked, choices, allowed)
    updated = VotingCode.objects.filter(pk=voting_code.pk, used_at__isnull=True).update(used_at=timezone.now())
    if updated != 1:
        raise _fail("code", _("This voting code has already been used."))
    ballot = Ballot.objects.create(edition=locked, channel=channel)
    _write_choices(ballot, locked, choices)
    audit.record(entered_by if entered_by is not None else "voting-code",
                 "budgeting.paper_ballot.entered" if entered_by is not None else "budgeting.ballot.cast", locked)


@transaction.atomic
def generate_codes(actor: Any, edition: Edition, count: int, *, batch: str = "",
                   neighbourhood: Neighbourhood | None = None) -> list[str]:
    """Create `count` single-use codes and return them in clear, once: only their hashes are stored."""
    _require(actor, "budgeting.generate_codes", edition)
    if not 1 <= count <= 50_000:
        raise _fail("count", _("Generate between 1 and 50,000 codes at a time."))
    if edition.phase in (Phase.RESULTS, Phase.IMPLEMENTATION) or edition.voting_closed_at:
        raise _fail("edition", _("The vote of this edition is over."))
    if not edition.accepts_codes:
        raise _fail("edition", _("This edition does not use voting codes."))
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH)) for _n in range(count)]
    VotingCode.objects.bulk_create([VotingCode(edition=edition, code_hash=hash_code(code), batch=batch[:80],
                                               neighbourhood=neighbourhood) for code in codes], batch_size=2000)
    audit.record(actor, "budgeting.codes.generated", edition,
                 {"count": count, "batch": batch, "neighbourhood": neighbourhood.slug if neighbourhood else None})
    return [format_code(code) for code in codes]


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def close_voting(actor: Any, edition: Edition) -> Edition:
    """End the vote and destroy every link between voters and ballots (irreversible)."""
    _require(actor, "budgeting.count_votes", edition)
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if locked.phase != Phase.VOTING:
        raise _fail("phase", _("Only an edition in the voting phase can be closed."))
    if locked.voting_closed_at is not None:
        return locked
    # Closing before the announced time is an administrator's decision (e.g. a court order); it is audited.
    now = timezone.now()
    unlinked = VoteRecord.objects.filter(edition=locked).exclude(token="").update(token="")
    # The person keys served only to stop a second account of one person during the vote.
    VoteRecord.objects.filter(edition=locked, person_key__isnull=False).update(person_key=None)
    Ballot.objects.filter(edition=locked).update(replacement_digest=None)
    locked.voting_closed_at = now
    if locked.voting_end is None or locked.voting_end > now:
        locked.voting_end = now
    locked.save(update_fields=["voting_closed_at", "voting_end"])
    audit.record(actor, "budgeting.voting.closed", locked, {"ballots": locked.ballots.count(),
                                                            "links_destroyed": unlinked})
    return locked


def close_due_editions(now: Any = None) -> list[str]:
    """Close every edition whose announced closing time has passed (run by a periodic job)."""
    now = now or timezone.now()
    closed = []
    for edition in Edition.objects.filter(phase=Phase.VOTING, voting_closed_at__isnull=True, voting_end__lte=now):
        close_voting("scheduler", edition)
        closed.append(edition.slug)
    return closed


# --- Counting and results ------------------------------------------------------------------------


@transaction.atomic
def count_votes(actor: Any, edition: Edition, *, rules: Iterable[str] = ()) -> list[PoolResult]:
    """Count every pool with the edition's rule (the official result) and, for comparison, other rules.

    Needs the vote to be closed (ballots unlinked). Writes PoolResult rows and each project's votes,
    score and selected flag; publishing is a separate step.
    """
    from budgeting import counting

    _require(actor, "budgeting.count_votes", edition)
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if locked.voting_closed_at is None and not locked.is_imported:
        raise _fail("phase", _("Close the vote before counting."))
    extra = [rule for rule in dict.fromkeys(rules) if rule != locked.rule]
    for rule in extra:
        if rule not in Rule.values:
            raise _fail("rule", _("Unknown rule %(rule)s.") % {"rule": rule})
    results = []
    for pool in locked.pools.all():
        instance, projects, tally = counting.pool_instance(locked, pool)
        for project in projects:
            project.votes = tally.votes[project.pk]
            project.score = counting.to_decimal(tally.score[project.pk]) if tally.score[project.pk] else Decimal(0)
        official_numbers: set[int] = set()
        for position, rule in enumerate([locked.rule, *extra]):
            try:
                outcome = counting.run_rule(locked, instance, rule)
            except ValueError as error:  # budgeting.pb.profile.RuleError and bad options
                raise _fail("rule", _("The rule %(rule)s cannot count this budget: %(error)s") % {
                    "rule": Rule(rule).label, "error": error}) from None
            by_key = {counting.project_key(p): p.number for p in projects}
            selected = [by_key[key] for key in outcome.selected]
            result, _created = PoolResult.objects.update_or_create(pool=pool, rule=rule, defaults={
                "is_official": position == 0, "computed_at": timezone.now(), "voters": instance.num_voters,
                "budget": pool.budget, "spent": counting.to_decimal(outcome.total_cost),
                "topped_up": counting.to_decimal(outcome.details.get("top_up", 0) or 0),  # type: ignore[arg-type]
                "selected": selected, "explanations": counting.stored_explanations(outcome, projects)})
            results.append(result)
            if position == 0:
                official_numbers = set(selected)
        for project in projects:
            project.selected = project.number in official_numbers
        Project.objects.bulk_update(projects, ["votes", "score", "selected"])
    audit.record(actor, "budgeting.votes.counted", locked, {
        "rule": locked.rule, "compared": extra, "pools": {r.pool.slug: r.selected for r in results if r.is_official}})
    return results


STRATEGY_PARENT_CODE = "A1.O3.P6"  # "Implementing the participatory budgeting process" (strategy.yaml)


@transaction.atomic
def publish_results(actor: Any, edition: Edition) -> Edition:
    """Publish the count: the edition moves to the results phase and each selected project becomes a
    tracked sub-project of the strategy's participatory-budgeting project (status planned)."""
    from strategy import services as strategy_services
    from strategy.models import Project as StrategyProject
    from strategy.models import ProjectStatus as StrategyStatus

    _require(actor, "budgeting.count_votes", edition)
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if locked.phase != Phase.VOTING or locked.voting_closed_at is None:
        raise _fail("phase", _("Only a closed vote can have its results published."))
    missing = [pool.name for pool in locked.pools.all() if not pool.results.filter(is_official=True).exists()]
    if missing:
        raise _fail("phase", _("Count the votes first (not counted: %(pools)s).") % {"pools": ", ".join(missing)})
    locked.phase = Phase.RESULTS
    if locked.results_date is None:
        locked.results_date = timezone.now()
    locked.save(update_fields=["phase", "results_date"])
    parent = locked.strategy_parent or StrategyProject.objects.filter(code=STRATEGY_PARENT_CODE).first()
    created = []
    if parent is not None and not locked.is_imported:
        year = (locked.voting_end or timezone.now()).year
        selected = locked.projects.filter(selected=True, strategy_project__isnull=True).select_related("neighbourhood")
        for project in selected.order_by("number"):
            code = f"{parent.code}.PB{year}-{project.number}"[:40]
            if StrategyProject.objects.filter(code=code).exists():
                code = f"{parent.code}.PB{locked.pk}-{project.number}"[:40]
            where = f" ({project.neighbourhood.name})" if project.neighbourhood else ""
            tracked = StrategyProject(
                code=code, parent=parent, objective=parent.objective, status=StrategyStatus.PLANNED, progress=0,
                budget=project.cost, currency=locked.currency, lead=_("Timișoara City Hall"),
                notes=f"Participatory budget {locked.slug}, project #{project.number}"
                      + (" (demonstration data)" if locked.is_demo else ""),
            )
            # Citizens' text stays in its language (Romanian); English pages fall back to it.
            set_translations(tracked, title=f"{project.title}{where}"[:400], description=project.description)
            strategy_services.save_object(actor, tracked, is_new=True)
            project.strategy_project = tracked
            project.save(update_fields=["strategy_project"])
            created.append(code)
    audit.record(actor, "budgeting.results.published", locked, {"strategy_projects": created})
    edition.phase = locked.phase
    return locked


# --- Pabulib import ------------------------------------------------------------------------------

PABULIB_RULES = {"greedy": Rule.GREEDY, "greedy-no-skip": Rule.GREEDY, "greedy-threshold": Rule.GREEDY,
                 "equalshares": Rule.MES, "equalshares/add1": Rule.MES_ADD1, "phragmen": Rule.PHRAGMEN}


def _pabulib_datetime(text: str) -> Any:
    import datetime as dt

    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        return timezone.make_aware(day)
    return None


def rule_for_pabulib(meta_rule: str) -> str:
    """Our rule closest to the one a Pabulib file names (plain greedy when it names none we know)."""
    name = (meta_rule or "").strip().lower()
    if name in PABULIB_RULES:
        return PABULIB_RULES[name]
    if name.startswith("equalshares/add1"):
        return Rule.MES_ADD1
    if name.startswith("equalshares"):
        return Rule.MES
    return Rule.GREEDY


PABULIB_WARNINGS_KEPT = 200


@transaction.atomic
def import_pabulib(actor: Any, text: str, *, slug: str, title: str = "", rule: str | None = None,
                   compare: Iterable[str] = (), is_demo: bool = False) -> Edition:
    """Create a finished edition from a Pabulib file: projects, anonymous ballots and the count.

    Errors name the problem (`file` for the content, `slug`, `rule`); nothing is written then.
    """
    from django.utils.text import slugify

    from budgeting.pb.pabulib import PabulibError, VoteType, parse_pabulib_text

    _require(actor, "budgeting.manage_edition")
    try:
        instance = parse_pabulib_text(text)
    except PabulibError as error:
        raise _fail("file", _("This is not a valid Pabulib file: %(error)s") % {"error": error}) from None
    slug = slugify(slug)[:50]
    if not slug:
        raise _fail("slug", _("Give the edition a short name (letters, digits, dashes)."))
    if Edition.objects.filter(slug=slug).exists():
        raise _fail("slug", _("An edition named %(slug)s exists already.") % {"slug": slug})
    if rule is not None and rule not in Rule.values:
        raise _fail("rule", _("Unknown rule %(rule)s.") % {"rule": rule})
    meta = dict(instance.meta)
    ballots = instance.ballots
    if instance.vote_type == VoteType.SCORING:
        raise _fail("file", _("Scoring ballots (with negative points) are not supported."))
    if ballots.points is not None and ballots.points_scale != 1:
        raise _fail("file", _("Cumulative ballots with fractional points are not supported."))
    if any(project.cost > Decimal("999999999999") for project in instance.projects) or \
            instance.budget > Decimal("999999999999"):
        raise _fail("file", _("A cost or the budget is too large."))

    def meta_int(key: str) -> int | None:
        value = meta.get(key, "").strip()
        return int(value) if value.isdigit() and int(value) < 2**31 else None

    if instance.vote_type.has_points:
        ballot_type = BallotType.CUMULATIVE
    elif instance.vote_type == VoteType.ORDINAL:
        ballot_type = BallotType.RANKED
    elif meta.get("max_sum_cost"):
        ballot_type = BallotType.KNAPSACK
    else:
        ballot_type = BallotType.APPROVAL
    max_choices = 1 if instance.vote_type == VoteType.CHOOSE_1 else meta_int("max_length")
    min_choices = min(meta_int("min_length") or 1, max_choices or 10**6)
    max_total_points = None
    if ballots.points is not None:
        sums = np.add.reduceat(ballots.points, ballots.offsets[:-1]) if len(ballots.points) else np.array([0])
        max_total_points = meta_int("max_sum_points") or int(sums.max(initial=1)) or 1
    currency = (meta.get("currency") or "").strip()[:3].upper() or "EUR"
    description = meta.get("description", "")
    title = (title or description or f"{meta.get('unit', '')} {meta.get('instance', '')}".strip() or slug)[:200]
    edition = Edition(
        slug=slug, title=title, phase=Phase.RESULTS, is_demo=is_demo, currency=currency, ballot_type=ballot_type,
        min_choices=min_choices, max_choices=max_choices, max_total_points=max_total_points,
        max_points_per_project=meta_int("max_points"), rule=rule or rule_for_pabulib(meta.get("rule", "")),
        voting_start=_pabulib_datetime(meta.get("date_begin", "")),
        voting_end=_pabulib_datetime(meta.get("date_end", "")), eligibility=Eligibility.CODES,
        pabulib_meta={"meta": [[key, value] for key, value in meta.items()],
                      "project_columns": list(instance.project_columns),
                      # What the file had irregular and how it was read (never silently).
                      "warnings": [str(warning) for warning in instance.warnings[:PABULIB_WARNINGS_KEPT]],
                      "warning_count": len(instance.warnings)},
    )
    set_translations(edition, title=title, languages=("ro", "en"))
    for language in ("ro", "en"):
        set_translations(edition, description=_pabulib_description(meta, language), languages=(language,))
    edition.voting_closed_at = edition.voting_end or timezone.now()
    edition.results_date = edition.voting_closed_at
    edition.save()
    place = " — ".join(value for value in (meta.get("unit"), meta.get("district") or meta.get("subunit")) if value)
    pool = Pool(edition=edition, slug="budget", kind=Pool.Kind.CITY, budget=Decimal(instance.budget.numerator)
                / Decimal(instance.budget.denominator))
    set_translations(pool, name=(place or title)[:150], languages=("ro", "en"))
    pool.save()
    projects = []
    for position, item in enumerate(instance.projects, start=1):
        fields = dict(item.fields)
        selected_text = fields.get("selected", "").strip()
        projects.append(Project(
            edition=edition, pool=pool, number=position, title=(fields.get("name") or f"{item.id}")[:200],
            description=fields.get("description", ""), language=(meta.get("language") or "")[:8],
            cost_estimate=Decimal(item.cost.numerator) / Decimal(item.cost.denominator),
            status=ProjectStatus.FEASIBLE, pabulib_id=item.id[:64], pabulib_fields=fields,
            official_selected=int(selected_text) if selected_text.isdigit() and int(selected_text) < 100 else None,
            latitude=_coordinate(fields.get("latitude"), 90), longitude=_coordinate(fields.get("longitude"), 180)))
    Project.objects.bulk_create(projects, batch_size=2000)
    project_ids = [p.pk for p in Project.objects.filter(edition=edition).order_by("number")]
    ranked = instance.vote_type == VoteType.ORDINAL
    new_ballots = [Ballot(edition=edition, channel=Ballot.Channel.IMPORTED) for _n in range(len(ballots))]
    Ballot.objects.bulk_create(new_ballots, batch_size=5000)
    offsets = ballots.offsets.tolist()
    chosen = ballots.projects.tolist()
    points = ballots.points.tolist() if ballots.points is not None else None
    batch: list[BallotChoice] = []
    for voter, ballot in enumerate(new_ballots):
        for position in range(offsets[voter], offsets[voter + 1]):
            # Points of 0 are kept (the file says so); the rules read them as no support.
            value = position - offsets[voter] + 1 if ranked else points[position] if points is not None else 1
            batch.append(BallotChoice(ballot_id=ballot.pk, project_id=project_ids[chosen[position]], value=value))
        if len(batch) >= 20_000:
            BallotChoice.objects.bulk_create(batch)
            batch = []
    BallotChoice.objects.bulk_create(batch)
    audit.record(actor, "budgeting.edition.imported", edition, {
        "slug": slug, "projects": len(projects), "ballots": len(new_ballots), "vote_type": instance.vote_type.value,
        "meta_rule": meta.get("rule", ""), "pabulib_warnings": len(instance.warnings)})
    count_votes(actor if actor is not None else "import", edition, rules=compare)
    return edition


def _coordinate(text: str | None, limit: int) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


def _pabulib_description(meta: Mapping[str, str], language: str) -> str:
    """The file's own metadata (as written in the file) after a sentence in the given language."""
    parts = [f"{key}: {meta[key]}" for key in ("country", "unit", "district", "subunit", "instance", "rule",
                                                 "date_begin", "date_end", "comment") if meta.get(key)]
    with translation.override(language):
        sentence = _("Imported from Pabulib (pabulib.org).")
    return f"{sentence} {'; '.join(parts)}"
