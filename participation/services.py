"""Every state change of the participation room: one function, one transaction, one audit row.

Views, the API, the back office and jobs call these; nothing else writes participation data.
Permission checks happen here too, so no entry point can skip them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from core import audit, uploads
from participation import answering, notifications
from participation.models import (
    Answer,
    Comment,
    Consultation,
    Event,
    Flag,
    GroupDocument,
    Membership,
    Organisation,
    Process,
    Proposal,
    Question,
    Registration,
    Representative,
    Response,
    Support,
    WorkingGroup,
)

User = get_user_model()
FLAGS_TO_HIDE = 3  # reports from this many accounts hide a comment until a moderator decides


def _require(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is None or isinstance(actor, str):
        return  # scripts and loaders
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _user(actor: Any) -> Any:
    return actor if hasattr(actor, "pk") and not isinstance(actor, str) else None


def _staff_users(*roles: Role) -> models.QuerySet[Any]:
    return User.objects.filter(groups__name__in=[r.value for r in roles], is_active=True).distinct()


# --- Consultations ---------------------------------------------------------------------------


def questions_for(consultation: Consultation) -> list[answering.PreparedQuestion]:
    return answering.prepare(list(consultation.questions.prefetch_related("options", "condition_options")))


def check_can_answer(actor: Any, consultation: Consultation) -> None:
    if not consultation.is_open():
        raise PermissionDenied(_("This consultation is not open."))
    if consultation.audience == Consultation.Audience.VERIFIED and not (
            actor is not None and actor.has_perm("participation.take_part")):
        raise PermissionDenied(_("Only verified accounts may answer this consultation."))
    if consultation.audience == Consultation.Audience.VERIFIED:
        decision = _respondent_eligibility(actor, consultation)
        if not decision.allowed:
            raise PermissionDenied(decision.reason)


def _respondent_eligibility(actor: Any, consultation: Consultation) -> Any:
    """accounts decides who answers and under which key, at the consultation's own level."""
    from accounts.verification import eligibility

    return eligibility(actor, consultation.verification_level, f"participation:consultation:{consultation.pk}")


@transaction.atomic
def start_response(actor: Any, consultation: Consultation) -> Response:
    """The account's response (a draft or a submitted one), or a new anonymous draft."""
    check_can_answer(actor, consultation)
    user = _user(actor) if getattr(actor, "is_authenticated", False) else None
    if user is not None and consultation.audience == Consultation.Audience.VERIFIED:
        response = Response.objects.filter(consultation=consultation, respondent=user).first()
        created = response is None
        if response is None:
            key = _respondent_eligibility(actor, consultation).key
            if Response.objects.filter(consultation=consultation, person_key=key).exists():
                raise PermissionDenied(_("You have already answered this consultation with another account."))
            response = Response.objects.create(consultation=consultation, respondent=user, person_key=key)
    elif user is not None:
        response, created = Response.objects.get_or_create(consultation=consultation, respondent=user)
    else:
        response, created = Response.objects.create(consultation=consultation), True
    if created:
        audit.record(actor if user else "anonymous", "participation.response.started", response,
                     {"consultation": consultation.slug})
    return response


PROFILE_FIELDS = ("age_group", "neighbourhood", "actor_type")


