"""Every state change of the announcements room: publish, update, cancel, remove the demo.

Each function runs in one transaction, writes its audit row (core.audit) and publishes one event to
the notifications room (subscribers whose place intersects the geometry are told, after commit, in
their language). Messages are never edited in place: an update or a cancellation is a new message
in the same thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from announcements import geometry as geo
from announcements.models import Announcement, Category, Direction, MessageType, Severity
from core import audit
from core.models import Neighbourhood

logger = logging.getLogger(__name__)

LANGUAGES = ("ro", "en")


class AnnouncementError(ValueError):
    """Bad input: `field` names the form field (or API property) it concerns."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class Draft:
    """What staff write: texts in Romanian and English, the window, the drawn geometry (GeoJSON text)."""

    category: str
    severity: str
    title_ro: str
    title_en: str
    body_ro: str
    body_en: str
    starts_at: dt.datetime
    geometry: str
    ends_at: dt.datetime | None = None
    direction: str = Direction.BOTH
    is_demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _check(draft: Draft) -> str:
    """Validate a draft; returns the normalised geometry text."""
    if draft.category not in Category.values:
        raise AnnouncementError("category", _("Choose a category."))
    if draft.severity not in Severity.values:
        raise AnnouncementError("severity", _("Choose a severity."))
    if draft.direction not in Direction.values:
        raise AnnouncementError("direction", _("Choose the traffic affected."))
    for name in ("title_ro", "title_en"):
        value = (getattr(draft, name) or "").strip()
        if not value:
            raise AnnouncementError(name, _("Write the title in Romanian and in English."))
        if len(value) > 200:
            raise AnnouncementError(name, _("The title is at most 200 characters."))
    for name in ("body_ro", "body_en"):
        value = (getattr(draft, name) or "").strip()
        if not value:
            raise AnnouncementError(name, _("Write the text in Romanian and in English."))
        if len(value) > 5000:
            raise AnnouncementError(name, _("The text is at most 5000 characters."))
    if draft.starts_at is None or timezone.is_naive(draft.starts_at):
        raise AnnouncementError("starts_at", _("Give the date and time the announcement is valid from."))
    if draft.ends_at is not None and (timezone.is_naive(draft.ends_at) or draft.ends_at <= draft.starts_at):
        raise AnnouncementError("ends_at", _("The end must come after the start."))
    try:
        shape = geo.parse(draft.geometry)
    except geo.GeometryError as error:
        raise AnnouncementError("geometry", str(error)) from error
    return geo.normalised(shape)


def affected_neighbourhoods(geometry_text: str) -> list[Neighbourhood]:
    """The mapped neighbourhoods the geometry touches (a line or point on a border touches both)."""
    from shapely.geometry import shape

    drawn = geo.parse(geometry_text)
    found = []
    for row in Neighbourhood.objects.only("pk", "slug", "name", "geometry", "min_lon", "min_lat", "max_lon",
                                         "max_lat"):
        min_lon, min_lat, max_lon, max_lat = drawn.bounds
        if row.max_lon < min_lon or row.min_lon > max_lon or row.max_lat < min_lat or row.min_lat > max_lat:
            continue
        polygon = shape(row.geometry)
        if not polygon.is_valid:
            polygon = polygon.buffer(0)
        if polygon.intersects(drawn):
            found.append(row)
    return found


def streets_concerned(geometry_text: str, limit: int = 20) -> list[str]:
    """Names of the streets the drawing concerns, from the street index (core.geocoder)."""
    from core.geocoder import street_index

    index = street_index()
    if index is None:
        return []
    names: list[str] = []
    for street in index.streets_along(geo.parse(geometry_text)):
        if street.name not in names:
            names.append(street.name)
    return names[:limit]


def _texts(announcement: Announcement, attribute: str) -> dict[str, str]:
    return {language: getattr(announcement, f"{attribute}_{language}") or "" for language in LANGUAGES}


