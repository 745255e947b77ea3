"""Read side of the environment room: current index, series from aggregates, city figures.

Every function here issues a fixed number of queries whatever the number of rows, and
reads aggregates (hourly, daily), never raw readings, for anything longer than a download.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from environment.airquality.aqi import StationIndex, station_index
from environment.airquality.bands import CURRENT_SCALE
from environment.airquality.limits import STANDARDS, Assessment, Metric, Standard, assess_year
from environment.airquality.quantities import Quantity
from environment.catalog import CODE_OF, QUANTITY_OF
from environment.ingest.store import local_zone, required_hours
from environment.models import AlertEvent, DailyAggregate, DailySeries, HourlyAggregate, Sensor, Station

QUANTUM = 1_000_000
INDEX_QUANTITIES: tuple[Quantity, ...] = CURRENT_SCALE.quantities
INDEX_CODES = [CODE_OF[str(q)] for q in INDEX_QUANTITIES]


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)




# --- now ----------------------------------------------------------------------------------------


@dataclass
class SensorNow:
    sensor: Sensor
    status: str
    hour: dt.datetime | None = None
    concentrations: dict[str, float] = field(default_factory=dict)
    index: StationIndex | None = None


def _safe_index(concentrations: dict[str, float]) -> StationIndex | None:
    try:
        return station_index(concentrations)
    except ValueError:
        return None


def sensors_now(sensors: Sequence[Sensor], now: dt.datetime | None = None) -> dict[int, SensorNow]:
    """Status and the index of each sensor's latest hour with data (one query)."""
    now = now or timezone.now()
    result = {s.pk: SensorNow(s, s.status_at(now)) for s in sensors}
    by_hour: dict[dt.datetime, list[int]] = defaultdict(list)
    for sensor in sensors:
        if sensor.last_reading_at is not None:
            by_hour[hour_of(sensor.last_reading_at)].append(sensor.pk)
    if not by_hour:
        return result
    condition = Q()
    for hour, pks in by_hour.items():
        condition |= Q(hour=hour, sensor_id__in=pks)
    rows = HourlyAggregate.objects.filter(condition).values_list("sensor_id", "quantity", "hour", "count",
                                                                 "total_micro")
    for sensor_pk, quantity, hour, count, total in rows:
        entry = result[sensor_pk]
        entry.hour = hour
        entry.concentrations[str(QUANTITY_OF[quantity])] = total / count / QUANTUM
    for entry in result.values():
        entry.index = _safe_index({q: v for q, v in entry.concentrations.items() if q in INDEX_QUANTITIES})
    return result


@dataclass
class StationView:
    station: Station
    sensors: list[SensorNow]
    index: StationIndex | None
    status: str
    hour: dt.datetime | None


STATUS_ORDER = {"online": 0, "stale": 1, "offline": 2}


def stations_now(now: dt.datetime | None = None) -> list[StationView]:
    """Stations with their sensors' current figures (two queries)."""
    now = now or timezone.now()
    stations = list(Station.objects.prefetch_related("sensors").order_by("name"))
    sensors = [s for st in stations for s in st.sensors.all()]
    current = sensors_now(sensors, now)
    views = []
    for station in stations:
        entries = [current[s.pk] for s in station.sensors.all()]
        merged: dict[str, list[float]] = defaultdict(list)
        hours = [e.hour for e in entries if e.hour is not None]
        latest_hour = max(hours) if hours else None
        for entry in entries:
            if entry.hour == latest_hour:
                for quantity, value in entry.concentrations.items():
                    merged[quantity].append(value)
        concentrations = {q: sum(v) / len(v) for q, v in merged.items() if q in INDEX_QUANTITIES}
        status = min((e.status for e in entries), key=STATUS_ORDER.__getitem__, default="offline")
        views.append(StationView(station, entries, _safe_index(concentrations), status, latest_hour))
    return views


def city_index_now(views: Iterable[StationView], now: dt.datetime | None = None) -> tuple[StationIndex | None, int]:
    """City-wide index from the online stations: per pollutant the median of their current hour.

    The EEA defines the index per station; for the city the median keeps one faulty
    low-cost sensor from colouring the whole city. Returns (index, stations used).
    """
    values: dict[str, list[float]] = defaultdict(list)
    used = 0
    for view in views:
        if view.status != "online" or view.index is None:
            continue
        used += 1
        for entry in view.sensors:
            for quantity, value in entry.concentrations.items():
                if quantity in INDEX_QUANTITIES:
                    values[quantity].append(value)
    if not values:
        return None, 0
    return _safe_index({q: statistics.median(v) for q, v in values.items()}), used


