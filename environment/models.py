"""Air-quality sensors, their readings, aggregates, quarantine and alerts.

Readings are the bulk of the data (a sensor.community device sends every ~145 s), so the
reading and aggregate tables are narrow and keyed by a composite primary key: the key is
also the uniqueness rule that makes ingest idempotent (a message delivered twice is stored
once) and the only index the table needs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from environment.catalog import QuantityCode

SENSOR_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
sensor_id_validator = RegexValidator(
    SENSOR_ID_PATTERN, _("Use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit."))


class Network(models.TextChoices):
    PUBLIC = "public", _("Public network")
    PRIVATE = "private", _("Private network")


class SensorStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    STALE = "stale", _("Late")
    OFFLINE = "offline", _("Offline")


class Station(models.Model):
    """A place where one or more sensors measure (e.g. an airrohr box: SDS011 + BME280)."""

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=200)
    network = models.CharField(_("network"), max_length=10, choices=Network.choices, default=Network.PRIVATE)
    operator = models.CharField(_("operator"), max_length=200, blank=True,
                                help_text=_("Organisation running a public-network station. Leave empty for a "
                                            "citizen's sensor: private owners are never named in public."))
    owner_contact = models.EmailField(_("owner contact (private)"), blank=True,
                                      help_text=_("For staff only; never shown on public pages, the API or open data."))
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    neighbourhood = models.ForeignKey("core.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("neighbourhood"))
    is_demo = models.BooleanField(_("demo"), default=False,
                                  help_text=_("Demonstration data, shown with a notice and left out of KPIs."))
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return self.name

    @property
    def public_latitude(self) -> float:
        """Private sensors usually sit at someone's home: publish them to ~100 m, as sensor.community does."""
        return round(self.latitude, 3) if self.network == Network.PRIVATE else self.latitude

    @property
    def public_longitude(self) -> float:
        return round(self.longitude, 3) if self.network == Network.PRIVATE else self.longitude