@transaction.atomic
def save_response(actor: Any, response: Response, raw: Mapping[Any, Any], profile: Mapping[str, Any], *,
                  submit: bool) -> dict[str, str]:
    """Store a draft or submit it. Returns errors per field (then nothing is written)."""
    consultation = response.consultation
    check_can_answer(actor, consultation)
    if response.respondent_id is not None and getattr(actor, "pk", None) != response.respondent_id:
        raise PermissionDenied(_("This is not your response."))
    locked = Response.objects.select_for_update(of=("self",)).get(pk=response.pk)
    prepared = questions_for(consultation)
    cleaned, errors = answering.validate(prepared, raw, final=submit)
    profile_values, profile_errors = _clean_profile(consultation, profile)
    errors.update(profile_errors)
    if errors:
        transaction.set_rollback(True)
        return errors
    kinds = {item.question.pk: item.question for item in prepared}
    locked.answers.all().delete()
    rows: list[Answer] = []
    for question_id, value in cleaned.items():
        rows.extend(_answer_rows(locked, kinds[question_id], value))
    Answer.objects.bulk_create(rows)
    for name, value in profile_values.items():
        setattr(locked, name, value)
    was_submitted = locked.status == Response.Status.SUBMITTED
    now = timezone.now()
    locked.updated_at = now
    if submit:
        locked.status = Response.Status.SUBMITTED
        locked.submitted_at = locked.submitted_at or now
    locked.save()
    action = "submitted" if submit and not was_submitted else ("edited" if was_submitted else "draft_saved")
    # The audit names the response, not its content: answers stay out of the trail.
    who = actor if getattr(actor, "is_authenticated", False) else "anonymous"
    audit.record(who, f"participation.response.{action}", locked,
                 {"consultation": consultation.slug, "answers": len(rows)})
    response.refresh_from_db()
    return {}


@transaction.atomic
def answer_consultation(actor: Any, consultation: Consultation, response: Response | None,
                        raw: Mapping[Any, Any], profile: Mapping[str, Any], *,
                        submit: bool) -> tuple[Response | None, dict[str, str]]:
    """Start (if needed) and save a response in one transaction: a rejected submission leaves nothing
    behind, not even an empty draft. Returns the response (None if none was kept) and the errors."""
    started = response is None
    if response is None:
        response = start_response(actor, consultation)
    errors = save_response(actor, response, raw, profile, submit=submit)
    if errors:
        transaction.set_rollback(True)
        return (None if started else response), errors
    return response, {}


