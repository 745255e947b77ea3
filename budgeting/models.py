"""Participatory budgeting: editions, their budget pools, citizens' projects, ballots and results.

Ballot secrecy is a property of the schema, not of the code that reads it:

* a :class:`Ballot` has no voter, no timestamp and a random primary key;
* who has voted is recorded separately (:class:`VoteRecord` for accounts, :attr:`VotingCode.used_at`
  for codes); an account's record holds only a random replacement token whose SHA-256 digest is on
  its ballot, so the voter can change the ballot until the close;
* closing the vote (budgeting.services.close_voting) blanks both sides, after which nothing in the
  database links a ballot to a person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Neighbourhood


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Phase(models.TextChoices):
    DRAFT = "draft", _("In preparation")
    SUBMISSION = "submission", _("Project submission")
    REVIEW = "review", _("Technical review")
    VOTING = "voting", _("Voting")
    RESULTS = "results", _("Results")
    IMPLEMENTATION = "implementation", _("Implementation")


# The order phases follow; an edition only moves forward.
PHASE_ORDER = [Phase.DRAFT, Phase.SUBMISSION, Phase.REVIEW, Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION]
FINISHED_PHASES = {Phase.RESULTS, Phase.IMPLEMENTATION}


class BallotType(models.TextChoices):
    KNAPSACK = "knapsack", _("Approval within the budget (knapsack)")
    APPROVAL = "approval", _("Approval of at most k projects")
    CUMULATIVE = "cumulative", _("Cumulative points")
    RANKED = "ranked", _("Ranked preferences")


class Rule(models.TextChoices):
    GREEDY = "greedy", _("Most votes first (greedy)")
    TIMISOARA = "timisoara", _("Timișoara Decide! (most votes first, at most N projects, top-up)")
    MES = "mes", _("Method of Equal Shares")
    MES_ADD1 = "mes-add1", _("Method of Equal Shares with completion (add one)")
    PHRAGMEN = "phragmen", _("Sequential Phragmén")


class SplitBy(models.TextChoices):
    NONE = "none", _("One budget for the whole city")
    DISTRICT = "district", _("Budgets per district")
    CATEGORY = "category", _("Budgets per category")


class Eligibility(models.TextChoices):
    ACCOUNTS_AND_CODES = "both", _("Verified accounts and voting codes")
    ACCOUNTS = "accounts", _("Verified accounts only")
    CODES = "codes", _("Voting codes only")


class Category(models.Model):
    """A theme projects belong to (mobility, green spaces...), shared by all editions."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Edition(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False,
                                  help_text=_("Shown with a banner: these are not real projects or votes."))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.DRAFT)
    submission_start = models.DateTimeField(_("submission opens"), null=True, blank=True)
    submission_end = models.DateTimeField(_("submission closes"), null=True, blank=True)
    review_end = models.DateTimeField(_("technical review ends"), null=True, blank=True)
    voting_start = models.DateTimeField(_("voting opens"), null=True, blank=True)
    voting_end = models.DateTimeField(_("voting closes"), null=True, blank=True)
    results_date = models.DateTimeField(_("results announced"), null=True, blank=True)
    voting_closed_at = models.DateTimeField(_("voting closed at"), null=True, blank=True, editable=False,
                                            help_text=_("Set when the vote is closed and ballots are unlinked."))
    currency = models.CharField(_("currency"), max_length=3, default="RON")
    split_by = models.CharField(_("budget split"), max_length=10, choices=SplitBy.choices, default=SplitBy.NONE)
    ballot_type = models.CharField(_("ballot type"), max_length=12, choices=BallotType.choices,
                                   default=BallotType.APPROVAL)
    min_choices = models.PositiveSmallIntegerField(_("minimum projects per ballot"), default=1)
    max_choices = models.PositiveSmallIntegerField(
        _("maximum projects per ballot"), null=True, blank=True,
        help_text=_("k for approval ballots, ranks for ranked ballots; empty means no limit."))
    max_total_points = models.PositiveIntegerField(_("points per voter"), null=True, blank=True,
                                                   help_text=_("Cumulative ballots: points a voter distributes."))
    max_points_per_project = models.PositiveIntegerField(_("maximum points per project"), null=True, blank=True)
    rule = models.CharField(_("outcome rule"), max_length=12, choices=Rule.choices, default=Rule.MES_ADD1)
    max_selected_projects = models.PositiveSmallIntegerField(
        _("maximum projects funded"), null=True, blank=True,
        help_text=_("Timișoara Decide!: at most 15 projects (HCL 109/2023)."))
    topup_limit = models.DecimalField(
        _("top-up limit"), max_digits=14, decimal_places=2, null=True, blank=True,
        help_text=_("Timișoara Decide!: the budget may be topped up by at most this amount to fund the next "
                    "project that does not fit."))
    eligibility = models.CharField(_("who may vote"), max_length=10, choices=Eligibility.choices,
                                   default=Eligibility.ACCOUNTS_AND_CODES)
    one_district_per_ballot = models.BooleanField(
        _("vote in one district only"), default=True,
        help_text=_("With budgets per district, a ballot may choose projects of one district (plus city-wide)."))
    vote_in_own_district = models.BooleanField(
        _("only in the declared district"), default=False,
        help_text=_("Account voters may choose only projects of the neighbourhood of their confirmed residence."))
    strategy_parent = models.ForeignKey(
        "strategy.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="budgeting_editions",
        verbose_name=_("strategic project"),
        help_text=_("Selected projects become its sub-projects in the strategy monitoring."))
    # An imported edition's Pabulib META as [[key, value], ...] in file order and its PROJECTS
    # columns, under "meta" and "project_columns" (kept so that re-export is faithful).
    pabulib_meta = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-voting_end", "-created_at"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.CheckConstraint(condition=models.Q(min_choices__gte=0), name="budgeting_edition_min_choices"),
            models.CheckConstraint(
                condition=models.Q(max_choices__isnull=True) | models.Q(max_choices__gte=models.F("min_choices")),
                name="budgeting_edition_max_ge_min"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("budgeting:edition", args=[self.slug])

    @property
    def is_imported(self) -> bool:
        return bool(self.pabulib_meta)

    @property
    def is_finished(self) -> bool:
        return self.phase in FINISHED_PHASES

    def voting_is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.phase != Phase.VOTING or self.voting_closed_at is not None:
            return False
        if self.voting_start and now < self.voting_start:
            return False
        return not (self.voting_end and now >= self.voting_end)

    @property
    def accepts_accounts(self) -> bool:
        return self.eligibility in (Eligibility.ACCOUNTS, Eligibility.ACCOUNTS_AND_CODES)

    @property
    def accepts_codes(self) -> bool:
        return self.eligibility in (Eligibility.CODES, Eligibility.ACCOUNTS_AND_CODES)

    def phase_timeline(self) -> list[dict[str, object]]:
        dates = {
            Phase.SUBMISSION: (self.submission_start, self.submission_end),
            Phase.REVIEW: (self.submission_end, self.review_end),
            Phase.VOTING: (self.voting_start, self.voting_end),
            Phase.RESULTS: (self.results_date, None),
        }
        current = PHASE_ORDER.index(Phase(self.phase))
        timeline = []
        for position, phase in enumerate(PHASE_ORDER[1:], start=1):
            start, end = dates.get(phase, (None, None))
            timeline.append({"phase": phase, "label": phase.label, "start": start, "end": end,
                             "state": "done" if position < current else "current" if position == current
                             else "upcoming"})
        return timeline


class Pool(models.Model):
    """A budget of an edition: the whole city, one district or one category. Each pool is counted
    as its own election (and exported as its own Pabulib file)."""

    class Kind(models.TextChoices):
        CITY = "city", _("Whole city")
        DISTRICT = "district", _("District")
        CATEGORY = "category", _("Category")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="pools")
    slug = models.SlugField()
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CITY)
    neighbourhood = models.ForeignKey(Neighbourhood, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="budget_pools", verbose_name=_("district"))
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="budget_pools", verbose_name=_("category"))
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal(0))])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["edition", "order", "slug"]
        verbose_name = _("budget pool")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="budgeting_pool_slug_unique"),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="budgeting_pool_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    FEASIBLE = "feasible", _("On the ballot")
    REJECTED = "rejected", _("Not feasible")
    WITHDRAWN = "withdrawn", _("Withdrawn by the author")


