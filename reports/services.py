"""Every state change of the reports room: one function, one transaction, one audit row.

The web form, the Open311 server, the staff inbox, the back office and the jobs call these; nothing
else writes report data. Emails leave only after the transaction commits (on_commit → django-tasks).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import audit
from core.geo import neighbourhood_for
from core.images import PhotoError, clean_photo
from core.uploads import photo_error_message
from reports import addresses, emails, geodesy, notices, respcache, tokens
from reports.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Category,
    Channel,
    Department,
    Flag,
    InternalNote,
    Moderation,
    Open311Key,
    Photo,
    Priority,
    Question,
    Report,
    Status,
    Subscription,
    Update,
)

# Timișoara municipality with a margin (the OSM neighbourhoods cover only its built-up core).
CITY_BOUNDS = geodesy.BoundingBox(min_lat=45.67, min_lon=21.10, max_lat=45.83, max_lon=21.37)
DUPLICATE_RADIUS_M = 50.0
MAX_PHOTOS = 3
MAX_TITLE = 120
MAX_DESCRIPTION = 5000
MAX_UPDATE_TEXT = 3000
FLAGS_TO_HIDE = 3
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{6,40}$")

# Allowed status changes by staff. Any open status may be closed; closed ones may be reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset(Status.values) - {Status.SUBMITTED, Status.REOPENED},
    Status.ACKNOWLEDGED: frozenset(Status.values) - {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.REOPENED},
    Status.IN_PROGRESS: frozenset(Status.values) - {Status.SUBMITTED, Status.IN_PROGRESS, Status.REOPENED},
    Status.REOPENED: frozenset(Status.values) - {Status.SUBMITTED, Status.REOPENED},
    Status.FIXED: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED}),
    Status.CLOSED_NOT_FIXED: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED}),
    Status.DUPLICATE: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED}),
    Status.NOT_RESPONSIBLE: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED}),
}


# --- helpers -----------------------------------------------------------------------------------


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if isinstance(user, str) or user is None:
        return  # scripts and loaders act with their own label
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) and not isinstance(actor, AnonymousUser) else None


def _clean_text(name: str, value: Any, *, max_length: int, required: bool) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ValidationError({name: _("Null characters are not allowed.")})
    if required and not text:
        raise ValidationError({name: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({name: _("At most %(max)d characters (this has %(n)d).") % {
            "max": max_length, "n": len(text)}})
    return text


def check_location(lat: Any, lon: Any) -> tuple[float, float]:
    """Coordinates as floats inside the area the city serves, or a ValidationError naming the field."""
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValidationError({"lat": _("Latitude and longitude must be numbers.")}) from None
    if not geodesy.valid_coordinates(lat_f, lon_f):
        raise ValidationError({"lat": _("Latitude must be between -90 and 90 and longitude between -180 and 180.")})
    if not CITY_BOUNDS.contains(lat_f, lon_f):
        raise ValidationError({"lat": _("This place is outside Timișoara; the city can only handle reports "
                                        "within its boundaries.")})
    return round(lat_f, 7), round(lon_f, 7)


def _refresh_public(report: Report) -> None:
    report.is_public = report.confirmed_at is not None and report.moderation == Moderation.APPROVED


# --- extra questions (Open311 attributes) -------------------------------------------------------


def clean_answers(category: Category, raw: Mapping[str, Any], questions: Sequence[Question] | None = None
                  ) -> dict[str, Any]:
    """Validate answers to the category's questions. Keys are question codes; errors name attribute[code]."""
    questions = list(questions if questions is not None else category.questions.prefetch_related("choices"))
    known = {q.code for q in questions}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValidationError({f"attribute[{unknown[0]}]": _("This category has no such question.")})
    answers: dict[str, Any] = {}
    for question in questions:
        field_name = f"attribute[{question.code}]"
        value = raw.get(question.code)
        values = [str(v).strip() for v in (value if isinstance(value, (list, tuple)) else [value]) if v not in
                  (None, "")]
        values = [v for v in values if v]
        if not values:
            if question.required:
                raise ValidationError({field_name: _("Please answer: %(q)s") % {"q": question.text}})
            continue
        datatype = question.datatype
        if datatype == Question.Datatype.MULTI:
            keys = {c.key for c in question.choices.all()}
            if any(v not in keys for v in values):
                raise ValidationError({field_name: _("Choose among the listed answers.")})
            answers[question.code] = sorted(set(values))
            continue
        if len(values) > 1:
            raise ValidationError({field_name: _("Give a single answer.")})
        value = values[0]
        if "\x00" in value:
            raise ValidationError({field_name: _("Null characters are not allowed.")})
        if datatype == Question.Datatype.SINGLE:
            if value not in {c.key for c in question.choices.all()}:
                raise ValidationError({field_name: _("Choose among the listed answers.")})
        elif datatype == Question.Datatype.NUMBER:
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                raise ValidationError({field_name: _("Enter a number.")}) from None
            if not math.isfinite(number) or abs(number) > 1e9:
                raise ValidationError({field_name: _("Enter a number.")})
            value = f"{number:g}"
        elif datatype == Question.Datatype.DATETIME:
            parsed = parse_datetime(value)
            if parsed is None:
                raise ValidationError({field_name: _("Enter a date and time (YYYY-MM-DDTHH:MM).")})
            value = parsed.isoformat()
        else:
            limit = 2000 if datatype == Question.Datatype.TEXT else 200
            if len(value) > limit:
                raise ValidationError({field_name: _("At most %(max)d characters.") % {"max": limit}})
        answers[question.code] = value
    return answers