# --- series -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourRow:
    hour: dt.datetime
    count: int
    mean: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    count: int
    mean: float
    minimum: float
    maximum: float
    hours: int
    eu_mean: float | None  # mean of hourly means when 75 % of the hours have data

    @property
    def valid(self) -> bool:
        return self.eu_mean is not None


def hourly_series(sensor_pk: int, start: dt.datetime, end: dt.datetime,
                  quantities: Sequence[str] | None = None) -> dict[str, list[HourRow]]:
    rows = HourlyAggregate.objects.filter(sensor_id=sensor_pk, hour__gte=start, hour__lt=end)
    if quantities is not None:
        rows = rows.filter(quantity__in=[CODE_OF[q] for q in quantities])
    series: dict[str, list[HourRow]] = defaultdict(list)
    for quantity, hour, count, total, low, high in rows.order_by("quantity", "hour").values_list(
            "quantity", "hour", "count", "total_micro", "minimum", "maximum"):
        series[str(QUANTITY_OF[quantity])].append(HourRow(hour, count, total / count / QUANTUM, low, high))
    return dict(series)


def day_row(day: dt.date, count: int, total: int, low: float, high: float, hours: int, hourly_micro: int) -> DayRow:
    eu_mean = hourly_micro / hours / QUANTUM if hours and hours >= required_hours(day) else None
    return DayRow(day, count, total / count / QUANTUM, low, high, hours, eu_mean)


DAY_FIELDS = ("day", "count", "total_micro", "minimum", "maximum", "hours", "hourly_mean_micro")


def daily_series(sensor_pk: int, first: dt.date, last: dt.date,
                 quantities: Sequence[str] | None = None) -> dict[str, list[DayRow]]:
    rows = DailyAggregate.objects.filter(sensor_id=sensor_pk, day__gte=first, day__lte=last)
    if quantities is not None:
        rows = rows.filter(quantity__in=[CODE_OF[q] for q in quantities])
    series: dict[str, list[DayRow]] = defaultdict(list)
    for quantity, *values in rows.order_by("quantity", "day").values_list("quantity", *DAY_FIELDS):
        series[str(QUANTITY_OF[quantity])].append(day_row(*values))
    return dict(series)


@dataclass
class YearOfDays:
    """Valid EU daily means of one quantity over a calendar year, one list per sensor.

    `values[sensor_pk][i]` is the mean of `first_day + i days`, or None (no valid mean).
    """

    first_day: dt.date
    length: int
    values: dict[int, list[float | None]]

    def day(self, offset: int) -> dt.date:
        return self.first_day + dt.timedelta(days=offset)

    def as_dicts(self) -> dict[int, dict[dt.date, float]]:
        return {pk: {self.day(i): v for i, v in enumerate(values) if v is not None}
                for pk, values in self.values.items()}


def daily_mean_arrays(year: int, quantity: str, sensor_pks: Sequence[int] | None = None) -> YearOfDays:
    """One query. On PostgreSQL it reads the year series (one row per sensor, kept by ingest);
    elsewhere the daily aggregates, row by row."""
    from django.db import connection

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    length = (last - first).days + 1
    values: dict[int, list[float | None]] = {}
    if connection.vendor == "postgresql":
        series = DailySeries.objects.filter(quantity=CODE_OF[quantity], year=year)
        if sensor_pks is not None:
            series = series.filter(sensor_id__in=list(sensor_pks))
        for sensor_pk, means in series.values_list("sensor_id", "means"):
            values[sensor_pk] = [None if m is None else m / 1000 for m in means[:length]]
        return YearOfDays(first, length, values)
    rows = DailyAggregate.objects.filter(quantity=CODE_OF[quantity], day__gte=first, day__lte=last, hours__gte=18)
    if sensor_pks is not None:
        rows = rows.filter(sensor_id__in=list(sensor_pks))
    for sensor_pk, day, hours, hourly_micro in rows.values_list("sensor_id", "day", "hours", "hourly_mean_micro"):
        if hours >= required_hours(day):
            values.setdefault(sensor_pk, [None] * length)[(day - first).days] = round(
                hourly_micro / hours / QUANTUM, 3)
    return YearOfDays(first, length, values)


def year_daily_means(year: int, quantity: str, sensor_pks: Sequence[int] | None = None
                     ) -> dict[int, dict[dt.date, float]]:
    """Valid EU daily means of one quantity for every sensor in a calendar year (one query)."""
    return daily_mean_arrays(year, quantity, sensor_pks).as_dicts()


# --- city ---------------------------------------------------------------------------------------


@dataclass
class CityDay:
    day: dt.date
    concentrations: dict[str, float]
    sensors: int
    index: StationIndex | None


