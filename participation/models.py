"""Participation: what Decidim gives Barcelona, tied to the Timișoara strategy.

Processes (with phases) host consultations, proposals and events; they link to ambitions,
objectives and projects so each project shows the participation behind it. Working groups
(the 7 PartnerTeaM action groups and project groups) and the organisations registry carry
the "participatory mode" into implementation.

Privacy: rows that tie a person to an answer, a registration or a membership stay on the
server side. Public pages, the API and exports only read aggregates, consented listings and
pseudonymous content (proposals and comments are signed with the public name the author chose).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resources import models as _resources_models

USER = settings.AUTH_USER_MODEL
# Rows that `manage.py load_demo_data` writes; `manage.py remove_demo_data` deletes them.
DEMO_HELP = _("Example content loaded by the demo, shown with a “demo” mark and removable in one go.")


# --- Participatory processes -----------------------------------------------------------------


class Process(models.Model):
    slug = models.SlugField(_("short name in the address"), unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description"), blank=True)
    ambitions = models.ManyToManyField("strategy.Ambition", blank=True, related_name="participatory_processes",
                                       verbose_name=_("ambitions"))
    objectives = models.ManyToManyField("strategy.Objective", blank=True, related_name="participatory_processes",
                                        verbose_name=_("strategic objectives"))
    projects = models.ManyToManyField("strategy.Project", blank=True, related_name="participatory_processes",
                                      verbose_name=_("strategic projects"))
    co_design_activity = models.OneToOneField(
        "strategy.CoDesignActivity", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="participatory_process", verbose_name=_("co-design activity"),
        help_text=_("Set for the strategy's co-design history, loaded as past processes."))
    respondents = models.PositiveIntegerField(_("participants (recorded offline)"), null=True, blank=True)
    support_threshold = models.PositiveIntegerField(
        _("supports that oblige an official answer"), default=100, validators=[MinValueValidator(1)])
    proposals_open = models.BooleanField(_("accepts proposals"), default=False)
    published = models.BooleanField(_("published"), default=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("participatory process")
        verbose_name_plural = _("participatory processes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:process", args=[self.slug])


class Phase(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["process_id", "order", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="phase_end_after_start")]

    def __str__(self) -> str:
        return self.title

    def state(self, today: object | None = None) -> str:
        day = today or timezone.localdate()
        if day < self.start:  # type: ignore[operator]
            return "upcoming"
        if day > self.end:  # type: ignore[operator]
            return "past"
        return "active"


# --- Consultations (surveys) -----------------------------------------------------------------


class Consultation(models.Model):
    class Audience(models.TextChoices):
        VERIFIED = "verified", _("Verified accounts (one response each)")
        ANYONE = "anyone", _("Anyone, without an account")

    class ResultsVisibility(models.TextChoices):
        ALWAYS = "always", _("While the consultation is open")
        AFTER_CLOSE = "after_close", _("Only after it closes")

    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="consultations", verbose_name=_("process"))
    slug = models.SlugField(_("short name in the address"), unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    audience = models.CharField(_("who may answer"), max_length=10, choices=Audience.choices,
                                default=Audience.VERIFIED)
    # For verified accounts: the verification level the consultation needs (accounts.verification); answers
    # are keyed to the person, so two accounts of one person answer once.
    verification_level = models.CharField(
        _("verification needed"), max_length=10, default="email",
        choices=[("email", _("A confirmed e-mail address")), ("resident", _("A verified resident of the city"))],
        help_text=_("Only for consultations answered with an account."))
    results_visibility = models.CharField(_("results are public"), max_length=12,
                                          choices=ResultsVisibility.choices, default=ResultsVisibility.ALWAYS)
    ask_profile = models.BooleanField(_("ask the optional respondent profile"), default=True)
    published = models.BooleanField(_("published"), default=False)
    # What the city decided from the answers, and the strategic project that carries it out.
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("What the city decided from the answers."))
    strategy_project = models.ForeignKey(
        "strategy.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="origin_consultations",
        verbose_name=_("carried out by (strategic project)"),
        help_text=_("The strategic project that carries out the outcome; its page links back here."))
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="consultation_closes_after_opening")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:consultation", args=[self.slug])

    def is_open(self, now: object | None = None) -> bool:
        moment = now or timezone.now()
        return self.published and self.opens_at <= moment < self.closes_at  # type: ignore[operator]

    def is_closed(self, now: object | None = None) -> bool:
        return (now or timezone.now()) >= self.closes_at  # type: ignore[operator]

    def results_public(self, now: object | None = None) -> bool:
        if not self.published:
            return False
        if self.results_visibility == self.ResultsVisibility.AFTER_CLOSE:
            return self.is_closed(now)
        return True


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale / Likert")
        RANKING = "ranking", _("Ranking")
        MATRIX = "matrix", _("Matrix")
        NUMBER = "number", _("Number")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")

    CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING, Kind.MATRIX})
    TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT})

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), null=True, blank=True,
                                                   validators=[MinValueValidator(1)])
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=80, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=80, blank=True)
    number_min = models.DecimalField(_("smallest number"), max_digits=14, decimal_places=2, null=True, blank=True)
    number_max = models.DecimalField(_("largest number"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), default=2000,
                                             validators=[MinValueValidator(1), MaxValueValidator(10000)])
    # Shown only when the answer to an earlier question includes one of these options.
    condition_question = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="dependent_questions",
                                           verbose_name=_("shown only after question"))
    condition_options: models.ManyToManyField = models.ManyToManyField("Option", blank=True, related_name="+",
                                               verbose_name=_("when the answer includes"))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["consultation_id", "order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class Option(models.Model):
    class Role(models.TextChoices):
        CHOICE = "choice", _("Choice (or matrix column)")
        ROW = "row", _("Matrix row")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.CHOICE)
    text = models.CharField(_("text"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question_id", "role", "order", "id"]

    def __str__(self) -> str:
        return self.text


class AgeGroup(models.TextChoices):
    UNDER_18 = "u18", _("under 18")
    FROM_18 = "18-24", _("18–24")
    FROM_25 = "25-34", _("25–34")
    FROM_35 = "35-44", _("35–44")
    FROM_45 = "45-54", _("45–54")
    FROM_55 = "55-64", _("55–64")
    FROM_65 = "65+", _("65 or older")


class ActorType(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    PROFESSIONAL = "professional", _("Professional")
    ORGANISATION = "organisation", _("On behalf of an organisation")


class Response(models.Model):
    """One respondent's answers to one consultation. A draft until submitted; editable until the close."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    # A deleted account leaves its answers behind, anonymous, so closed results do not change.
    respondent = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Anonymous respondents resume their draft through this secret (kept in a cookie).
    resume_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    age_group = models.CharField(_("age group"), max_length=6, choices=AgeGroup.choices, blank=True)
    neighbourhood = models.ForeignKey("core.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("neighbourhood"))
    actor_type = models.CharField(_("you answer as"), max_length=12, choices=ActorType.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The respondent's person key scoped to this consultation (accounts.verification.eligibility).
    person_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [models.UniqueConstraint(fields=["consultation", "respondent"],
                                               condition=Q(respondent__isnull=False),
                                               name="one_response_per_account"),
                       models.UniqueConstraint(fields=["consultation", "person_key"],
                                               name="one_response_per_person")]
        indexes = [models.Index(fields=["consultation", "status"])]

    def __str__(self) -> str:
        return f"response #{self.pk}"


class Answer(models.Model):
    """One atom of an answer, so results are counted in SQL:
    single → option; multiple → one row per option; ranking → one row per option with rank;
    matrix → one row per matrix row (row) with the chosen column (option); scale / number → number;
    text → text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    row = models.ForeignKey(Option, null=True, blank=True, on_delete=models.CASCADE, related_name="row_answers")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self) -> str:
        return f"answer #{self.pk}"


# --- Open-answer themes ----------------------------------------------------------------------


class Theme(models.Model):
    """A group of open answers to one question, found automatically and curated by staff.

    `label_edited` keeps a staff label across re-runs; a merged theme keeps pointing at the
    theme it was merged into, so a new run that finds it again folds it into the same place.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="themes")
    label = models.CharField(_("label"), max_length=200)
    label_edited = models.BooleanField(default=False)
    keywords = models.JSONField(default=list, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="merged_from")
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["question_id", "order", "id"]

    def __str__(self) -> str:
        return self.label


class ThemeAssignment(models.Model):
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="theme_assignment")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    # Moved by staff: a re-run leaves it where staff put it.
    pinned = models.BooleanField(default=False)
    typicality = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("theme assignment")
        verbose_name_plural = _("theme assignments")

    def __str__(self) -> str:
        return f"{self.answer_id} → {self.theme_id}"