class Sensor(models.Model):
    """One measuring device at a station, identified by the id it pushes with."""

    sensor_id = models.CharField(_("sensor id"), max_length=64, unique=True, validators=[sensor_id_validator])
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="sensors", verbose_name=_("station"))
    kind = models.CharField(_("sensor model"), max_length=32, help_text=_("E.g. SDS011, BME280, SPS30."))
    quantities = models.JSONField(_("measures"), default=list,
                                  help_text=_("Wire names of the quantities it measures, e.g. [\"pm10\", \"pm2_5\"]."))
    device_id = models.CharField(
        _("device (X-Sensor)"), max_length=64, blank=True,
        help_text=_("For a board carrying several sensors: the X-Sensor header it sends (e.g. esp8266-3654427); "
                    "the X-PIN then tells its sensors apart. Empty: the X-Sensor header is the sensor id."))
    pin = models.CharField(_("X-PIN"), max_length=4, blank=True)
    key_hash = models.CharField(max_length=64, blank=True, editable=False)
    key_prefix = models.CharField(_("credential"), max_length=8, blank=True, editable=False)
    active = models.BooleanField(_("accepts data"), default=True)
    last_reading_at = models.DateTimeField(_("last reading"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["sensor_id"]
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        constraints = [
            models.UniqueConstraint(fields=["device_id", "pin"], condition=~models.Q(device_id=""),
                                    name="environment_sensor_device_pin_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id} ({self.kind})"

    def get_absolute_url(self) -> str:
        return reverse("environment:sensor", args=[self.sensor_id])

    # --- credentials -------------------------------------------------------------------------
    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "sk_" + secrets.token_urlsafe(24)

    @property
    def requires_key(self) -> bool:
        return bool(self.key_hash)

    def key_matches(self, key: str) -> bool:
        return bool(self.key_hash) and secrets.compare_digest(self.key_hash, self.hash_key(key))

    # --- status ------------------------------------------------------------------------------
    def status_at(self, now: dt.datetime) -> str:
        return status_for(self.last_reading_at, now)

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())


def status_for(last_reading_at: dt.datetime | None, now: dt.datetime) -> str:
    """online / stale / offline from the time of the last reading (thresholds in settings)."""
    if last_reading_at is None:
        return SensorStatus.OFFLINE
    age = now - last_reading_at
    if age <= dt.timedelta(minutes=getattr(settings, "ENVIRONMENT_ONLINE_MINUTES", 15)):
        return SensorStatus.ONLINE
    if age <= dt.timedelta(hours=getattr(settings, "ENVIRONMENT_STALE_HOURS", 24)):
        return SensorStatus.STALE
    return SensorStatus.OFFLINE


class Reading(models.Model):
    """One accepted value, in the quantity's canonical unit, at its measurement time (UTC)."""

    pk = models.CompositePrimaryKey("sensor", "time", "quantity")
    # The primary key starts with the sensor, so no separate foreign-key index is needed. No
    # database foreign key either: its per-row trigger more than halved the insert rate (see
    # docs/environment.md). Integrity still holds: ingest only writes rows for sensors it has
    # looked up, and the aggregates written in the same transaction do carry the constraint, so
    # a batch for a sensor deleted meanwhile cannot commit. A sensor with data is never deleted
    # (PROTECT; deactivate it instead): its readings are open data.
    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, db_index=False, db_constraint=False,
                               related_name="+")
    time = models.DateTimeField()
    quantity = models.PositiveSmallIntegerField(choices=QuantityCode.choices)
    value = models.FloatField()

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.time:%Y-%m-%d %H:%M:%S} {self.quantity}={self.value}"


class HourlyAggregate(models.Model):
    """count / exact sum / min / max of a sensor's readings of one quantity in one UTC hour.

    Updated by adding each batch's delta inside the batch's transaction, so it never has to
    re-read raw readings. `total_micro` is the sum in millionths of the unit (an exact integer,
    so merging is order-independent, see environment.airquality.aggregates).
    """

    pk = models.CompositePrimaryKey("sensor", "quantity", "hour")
    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, db_index=False, related_name="+")
    quantity = models.PositiveSmallIntegerField(choices=QuantityCode.choices)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField()
    total_micro = models.BigIntegerField()
    minimum = models.FloatField()
    maximum = models.FloatField()

    class Meta:
        verbose_name = _("hourly aggregate")
        verbose_name_plural = _("hourly aggregates")

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.hour:%Y-%m-%d %H}h q{self.quantity} n={self.count}"

    @property
    def mean(self) -> float:
        return self.total_micro / self.count / 1_000_000


class DailyAggregate(models.Model):
    """A calendar day (settings.TIME_ZONE) of one sensor and quantity.

    Besides count/sum/min/max of the readings it keeps the number of hours with data and the
    sum of the hourly means, so the EU daily mean (mean of hourly means, valid with 75 % of
    the hours) is read from one row.
    """

    pk = models.CompositePrimaryKey("sensor", "quantity", "day")
    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, db_index=False, related_name="+")
    quantity = models.PositiveSmallIntegerField(choices=QuantityCode.choices)
    day = models.DateField()
    count = models.PositiveIntegerField()
    total_micro = models.BigIntegerField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    hours = models.PositiveSmallIntegerField()
    hourly_mean_micro = models.BigIntegerField()

    class Meta:
        verbose_name = _("daily aggregate")
        verbose_name_plural = _("daily aggregates")
        indexes = [models.Index(fields=["quantity", "day"], name="environment_daily_q_day")]

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.day} q{self.quantity} hours={self.hours}"


class _DailyMeansField(models.Field):  # type: ignore[type-arg]
    """integer[] on PostgreSQL (366 daily means in thousandths of the unit); unused text elsewhere."""

    def db_type(self, connection: Any) -> str:
        return "integer[]" if connection.vendor == "postgresql" else "text"