# --- submitting ---------------------------------------------------------------------------------


@dataclass
class NewReport:
    category: Category
    title: str
    description: str
    lat: Any
    lon: Any
    address: str = ""
    answers: Mapping[str, Any] = field(default_factory=dict)
    photos: Sequence[bytes] = ()
    name: str = ""
    email: str = ""
    phone: str = ""
    show_name: bool = False
    channel: str = Channel.WEB
    api_key: Open311Key | None = None
    language: str = ""
    created_at: dt.datetime | None = None  # imports of historical reports (and the demo) backdate them
    preconfirmed: bool = False  # imports: the reporter was verified by the system it comes from


def _store_photo_files(cleaned: list[Any]) -> list[tuple[str, str, Any]]:
    stored = []
    month = timezone.now().strftime("%Y/%m")
    for photo in cleaned:
        stem = f"reports/photos/{month}/{uuid.uuid4().hex}"
        path = default_storage.save(f"{stem}.jpg", ContentFile(photo.content))
        thumb = default_storage.save(f"{stem}-thumb.jpg", ContentFile(photo.thumbnail))
        stored.append((path, thumb, photo))
    return stored


def submit_report(actor: Any, data: NewReport) -> Report:
    """Validate and create a report. Photos are cleaned before the transaction opens."""
    category = data.category
    if not category.active:
        raise ValidationError({"category": _("This category no longer accepts reports.")})
    lat, lon = check_location(data.lat, data.lon)
    title = _clean_text("title", data.title, max_length=MAX_TITLE, required=True)
    description = _clean_text("description", data.description, max_length=MAX_DESCRIPTION, required=True)
    address = _clean_text("address", data.address, max_length=300, required=False)
    name = _clean_text("name", data.name, max_length=120, required=False)
    phone = _clean_text("phone", data.phone, max_length=40, required=False)
    if phone and not PHONE_PATTERN.match(phone):
        raise ValidationError({"phone": _("Enter a phone number (digits, spaces, +, -).")})
    user = _user(actor)
    email = _clean_text("email", data.email, max_length=254, required=False).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid email address.")}) from None
    if user is None and not email and data.channel == Channel.WEB and not data.preconfirmed:
        raise ValidationError({"email": _("Give your email address (to confirm the report) or sign in.")})
    if data.show_name and not (name or getattr(user, "display_name", "")):
        raise ValidationError({"name": _("Give the name to show, or untick “show my name”.")})
    answers = clean_answers(category, data.answers)
    if len(data.photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos.") % {"n": MAX_PHOTOS}})
    if category.photo_required and not data.photos:
        raise ValidationError({"photos": _("This category needs a photo of the problem.")})
    cleaned = []
    for position, content in enumerate(data.photos, start=1):
        try:
            cleaned.append(clean_photo(content))
        except PhotoError as error:
            raise ValidationError({f"photo{position}": photo_error_message(error)}) from error
    area = neighbourhood_for(lat, lon)
    nearest_address, nearest_address_m = addresses.nearest(lat, lon)
    stored = _store_photo_files(cleaned)
    try:
        return _create_report(actor, user, data, category, lat, lon, title, description, address, name, email,
                              phone, answers, area, stored, (nearest_address, nearest_address_m))
    except BaseException:
        for path, thumb, _photo in stored:
            default_storage.delete(path)
            default_storage.delete(thumb)
        raise


@transaction.atomic
def _create_report(actor: Any, user: Any, data: NewReport, category: Category, lat: float, lon: float, title: str,
                   description: str, address: str, name: str, email: str, phone: str, answers: dict[str, Any],
                   area: Any, stored: list[tuple[str, str, Any]], nearest: tuple[str, float | None] = ("", None)
                   ) -> Report:
    respcache.data_changed()
    now = data.created_at or timezone.now()
    # A signed-in reporter, an Open311 app and staff taking a phone call vouch for the report;
    # anyone else confirms by email first.
    confirmed = user is not None or data.channel != Channel.WEB or data.preconfirmed
    moderation = Moderation.PENDING if category.premoderation else Moderation.APPROVED
    report = Report(
        category=category, department_id=category.department_id, title=title, description=description,
        answers=answers, address=address, nearest_address=nearest[0], nearest_address_m=nearest[1],
        lat=lat, lon=lon, cell=geodesy.grid_cell(lat, lon), neighbourhood=area,
        reporter=user if data.channel in (Channel.WEB, Channel.OPEN311) else None,
        reporter_name=name or (getattr(user, "display_name", "") if data.channel == Channel.WEB else ""),
        reporter_email=email or (user.email if user is not None and data.channel == Channel.WEB else ""),
        reporter_phone=phone, show_name=data.show_name, channel=data.channel, api_key=data.api_key,
        moderation=moderation, confirmed_at=now if confirmed else None, created_at=now, updated_at=now,
        expected_at=now + dt.timedelta(days=category.target_days),
    )
    _refresh_public(report)
    report.save()
    photos = [Photo(report=report, file=path, thumbnail=thumb, width=photo.width, height=photo.height,
                    order=position, moderation=moderation)
              for position, (path, thumb, photo) in enumerate(stored)]
    for photo in photos:
        photo.save()
    if photos and moderation == Moderation.APPROVED:
        report.first_photo = photos[0]
        report.save(update_fields=["first_photo"])
    Update.objects.create(report=report, kind=Update.Kind.CREATED, new_status=Status.SUBMITTED, created_at=now,
                          by_reporter=True)
    subscriber_email = report.reporter_email
    if report.reporter_id or subscriber_email:
        notices.start_following(Subscription.objects.create(
            report=report, user=report.reporter, email="" if report.reporter_id else subscriber_email,
            language=data.language, is_reporter=True, confirmed_at=now if confirmed else None))
    audit.record(actor if actor is not None else "anonymous", "reports.report.submitted", report,
                 {"category": category.code, "channel": data.channel, "photos": len(photos),
                  "moderation": moderation, "confirmed": confirmed})
    _after_publication_change(report, was_public=False)
    if not confirmed:
        emails.send_report_confirmation(report)  # written now, sent after commit (notifications.transactional)
    return report


def _after_publication_change(report: Report, *, was_public: bool) -> None:
    """When a report becomes public, tell its department (internal email, sent after commit)."""
    if report.is_public and not was_public:
        emails.send_new_report_to_department(report)


@transaction.atomic
def confirm_report(token: str) -> Report:
    respcache.data_changed()
    report_id = tokens.read(tokens.CONFIRM_REPORT, token)
    report = Report.objects.select_for_update(of=("self",)).get(pk=report_id)
    if report.confirmed_at is not None:
        return report
    was_public = report.is_public
    report.confirmed_at = timezone.now()
    _refresh_public(report)
    report.save(update_fields=["confirmed_at", "is_public"])
    for subscription in report.subscriptions.filter(is_reporter=True, confirmed_at__isnull=True):
        subscription.confirmed_at = report.confirmed_at
        subscription.save(update_fields=["confirmed_at"])
        notices.start_following(subscription)
    audit.record("email-link", "reports.report.confirmed", report)
    _after_publication_change(report, was_public=was_public)
    return report


@transaction.atomic
def fill_nearest_addresses(actor: Any, *, everything: bool = False) -> int:
    """Reverse geocode reports that have no nearest address yet (or all, after the street index was
    rebuilt); one audit row for the run."""
    respcache.data_changed()
    changed = addresses.fill_nearest_addresses(everything=everything)
    audit.record(actor, "reports.nearest_addresses.filled", None, {"reports": changed, "all": everything})
    return changed


# --- the duplicate check ------------------------------------------------------------------------


def nearby_open_reports(category: Category | int, lat: float, lon: float, *,
                        radius_m: float = DUPLICATE_RADIUS_M, limit: int = 10) -> list[tuple[Report, float]]:
    """Public open reports of the category within radius_m, nearest first (bounding box, then haversine)."""
    box = geodesy.box_around(lat, lon, radius_m)
    category_id = category.pk if isinstance(category, Category) else category
    candidates = (Report.objects.filter(
        is_public=True, is_open=True, category_id=category_id, lat__gte=box.min_lat, lat__lte=box.max_lat,
        lon__gte=box.min_lon, lon__lte=box.max_lon).select_related("category", "first_photo")
        .order_by("-created_at")[:200])
    found = [(report, geodesy.haversine_m(lat, lon, report.lat, report.lon)) for report in candidates]
    found = [(report, distance) for report, distance in found if distance <= radius_m]
    found.sort(key=lambda pair: pair[1])
    return found[:limit]


# --- staff work ---------------------------------------------------------------------------------


def _notify_followers(update: Update) -> None:
    """Publish the update to the notifications pipeline now, inside this transaction: its texts are
    written from this update's state, and nothing is sent if the transaction rolls back."""
    notices.publish_update(Update.objects.select_related(
        "report__category", "report__department", "report__neighbourhood").get(pk=update.pk))


def _apply_status(report: Report, new_status: str, now: dt.datetime) -> None:
    report.status = new_status
    report.is_open = new_status in OPEN_STATUSES
    if new_status != Status.SUBMITTED and report.acknowledged_at is None:
        report.acknowledged_at = now
    # Time to fix is measured to the fix that holds: any other status clears it.
    report.fixed_at = now if new_status == Status.FIXED else None
    report.closed_at = now if new_status in CLOSED_STATUSES else None
    report.updated_at = now


@transaction.atomic
def change_status(actor: Any, report: Report, new_status: str, text: str = "", *, reason: str = "",
                  responsible_party: str = "", duplicate_of: Report | None = None,
                  notify: bool = True, at: dt.datetime | None = None) -> Update:
    """A staff status change: a dated public update with text, and an email to every follower."""
    respcache.data_changed()
    _require(actor, "reports.handle_report", report)
    if new_status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    old_status = locked.status
    if new_status not in TRANSITIONS[old_status]:
        raise ValidationError({"status": _("A report cannot go from “%(old)s” to “%(new)s”.") % {
            "old": Status(old_status).label, "new": Status(new_status).label}})
    # Empty text: readers see the standard sentence for the status, in their own language.
    text = _clean_text("text", text, max_length=MAX_UPDATE_TEXT, required=False)
    reason = _clean_text("reason", reason, max_length=300, required=False)
    responsible_party = _clean_text("responsible_party", responsible_party, max_length=200, required=False)
    if new_status == Status.CLOSED_NOT_FIXED and not reason:
        raise ValidationError({"reason": _("Say why the report is closed without a fix.")})
    if new_status == Status.NOT_RESPONSIBLE and not responsible_party:
        raise ValidationError({"responsible_party": _("Say who is responsible instead.")})
    if new_status == Status.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("Give the number of the original report.")})
        if duplicate_of.pk == locked.pk or duplicate_of.duplicate_of_id == locked.pk:
            raise ValidationError({"duplicate_of": _("A report cannot be a duplicate of itself.")})
        if not duplicate_of.is_public:
            raise ValidationError({"duplicate_of": _("The original report must be public.")})
    now = at or timezone.now()
    _apply_status(locked, new_status, now)
    locked.status_reason = reason if new_status == Status.CLOSED_NOT_FIXED else ""
    locked.responsible_party = responsible_party if new_status == Status.NOT_RESPONSIBLE else ""
    locked.duplicate_of = duplicate_of if new_status == Status.DUPLICATE else None
    locked.status_note = text
    locked.save()
    user = _user(actor)
    update = Update.objects.create(report=locked, kind=Update.Kind.STATUS, old_status=old_status,
                                   new_status=new_status, text=text, department_id=locked.department_id,
                                   author=user, created_at=now)
    audit.record(actor, "reports.report.status_changed", locked, {
        "status": [old_status, new_status], "reason": reason, "responsible_party": responsible_party,
        "duplicate_of": duplicate_of.pk if duplicate_of else None})
    if notify:
        _notify_followers(update)
    report.refresh_from_db()
    return update


