"""Alerts: detect index-band and limit crossings with hysteresis, publish them to the notifications pipeline.

Watched series (one persisted hysteresis state each, shared by all subscribers):

* per sensor and per pollutant of the index: the latest hourly mean against the EEA band
  table (environment.airquality.alerting.config_for_bands: 10 % dead band, and a change must
  hold for ENVIRONMENT_ALERT_DWELL_MINUTES, default 60, before it is announced);
* per sensor, the running mean of today against each EU daily limit value (PM10 50 µg/m³ of
  2008/50/EC; PM10 45 and PM2.5 25 µg/m³ of 2024/2881), same brakes;
* the city: the median over online sensors of the same figures.

Events are recorded (public: they say nothing about subscribers) and each is published, in the same
transaction, as a notifications Event (`environment.alert_raised` / `environment.alert_cleared`) with
its text in every language and, for a sensor, a geometry: the area around the sensor whose air it
stands for (ENVIRONMENT_ALERT_REACH_M, default 1,000 m). People subscribe by place in the
notifications room (a neighbourhood, or a point and a radius): the sensors near the place are the ones
whose alerts reach them. The level filter is a topic: an index event carries
`environment.aqi.level:1` … `:<worst level it touches>`, a subscription from level 3 follows
`environment.aqi.level:3`. Delivery (e-mail, push, SMS, signed webhooks) is the pipeline's.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from environment.airquality.alerting import AlertConfig, AlertEvent, AlertState, config_for_bands, step
from environment.airquality.bands import CURRENT_SCALE, style_for
from environment.airquality.limits import STANDARDS, Metric, Standard
from environment.airquality.quantities import Quantity
from environment.catalog import CODE_OF, quantity_label, unit_label
from environment.ingest.store import local_zone
from environment.models import AlertEvent as AlertEventRow
from environment.models import (
    AlertKind,
    AlertTracker,
    DailyAggregate,
    Sensor,
)

QUANTUM = 1_000_000
LIVE_WINDOW = dt.timedelta(hours=2)  # only live data alerts; archive imports never do
DAILY_LIMITS: tuple[Standard, ...] = tuple(
    s for s in STANDARDS if s.metric is Metric.DAILY and s.pollutant in (Quantity.PM10, Quantity.PM2_5))


def _dwell() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "ENVIRONMENT_ALERT_DWELL_MINUTES", 60))


def _band_config(quantity: str) -> AlertConfig:
    return config_for_bands(CURRENT_SCALE.bands_for(quantity), margin_fraction=0.1, min_dwell=_dwell())


def _limit_config(standard: Standard) -> AlertConfig:
    return AlertConfig(boundaries=(float(standard.value),), margin=0.1, relative_margin=True, min_dwell=_dwell())


def limit_key(standard: Standard) -> str:
    return f"limit:{standard.code}"


# --- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    sensor_pk: int | None  # None = city
    key: str
    kind: str
    config: AlertConfig
    time: dt.datetime
    value: float
    quantity: str
    standard: Standard | None = None


def _sensor_observations(sensors: list[Sensor], now: dt.datetime) -> list[Observation]:
    from environment.selectors import INDEX_QUANTITIES, sensors_now

    observations: list[Observation] = []
    current = sensors_now(sensors, now)
    today = now.astimezone(local_zone()).date()
    running: dict[tuple[int, int], float] = {
        (sensor_pk, quantity): total / count / QUANTUM
        for sensor_pk, quantity, count, total in DailyAggregate.objects.filter(
            sensor__in=sensors, day=today, quantity__in=[CODE_OF[str(s.pollutant)] for s in DAILY_LIMITS],
        ).values_list("sensor_id", "quantity", "count", "total_micro")
    }
    for sensor in sensors:
        entry = current[sensor.pk]
        moment = sensor.last_reading_at or now
        for quantity, value in entry.concentrations.items():
            if quantity in INDEX_QUANTITIES:
                observations.append(Observation(sensor.pk, f"aqi:{quantity}", AlertKind.AQI, _band_config(quantity),
                                                moment, value, quantity))
        for standard in DAILY_LIMITS:
            mean = running.get((sensor.pk, CODE_OF[str(standard.pollutant)]))
            if mean is not None:
                observations.append(Observation(sensor.pk, limit_key(standard), AlertKind.LIMIT,
                                                _limit_config(standard), moment, mean, str(standard.pollutant),
                                                standard))
    return observations


def _city_observations(now: dt.datetime) -> list[Observation]:
    """The city: median over live sensors of each watched figure."""
    live = list(Sensor.objects.filter(active=True, last_reading_at__gte=now - LIVE_WINDOW,
                                      last_reading_at__lte=now + dt.timedelta(minutes=5)))
    if not live:
        return []
    grouped: dict[str, list[Observation]] = defaultdict(list)
    for observation in _sensor_observations(live, now):
        grouped[observation.key].append(observation)
    city = []
    for key, items in grouped.items():
        first = items[0]
        city.append(Observation(None, key, first.kind, first.config, max(i.time for i in items),
                                statistics.median(i.value for i in items), first.quantity, first.standard))
    return city


def _level_for_humans(observation: Observation, level: int) -> int:
    """Index levels are stored as the EEA's 1..6; limits as 0 (within) / 1 (above)."""
    return level + 1 if observation.kind == AlertKind.AQI else level


