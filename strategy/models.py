"""The strategy as live data: what the seed's "Internal Logic of the Strategy" describes.

Text fields listed in strategy/translation.py are translated (ro, en) by modeltranslation.
Where the seed lost a value, the field is empty/NULL and `notes` says so: nothing is invented.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy import labels


class Strategy(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=300)
    motto = models.CharField(_("motto"), max_length=300, blank=True)
    motto_text = models.TextField(_("about the motto"), blank=True)
    vision = models.CharField(_("vision"), max_length=400, blank=True)
    vision_text = models.TextField(_("about the vision"), blank=True)
    mission = models.CharField(_("mission"), max_length=400, blank=True)
    mission_text = models.TextField(_("about the mission"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    period_start = models.PositiveSmallIntegerField(_("first year"))
    period_end = models.PositiveSmallIntegerField(_("last year"))
    contact_email = models.EmailField(_("contact"), blank=True)
    dataset_version = models.CharField(_("dataset version"), max_length=40, blank=True)
    source = models.JSONField(_("source"), default=dict, blank=True)
    # Lists the seed gives that no screen edits one by one (facts, engagement levels, peer reviewers...).
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")

    def __str__(self) -> str:
        return self.title


class CodedModel(models.Model):
    """Everything loaded from the data file has a stable code: reloading updates, never duplicates."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("E.g. what the seed lost."))

    class Meta:
        abstract = True