def _clean_profile(consultation: Consultation, profile: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    from core.models import Neighbourhood
    from participation.models import ActorType, AgeGroup

    if not consultation.ask_profile:
        return {}, {}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    age = (profile.get("age_group") or "").strip()
    if age and age not in AgeGroup.values:
        errors["age_group"] = _("Choose an age group from the list.")
    values["age_group"] = age
    actor_type = (profile.get("actor_type") or "").strip()
    if actor_type and actor_type not in ActorType.values:
        errors["actor_type"] = _("Choose from the list.")
    values["actor_type"] = actor_type
    slug = (str(profile.get("neighbourhood") or "")).strip()
    values["neighbourhood"] = None
    if slug:
        found = Neighbourhood.objects.filter(slug=slug).first()
        if found is None:
            errors["neighbourhood"] = _("Choose a neighbourhood from the list.")
        values["neighbourhood"] = found
    return values, errors


def _answer_rows(response: Response, question: Question, value: Any) -> list[Answer]:
    kind = question.kind
    if kind == Question.Kind.SINGLE:
        return [Answer(response=response, question=question, option=value)]
    if kind == Question.Kind.MULTIPLE:
        return [Answer(response=response, question=question, option=o) for o in value]
    if kind == Question.Kind.RANKING:
        return [Answer(response=response, question=question, option=o, rank=i) for i, o in enumerate(value, 1)]
    if kind == Question.Kind.MATRIX:
        return [Answer(response=response, question=question, row=row, option=col) for row, col in value.items()]
    if kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
        return [Answer(response=response, question=question, number=value)]
    return [Answer(response=response, question=question, text=value)]


# --- Proposals -------------------------------------------------------------------------------


@transaction.atomic
def create_proposal(actor: Any, *, title: str, body: str, ambition: Any, process: Process | None = None,
                    organisation: Organisation | None = None) -> Proposal:
    _require(actor, "participation.take_part")
    errors: dict[str, str] = {}
    if process is not None and not process.proposals_open:
        errors["process"] = _("This process does not accept proposals now.")
    if organisation is not None and not Representative.objects.filter(organisation=organisation,
                                                                        user=actor).exists():
        errors["organisation"] = _("You do not represent this organisation.")
    if errors:
        raise ValidationError(errors)
    proposal = Proposal(title=title.strip(), body=body.strip(), ambition=ambition, process=process,
                        organisation=organisation, author=_user(actor))
    proposal.full_clean()
    proposal.save()
    notifications.follow(actor, proposal)
    audit.record(actor, "participation.proposal.created", proposal, {"ambition": ambition.code})
    if process is not None:
        followers = notifications.followers(process)
        notifications.notify(followers, "proposal.created",
                             lambda: _("New proposal in “%(process)s”: %(title)s") % {
                                 "process": process.title, "title": proposal.title},
                             proposal.get_absolute_url(), exclude=actor)
    return proposal


@transaction.atomic
def support_proposal(actor: Any, proposal: Proposal) -> Proposal:
    _require(actor, "participation.take_part")
    if proposal.status != Proposal.Status.PUBLISHED:
        raise ValidationError({"proposal": _("This proposal cannot be supported.")})
    if proposal.official_answer in (Proposal.OfficialAnswer.ACCEPTED, Proposal.OfficialAnswer.REJECTED):
        raise ValidationError({"proposal": _("This proposal has been answered; supports are closed.")})
    from accounts.verification import EMAIL, eligibility

    key = eligibility(actor, EMAIL, f"participation:proposal:{proposal.pk}").key or None
    if key and Support.objects.filter(proposal=proposal, person_key=key).exclude(user=actor).exists():
        raise ValidationError({"proposal": _("You already support this proposal with another account.")})
    try:
        with transaction.atomic():
            Support.objects.create(proposal=proposal, user=actor, person_key=key)
    except IntegrityError:
        raise ValidationError({"proposal": _("You already support this proposal.")}) from None
    Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    locked = Proposal.objects.select_for_update(of=("self",)).select_related("process").get(pk=proposal.pk)
    audit.record(actor, "participation.proposal.supported", locked, {"supports": locked.support_count})
    if locked.threshold_reached_at is None and locked.support_count >= locked.threshold:
        locked.threshold_reached_at = timezone.now()
        locked.save(update_fields=["threshold_reached_at"])
        audit.record("system", "participation.proposal.threshold_reached", locked,
                     {"supports": locked.support_count, "threshold": locked.threshold})
        recipients = [*_staff_users(Role.DEPARTMENT_STAFF, Role.STRATEGY_EDITOR), *notifications.followers(locked)]
        notifications.notify(recipients, "proposal.threshold",
                             lambda: _("“%(title)s” reached %(n)d supports: an official answer is due.") % {
                                 "title": locked.title, "n": locked.threshold}, locked.get_absolute_url())
    proposal.refresh_from_db()
    return locked


@transaction.atomic
def withdraw_support(actor: Any, proposal: Proposal) -> None:
    deleted, _rows = Support.objects.filter(proposal=proposal, user=actor).delete()
    if deleted:
        Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") - 1)
        audit.record(actor, "participation.proposal.support_withdrawn", proposal)
    proposal.refresh_from_db()


@transaction.atomic
def answer_proposal(actor: Any, proposal: Proposal, state: str, text: str) -> Proposal:
    _require(actor, "participation.answer_proposal", proposal)
    errors = {}
    if state not in {Proposal.OfficialAnswer.ACCEPTED, Proposal.OfficialAnswer.EVALUATING,
                     Proposal.OfficialAnswer.REJECTED}:
        errors["state"] = _("Choose accepted, evaluating or rejected.")
    if len(text.strip()) < 10:
        errors["text"] = _("Explain the answer in at least 10 characters.")
    if errors:
        raise ValidationError(errors)
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    changes = audit.diff(locked, ["official_answer", "official_answer_text"],
                         {"official_answer": state, "official_answer_text": text.strip()})
    locked.official_answer, locked.official_answer_text = state, text.strip()
    locked.answered_at = timezone.now()
    locked.save(update_fields=["official_answer", "official_answer_text", "answered_at"])
    audit.record(actor, "participation.proposal.answered", locked, changes)
    label = locked.get_official_answer_display
    notifications.notify([locked.author, *notifications.followers(locked)], "proposal.answered",
                         lambda: _("The city answered “%(title)s”: %(state)s") % {"title": locked.title,
                                                                                  "state": label()},
                         locked.get_absolute_url(), exclude=actor)
    proposal.refresh_from_db()
    return locked


@transaction.atomic
def link_to_strategy_project(actor: Any, item: Proposal | Consultation, project: Any, *, outcome: str | None = None,
                             outcome_en: str | None = None) -> Proposal | Consultation:
    """Record the strategic project that carries out an accepted proposal or a consultation's outcome (None
    removes the link). The project's page then lists it under "where this project comes from"."""
    _require(actor, "participation.answer_proposal" if isinstance(item, Proposal) else "participation.manage", item)
    locked = type(item).objects.select_for_update(of=("self",)).get(pk=item.pk)
    values: dict[str, Any] = {"strategy_project_id": project.pk if project is not None else None}
    if isinstance(locked, Consultation):
        if outcome is not None:
            values["outcome_ro"] = outcome.strip()
        if outcome_en is not None:
            values["outcome_en"] = outcome_en.strip()
    changes = audit.diff(locked, values.keys(), values)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()  # e.g. a proposal that was not accepted cannot be linked
    locked.save(update_fields=[name.removesuffix("_id") if name.endswith("_id") else name for name in values])
    if changes:
        audit.record(actor, f"participation.{locked._meta.model_name}.linked_to_strategy", locked, changes)
    item.refresh_from_db()
    return locked


@transaction.atomic
def withdraw_proposal(actor: Any, proposal: Proposal) -> None:
    if _user(actor) is None or proposal.author_id != actor.pk:
        raise PermissionDenied(_("Only the author may withdraw a proposal."))
    if proposal.support_count:
        raise ValidationError({"proposal": _("A proposal with supports cannot be withdrawn.")})
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.WITHDRAWN)
    audit.record(actor, "participation.proposal.withdrawn", proposal)
    proposal.refresh_from_db()