@transaction.atomic
def merge_duplicate(actor: Any, duplicate: Report, original: Report, text: str = "", *,
                    at: dt.datetime | None = None) -> Update:
    """Close `duplicate` as a duplicate of `original`; its followers and supporters move to the original."""
    respcache.data_changed()
    _require(actor, "reports.handle_report", duplicate)
    update = change_status(actor, duplicate, Status.DUPLICATE, text, duplicate_of=original, at=at)
    moved = 0
    existing_users = set(original.subscriptions.exclude(user=None).values_list("user_id", flat=True))
    existing_emails = set(original.subscriptions.filter(user=None).values_list("email", flat=True))
    for subscription in duplicate.subscriptions.filter(confirmed_at__isnull=False):
        if subscription.user_id in existing_users or (not subscription.user_id and subscription.email in
                                                      existing_emails):
            continue
        notices.start_following(Subscription.objects.create(
            report=original, user_id=subscription.user_id, email=subscription.email,
            language=subscription.language, supports=True, confirmed_at=subscription.confirmed_at))
        moved += 1
    supporters = duplicate.supporters_count + 1  # its reporter supports the original too
    now = at or timezone.now()
    Report.objects.filter(pk=original.pk).update(supporters_count=F("supporters_count") + supporters,
                                                 updated_at=now)
    Update.objects.create(report=original, kind=Update.Kind.MERGED, text=_(
        "Report #%(id)d about the same problem was merged into this one.") % {"id": duplicate.pk},
        department_id=original.department_id, author=_user(actor), created_at=now)
    audit.record(actor, "reports.report.merged", original, {"duplicate": duplicate.pk, "followers_moved": moved})
    return update