def evaluate(sensor_pks: Iterable[int], now: dt.datetime | None = None) -> list[AlertEventRow]:
    """Feed the latest figures of these sensors (and the city) to their trackers; returns new events."""
    now = now or timezone.now()
    sensors = list(Sensor.objects.filter(pk__in=list(sensor_pks), active=True,
                                         last_reading_at__gte=now - LIVE_WINDOW))
    if not sensors:
        return []
    observations = _sensor_observations(sensors, now) + _city_observations(now)
    if not observations:
        return []
    created: list[AlertEventRow] = []
    with transaction.atomic():
        AlertTracker.objects.bulk_create(
            [AlertTracker(sensor_id=o.sensor_pk, key=o.key, state=AlertState().to_dict()) for o in observations],
            ignore_conflicts=True)
        sensor_keys = {(o.sensor_pk, o.key) for o in observations}
        trackers = {(t.sensor_id, t.key): t for t in AlertTracker.objects.select_for_update().filter(
            sensor_id__in=[pk for pk, _key in sensor_keys if pk is not None] or [0],
            key__in=[key for _pk, key in sensor_keys]).order_by("pk")}
        trackers.update({(None, t.key): t for t in AlertTracker.objects.select_for_update().filter(
            sensor__isnull=True, key__in=[key for pk, key in sensor_keys if pk is None]).order_by("pk")})
        changed: list[AlertTracker] = []
        for observation in observations:
            tracker = trackers.get((observation.sensor_pk, observation.key))
            if tracker is None:
                continue
            try:
                state = AlertState.from_dict(tracker.state)
            except ValueError:
                state = AlertState()
            new_state, event = step(observation.config, state, observation.time, observation.value)
            tracker.state = new_state.to_dict()
            tracker.level = new_state.level
            tracker.updated_at = now
            changed.append(tracker)
            if event is not None:
                created.append(_record_event(observation, event))
        AlertTracker.objects.bulk_update(changed, ["state", "level", "updated_at"])
    return created


def _record_event(observation: Observation, event: AlertEvent) -> AlertEventRow:
    details: dict[str, Any] = {"quantity": observation.quantity, "unit": unit_label(observation.quantity)}
    if observation.standard is not None:
        details.update({"standard": observation.standard.code, "directive": observation.standard.directive,
                        "limit": observation.standard.value})
    row = AlertEventRow.objects.create(
        sensor_id=observation.sensor_pk, kind=observation.kind, key=observation.key, direction=str(event.direction),
        from_level=_level_for_humans(observation, event.from_level),
        to_level=_level_for_humans(observation, event.to_level), time=event.time, value=event.value,
        details=details)
    _publish(row)
    return row


# --- publishing ---------------------------------------------------------------------------------

CIRCLE_SIDES = 24


def reach_m() -> int:
    """How far around a sensor its air is taken to be the air people breathe (for place subscriptions)."""
    return int(getattr(settings, "ENVIRONMENT_ALERT_REACH_M", 1000))