@transaction.atomic
def moderate_proposal(actor: Any, proposal: Proposal, *, hide: bool, reason: str = "") -> None:
    _require(actor, "participation.moderate")
    status = Proposal.Status.HIDDEN if hide else Proposal.Status.PUBLISHED
    Proposal.objects.filter(pk=proposal.pk).update(status=status)
    audit.record(actor, "participation.proposal.moderated", proposal, {"status": status, "reason": reason})
    proposal.refresh_from_db()


# --- Comments, flags, follows ----------------------------------------------------------------

COMMENTABLE = (Proposal, Process, Event, Consultation)


@transaction.atomic
def add_comment(actor: Any, target: models.Model, body: str, parent: Comment | None = None) -> Comment:
    _require(actor, "participation.take_part")
    if not isinstance(target, COMMENTABLE) or not getattr(target, "published", True) or (
            isinstance(target, Proposal) and target.status != Proposal.Status.PUBLISHED):
        raise ValidationError({"target": _("Comments are not possible here.")})
    content_type = ContentType.objects.get_for_model(type(target))
    depth = 0
    if parent is not None:
        if parent.target_type_id != content_type.pk or parent.target_id != target.pk:
            raise ValidationError({"parent": _("The reply must be on the same page as the comment.")})
        if parent.status != Comment.Status.VISIBLE:
            raise ValidationError({"parent": _("This comment cannot be answered.")})
        depth = min(parent.depth + 1, Comment.MAX_DEPTH)
    comment = Comment(target_type=content_type, target_id=target.pk, parent=parent, depth=depth,
                      author=_user(actor), body=body.strip())
    comment.full_clean(exclude=["target_type", "author", "parent"])
    comment.save()
    audit.record(actor, "participation.comment.created", comment, {"target": f"{content_type.model}:{target.pk}"})
    recipients = notifications.followers(target)
    if parent is not None and parent.author is not None:
        recipients.append(parent.author)
    url = f"{target.get_absolute_url()}#comment-{comment.pk}"  # type: ignore[attr-defined]
    notifications.notify(recipients, "comment.created",
                         lambda: _("New comment on “%(title)s”") % {"title": str(target)}, url, exclude=actor)
    notifications.follow(actor, target)
    return comment