@transaction.atomic
def post_public_update(actor: Any, report: Report, text: str) -> Update:
    respcache.data_changed()
    _require(actor, "reports.handle_report", report)
    text = _clean_text("text", text, max_length=MAX_UPDATE_TEXT, required=True)
    now = timezone.now()
    update = Update.objects.create(report=report, kind=Update.Kind.COMMENT, text=text,
                                   department_id=report.department_id, author=_user(actor), created_at=now)
    Report.objects.filter(pk=report.pk).update(updated_at=now, status_note=text)
    audit.record(actor, "reports.report.commented", report, {"update": update.pk})
    _notify_followers(update)
    return update


@transaction.atomic
def add_internal_note(actor: Any, report: Report, text: str) -> InternalNote:
    _require(actor, "reports.handle_report", report)
    text = _clean_text("note", text, max_length=5000, required=True)
    note = InternalNote.objects.create(report=report, author=_user(actor), text=text)
    audit.record(actor, "reports.report.noted", report, {"note": note.pk})
    return note


@transaction.atomic
def assign(actor: Any, report: Report, assignee: Any) -> Report:
    _require(actor, "reports.handle_report", report)
    if assignee is not None and not report.department.members.filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("Assign to a member of the report's department.")})
    changes = audit.diff(report, ["assignee_id"], {"assignee_id": assignee.pk if assignee else None})
    Report.objects.filter(pk=report.pk).update(assignee=assignee)
    report.assignee = assignee
    if changes:
        audit.record(actor, "reports.report.assigned", report, changes)
    return report


