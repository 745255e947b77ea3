"""Endpoints (where a message can reach a person), subscriptions (what they want), the events rooms
published and the deliveries made from them (the delivery log). See docs/notifications.md.

- Endpoint: user (nullable: an e-mail-only subscriber without an account), kind (email | push | sms |
  webhook | inbox), address (e-mail / phone E.164 / push endpoint URL / webhook URL; empty for inbox),
  secret (push keys JSON / webhook signing secret), language, verified_at, disabled_at, disabled_reason,
  consecutive_failures, created_at.
- Subscription: a user or an endpoint (without account); `topic` is a followed subject
  ("reports.report:42") or a topic key ("reports.category:potholes", "room:reports"); an optional place
  (a neighbourhood, or a point and radius_m, or a GeoJSON polygon) narrows or defines it; digest
  (immediate | daily | weekly) and quiet hours.
- EventRecord: one published Event, as published.
- Delivery: one message of one event to one endpoint (unique per event and endpoint: de-duplicated),
  status queued | sent | failed | skipped, attempts, next_attempt_at, last_error, sent_at.
- TransactionalMessage: one e-mail that is not a subscription notice (confirm your report, an invitation,
  a department's notice; notifications/transactional.py), with the same status and retry columns. The
  address and text are kept only until the outcome is final; the log keeps the masked address.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


def mask_email(address: str) -> str:
    """The first two characters and the domain: "an…@example.org"."""
    local, _sep, domain = address.partition("@")
    return f"{local[:2]}…@{domain}" if domain else f"{address[:2]}…"


class Digest(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class Endpoint(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PUSH = "push", _("Push notification")
        SMS = "sms", _("SMS")
        WEBHOOK = "webhook", _("Webhook")
        INBOX = "inbox", _("Notices on the site")

    user = models.ForeignKey(USER, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="notification_endpoints")
    kind = models.CharField(_("channel"), max_length=10, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=1000, blank=True)
    secret = models.TextField(_("secret"), blank=True)
    label = models.CharField(_("label"), max_length=80, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ro")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("endpoint")
        verbose_name_plural = _("endpoints")
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["user", "kind"], name="notif_endpoint_user_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.masked_address()}"

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None and self.verified_at is not None

    def masked_address(self) -> str:
        """Enough to recognise one's own endpoint, not enough to read it off a log over a shoulder."""
        if self.kind == self.Kind.INBOX:
            return "—"
        if self.kind == self.Kind.EMAIL and "@" in self.address:
            return mask_email(self.address)
        if self.kind in (self.Kind.PUSH, self.Kind.WEBHOOK):
            return self.address.split("/")[2] if self.address.count("/") >= 2 else self.address[:30]
        return f"…{self.address[-4:]}"


class Preferences(models.Model):
    """A person's defaults: how often (digest) and when not (quiet hours, local time Europe/Bucharest)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="notification_preferences")
    digest = models.CharField(_("how often"), max_length=10, choices=Digest.choices, default=Digest.IMMEDIATE)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class Subscription(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="notification_subscriptions")
    # Set for a person without an account (confirmed by a signed e-mail link); a user's
    # subscriptions reach all their active endpoints and leave this empty.
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="subscriptions")
    # A followed subject ("reports.report:42") or a topic key ("room:reports"); empty with a place:
    # everything that happens there.
    topic = models.CharField(_("topic"), max_length=200, blank=True, db_index=True)
    neighbourhood = models.ForeignKey("core.Neighbourhood", on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="+", verbose_name=_("neighbourhood"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (metres)"), null=True, blank=True)
    polygon = models.JSONField(_("drawn area (GeoJSON)"), null=True, blank=True)
    # Bounding box of the place (point + radius, polygon or neighbourhood), so that an event's
    # geometry is checked precisely only against subscriptions whose box it touches.
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    label = models.CharField(_("name"), max_length=120, blank=True)
    digest = models.CharField(_("how often"), max_length=10, choices=Digest.choices, blank=True,
                              help_text=_("Empty: the person's default."))
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="notif_sub_bbox")]

    def __str__(self) -> str:
        return self.label or self.topic or f"#{self.pk}"

    @property
    def has_place(self) -> bool:
        return self.neighbourhood_id is not None or self.radius_m is not None or self.polygon is not None


class EventRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=80, db_index=True)
    room = models.CharField(_("room"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200, db_index=True)
    title = models.JSONField(_("title"))
    body = models.JSONField(_("body"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    topics = models.JSONField(_("topics"), default=list)
    geometry = models.JSONField(_("geometry"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=10, default="info")
    data = models.JSONField(_("data"), default=dict)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    recipient_user_ids = models.JSONField(default=list)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    fanned_out_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"

    def text(self, field: str, language: str) -> str:
        values = getattr(self, field) or {}
        return str(values.get(language) or values.get("ro") or values.get("en") or "")


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    event = models.ForeignKey(EventRecord, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # One of the subscriptions that matched (the one a one-click unsubscribe ends); empty for direct notices.
    subscription = models.ForeignKey(Subscription, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    channel = models.CharField(_("channel"), max_length=10)
    language = models.CharField(_("language"), max_length=8, default="ro")
    digest = models.CharField(_("how often"), max_length=10, choices=Digest.choices, default=Digest.IMMEDIATE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="notif_one_delivery_per_endpoint")]
        indexes = [models.Index(fields=["status", "digest", "next_attempt_at"], name="notif_delivery_due"),
                   models.Index(fields=["endpoint", "sent_at"], name="notif_delivery_rate")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class TransactionalMessage(models.Model):
    """One transactional e-mail (notifications/transactional.py): rendered when the room asks for it (the
    state at that moment), sent by a background task, retried with the pipeline's backoff."""

    Status = Delivery.Status

    kind = models.CharField(_("kind"), max_length=80, db_index=True)  # "<room>.<what>"
    to = models.CharField(_("to"), max_length=254, blank=True)  # emptied once the outcome is final
    to_masked = models.CharField(_("to (masked)"), max_length=254)
    reply_to = models.CharField(_("reply to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ro")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)  # emptied once the outcome is final (it may hold a link)
    status = models.CharField(_("status"), max_length=10, choices=Delivery.Status.choices,
                              default=Delivery.Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transactional e-mail")
        verbose_name_plural = _("transactional e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_transactional_due")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_masked}"