@transaction.atomic
def flag_comment(actor: Any, comment: Comment, reason: str) -> None:
    _require(actor, "participation.take_part")
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    try:
        with transaction.atomic():
            Flag.objects.create(comment=comment, user=actor, reason=reason)
    except IntegrityError:
        raise ValidationError({"comment": _("You have already reported this comment.")}) from None
    Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    comment.refresh_from_db()
    audit.record(actor, "participation.comment.flagged", comment, {"reason": reason})
    if comment.flag_count >= FLAGS_TO_HIDE and comment.status == Comment.Status.VISIBLE:
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
        audit.record("system", "participation.comment.hidden_pending_review", comment,
                     {"flags": comment.flag_count})
        comment.refresh_from_db()
    if comment.flag_count == 1 or comment.status == Comment.Status.PENDING:
        notifications.notify(_staff_users(Role.MODERATOR, Role.ADMINISTRATOR), "comment.flagged",
                             lambda: _("A comment was reported and needs moderation."),
                             "/admin/participation/comment/?flag_count__gte=1")


@transaction.atomic
def moderate_comment(actor: Any, comment: Comment, *, hide: bool) -> None:
    _require(actor, "participation.moderate")
    status = Comment.Status.HIDDEN if hide else Comment.Status.VISIBLE
    Comment.objects.filter(pk=comment.pk).update(status=status)
    Flag.objects.filter(comment=comment).update(resolved=True)
    audit.record(actor, "participation.comment.moderated", comment, {"status": status})
    comment.refresh_from_db()


@transaction.atomic
def set_following(actor: Any, target: models.Model, *, follow: bool) -> None:
    if _user(actor) is None:
        raise PermissionDenied
    if follow:
        notifications.follow(actor, target)
    else:
        notifications.unfollow(actor, target)
    audit.record(actor, "participation.follow" if follow else "participation.unfollow", target)


@transaction.atomic
def set_email_mode(actor: Any, mode: str) -> None:
    if mode not in notifications.EmailMode.values:
        raise ValidationError({"email_mode": _("Choose one of the options.")})
    notifications.set_email_mode(actor, mode)  # kept in the notifications room, for every room
    audit.record(actor, "participation.notification_settings.changed", None, {"email_mode": mode})


@transaction.atomic
def mark_notifications_read(actor: Any) -> int:
    from notifications import inbox

    return inbox.mark_read(actor, room="participation")


# --- Organisations and working groups --------------------------------------------------------


@transaction.atomic
def register_organisation(actor: Any, organisation: Organisation, *, position: str = "",
                          listed_publicly: bool = False) -> Organisation:
    """A verified account registers an organisation and becomes its first representative."""
    _require(actor, "participation.take_part")
    organisation.verified = False
    organisation.full_clean()
    organisation.save()
    Representative.objects.create(organisation=organisation, user=actor, position=position,
                                  listed_publicly=listed_publicly)
    audit.record(actor, "participation.organisation.registered", organisation, {"kind": organisation.kind})
    from resources import index  # the organisation registry lives in resources; keep its map index current

    index.refresh(organisation)
    notifications.notify(_staff_users(Role.DEPARTMENT_STAFF, Role.ADMINISTRATOR), "organisation.registered",
                         lambda: _("New organisation to check in the registry: %(name)s") % {
                             "name": organisation.name}, organisation.get_absolute_url())
    return organisation