@transaction.atomic
def set_priority(actor: Any, report: Report, priority: int) -> Report:
    _require(actor, "reports.handle_report", report)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")})
    changes = audit.diff(report, ["priority"], {"priority": priority})
    Report.objects.filter(pk=report.pk).update(priority=priority)
    report.priority = priority
    if changes:
        audit.record(actor, "reports.report.prioritised", report, changes)
    return report


@transaction.atomic
def recategorise(actor: Any, report: Report, category: Category) -> Report:
    """Move a report to another category (and so to that category's department)."""
    respcache.data_changed()
    _require(actor, "reports.handle_report", report)
    changes = audit.diff(report, ["category_id", "department_id"],
                         {"category_id": category.pk, "department_id": category.department_id})
    if not changes:
        return report
    Report.objects.filter(pk=report.pk).update(category=category, department_id=category.department_id,
                                               assignee=None, answers={})
    report.refresh_from_db()
    audit.record(actor, "reports.report.recategorised", report, changes)
    return report


BULK_ACTIONS = ("acknowledge", "in_progress", "fixed", "priority", "assign")


@transaction.atomic
def bulk_apply(actor: Any, reports: Iterable[Report], action: str, *, text: str = "", priority: int | None = None,
               assignee: Any = None) -> int:
    """Apply one action to several reports, all or nothing. Returns how many changed."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Unknown action.")})
    changed = 0
    target = {"acknowledge": Status.ACKNOWLEDGED, "in_progress": Status.IN_PROGRESS, "fixed": Status.FIXED}
    fresh = Report.objects.filter(pk__in=[report.pk for report in reports]).select_related("department")
    for report in fresh.order_by("id"):
        if action in target:
            if report.status == target[action]:
                continue
            change_status(actor, report, target[action], text)
        elif action == "priority":
            if priority is None:
                raise ValidationError({"priority": _("Choose a priority.")})
            set_priority(actor, report, priority)
        else:
            assign(actor, report, assignee)
        changed += 1
    return changed


# --- moderation ---------------------------------------------------------------------------------


@transaction.atomic
def moderate_report(actor: Any, report: Report, decision: str, *, title: str | None = None,
                    description: str | None = None) -> Report:
    """Approve (optionally with edited text) or reject a report; approving publishes its photos too."""
    respcache.data_changed()
    _require(actor, "reports.moderate", report)
    if decision not in (Moderation.APPROVED, Moderation.REJECTED):
        raise ValidationError({"decision": _("Approve or reject.")})
    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    was_public = locked.is_public
    values: dict[str, Any] = {"moderation": decision}
    if title is not None:
        values["title"] = _clean_text("title", title, max_length=MAX_TITLE, required=True)
    if description is not None:
        values["description"] = _clean_text("description", description, max_length=MAX_DESCRIPTION, required=True)
    # The edited-away text stays in the audit trail (staff only), so moderation can be reviewed.
    changes = audit.diff(locked, values.keys(), values)
    for name, value in values.items():
        setattr(locked, name, value)
    _refresh_public(locked)
    locked.save()
    if decision == Moderation.APPROVED:
        locked.photos.filter(moderation=Moderation.PENDING).update(moderation=Moderation.APPROVED)
        locked.flags.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        Report.objects.filter(pk=locked.pk).update(flags_count=0)
    _sync_first_photo(locked)
    audit.record(actor, "reports.report.moderated", locked, dict(changes) or {"moderation": [None, decision]})
    _after_publication_change(locked, was_public=was_public)
    report.refresh_from_db()
    return locked


def _sync_first_photo(report: Report) -> None:
    first = report.photos.filter(moderation=Moderation.APPROVED).order_by("order", "id").first()
    Report.objects.filter(pk=report.pk).update(first_photo=first)
    report.first_photo = first


@transaction.atomic
def moderate_photo(actor: Any, photo: Photo, decision: str) -> Photo:
    respcache.data_changed()
    _require(actor, "reports.moderate", photo.report)
    if decision not in (Moderation.APPROVED, Moderation.REJECTED):
        raise ValidationError({"decision": _("Approve or reject.")})
    changes = audit.diff(photo, ["moderation"], {"moderation": decision})
    photo.moderation = decision
    photo.save(update_fields=["moderation"])
    _sync_first_photo(photo.report)
    audit.record(actor, "reports.photo.moderated", photo, changes)
    return photo


@transaction.atomic
def flag_report(actor: Any, report: Report, reason: str, text: str, source: str) -> Flag | None:
    """Record a flag (once per person). Enough flags hide the report until a moderator decides."""
    respcache.data_changed()
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    text = _clean_text("text", text, max_length=500, required=reason == Flag.Reason.OTHER)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(report=report, reason=reason, text=text, user=_user(actor),
                                       source_hash=source)
    except IntegrityError:
        return None  # this person already flagged it
    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    locked.flags_count = locked.flags.filter(resolved_at__isnull=True).count()
    if locked.flags_count >= FLAGS_TO_HIDE and locked.moderation == Moderation.APPROVED:
        locked.moderation = Moderation.HIDDEN
        _refresh_public(locked)
    locked.save(update_fields=["flags_count", "moderation", "is_public"])
    audit.record(actor if actor is not None else "anonymous", "reports.report.flagged", locked,
                 {"reason": reason, "flags": locked.flags_count})
    return flag


@transaction.atomic
def dismiss_flags(actor: Any, report: Report) -> Report:
    """The moderator finds the flags unfounded: resolve them and publish again."""
    return moderate_report(actor, report, Moderation.APPROVED)


# --- citizens: follow, support, reopen ----------------------------------------------------------


@transaction.atomic
def follow(actor: Any, report: Report, *, email: str = "", supports: bool = False,
           language: str = "") -> Subscription:
    """Follow (and optionally support) a report. Signed-in users are confirmed at once; an email
    address gets a confirmation link first."""
    respcache.data_changed()
    if not report.is_public:
        raise ValidationError({"report": _("This report is not public.")})
    user = _user(actor)
    if user is None:
        email = _clean_text("email", email, max_length=254, required=True).lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid email address.")}) from None
        subscription, created = Subscription.objects.get_or_create(
            report=report, user=None, email=email, defaults={"language": language, "supports": supports})
    else:
        subscription, created = Subscription.objects.get_or_create(
            report=report, user=user, defaults={"language": language, "supports": supports,
                                                "confirmed_at": timezone.now()})
    newly_supporting = supports and not subscription.supports and not created
    if newly_supporting:
        subscription.supports = True
        subscription.save(update_fields=["supports"])
    if subscription.confirmed_at is not None and supports and (created or newly_supporting):
        Report.objects.filter(pk=report.pk).update(supporters_count=F("supporters_count") + 1)
    if subscription.confirmed_at is not None:
        notices.start_following(subscription)  # idempotent: also after a one-click unsubscribe
    if subscription.confirmed_at is None:
        emails.send_subscription_confirmation(subscription)  # sent after commit
    audit.record(user or "anonymous", "reports.report.followed", report,
                 {"subscription": subscription.pk, "supports": supports})
    return subscription


@transaction.atomic
def confirm_subscription(token: str) -> Subscription:
    respcache.data_changed()
    subscription_id = tokens.read(tokens.CONFIRM_FOLLOW, token)
    subscription = Subscription.objects.select_for_update(of=("self",)).get(pk=subscription_id)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
        notices.start_following(subscription)
        if subscription.supports:
            Report.objects.filter(pk=subscription.report_id).update(supporters_count=F("supporters_count") + 1)
        audit.record("email-link", "reports.subscription.confirmed", subscription.report,
                     {"subscription": subscription.pk})
    return subscription


@transaction.atomic
def unsubscribe(token: str) -> Report | None:
    respcache.data_changed()
    subscription_id = tokens.read(tokens.UNSUBSCRIBE, token)
    subscription = Subscription.objects.filter(pk=subscription_id).select_related("report").first()
    if subscription is None:
        return None
    report = subscription.report
    if subscription.supports and subscription.confirmed_at is not None:
        Report.objects.filter(pk=report.pk, supporters_count__gt=0).update(
            supporters_count=F("supporters_count") - 1)
    audit.record("email-link", "reports.subscription.removed", report, {"subscription": subscription.pk})
    notices.stop_following(subscription)
    subscription.delete()
    return report


def can_reopen(user: Any, report: Report) -> bool:
    if report.status != Status.FIXED:
        return False
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if report.reporter_id == user.pk or user.has_perm("reports.handle_report", report):
        return True
    return report.subscriptions.filter(user=user, confirmed_at__isnull=False, supports=True).exists()


@transaction.atomic
def reopen(actor: Any, report: Report, text: str, *, via_token: str = "") -> Update:
    """"It is not fixed": the reporter (signed in or from the link in the email), a supporter or staff."""
    respcache.data_changed()
    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if via_token:
        subscription_id = tokens.read(tokens.REOPEN, via_token)
        if not locked.subscriptions.filter(pk=subscription_id, confirmed_at__isnull=False).exists():
            raise PermissionDenied("reopen")
    elif not can_reopen(actor, locked):
        raise PermissionDenied("reopen")
    if locked.status != Status.FIXED:
        raise ValidationError({"status": _("Only a report closed as fixed can be reopened.")})
    text = _clean_text("text", text, max_length=MAX_UPDATE_TEXT, required=True)
    now = timezone.now()
    old_status = locked.status
    _apply_status(locked, Status.REOPENED, now)
    locked.reopened_count += 1
    locked.status_note = text
    locked.save()
    update = Update.objects.create(report=locked, kind=Update.Kind.REOPENED, old_status=old_status,
                                   new_status=Status.REOPENED, text=text, author=_user(actor), by_reporter=True,
                                   created_at=now)
    audit.record(actor if _user(actor) else "email-link", "reports.report.reopened", locked, {"text": text[:200]})
    _notify_followers(update)
    report.refresh_from_db()
    return update


# --- API keys ------------------------------------------------------------------------------------


@transaction.atomic
def create_open311_key(actor: Any, name: str, *, contact: str = "", requests_per_hour: int = 300
                       ) -> tuple[Open311Key, str]:
    """A new key; the clear text is returned once and never stored."""
    name = _clean_text("name", name, max_length=120, required=True)
    key = Open311Key.new_key()
    record = Open311Key.objects.create(name=name, contact=contact, prefix=key[5:13],
                                       key_hash=Open311Key.hash_key(key), requests_per_hour=requests_per_hour)
    audit.record(actor, "reports.open311key.created", record, {"name": name})
    return record, key


@transaction.atomic
def revoke_open311_key(actor: Any, key: Open311Key) -> Open311Key:
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit.record(actor, "reports.open311key.revoked", key)
    return key


@transaction.atomic
def save_department(actor: Any, department: Department) -> Department:
    is_new = department.pk is None
    department.full_clean()
    department.save()
    audit.record(actor, "reports.department.created" if is_new else "reports.department.updated", department)
    return department
