"""Problem reports (potholes, rubbish, broken lights...) and how the city handles them.

Personal data lives only in Report.reporter_* and Subscription.email: never shown on public
pages, never in Open311 output, never in exports. A reporter's name is public only when they
tick "show my name".
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Neighbourhood


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    REOPENED = "reopened", _("Reopened")
    FIXED = "fixed", _("Fixed")
    CLOSED_NOT_FIXED = "closed_not_fixed", _("Closed, not fixed")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_RESPONSIBLE = "not_responsible", _("Not the city's responsibility")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED})
CLOSED_STATUSES = frozenset({Status.FIXED, Status.CLOSED_NOT_FIXED, Status.DUPLICATE, Status.NOT_RESPONSIBLE})

# What each status means for the citizen, shown on the report page and the "about" box.
STATUS_MEANINGS = {
    Status.SUBMITTED: _("The report has been received and is waiting for the department to look at it."),
    Status.ACKNOWLEDGED: _("The responsible department has seen the report and accepted it."),
    Status.IN_PROGRESS: _("Work to fix the problem has been scheduled or started."),
    Status.REOPENED: _("Someone said the problem was not really fixed; the department will look again."),
    Status.FIXED: _("The department says the problem has been fixed."),
    Status.CLOSED_NOT_FIXED: _("Closed without a fix; the reason is given in the update."),
    Status.DUPLICATE: _("The same problem was already reported; follow the original report."),
    Status.NOT_RESPONSIBLE: _("Another organisation is responsible; the update says which one."),
}


# The public text of a status change when staff write none; rendered in each reader's language.
STATUS_DEFAULT_TEXTS = {
    Status.ACKNOWLEDGED: _("The department has received the report and will deal with it."),
    Status.IN_PROGRESS: _("Work on this problem has been scheduled or has started."),
    Status.FIXED: _("The department reports that the problem has been fixed."),
    Status.REOPENED: _("The report has been reopened."),
    Status.CLOSED_NOT_FIXED: _("The report has been closed without a fix."),
    Status.DUPLICATE: _("This problem had already been reported."),
    Status.NOT_RESPONSIBLE: _("This is not the city's responsibility."),
}


_DEFAULT_TEXTS_BY_VALUE = {status.value: text for status, text in STATUS_DEFAULT_TEXTS.items()}


def default_status_text(status: str) -> str:
    text = _DEFAULT_TEXTS_BY_VALUE.get(status)
    return str(text) if text is not None else ""


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    OPEN311 = "open311", _("Open311 app")
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("At the counter")
    EMAIL = "email", _("Email or letter")


ONLINE_CHANNELS = frozenset({Channel.WEB, Channel.OPEN311})


class Moderation(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", _("Rejected")
    HIDDEN = "hidden", _("Hidden after flags")


class Department(models.Model):
    """A city department (or municipal company) that receives the reports of some categories."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email for new reports"), blank=True,
                              help_text=_("Internal: receives a message for each new published report."))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="report_departments",
                                     verbose_name=_("staff members"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What can be reported: an Open311 service. `code` is its service_code (never reuse one)."""

    code = models.SlugField(_("code (Open311 service_code)"), unique=True, max_length=60)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=120, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="categories",
                                   verbose_name=_("department"))
    target_days = models.PositiveSmallIntegerField(_("target days to fix"), default=14)
    target_acknowledge_hours = models.PositiveSmallIntegerField(_("target hours to acknowledge"), default=48)
    photo_required = models.BooleanField(_("photo required"), default=False)
    premoderation = models.BooleanField(
        _("moderate before publication"), default=False,
        help_text=_("Text and photos of new reports stay hidden until a moderator approves them."))
    active = models.BooleanField(_("accepting reports"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name or self.code


class Question(models.Model):
    """An extra question of a category (an Open311 service-definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        TEXT = "text", _("Long text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        SINGLE = "singlevaluelist", _("One choice")
        MULTI = "multivaluelist", _("Several choices")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=60)
    datatype = models.CharField(_("type"), max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    public = models.BooleanField(_("answer shown publicly"), default=True,
                                 help_text=_("Untick for answers that may identify someone (e.g. a number plate)."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="reports_question_code_unique")]
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"


class Choice(models.Model):
    """A possible answer of a list question (Open311 attribute value)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("label"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="reports_choice_key_unique")]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.name


class Open311Key(models.Model):
    """An API key of an Open311 client (an app, another city system). Only its hash is stored."""

    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(max_length=12, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    contact = models.CharField(_("contact (internal)"), max_length=200, blank=True)
    requests_per_hour = models.PositiveIntegerField(_("POST requests per hour"), default=300)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "o311_" + secrets.token_urlsafe(32)


class Report(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("category"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="reports",
                                   verbose_name=_("department"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    is_open = models.BooleanField(default=True, editable=False)
    status_note = models.TextField(_("latest public update"), blank=True, editable=False)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    responsible_party = models.CharField(_("who is responsible"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates", verbose_name=_("duplicate of"))

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    answers = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    address = models.CharField(_("address or landmark"), max_length=300, blank=True)
    # From the street index (core.geocoder) when the report is created: shown when no address was typed.
    nearest_address = models.CharField(_("nearest address"), max_length=200, blank=True, editable=False)
    nearest_address_m = models.FloatField(_("distance to the nearest address (m)"), null=True, blank=True,
                                          editable=False)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    neighbourhood = models.ForeignKey(Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("area"))
    cell = models.IntegerField(default=0, editable=False, help_text="geodesy.grid_cell(lat, lon), for the map")

    # Personal data: staff only.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reports")
    reporter_name = models.CharField(_("name"), max_length=120, blank=True)
    reporter_email = models.EmailField(_("email"), blank=True)
    reporter_phone = models.CharField(_("phone"), max_length=40, blank=True)
    show_name = models.BooleanField(_("show the name publicly"), default=False)

    channel = models.CharField(_("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    api_key = models.ForeignKey(Open311Key, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderation = models.CharField(_("moderation"), max_length=10, choices=Moderation.choices,
                                  default=Moderation.APPROVED)
    confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    is_public = models.BooleanField(default=False, editable=False,
                                    help_text="confirmed and approved; kept in step by services")
    is_demo = models.BooleanField(_("demo data"), default=False)

    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_reports", verbose_name=_("assigned to"))

    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    fixed_at = models.DateTimeField(_("fixed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    expected_at = models.DateTimeField(_("expected fix by"), null=True, blank=True)

    supporters_count = models.PositiveIntegerField(default=0, editable=False)
    flags_count = models.PositiveIntegerField(default=0, editable=False)
    reopened_count = models.PositiveSmallIntegerField(default=0, editable=False)
    first_photo = models.ForeignKey("Photo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            # Public listings read newest first within a filter; partial indexes skip hidden rows.
            models.Index(fields=["-created_at", "-id"], condition=Q(is_public=True), name="reports_public_recent"),
            models.Index(fields=["category", "-created_at"], condition=Q(is_public=True),
                         name="reports_public_category"),
            models.Index(fields=["is_open", "-created_at"], condition=Q(is_public=True), name="reports_public_open"),
            models.Index(fields=["neighbourhood", "-created_at"], condition=Q(is_public=True),
                         name="reports_public_area"),
            models.Index(fields=["-updated_at"], condition=Q(is_public=True), name="reports_public_updated"),
            # Bounding-box pre-filter of the 50 m duplicate check and of the map.
            models.Index(fields=["lat", "lon"], name="reports_lat_lon"),
            # Small map windows read the newest public reports of each grid cell from an index on
            # (cell, created_at, id); on PostgreSQL it also carries lat, lon, is_open and category_id so
            # those reads are index-only. It is created by migration 0002 (per database vendor).
            models.Index(fields=["department", "status"], name="reports_inbox"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def display_address(self) -> str:
        """The typed address, else the nearest one from the street index ("near …")."""
        return self.address or self.nearest_address

    @property
    def public_name(self) -> str:
        """The name shown publicly: only when the reporter chose so."""
        # services.submit_report copies the account's public name here, so no query is needed.
        return self.reporter_name if self.show_name else ""

    @property
    def status_meaning(self) -> Any:
        return STATUS_MEANINGS.get(Status(self.status), "")

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.expected_at is not None and self.expected_at < timezone.now()


class Photo(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    file = models.CharField(max_length=200, editable=False)
    thumbnail = models.CharField(max_length=200, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    moderation = models.CharField(_("moderation"), max_length=10, choices=Moderation.choices,
                                  default=Moderation.APPROVED)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["report", "order", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"photo {self.pk} of report {self.report_id}"

    def get_absolute_url(self) -> str:
        return reverse("reports_photo", args=[self.pk])

    def get_thumbnail_url(self) -> str:
        return reverse("reports_photo_thumbnail", args=[self.pk])


class Update(models.Model):
    """A dated public entry of a report's timeline. Internal notes are a separate model."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Reported")
        STATUS = "status", _("Status change")
        COMMENT = "comment", _("Comment")
        REOPENED = "reopened", _("Reopened")
        MERGED = "merged", _("Duplicate merged")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    old_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    text = models.TextField(_("text"), max_length=3000, blank=True)
    # Staff updates are signed with the department, citizens' with nothing personal.
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    by_reporter = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"], name="reports_update_timeline")]
        verbose_name = _("public update")
        verbose_name_plural = _("public updates")

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.created_at:%Y-%m-%d}"

    @property
    def display_text(self) -> str:
        """The staff's text, or the standard sentence for the new status in the reader's language."""
        if self.text:
            return self.text
        return default_status_text(self.new_status) if self.kind == self.Kind.STATUS else ""


class InternalNote(models.Model):
    """Staff-only notes. Never rendered on a public page or in any API."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("internal note"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"note on {self.report_id}"


class ResponseTemplate(models.Model):
    """Ready-made public text for a status change (e.g. "Fixed: the pothole was filled")."""

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"))
    status = models.CharField(_("for status"), max_length=20, choices=Status.choices, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="templates", verbose_name=_("department (empty: all)"))

    class Meta:
        ordering = ["status", "title"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title


class Subscription(models.Model):
    """Someone following a report (and maybe supporting it): an email at each public change."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="report_subscriptions")
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    supports = models.BooleanField(default=False)
    is_reporter = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], condition=Q(user__isnull=False),
                                    name="reports_subscription_user_unique"),
            models.UniqueConstraint(fields=["report", "email"], condition=Q(user__isnull=True),
                                    name="reports_subscription_email_unique"),
        ]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self) -> str:
        return f"subscription {self.pk} to report {self.report_id}"

    @property
    def address(self) -> str:
        return self.user.email if self.user_id and self.user else self.email


class Flag(models.Model):
    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("Offensive or abusive")
        PERSONAL_DATA = "personal_data", _("Shows personal data")
        SPAM = "spam", _("Spam or advertising")
        NOT_A_PROBLEM = "not_a_problem", _("Not a real problem")
        OTHER = "other", _("Something else")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.CharField(_("details"), max_length=500, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    source_hash = models.CharField(max_length=64, editable=False)  # hash of user or address: one flag each
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "source_hash"], name="reports_flag_once")]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")

    def __str__(self) -> str:
        return f"flag on {self.report_id}: {self.reason}"