class ThemeRun(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="theme_runs")
    created_at = models.DateTimeField(default=timezone.now)
    answers = models.PositiveIntegerField(default=0)
    themes = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=120, blank=True)
    seconds = models.FloatField(default=0.0)
    # What staff need to explain the run in public: the full method text, its parameters, and quality
    # figures (share of answers in a theme, silhouette of the themes, answers not analysed and why).
    details = models.JSONField(default=dict, blank=True)
    coverage = models.FloatField(null=True, blank=True)
    silhouette = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("theme run")
        verbose_name_plural = _("theme runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.question_id} {self.created_at:%Y-%m-%d %H:%M}"


# --- Organisations and working groups --------------------------------------------------------


# Organisations and their representatives live in the resources room (one registry for the platform);
# imported here so participation's code and tests keep their names.
Organisation = _resources_models.Organisation
Representative = _resources_models.Representative


class WorkingGroup(models.Model):
    class Kind(models.TextChoices):
        ACTION_GROUP = "action_group", _("PartnerTeaM action group")
        PROJECT = "project", _("Project working group")

    slug = models.SlugField(unique=True, max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    governance_body = models.OneToOneField("strategy.GovernanceBody", null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="working_group")
    ambition = models.ForeignKey("strategy.Ambition", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="working_groups", verbose_name=_("ambition"))
    project = models.ForeignKey("strategy.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="working_groups", verbose_name=_("project"))
    coordinators: models.ManyToManyField = models.ManyToManyField(USER, blank=True, related_name="coordinated_groups",
                                          verbose_name=_("coordinators"))
    accepts_members = models.BooleanField(_("accepts expressions of interest"), default=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["kind", "order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("participation:group", args=[self.slug])


class Membership(models.Model):
    """An expression of interest in a working group, then (once decided) a membership."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        EXPERT = "expert", _("Expert / adviser")
        OBSERVER = "observer", _("Observer")
        PARTNER = "partner", _("Project partner")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the coordinators")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left the group")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="group_memberships")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="memberships", verbose_name=_("on behalf of"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    expertise = models.TextField(_("expertise"), max_length=2000)
    availability = models.CharField(_("availability"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    listed_publicly = models.BooleanField(_("list my public name on the group page"), default=False)
    decision_note = models.CharField(_("note to the applicant"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_group")]

    def __str__(self) -> str:
        return f"{self.group} – #{self.user_id}"


def group_document_path(instance: GroupDocument, filename: str) -> str:
    # The stored name never comes from the uploader (no path tricks, no personal names).
    return f"participation/groups/{instance.group_id}/{uuid.uuid4().hex}.{instance.extension}"


class GroupDocument(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        MINUTES = "minutes", _("Minutes")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    title = models.CharField(_("title"), max_length=200)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=group_document_path)
    extension = models.CharField(max_length=8)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    public = models.BooleanField(_("visible to everyone"), default=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("group document")
        verbose_name_plural = _("group documents")
        ordering = ["-meeting_date", "-created_at"]

    def __str__(self) -> str:
        return self.title


# --- Proposals, comments, flags (follows and notices: the notifications room) ----------------------


class Proposal(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn by the author")
        HIDDEN = "hidden", _("Hidden by moderation")

    class OfficialAnswer(models.TextChoices):
        NONE = "", _("Not answered yet")
        EVALUATING = "evaluating", _("Being evaluated")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals",
                                verbose_name=_("process"))
    ambition = models.ForeignKey("strategy.Ambition", on_delete=models.PROTECT, related_name="proposals",
                                 verbose_name=_("ambition"))
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("proposal"), max_length=5000)
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="proposals")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="proposals", verbose_name=_("on behalf of"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    support_count = models.PositiveIntegerField(default=0)
    official_answer = models.CharField(_("official answer"), max_length=12, choices=OfficialAnswer.choices, blank=True)
    official_answer_text = models.TextField(_("answer text"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    threshold_reached_at = models.DateTimeField(null=True, blank=True)
    strategy_project = models.ForeignKey(
        "strategy.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="origin_proposals",
        verbose_name=_("carried out by (strategic project)"),
        help_text=_("Only for an accepted proposal: the strategic project that carries it out."))
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:proposal", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.strategy_project_id and self.official_answer != self.OfficialAnswer.ACCEPTED:
            raise ValidationError({"strategy_project": _(
                "Only an accepted proposal can be linked to the strategic project that carries it out.")})

    @property
    def threshold(self) -> int:
        return self.process.support_threshold if self.process_id else 100  # type: ignore[union-attr]


class Support(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    # Kept (anonymous) when the account is deleted, so the support count stays true.
    user = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    # The supporter's person key scoped to this proposal (accounts.verification.eligibility).
    person_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="one_support_per_account"),
                       models.UniqueConstraint(fields=["proposal", "person_key"], name="one_support_per_person")]

    def __str__(self) -> str:
        return f"support #{self.pk}"


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        PENDING = "pending", _("Hidden until a moderator reviews the reports")
        HIDDEN = "hidden", _("Hidden by moderation")

    MAX_DEPTH = 3

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"), max_length=3000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    flag_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return f"comment #{self.pk}"


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        OFFENSIVE = "offensive", _("Offensive, insulting or hateful")
        PERSONAL_DATA = "personal_data", _("Reveals someone's personal data")
        OFF_TOPIC = "off_topic", _("Off topic")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="one_flag_per_account")]

    def __str__(self) -> str:
        return f"flag #{self.pk} ({self.reason})"


# --- Events ----------------------------------------------------------------------------------


class Event(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        MEETING = "meeting", _("Public meeting")
        IDEATION = "ideation", _("Ideation event")
        CONFERENCE = "conference", _("Conference")
        GROUP_MEETING = "group_meeting", _("Working-group meeting")

    slug = models.SlugField(unique=True, max_length=80)
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="events",
                                verbose_name=_("process"))
    working_group = models.ForeignKey(WorkingGroup, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="events", verbose_name=_("working group"))
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.WORKSHOP)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True,
                                           help_text=_("Empty: no limit. When full, registrations join a "
                                                       "waiting list."))
    registration_open = models.BooleanField(_("registration open"), default=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    published = models.BooleanField(_("published"), default=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    co_design_activity = models.OneToOneField("strategy.CoDesignActivity", null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="participation_event")
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")),
                                              name="event_ends_after_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:event", args=[self.slug])

    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="event_registrations")
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_registration_per_event")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"registration #{self.pk} ({self.status})"


class EventAttachment(models.Model):
    """Outcomes attached after the event: a link to minutes, photos, a report."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"))

    class Meta:
        verbose_name = _("event attachment")
        verbose_name_plural = _("event attachments")

    def __str__(self) -> str:
        return self.title


# --- Opinion maps (Polis-style collective intelligence) --------------------------------------


class Conversation(models.Model):
    """Short statements that participants agree or disagree with, mapped into opinion groups."""

    slug = models.SlugField(unique=True, max_length=80)
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="conversations", verbose_name=_("process"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    participants_may_submit = models.BooleanField(_("participants may add statements (moderated)"), default=True)
    min_votes = models.PositiveSmallIntegerField(_("votes needed to appear on the map"), default=7,
                                                 validators=[MinValueValidator(1)])
    published = models.BooleanField(_("published"), default=False)
    # The last computed map's method, parameters and quality, and Polis's k-smoothing state, which must
    # carry from one update of the map to the next (participation/opinion.py, GroupCountSmoothing).
    map_state = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("opinion map")
        verbose_name_plural = _("opinion maps")
        ordering = ["-opens_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="conversation_closes_after_opening")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:conversation", args=[self.slug])

    def is_open(self) -> bool:
        return self.published and self.opens_at <= timezone.now() < self.closes_at


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(_("statement"), max_length=280)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class StatementVote(models.Model):
    class Value(models.IntegerChoices):
        AGREE = 1, _("Agree")
        PASS = 0, _("Pass / unsure")
        DISAGREE = -1, _("Disagree")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=Value.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statement vote")
        verbose_name_plural = _("statement votes")
        constraints = [models.UniqueConstraint(fields=["statement", "user"], name="one_vote_per_statement")]

    def __str__(self) -> str:
        return f"vote #{self.pk}"