def area_around(lat: float, lon: float, radius_m: float) -> dict[str, Any]:
    """A GeoJSON polygon approximating the circle of `radius_m` around the point (24 sides)."""
    north = radius_m / 111_320.0
    east = radius_m / (111_320.0 * math.cos(math.radians(lat)))
    ring = [[round(lon + east * math.cos(2 * math.pi * i / CIRCLE_SIDES), 6),
             round(lat + north * math.sin(2 * math.pi * i / CIRCLE_SIDES), 6)] for i in range(CIRCLE_SIDES)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def level_topics(kind: str, levels: Iterable[int], *, city: bool) -> tuple[str, ...]:
    """The topic keys a subscription filters on: from which index level, or the limit values."""
    prefix = "environment.city." if city else "environment."
    if kind == AlertKind.LIMIT:
        return (f"{prefix}limit",)
    worst = max(levels)
    return tuple(f"{prefix}aqi.level:{level}" for level in range(1, worst + 1))


def _severity(row: AlertEventRow) -> str:
    if row.direction != "up":
        return "info"
    if row.kind == AlertKind.AQI:
        return "critical" if row.to_level >= 6 else "warning" if row.to_level >= 4 else "info"
    return "warning"


def _publish(row: AlertEventRow) -> None:
    """Publish the alert to the notifications pipeline, in this transaction, its text in every language."""
    from notifications.events import Event, language_free, publish

    sensor = Sensor.objects.select_related("station").filter(pk=row.sensor_id).first() if row.sensor_id else None
    row.sensor = sensor  # describe_event names it
    titles, bodies = {}, {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles[code] = str(_("Air quality alert")) if row.direction == "up" else str(_("Air quality: alert over"))
            bodies[code] = describe_event(row)
    with translation.override(settings.LANGUAGE_CODE):
        url = language_free(sensor.get_absolute_url() if sensor else reverse("environment:city"))
    geometry = None
    if sensor is not None:
        # The public position: a private sensor's is rounded (its exact place is its owner's).
        geometry = area_around(sensor.station.public_latitude, sensor.station.public_longitude, reach_m())
    publish(Event(
        kind="environment.alert_raised" if row.direction == "up" else "environment.alert_cleared",
        room="environment", subject=f"environment.sensor:{sensor.pk}" if sensor else "environment.city",
        title=titles, body=bodies, url=url, geometry=geometry, severity=_severity(row),
        topics=level_topics(row.kind, (row.from_level, row.to_level), city=sensor is None),
        data={"event": row.pk, "kind": row.kind, "key": row.key, "sensor_id": sensor.sensor_id if sensor else None,
              "direction": row.direction, "from_level": row.from_level, "to_level": row.to_level,
              "value": row.value, "time": row.time.isoformat(), "details": row.details}))


# --- messages ----------------------------------------------------------------------------------


def describe_event(event: AlertEventRow) -> str:
    """One sentence in the active language."""
    quantity = quantity_label(event.details.get("quantity", ""))
    where = (_("sensor %(id)s") % {"id": event.sensor.sensor_id}) if event.sensor_id and event.sensor else _(
        "Timișoara (median of the sensors)")
    value = f"{event.value:.1f} {event.details.get('unit', '')}".strip()
    if event.kind == AlertKind.AQI:
        old, new = _(style_for(event.from_level).label), _(style_for(event.to_level).label)
        return _("%(quantity)s at %(where)s moved from “%(old)s” to “%(new)s” on the European Air Quality Index "
                 "(hourly mean %(value)s).") % {"quantity": quantity, "where": where, "old": old, "new": new,
                                                "value": value}
    limit = event.details.get("limit")
    directive = event.details.get("directive", "")
    if event.to_level > event.from_level:
        return _("Today's mean %(quantity)s so far at %(where)s, %(value)s, is above the daily limit value of "
                 "%(limit)s µg/m³ (Directive %(directive)s).") % {"quantity": quantity, "where": where,
                                                                  "value": value, "limit": limit,
                                                                  "directive": directive}
    return _("Today's mean %(quantity)s so far at %(where)s, %(value)s, is back below the daily limit value of "
             "%(limit)s µg/m³ (Directive %(directive)s).") % {"quantity": quantity, "where": where, "value": value,
                                                              "limit": limit, "directive": directive}