def _event_texts(announcement: Announcement) -> tuple[dict[str, str], dict[str, str]]:
    """Title and body per language as the subscriber will read them, written now (the state at
    the moment of the event, not when the message is delivered)."""
    titles: dict[str, str] = {}
    bodies: dict[str, str] = {}
    places = ", ".join(n.name for n in announcement.neighbourhoods.all())
    for language in LANGUAGES:
        with translation.override(language):
            prefix = {MessageType.UPDATE: _("Update"), MessageType.CANCEL: _("Cancelled")}.get(
                MessageType(announcement.message_type))
            title = getattr(announcement, f"title_{language}") or announcement.title
            titles[language] = f"{prefix}: {title}" if prefix else title
            start = timezone.localtime(announcement.starts_at).strftime("%d.%m.%Y %H:%M")
            window = _("from %(start)s") % {"start": start}
            if announcement.ends_at:
                window += " " + _("until %(end)s") % {"end": timezone.localtime(announcement.ends_at).strftime(
                    "%d.%m.%Y %H:%M")}
            body = getattr(announcement, f"body_{language}") or announcement.body
            bodies[language] = "\n".join(part for part in (window, places, body) if part)
    return titles, bodies


def _publish_event(announcement: Announcement, kind: str, actor: Any) -> None:
    """Tell the notifications room (when installed; it delivers after commit)."""
    if not apps.is_installed("notifications"):
        return
    try:
        from notifications.events import Event, publish
    except ImportError:  # the connective room is not there yet
        logger.info("notifications.events not available: %s not published", kind)
        return
    titles, bodies = _event_texts(announcement)
    publish(Event(
        kind=f"announcements.{kind}", room="announcements",
        subject=f"announcements.announcement:{announcement.thread_id_or_self}",
        title=titles, body=bodies, url=announcement.language_free_url(),
        topics=(f"announcements.category:{announcement.category}", "room:announcements"),
        geometry=geo.for_matching(geo.parse(announcement.geometry)),
        severity=announcement.severity,
        data={"id": announcement.pk, "thread": announcement.thread_id_or_self,
              "message_type": announcement.message_type, "category": announcement.category,
              "starts_at": announcement.starts_at.isoformat(),
              "ends_at": announcement.ends_at.isoformat() if announcement.ends_at else None,
              "neighbourhoods": [n.slug for n in announcement.neighbourhoods.all()],
              "is_demo": announcement.is_demo},
        actor_user_id=getattr(actor, "pk", None) if not isinstance(actor, str) else None,
    ))


def _store(draft: Draft, geometry_text: str, *, actor: Any, message_type: str,
           previous: Announcement | None, now: dt.datetime) -> Announcement:
    announcement = Announcement(
        thread_id=previous.thread_id_or_self if previous else None, replaces=previous,
        message_type=message_type, category=draft.category, severity=draft.severity,
        title_ro=draft.title_ro.strip(), title_en=draft.title_en.strip(),
        body_ro=draft.body_ro.strip(), body_en=draft.body_en.strip(),
        starts_at=draft.starts_at, ends_at=draft.ends_at, geometry=geometry_text, direction=draft.direction,
        streets=streets_concerned(geometry_text), published_at=now,
        author=actor if getattr(actor, "pk", None) and not isinstance(actor, str) else None,
        is_demo=draft.is_demo or bool(previous and previous.is_demo),
    )
    announcement.save()
    announcement.neighbourhoods.set(affected_neighbourhoods(geometry_text))
    if previous is not None:
        Announcement.objects.filter(pk=previous.pk).update(is_latest=False)
    return announcement


def _require_publisher(actor: Any) -> None:
    """A person must hold announcements.publish (announcements/rules.py); a script passes a label (str)."""
    if isinstance(actor, str):
        return
    if actor is None or not actor.has_perm("announcements.publish"):
        raise PermissionDenied("announcements.publish")