class DailySeries(models.Model):
    """A read projection for PostgreSQL: one row per sensor, quantity and year holding the 366
    valid EU daily means (thousandths of the unit; NULL = no valid mean), kept in step by
    ingest in the same transaction as the daily aggregates. A year of the whole city is then
    a few hundred rows, not 180,000 (bench/ingest.py). Not maintained on SQLite, whose pages
    read the daily aggregates directly.
    """

    pk = models.CompositePrimaryKey("quantity", "year", "sensor")
    quantity = models.PositiveSmallIntegerField(choices=QuantityCode.choices)
    year = models.PositiveSmallIntegerField()
    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, db_index=False, db_constraint=False,
                               related_name="+")
    means = _DailyMeansField()

    class Meta:
        verbose_name = _("daily series")
        verbose_name_plural = _("daily series")

    def __str__(self) -> str:
        return f"{self.sensor_id} q{self.quantity} {self.year}"


class IngestChannel(models.TextChoices):
    HTTP = "http", _("HTTP push")
    MQTT = "mqtt", _("MQTT")
    ARCHIVE = "archive", _("Archive import")


class QuarantinedReading(models.Model):
    """A reading (or a whole message) that was refused, kept with the reason for staff to review."""

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=IngestChannel.choices)
    sensor = models.ForeignKey(Sensor, null=True, blank=True, on_delete=models.CASCADE, related_name="quarantined",
                               verbose_name=_("sensor"))
    claimed_sensor = models.CharField(_("sent as"), max_length=64, blank=True,
                                      help_text=_("The sensor id the message claimed, when it is not registered."))
    field = models.CharField(_("field"), max_length=120, blank=True)
    quantity = models.CharField(_("quantity"), max_length=32, blank=True)
    value = models.CharField(_("value as received"), max_length=64, blank=True)
    unit = models.CharField(_("unit as received"), max_length=32, blank=True)
    time = models.DateTimeField(_("reading time"), null=True, blank=True)
    reason_code = models.CharField(_("reason"), max_length=40, db_index=True)
    reason_template = models.CharField(max_length=300, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    reviewed = models.BooleanField(_("reviewed"), default=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("quarantined reading")
        verbose_name_plural = _("quarantined readings")

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.claimed_sensor or self.sensor_id} {self.reason_code}"

    @property
    def message(self) -> str:
        """The reason in the reader's language (the core's templates are msgids)."""
        from django.utils.translation import gettext

        if self.reason_template:
            try:
                return gettext(self.reason_template) % self.reason_params
            except (KeyError, TypeError, ValueError):
                return self.detail
        return self.detail


# --- alerts --------------------------------------------------------------------------------


class AlertKind(models.TextChoices):
    AQI = "aqi", _("European Air Quality Index band")
    LIMIT = "limit", _("EU daily limit value")


class AlertTracker(models.Model):
    """The hysteresis state of one watched series (shared by all its subscribers).

    `key` names the series: "aqi:pm2_5" (index band of a pollutant) or a limit value's code,
    e.g. "limit:2008-50:pm10:1d". `sensor` empty = city-wide.
    """

    sensor = models.ForeignKey(Sensor, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=60)
    state = models.JSONField(default=dict)
    level = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("alert tracker")
        verbose_name_plural = _("alert trackers")
        constraints = [
            models.UniqueConstraint(fields=["sensor", "key"], condition=models.Q(sensor__isnull=False),
                                    name="environment_tracker_sensor_unique"),
            models.UniqueConstraint(fields=["key"], condition=models.Q(sensor__isnull=True),
                                    name="environment_tracker_city_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id or 'city'} {self.key} level {self.level}"


class AlertEvent(models.Model):
    """A crossing that was announced (public: it says nothing about who subscribed)."""

    sensor = models.ForeignKey(Sensor, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_events")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    key = models.CharField(max_length=60)
    direction = models.CharField(max_length=4)
    from_level = models.PositiveSmallIntegerField()
    to_level = models.PositiveSmallIntegerField()
    time = models.DateTimeField(db_index=True)
    value = models.FloatField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.sensor_id or 'city'} {self.key} {self.from_level}→{self.to_level}"
