"""City resources: the one registry of organisations, their services and places, spaces for temporary
use, funding programmes and citizen-science / Living Lab initiatives, all on one map.

Organisations were participation's registry (moved here in resources 0002 / participation 0008 with
their ids, so participation's proposals and memberships keep pointing at the same rows).

Privacy: an organisation publishes only the contacts it chooses (`public_email`, `public_phone`);
representatives, applicants and followers are people and never appear on public pages, in the API or
in the downloads. `MapItem` is the public, denormalised copy that the map, search and downloads read.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL
DEMO_HELP = _("Example content loaded by the demo, shown with a “demo” mark and removable in one go.")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("NGO")
        COMPANY = "company", _("Company")
        UNIVERSITY = "university", _("University")
        RESEARCH = "research", _("Research institute")
        PUBLIC = "public", _("Public institution")
        CULTURAL = "cultural", _("Cultural operator")
        # The value predates the move from participation; the label is the "informal group".
        CITIZENS_GROUP = "citizens_group", _("Informal group")

    class Source(models.TextChoices):
        SELF = "self", _("Registered by the organisation")
        CITY = "city", _("Added by the city")
        OSM = "osm", _("OpenStreetMap")

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("what the organisation does"), blank=True)
    website = models.URLField(_("website"), blank=True)
    public_email = models.EmailField(_("public e-mail address"), blank=True,
                                     help_text=_("Published on the organisation's page. Leave empty to publish none."))
    public_phone = models.CharField(_("public phone number"), max_length=40, blank=True,
                                    help_text=_("Published on the organisation's page. Leave empty to publish none."))
    neighbourhood = models.ForeignKey("core.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("neighbourhood"))
    ambitions: models.ManyToManyField = models.ManyToManyField(
        "strategy.Ambition", blank=True, related_name="organisations", verbose_name=_("strategy ambitions"))
    projects: models.ManyToManyField = models.ManyToManyField(
        "strategy.Project", blank=True, related_name="organisations", verbose_name=_("strategy projects"))
    verified = models.BooleanField(_("checked by the city"), default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.SELF)
    source_ref = models.CharField(_("reference at the source"), max_length=200, blank=True,
                                  help_text=_("For example node/123 in OpenStreetMap, or the address of the source."))
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resources:organisation", args=[self.slug])


class Representative(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="representatives")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="organisation_roles")
    position = models.CharField(_("position"), max_length=120, blank=True)
    listed_publicly = models.BooleanField(_("show my public name on the organisation page"), default=False)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        # Named apart from participation 0001's constraint: PostgreSQL index names are schema-wide, and both
        # exist until participation 0008 drops the old table.
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="resources_one_representation")]

    def __str__(self) -> str:
        return f"{self.organisation} – #{self.user_id}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A representative invites a colleague by e-mail; the link makes them a representative too."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.organisation} → {self.email}"


class Location(models.Model):
    """A place where an organisation works (HSDS `location`): shown on the map."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    neighbourhood = models.ForeignKey("core.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("neighbourhood"))
    step_free = models.BooleanField(_("step-free access"), null=True, blank=True)
    accessibility = models.CharField(_("accessibility"), max_length=500, blank=True)
    source_ref = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["organisation_id", "id"]

    def __str__(self) -> str:
        return self.name or self.address or f"#{self.pk}"


class Service(models.Model):
    """A service or programme an organisation offers (HSDS `service`)."""

    class Category(models.TextChoices):
        CULTURE = "culture", _("Culture and events")
        EDUCATION = "education", _("Education and training")
        SOCIAL = "social", _("Social support")
        HEALTH = "health", _("Health")
        BUSINESS = "business", _("Business support and entrepreneurship")
        RESEARCH = "research", _("Research and innovation")
        ENVIRONMENT = "environment", _("Environment")
        DIGITAL = "digital", _("Digital skills and technology")
        SPACE = "space", _("Spaces and equipment")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service")
        PROGRAMME = "programme", _("Programme")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.OTHER)
    url = models.URLField(_("web page"), blank=True)
    email = models.EmailField(_("public e-mail address"), blank=True)
    locations: models.ManyToManyField = models.ManyToManyField(Location, blank=True, related_name="services",
                                                               verbose_name=_("where"))

    class Meta:
        verbose_name = _("service or programme")
        verbose_name_plural = _("services and programmes")
        ordering = ["organisation_id", "name"]

    def __str__(self) -> str:
        return self.name