@transaction.atomic
def express_interest(actor: Any, group: WorkingGroup, *, role: str, expertise: str, availability: str,
                     listed_publicly: bool, organisation: Organisation | None = None) -> Membership:
    _require(actor, "participation.take_part")
    errors: dict[str, str] = {}
    if not group.accepts_members:
        errors["group"] = _("This group does not accept new members now.")
    if organisation is not None and not Representative.objects.filter(organisation=organisation,
                                                                        user=actor).exists():
        errors["organisation"] = _("You do not represent this organisation.")
    existing = Membership.objects.filter(group=group, user=actor).first()
    if existing is not None and existing.status in (Membership.Status.PENDING, Membership.Status.ACCEPTED):
        errors["group"] = _("You have already expressed interest in this group.")
    if errors:
        raise ValidationError(errors)
    membership = existing or Membership(group=group, user=actor)
    membership.role, membership.expertise, membership.availability = role, expertise.strip(), availability.strip()
    membership.organisation, membership.listed_publicly = organisation, listed_publicly
    membership.status, membership.decided_at, membership.decision_note = Membership.Status.PENDING, None, ""
    membership.full_clean(exclude=["user", "group"])
    membership.save()
    audit.record(actor, "participation.membership.requested", membership, {"group": group.slug, "role": role})
    notifications.notify(group.coordinators.all(), "membership.requested",
                         lambda: _("New expression of interest in %(group)s") % {"group": group.name},
                         reverse("participation:group_manage", args=[group.slug]))
    return membership


@transaction.atomic
def decide_membership(actor: Any, membership: Membership, *, accept: bool, note: str = "") -> Membership:
    group = membership.group
    _require(actor, "participation.coordinate_group", group)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=membership.pk)
    if membership.status != Membership.Status.PENDING:
        raise ValidationError({"membership": _("This request has already been decided.")})
    membership.status = Membership.Status.ACCEPTED if accept else Membership.Status.DECLINED
    membership.decision_note = note.strip()[:500]
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decision_note", "decided_at"])
    audit.record(actor, "participation.membership.decided", membership, {"status": membership.status})
    notifications.notify([membership.user], "membership.decided",
                         (lambda: _("Welcome to %(group)s!") % {"group": group.name}) if accept else
                         (lambda: _("Your request to join %(group)s was declined.") % {"group": group.name}),
                         group.get_absolute_url())
    return membership


@transaction.atomic
def leave_group(actor: Any, group: WorkingGroup) -> None:
    updated = Membership.objects.filter(group=group, user=actor).exclude(status=Membership.Status.LEFT).update(
        status=Membership.Status.LEFT, listed_publicly=False)
    if updated:
        audit.record(actor, "participation.membership.left", group)


@transaction.atomic
def set_membership_listing(actor: Any, group: WorkingGroup, *, listed: bool) -> None:
    Membership.objects.filter(group=group, user=actor).update(listed_publicly=listed)
    audit.record(actor, "participation.membership.listing_changed", group, {"listed_publicly": listed})


@transaction.atomic
def upload_group_document(actor: Any, group: WorkingGroup, *, title: str, kind: str, uploaded: Any,
                          meeting_date: dt.date | None = None, public: bool = True) -> GroupDocument:
    _require(actor, "participation.upload_group_document", group)
    checked = uploads.check_document(uploaded)  # raises ValidationError naming the field
    document = GroupDocument(group=group, title=title.strip(), kind=kind, meeting_date=meeting_date,
                             extension=checked.extension, mime_type=checked.mime_type, size=checked.size,
                             public=public, uploaded_by=_user(actor))
    document.full_clean(exclude=["file", "uploaded_by"])
    uploaded.seek(0)
    # Images are stored as core.images re-encoded them (no GPS or other metadata); the rest as sent.
    stored = ContentFile(checked.content) if checked.content is not None else uploaded
    document.file.save(f"document.{checked.extension}", stored, save=False)
    document.save()
    audit.record(actor, "participation.group_document.uploaded", document,
                 {"group": group.slug, "size": checked.size, "type": checked.mime_type})
    members = User.objects.filter(group_memberships__group=group, group_memberships__status="accepted")
    notifications.notify(members, "group.document",
                         lambda: _("New %(kind)s in %(group)s: %(title)s") % {
                             "kind": document.get_kind_display().lower(), "group": group.name,
                             "title": document.title}, group.get_absolute_url(), exclude=actor)
    return document