def publish(actor: Any, draft: Draft, *, now: dt.datetime | None = None) -> Announcement:
    """A new announcement (the first message of a thread)."""
    _require_publisher(actor)
    geometry_text = _check(draft)
    now = now or timezone.now()
    with transaction.atomic():
        announcement = _store(draft, geometry_text, actor=actor, message_type=MessageType.ALERT, previous=None,
                              now=now)
        audit.record(actor, "announcements.announcement.published", announcement, {
            "category": announcement.category, "severity": announcement.severity,
            "starts_at": announcement.starts_at, "ends_at": announcement.ends_at,
            "neighbourhoods": [n.slug for n in announcement.neighbourhoods.all()]})
        _publish_event(announcement, "published", actor)
    return announcement


def _latest_of(announcement: Announcement) -> Announcement:
    latest = (Announcement.objects.select_for_update()
              .filter(is_latest=True).filter(pk=announcement.thread_id_or_self).first()
              or Announcement.objects.select_for_update().filter(
                  thread_id=announcement.thread_id_or_self, is_latest=True).first())
    if latest is None:
        raise AnnouncementError("announcement", _("This announcement no longer exists."))
    return latest


def update(actor: Any, announcement: Announcement, draft: Draft, *, now: dt.datetime | None = None) -> Announcement:
    """An update: a new message that replaces the thread's newest one (new window, text or place)."""
    _require_publisher(actor)
    geometry_text = _check(draft)
    now = now or timezone.now()
    with transaction.atomic():
        previous = _latest_of(announcement)
        if previous.message_type == MessageType.CANCEL:
            raise AnnouncementError("announcement", _("This announcement was cancelled; publish a new one."))
        changes = audit.diff(previous, ["category", "severity", "title_ro", "title_en", "body_ro", "body_en",
                                        "starts_at", "ends_at", "geometry", "direction"], vars(draft))
        new = _store(draft, geometry_text, actor=actor, message_type=MessageType.UPDATE, previous=previous, now=now)
        audit.record(actor, "announcements.announcement.updated", new, {"replaces": previous.pk, **changes})
        _publish_event(new, "updated", actor)
    return new


def cancel(actor: Any, announcement: Announcement, *, reason_ro: str, reason_en: str,
           now: dt.datetime | None = None) -> Announcement:
    """A cancellation: the thread ends now; the reason is published in both languages."""
    _require_publisher(actor)
    for name, value in (("reason_ro", reason_ro), ("reason_en", reason_en)):
        if not (value or "").strip():
            raise AnnouncementError(name, _("Say why, in Romanian and in English."))
        if len(value) > 2000:
            raise AnnouncementError(name, _("The reason is at most 2000 characters."))
    now = now or timezone.now()
    with transaction.atomic():
        previous = _latest_of(announcement)
        if previous.message_type == MessageType.CANCEL:
            raise AnnouncementError("announcement", _("This announcement is already cancelled."))
        draft = Draft(category=previous.category, severity=previous.severity,
                      title_ro=previous.title_ro or previous.title, title_en=previous.title_en or previous.title,
                      body_ro=reason_ro, body_en=reason_en, starts_at=min(previous.starts_at, now), ends_at=now,
                      geometry=previous.geometry, direction=previous.direction)
        new = _store(draft, previous.geometry, actor=actor, message_type=MessageType.CANCEL, previous=previous,
                     now=now)
        audit.record(actor, "announcements.announcement.cancelled", new, {"replaces": previous.pk})
        _publish_event(new, "cancelled", actor)
    return new


def thread_of(announcement: Announcement) -> list[Announcement]:
    """Every message of the announcement's thread, oldest first."""
    root = announcement.thread_id_or_self
    return list(Announcement.objects.filter(Q(pk=root) | Q(thread_id=root)).order_by("published_at", "id"))


def remove_demo(actor: Any) -> int:
    """Delete the demo announcements (flagged is_demo), audited; returns how many messages went."""
    with transaction.atomic():
        roots = list(Announcement.objects.filter(is_demo=True, thread__isnull=True))
        for root in roots:
            audit.record(actor, "announcements.demo.removed", root, {"title": root.title})
        count = Announcement.objects.filter(is_demo=True).count()
        Announcement.objects.filter(is_demo=True).exclude(thread__isnull=True).delete()
        Announcement.objects.filter(is_demo=True).delete()
    return count