# --- Spaces for temporary use -------------------------------------------------------------------


class Space(models.Model):
    class Kind(models.TextChoices):
        BUILDING = "building", _("Vacant building")
        GROUND_FLOOR = "ground_floor", _("Ground floor")
        LOT = "lot", _("Vacant lot")

    class Owner(models.TextChoices):
        PUBLIC = "public", _("Public owner")
        PRIVATE = "private", _("Private owner")

    class Condition(models.TextChoices):
        GOOD = "good", _("Ready to use")
        FAIR = "fair", _("Needs small repairs")
        POOR = "poor", _("Needs major works")

    class Use(models.TextChoices):
        OFFICE = "office", _("Office space")
        EVENTS = "events", _("Events")
        MAKER = "maker", _("Maker space / workshop")
        CULTURE = "culture", _("Culture and arts")
        COMMUNITY = "community", _("Community use")
        GARDEN = "garden", _("Urban garden")
        SHOP = "shop", _("Shop or pop-up")

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    owner = models.CharField(_("owner"), max_length=8, choices=Owner.choices)
    address = models.CharField(_("address"), max_length=300)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    neighbourhood = models.ForeignKey("core.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("neighbourhood"))
    area_m2 = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=6, choices=Condition.choices)
    step_free = models.BooleanField(_("step-free access"), default=False)
    accessibility = models.CharField(_("accessibility"), max_length=500, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    allowed_uses = models.JSONField(_("allowed uses"), default=list, blank=True)
    published = models.BooleanField(_("published"), default=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("space for temporary use")
        verbose_name_plural = _("spaces for temporary use")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:space", args=[self.slug])

    def allowed_use_labels(self) -> list[str]:
        labels = dict(self.Use.choices)
        return [str(labels[use]) for use in self.allowed_uses if use in labels]


def space_photo_path(instance: SpacePhoto, filename: str) -> str:
    # The stored name never comes from the uploader.
    return f"resources/spaces/{instance.space_id}/{uuid.uuid4().hex}.jpg"


class SpacePhoto(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=space_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(_("description of the photo"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("photo of a space")
        verbose_name_plural = _("photos of spaces")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.alt_text


class SpaceApplication(models.Model):
    """An organisation asks to use a space. Public pages show only the organisation, the status and
    the dated steps, never the person who applied or their message."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNDER_REVIEW = "under_review", _("Under review")
        OFFERED = "offered", _("Offered")
        AGREED = "agreed", _("Agreed")
        REFUSED = "refused", _("Refused")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="applications")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="space_applications")
    applicant = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    intended_use = models.CharField(_("intended use"), max_length=12, choices=Space.Use.choices)
    message = models.TextField(_("what you would do there"), max_length=3000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("application to use a space")
        verbose_name_plural = _("applications to use spaces")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["space", "organisation"], name="one_application_per_space")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.space}"


class ApplicationStep(models.Model):
    application = models.ForeignKey(SpaceApplication, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("status"), max_length=12, choices=SpaceApplication.Status.choices)
    public_note = models.CharField(_("public note"), max_length=500, blank=True,
                                   help_text=_("Shown on the space's page: no personal data."))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status}"


# --- Funding programmes -------------------------------------------------------------------------


class FundingProgramme(models.Model):
    class Level(models.TextChoices):
        EU = "eu", _("European Union")
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional")
        LOCAL = "local", _("Local")
        PRIVATE = "private", _("Private")

    class Purpose(models.TextChoices):
        DIGITAL = "digital", _("Digital transformation")
        MOBILITY = "mobility", _("Mobility")
        ENVIRONMENT = "environment", _("Environment and energy")
        CULTURE = "culture", _("Culture")
        SOCIAL = "social", _("Social inclusion")
        RESEARCH = "research", _("Research and innovation")
        BUSINESS = "business", _("Entrepreneurship")
        EDUCATION = "education", _("Education")
        URBAN = "urban", _("Urban regeneration")

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    eligibility = models.TextField(_("who may apply"), blank=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    funder = models.CharField(_("funder"), max_length=200)
    eligible_kinds = models.JSONField(_("eligible applicants"), default=list, blank=True,
                                      help_text=_("Organisation kinds; add \"person\" for individuals."))
    purposes = models.JSONField(_("what it funds"), default=list, blank=True)
    min_amount = models.DecimalField(_("smallest grant"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(_("largest grant"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    cofinancing_percent = models.PositiveSmallIntegerField(
        _("own contribution (%)"), null=True, blank=True, validators=[MaxValueValidator(100)])
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    url = models.URLField(_("official page"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    strategy_programme = models.ForeignKey(
        "strategy.FundingProgramme", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("in the strategy's funding approach"))
    published = models.BooleanField(_("published"), default=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["deadline", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:funding", args=[self.slug])

    def eligible_labels(self) -> list[str]:
        """The kinds of applicant, named in the reader's language ("person" for individuals)."""
        from django.utils.translation import gettext

        labels = {**dict(Organisation.Kind.choices), "person": gettext("A person")}
        return [str(labels[kind]) for kind in self.eligible_kinds if kind in labels]

    def purpose_labels(self) -> list[str]:
        labels = dict(self.Purpose.choices)
        return [str(labels[purpose]) for purpose in self.purposes if purpose in labels]


class FundingReminder(models.Model):
    """Someone asked to be reminded before a programme's deadline (sent once)."""

    programme = models.ForeignKey(FundingProgramme, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1),
                                                                          MaxValueValidator(90)])
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="one_reminder_per_programme")]

    def __str__(self) -> str:
        return f"{self.programme} #{self.user_id}"


# --- Initiatives --------------------------------------------------------------------------------


class Initiative(models.Model):
    class Kind(models.TextChoices):
        CITIZEN_SCIENCE = "citizen_science", _("Citizen science")
        COMMUNITY_SCIENCE = "community_science", _("Community science")
        LIVING_LAB = "living_lab", _("Living Lab pilot")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by moderation")

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    kind = models.CharField(_("kind"), max_length=18, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    organisations: models.ManyToManyField = models.ManyToManyField(
        Organisation, blank=True, related_name="initiatives", verbose_name=_("organisations"))
    projects: models.ManyToManyField = models.ManyToManyField(
        "strategy.Project", blank=True, related_name="initiatives", verbose_name=_("strategy projects"))
    address = models.CharField(_("place"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    neighbourhood = models.ForeignKey("core.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("neighbourhood"))
    url = models.URLField(_("web page"), blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, help_text=DEMO_HELP)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:initiative", args=[self.slug])


# --- The map's public index ---------------------------------------------------------------------


class MapItem(models.Model):
    """One public row per thing on the map (an organisation's location, a space, an initiative, a
    funding programme without a place), rebuilt by resources.index whenever the source changes.
    The map, the full-text search (resources.search) and the downloads read only this table."""

    class Layer(models.TextChoices):
        ORGANISATION = "organisation", _("Organisations")
        SPACE = "space", _("Spaces for temporary use")
        FUNDING = "funding", _("Funding programmes")
        INITIATIVE = "initiative", _("Initiatives")

    layer = models.CharField(max_length=12, choices=Layer.choices)
    object_id = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    # Romanian (or as written) and English; the English ones are empty when the content has no translation.
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    summary_en = models.CharField(max_length=300, blank=True)
    address = models.CharField(max_length=300, blank=True)
    slug = models.CharField(max_length=80)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    neighbourhood_slug = models.CharField(max_length=80, blank=True)
    verified = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)
    # Lower-case, without diacritics: what both search back ends index (resources.search).
    search_text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("map item")
        verbose_name_plural = _("map items")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="resources_mapitem_position"),
                   models.Index(fields=["layer", "object_id"], name="resources_mapitem_source")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(f"resources:{self.layer}", args=[self.slug])
