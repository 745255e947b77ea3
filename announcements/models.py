"""City announcements: street closures, transit diversions, outages, works, emergencies.

An announcement is one message. An update or a cancellation is a new message in the same thread
(`thread` points at the thread's first message, `replaces` at the message it updates), as CAP's
Alert / Update / Cancel messages are; only the newest message of a thread (`is_latest`) is listed,
and the public page of any message shows the whole thread. Messages are never edited in place:
what the city said, and when, stays on record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import Neighbourhood


class Category(models.TextChoices):
    STREET_CLOSURE = "street_closure", _("Street closure")
    TRANSIT_DIVERSION = "transit_diversion", _("Public-transport diversion")
    WATER_OUTAGE = "water_outage", _("Water outage")
    HEATING_OUTAGE = "heating_outage", _("Heating outage")
    POWER_OUTAGE = "power_outage", _("Power outage")
    WORKS = "works", _("Works")
    EMERGENCY = "emergency", _("Emergency")
    EVENT_RESTRICTION = "event_restriction", _("Public-event restrictions")


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class MessageType(models.TextChoices):
    ALERT = "alert", _("Announcement")
    UPDATE = "update", _("Update")
    CANCEL = "cancel", _("Cancellation")


class Direction(models.TextChoices):
    """For road closures (the CIFS feed's `direction`)."""

    BOTH = "BOTH_DIRECTIONS", _("Both directions")
    ONE = "ONE_DIRECTION", _("One direction (as drawn)")


class Phase(models.TextChoices):
    # With a context: other rooms' catalogues translate the bare words differently (e.g. "Planificat").
    CURRENT = "current", pgettext_lazy("announcements phase", "Current")
    PLANNED = "planned", pgettext_lazy("announcements phase", "Planned")
    PAST = "past", pgettext_lazy("announcements phase", "Past")


class AnnouncementQuerySet(models.QuerySet["Announcement"]):
    def latest_messages(self) -> AnnouncementQuerySet:
        return self.filter(is_latest=True)

    def current(self, now: dt.datetime) -> AnnouncementQuerySet:
        return self.latest_messages().exclude(message_type=MessageType.CANCEL).filter(
            starts_at__lte=now).filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now))

    def planned(self, now: dt.datetime) -> AnnouncementQuerySet:
        return self.latest_messages().exclude(message_type=MessageType.CANCEL).filter(starts_at__gt=now)

    def past(self, now: dt.datetime) -> AnnouncementQuerySet:
        return self.latest_messages().filter(models.Q(message_type=MessageType.CANCEL) | models.Q(ends_at__lte=now))

    def phase(self, phase: str, now: dt.datetime) -> AnnouncementQuerySet:
        return {"current": self.current, "planned": self.planned, "past": self.past}[phase](now)


class Announcement(models.Model):
    thread = models.ForeignKey("self", verbose_name=_("first message of the thread"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="thread_messages")
    replaces = models.ForeignKey("self", verbose_name=_("updates"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="replaced_by")
    message_type = models.CharField(_("message type"), max_length=10, choices=MessageType.choices,
                                    default=MessageType.ALERT)
    is_latest = models.BooleanField(_("newest message of its thread"), default=True, editable=False)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True,
                                   help_text=_("Empty: until further notice."))
    geometry = models.TextField(_("area (GeoJSON geometry, WGS84)"),
                                help_text=_("A point, a line along the streets or an area."))
    direction = models.CharField(_("traffic affected"), max_length=20, choices=Direction.choices,
                                 default=Direction.BOTH)
    neighbourhoods = models.ManyToManyField(Neighbourhood, verbose_name=_("affected neighbourhoods"), blank=True,
                                            related_name="announcements")
    streets = models.JSONField(_("streets concerned"), default=list, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    # Never shown publicly (who in the city hall wrote it is in the audit trail for staff).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("author"))
    is_demo = models.BooleanField(_("demo"), default=False)

    objects = AnnouncementQuerySet.as_manager()
    # Added by django-modeltranslation (translation.py); declared for the type checker.
    title_ro: str | None
    title_en: str | None
    body_ro: str | None
    body_en: str | None

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["is_latest", "starts_at"]), models.Index(fields=["is_latest", "ends_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("announcements:detail", args=[self.pk])

    @property
    def thread_id_or_self(self) -> int:
        return int(self.thread_id or self.pk)

    def phase(self, now: dt.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.message_type == MessageType.CANCEL or (self.ends_at is not None and self.ends_at <= now):
            return Phase.PAST
        return Phase.PLANNED if self.starts_at > now else Phase.CURRENT

    def language_free_url(self) -> str:
        """The page's path without the language prefix (for notifications and feeds)."""
        return f"/announcements/{self.pk}/"

    def as_context(self) -> dict[str, Any]:
        return {"id": self.pk, "category": self.category, "severity": self.severity}