# --- Events ----------------------------------------------------------------------------------


@transaction.atomic
def register_for_event(actor: Any, event: Event) -> Registration:
    _require(actor, "participation.take_part")
    locked = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    if not locked.published or locked.cancelled or not locked.registration_open or locked.starts_at <= timezone.now():
        raise ValidationError({"event": _("Registration for this event is closed.")})
    registration = Registration.objects.filter(event=locked, user=actor).first()
    if registration is not None and registration.status != Registration.Status.CANCELLED:
        raise ValidationError({"event": _("You are already registered.")})
    confirmed = locked.registrations.filter(status=Registration.Status.CONFIRMED).count()
    full = locked.capacity is not None and confirmed >= locked.capacity
    status = Registration.Status.WAITING if full else Registration.Status.CONFIRMED
    if registration is None:
        registration = Registration.objects.create(event=locked, user=actor, status=status)
    else:
        registration.status, registration.created_at, registration.reminded_at = status, timezone.now(), None
        registration.save()
    audit.record(actor, "participation.registration.created", registration, {"event": locked.slug,
                                                                             "status": status})
    return registration


@transaction.atomic
def cancel_registration(actor: Any, event: Event) -> Registration | None:
    """Cancel; the first person on the waiting list takes the freed place and is told so."""
    locked = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    registration = Registration.objects.filter(event=locked, user=actor).exclude(
        status=Registration.Status.CANCELLED).first()
    if registration is None:
        raise ValidationError({"event": _("You are not registered for this event.")})
    freed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status"])
    audit.record(actor, "participation.registration.cancelled", registration, {"event": locked.slug})
    promoted = None
    if freed:
        promoted = locked.registrations.filter(status=Registration.Status.WAITING).order_by("created_at", "id").first()
        if promoted is not None:
            promoted.status = Registration.Status.CONFIRMED
            promoted.save(update_fields=["status"])
            audit.record("system", "participation.registration.promoted", promoted, {"event": locked.slug})
            notifications.notify([promoted.user], "event.promoted",
                                 lambda: _("A place freed up: you are now registered for %(title)s.") % {
                                     "title": locked.title}, locked.get_absolute_url())
    return promoted


def send_event_reminders(now: dt.datetime | None = None, hours_before: int = 24) -> int:
    """Remind confirmed participants of events starting within the next day (once each)."""
    moment = now or timezone.now()
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED, reminded_at__isnull=True, event__cancelled=False,
        event__starts_at__gt=moment, event__starts_at__lte=moment + dt.timedelta(hours=hours_before),
    ).select_related("event", "user")
    count = 0
    for registration in due:
        with transaction.atomic():
            event = registration.event
            place = event.location or event.online_url

            def message(event: Event = event, place: str = place) -> str:
                return _("Reminder: %(title)s starts on %(when)s (%(place)s).") % {
                    "title": event.title, "when": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"),
                    "place": place}

            notifications.notify([registration.user], "event.reminder", message, event.get_absolute_url())
            Registration.objects.filter(pk=registration.pk).update(reminded_at=moment)
            audit.record("task:reminders", "participation.registration.reminded", registration)
            count += 1
    return count