def city_days(year: int, sensor_pks: Sequence[int] | None = None) -> dict[dt.date, CityDay]:
    """Per day, the median over sensors of valid daily means, and the index of those medians.

    The EEA index is defined on hourly values; the calendar applies the same bands to daily
    means, as a summary of the day (said on the page). One query per index pollutant.
    """
    per_quantity = {str(q): daily_mean_arrays(year, str(q), sensor_pks) for q in INDEX_QUANTITIES}
    first = dt.date(year, 1, 1)
    length = (dt.date(year, 12, 31) - first).days + 1
    result = {}
    for offset in range(length):
        medians: dict[str, float] = {}
        counted: set[int] = set()
        for quantity, year_of_days in per_quantity.items():
            present: list[tuple[int, float]] = [(pk, value) for pk, values in year_of_days.values.items()
                                                if (value := values[offset]) is not None]
            if present:
                medians[quantity] = statistics.median(v for _pk, v in present)
                counted.update(pk for pk, _v in present)
        if medians:
            day = first + dt.timedelta(days=offset)
            result[day] = CityDay(day, medians, len(counted), _safe_index(medians))
    return result


@dataclass
class ExceedanceRow:
    standard: Standard
    sensors_with_data: int
    sensors_with_enough_data: int
    sensors_breaching: int
    worst: Assessment | None
    worst_sensor: str | None


def _assessment_key(assessment: Assessment) -> tuple[float, float]:
    if assessment.exceedances is not None:
        return (float(assessment.exceedances), assessment.coverage)
    return (assessment.annual_mean or 0.0, assessment.coverage)


def exceedances(year: int, sensor_pks: Sequence[int] | None = None) -> list[ExceedanceRow]:
    """Each EU standard for a pollutant with data that year: per sampling point, then the worst.

    EU law judges every sampling point separately; a city complies when all of them do, so
    the table shows the worst point and how many points breach. Daily standards use the valid
    EU daily means; hourly and 8-hour standards read hourly aggregates (gases only).
    """
    tz = local_zone()
    names = dict(Sensor.objects.values_list("pk", "sensor_id"))
    pollutants = sorted({str(s.pollutant) for s in STANDARDS})
    daily = {q: year_daily_means(year, q, sensor_pks) for q in pollutants if q in (Quantity.PM10, Quantity.PM2_5)}
    needs_hourly = sorted({str(s.pollutant) for s in STANDARDS if s.metric in (Metric.HOURLY, Metric.MAX_DAILY_8H)})
    hourly: dict[str, dict[int, dict[dt.datetime, float]]] = {q: defaultdict(dict) for q in needs_hourly}
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    hourly_rows = HourlyAggregate.objects.filter(quantity__in=[CODE_OF[q] for q in needs_hourly],
                                                 hour__gte=start, hour__lt=end)
    if sensor_pks is not None:
        hourly_rows = hourly_rows.filter(sensor_id__in=list(sensor_pks))
    for sensor_pk, quantity, hour, count, total in hourly_rows.values_list(
            "sensor_id", "quantity", "hour", "count", "total_micro"):
        # Canonical units are the units of the limit values (µg/m³; CO in mg/m³).
        hourly[str(QUANTITY_OF[quantity])][sensor_pk][hour] = total / count / QUANTUM
    rows: list[ExceedanceRow] = []
    for standard in STANDARDS:
        pollutant = str(standard.pollutant)
        with_data = set(daily.get(pollutant, {})) | set(hourly.get(pollutant, {}))
        if not with_data:
            continue
        assessments: list[tuple[Assessment, int]] = []
        for sensor_pk in sorted(with_data):
            found = assess_year(pollutant, year, hourly_means=hourly.get(pollutant, {}).get(sensor_pk) or None,
                                daily_means=daily.get(pollutant, {}).get(sensor_pk), standards=[standard], tz=tz)
            if found and found[0].periods_with_data:
                assessments.append((found[0], sensor_pk))
        if not assessments:
            continue
        worst, worst_pk = max(assessments, key=lambda pair: _assessment_key(pair[0]))
        rows.append(ExceedanceRow(
            standard=standard, sensors_with_data=len(assessments),
            sensors_with_enough_data=sum(1 for a, _ in assessments if a.breached is not None),
            sensors_breaching=sum(1 for a, _ in assessments if a.breached),
            worst=worst, worst_sensor=names.get(worst_pk)))
    return rows


def recent_events(sensor: Sensor | None = None, limit: int = 10) -> list[AlertEvent]:
    events = AlertEvent.objects.select_related("sensor")
    events = events.filter(sensor=sensor) if sensor is not None else events.filter(sensor__isnull=True)
    return list(events[:limit])


def any_demo(sensors: Iterable[Any]) -> bool:
    return any(getattr(s, "is_demo", False) or getattr(getattr(s, "station", None), "is_demo", False)
               for s in sensors)