class Project(models.Model):
    """A citizen's project idea. Its author is kept for notifications and never shown publicly
    unless they sign it with their public name."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="projects")
    # RESTRICT: a budget with projects cannot be deleted alone, but deleting the edition deletes both.
    pool = models.ForeignKey(Pool, on_delete=models.RESTRICT, related_name="projects", verbose_name=_("budget"))
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    language = models.CharField(max_length=8, default="ro", editable=False)
    neighbourhood = models.ForeignKey(Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="budgeting_projects", verbose_name=_("district"))
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="projects", verbose_name=_("category"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    cost_estimate = models.DecimalField(_("estimated cost"), max_digits=14, decimal_places=2,
                                        validators=[MinValueValidator(Decimal(0))])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="budgeting_projects")
    signed = models.BooleanField(_("show my public name"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.SUBMITTED)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    # Technical review (by department staff).
    corrected_cost = models.DecimalField(_("cost after review"), max_digits=14, decimal_places=2, null=True, blank=True,
                                         validators=[MinValueValidator(Decimal("0.01"))])
    rejection_reason = models.TextField(_("public reason for rejection"), blank=True)
    review_note = models.TextField(_("internal review note"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # Result (written by the count).
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=18, decimal_places=4, null=True, blank=True)
    selected = models.BooleanField(_("selected"), null=True, blank=True)
    # Pabulib: the file's own project id and the city's official `selected` value of an import.
    pabulib_id = models.CharField(max_length=64, blank=True)
    official_selected = models.PositiveSmallIntegerField(null=True, blank=True)
    pabulib_fields = models.JSONField(default=dict, blank=True, editable=False)
    strategy_project = models.OneToOneField("strategy.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="budgeting_project")

    class Meta:
        ordering = ["edition", "number"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="budgeting_project_number_unique"),
            # Pabulib files may hold free projects; citizens' forms ask for at least 1 leu.
            models.CheckConstraint(condition=models.Q(cost_estimate__gte=0),
                                   name="budgeting_project_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("budgeting:project", args=[self.edition.slug, self.number])

    @property
    def cost(self) -> Decimal:
        """The cost that counts on the ballot: the reviewed cost when there is one."""
        return self.corrected_cost if self.corrected_cost is not None else self.cost_estimate

    @property
    def on_ballot(self) -> bool:
        return self.status == ProjectStatus.FEASIBLE and not self.hidden


def photo_path(instance: Photo, filename: str) -> str:
    return f"budgeting/{instance.project.edition_id}/{instance.project_id}/{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    """A project photo, re-encoded on upload (decoded by Pillow, resized, metadata removed)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt_text = models.CharField(_("description of the photo"), max_length=250,
                                help_text=_("What the photo shows, for people who cannot see it."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "order", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.alt_text


class Support(models.Model):
    """A citizen's support for a submitted project (one per person and project)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="budgeting_support_once")]

    def __str__(self) -> str:
        return f"support {self.project_id}"


class Comment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed = models.BooleanField(_("show my public name"), default=False)
    text = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]


class VotingCode(models.Model):
    """A single-use voting code printed for voters without an account. Only its SHA-256 is stored."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="voting_codes")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    batch = models.CharField(_("batch"), max_length=80, blank=True,
                             help_text=_("E.g. where the sheet was handed out."))
    neighbourhood = models.ForeignKey(Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("valid for the district"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("voting code")
        verbose_name_plural = _("voting codes")
        indexes = [models.Index(fields=["edition", "used_at"])]

    def __str__(self) -> str:
        return f"{self.edition.slug} {self.batch} {self.code_hash[:8]}…"


class VoteRecord(models.Model):
    """"This account has voted in this edition". Until the close, `token` lets the voter find and
    replace their ballot; closing the vote blanks it."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="vote_records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, blank=True)
    # The person's key scoped to this edition (accounts.verification.eligibility): two accounts of one
    # person share it, so the second cannot vote. Never on the ballot; blanked with the token at the close.
    person_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    created_at = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name = _("vote record")
        verbose_name_plural = _("vote records")
        constraints = [models.UniqueConstraint(fields=["edition", "user"], name="budgeting_one_vote_per_account"),
                       models.UniqueConstraint(fields=["edition", "person_key"], name="budgeting_one_vote_per_person")]

    def __str__(self) -> str:
        return f"vote record {self.edition_id}"


class Ballot(models.Model):
    """An anonymous ballot: no voter, no time, a random id."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, verified account")
        CODE = "code", _("Online, voting code")
        PAPER = "paper", _("Paper ballot")
        IMPORTED = "imported", _("Imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="ballots")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    replacement_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        # No ordering by creation: ballots have no order.
        ordering = ["id"]

    def __str__(self) -> str:
        return f"ballot {self.pk}"


class BallotChoice(models.Model):
    """One project on a ballot: 1 for approval, the points given, or the rank (1 = first)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ballot_choices")
    value = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [models.UniqueConstraint(fields=["ballot", "project"], name="budgeting_choice_once")]

    def __str__(self) -> str:
        return f"{self.project_id}={self.value}"


class PoolResult(models.Model):
    """The outcome of one pool under one rule, with a per-project explanation from budgeting.pb."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="results")
    rule = models.CharField(_("rule"), max_length=12, choices=Rule.choices)
    is_official = models.BooleanField(_("official result"), default=True)
    computed_at = models.DateTimeField(default=timezone.now)
    voters = models.PositiveIntegerField(default=0)
    budget = models.DecimalField(max_digits=14, decimal_places=2)
    spent = models.DecimalField(max_digits=14, decimal_places=2)
    topped_up = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    selected = models.JSONField(default=list, help_text="Project numbers in selection order.")
    # {project number: {"selected": bool, "reason": code, "text": explanation, "numbers": {...}}}
    explanations = models.JSONField(default=dict)

    class Meta:
        ordering = ["pool", "-is_official", "rule"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [models.UniqueConstraint(fields=["pool", "rule"], name="budgeting_result_per_rule")]

    def __str__(self) -> str:
        return f"{self.pool} — {self.get_rule_display()}"