@transaction.atomic
def publish_event_outcomes(actor: Any, event: Event, outcomes: str) -> Event:
    _require(actor, "participation.manage")
    event.outcomes = outcomes.strip()
    event.save(update_fields=["outcomes", "outcomes_ro", "outcomes_en"])
    audit.record(actor, "participation.event.outcomes_published", event)
    attendees = User.objects.filter(event_registrations__event=event,
                                    event_registrations__status=Registration.Status.CONFIRMED)
    notifications.notify([*attendees, *notifications.followers(event)], "event.outcomes",
                         lambda: _("The outcomes of %(title)s are published.") % {"title": event.title},
                         event.get_absolute_url(), exclude=actor)
    return event


# --- Opinion maps ----------------------------------------------------------------------------


@transaction.atomic
def submit_statement(actor: Any, conversation: Any, text: str) -> Any:
    from participation.models import Statement

    _require(actor, "participation.take_part")
    if not conversation.is_open() or not conversation.participants_may_submit:
        raise ValidationError({"text": _("This opinion map does not take new statements now.")})
    text = " ".join(text.split())
    if not 10 <= len(text) <= 280:
        raise ValidationError({"text": _("Write a statement of 10 to 280 characters.")})
    if Statement.objects.filter(conversation=conversation, text__iexact=text).exists():
        raise ValidationError({"text": _("This statement is already there.")})
    statement = Statement.objects.create(conversation=conversation, text=text, author=_user(actor))
    audit.record(actor, "participation.statement.submitted", statement, {"conversation": conversation.slug})
    notifications.notify(_staff_users(Role.MODERATOR, Role.ADMINISTRATOR), "statement.submitted",
                         lambda: _("New statement to moderate in “%(title)s”") % {"title": conversation.title},
                         "/admin/participation/statement/?status__exact=pending")
    return statement


@transaction.atomic
def moderate_statement(actor: Any, statement: Any, *, accept: bool) -> None:
    from participation.models import Statement

    if not (actor.has_perm("participation.moderate") or actor.has_perm("participation.manage")):
        raise PermissionDenied("participation.moderate")
    status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
    Statement.objects.filter(pk=statement.pk).update(status=status)
    audit.record(actor, "participation.statement.moderated", statement, {"status": status})
    statement.refresh_from_db()


@transaction.atomic
def vote_on_statement(actor: Any, statement: Any, value: int) -> Any:
    from participation.models import Statement, StatementVote

    _require(actor, "participation.take_part")
    if value not in StatementVote.Value.values:
        raise ValidationError({"value": _("Vote agree, disagree or pass.")})
    if statement.status != Statement.Status.ACCEPTED or not statement.conversation.is_open():
        raise ValidationError({"statement": _("Voting on this statement is closed.")})
    vote, created = StatementVote.objects.update_or_create(statement=statement, user=actor,
                                                           defaults={"value": value, "updated_at": timezone.now()})
    # The trail records that a vote happened, not which way: votes stay private.
    audit.record(actor, "participation.statement.voted" if created else "participation.statement.revoted",
                 statement)
    return vote


@transaction.atomic
def record_opinion_map(conversation: Any, state: Mapping[str, Any]) -> None:
    """Keep the last computed map's method, parameters, quality and k-smoothing state on the conversation.

    Called when the map is recomputed after votes changed: Polis's k-smoothing needs the previous
    update's state. The trail records when the number of groups shown changes, which is what a reader
    of the public map notices."""
    from participation.models import Conversation

    before = Conversation.objects.select_for_update().filter(pk=conversation.pk).values_list(
        "map_state", flat=True).first() or {}
    Conversation.objects.filter(pk=conversation.pk).update(map_state=dict(state))
    conversation.map_state = dict(state)
    if before.get("groups") != state.get("groups"):
        audit.record("system:opinion-map", "participation.opinion_map.groups_changed", conversation,
                     {"groups": [before.get("groups"), state.get("groups")], "silhouette": state.get("silhouette")})