class SmartCityDimension(CodedModel):
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("smart-city dimension")
        verbose_name_plural = _("smart-city dimensions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OpenActionCategory(CodedModel):
    name = models.CharField(_("name"), max_length=150)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("open-action category")
        verbose_name_plural = _("open-action categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class LocalActorType(CodedModel):
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        verbose_name = _("type of local actor")
        verbose_name_plural = _("types of local actors")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DysfunctionCluster(CodedModel):
    title = models.CharField(_("title"), max_length=300)
    share_percent = models.DecimalField(_("share of open answers (%)"), max_digits=5, decimal_places=2,
                                        null=True, blank=True)
    items = models.JSONField(_("items"), default=list, blank=True)

    class Meta:
        verbose_name = _("cluster of dysfunctions")
        verbose_name_plural = _("clusters of dysfunctions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class NeedsCluster(CodedModel):
    title = models.CharField(_("title"), max_length=300)
    share_percent = models.DecimalField(_("share of votes (%)"), max_digits=5, decimal_places=2,
                                        null=True, blank=True)
    items = models.JSONField(_("items"), default=list, blank=True)

    class Meta:
        verbose_name = _("cluster of needs")
        verbose_name_plural = _("clusters of needs")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class Ambition(CodedModel):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="ambitions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    dimension = models.ForeignKey(SmartCityDimension, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="ambitions", verbose_name=_("smart-city dimension"))
    sdg = models.PositiveSmallIntegerField(_("sustainable development goal"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(17)])
    situation = models.TextField(_("present situation"), blank=True)
    # Lists of {"en": ..., "ro": ...} items per SWOT quadrant, as in the data file.
    swot = models.JSONField(_("SWOT"), default=dict, blank=True)
    internal_logic = models.JSONField(_("internal logic"), default=dict, blank=True,
                                      help_text=_("Value propositions and needs of this ambition's column."))
    dysfunction_clusters = models.ManyToManyField(DysfunctionCluster, blank=True, related_name="ambitions")
    local_actor_types = models.ManyToManyField(LocalActorType, blank=True, related_name="ambitions")

    class Meta:
        verbose_name = _("ambition")
        verbose_name_plural = _("ambitions")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="ambition_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("strategy:ambition", args=[self.number])


class ValueProposition(CodedModel):
    title = models.CharField(_("title"), max_length=300)
    ambition = models.ForeignKey(Ambition, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="value_propositions")

    class Meta:
        verbose_name = _("value proposition")
        verbose_name_plural = _("value propositions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class Objective(CodedModel):
    ambition = models.ForeignKey(Ambition, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500, blank=True,
                             help_text=_("Empty where the seed lost it."))

    class Meta:
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        ordering = ["ambition__number", "number"]

    def __str__(self) -> str:
        title = self.title or _("(title not recorded)")  # outside the f-string, where makemessages finds it
        return f"{self.code} {title}"


class FundingProgramme(CodedModel):
    name = models.CharField(_("name"), max_length=300)
    category = models.CharField(_("category"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def category_label(self) -> str:
        """The category in the page's language (the field keeps the dataset's English)."""
        return labels.funding_category_label(self.category)


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


class Project(CodedModel):
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="projects",
                                  null=True, blank=True, verbose_name=_("strategic objective"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("parent project"))
    weight = models.DecimalField(_("weight in parent's progress"), max_digits=8, decimal_places=2,
                                 default=Decimal(1), validators=[MinValueValidator(Decimal(0))])
    title = models.CharField(_("title"), max_length=400)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, blank=True,
                              help_text=_("Empty: not recorded (the seed lost the per-project marker)."))
    flagship = models.BooleanField(_("flagship"), default=False)
    lead = models.CharField(_("lead"), max_length=300, blank=True)
    partners = models.TextField(_("partners"), blank=True)
    funding_programme = models.ForeignKey(FundingProgramme, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="projects", verbose_name=_("funding source"))
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RON")
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0,
                                                validators=[MaxValueValidator(100)],
                                                help_text=_("Own progress; a project with sub-projects shows "
                                                            "the weighted roll-up of its children instead."))
    kpis: models.ManyToManyField = models.ManyToManyField(
        "KPI", blank=True, related_name="projects", verbose_name=_("KPIs"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("strategic project")
        verbose_name_plural = _("strategic projects")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="project_progress_max_100"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("strategy:project", args=[self.code])


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["order", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectUpdate(models.Model):
    """A dated public update on a project (status changes publish one automatically)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        PROGRESS = "progress", _("Progress")
        NOTE = "note", _("Update")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTE)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    # Who wrote it is kept for the audit trail, never shown on public pages.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    old_status = models.CharField(max_length=20, choices=ProjectStatus.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=ProjectStatus.choices, blank=True)
    old_progress = models.PositiveSmallIntegerField(null=True, blank=True)
    new_progress = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("project update")
        verbose_name_plural = _("project updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.code} {self.created_at:%Y-%m-%d}"


class OpenAction(models.Model):
    ambition = models.ForeignKey(Ambition, on_delete=models.CASCADE, related_name="open_actions")
    title = models.CharField(_("title"), max_length=400)
    category = models.ForeignKey(OpenActionCategory, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="open_actions")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("open action")
        verbose_name_plural = _("open actions")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class DigitalEnabler(models.Model):
    ambition = models.ForeignKey(Ambition, on_delete=models.CASCADE, related_name="digital_enablers")
    title = models.CharField(_("title"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("digital enabler")
        verbose_name_plural = _("digital enablers")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class GovernanceBody(CodedModel):
    class Kind(models.TextChoices):
        LEADER = "leader", _("Leader")
        DELIBERATIVE = "deliberative", _("Deliberative")
        EXECUTIVE = "executive", _("Executive")
        CONSULTATIVE = "consultative", _("Consultative")
        ACTION_GROUP = "action_group", _("Action group")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    role = models.TextField(_("role"), blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    ambition = models.ForeignKey(Ambition, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="action_groups")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class KPI(CodedModel):
    class Kind(models.TextChoices):
        KEY = "key", _("Key indicator")
        OUTCOME = "outcome", _("Outcome indicator")
        OUTPUT = "output", _("Output indicator")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    ambition = models.ForeignKey(Ambition, null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis")
    name = models.CharField(_("name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    baseline_value = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    direction = models.CharField(_("better when"), max_length=10, choices=Direction.choices, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    provider = models.CharField(_("live provider"), max_length=100, blank=True,
                                help_text=_("A registered function that computes this KPI from live data."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["ambition__number", "order", "code"]

    def __str__(self) -> str:
        name = self.name or _("(name not recorded)")  # outside the f-string, where makemessages finds it
        return f"{self.code} {name}"

    def get_absolute_url(self) -> str:
        return reverse("strategy:kpi", args=[self.code])

    @property
    def unit_label(self) -> str:
        """The unit in the page's language (the field keeps the dataset's code, e.g. "persons")."""
        return labels.unit_label(self.unit)

    @property
    def source_label(self) -> str:
        return labels.source_label(self.source)


class Measurement(models.Model):
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["kpi_id", "date"]
        constraints = [models.UniqueConstraint(fields=["kpi", "date"], name="one_measurement_per_kpi_date")]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.date}: {self.value}"


class Figure(CodedModel):
    """A number the seed gives as context (population, graduates...), kept with year and unit."""

    ambition = models.ForeignKey(Ambition, null=True, blank=True, on_delete=models.SET_NULL, related_name="figures")
    name = models.CharField(_("name"), max_length=300, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name or self.code}: {self.value} {self.unit}"

    @property
    def unit_label(self) -> str:
        """The unit in the page's language (the field keeps the dataset's code, e.g. "persons")."""
        return labels.unit_label(self.unit)


class CoDesignActivity(CodedModel):
    """The co-design history: workshops, consultations, events and surveys."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Steering-group workshop")
        CONSULTATION = "consultation", _("Online consultation")
        EVENT = "event", _("Event")
        SURVEY = "survey", _("Survey")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=400)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    respondents = models.PositiveIntegerField(_("respondents"), null=True, blank=True)
    conducted_by = models.CharField(_("by"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("co-design activity")
        verbose_name_plural = _("co-design activities")
        ordering = ["start", "code"]

    def __str__(self) -> str:
        return self.title


class EvaluationCycle(models.Model):
    """The yearly monitoring-evaluation-update cycle the strategy commits to."""

    class Stage(models.TextChoices):
        MONITORING = "monitoring", _("Monitoring")
        EVALUATION = "evaluation", _("Evaluation by the steering group")
        UPDATE = "update", _("Strategy update")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.MONITORING)
    summary = models.TextField(_("summary"), blank=True)
    recommendations = models.TextField(_("steering-group recommendations"), blank=True)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)
