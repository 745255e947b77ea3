"""Air quality's open datasets (registered with the opendata catalogue from EnvironmentConfig.ready()).

Hourly and daily aggregates per sensor and quantity, one CSV per year; the sensors and their stations (a
citizen's station at its public, blurred position, never its owner); the live API as a data service. A
high-value dataset under Implementing Regulation (EU) 2023/138 (earth observation and environment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Max, Min

from environment.catalog import QUANTITY_OF, canonical_unit
from environment.models import DailyAggregate, HourlyAggregate, Network, Sensor, Station
from opendata.registry import DataService, Dataset, Distribution, Text, register
from opendata.spatial import city_extent
from opendata.tables import Table, register_table, schema

ROOM = "environment"
HVD_ENVIRONMENT = "c_dd313021"  # Earth observation and environment


def _year(part: str | None) -> int:
    if part is None or not part.isdigit() or not 1990 <= int(part) <= 2200:
        raise LookupError(f"year: expected a year, not {part!r}")
    return int(part)


def _names() -> dict[int, str]:
    return dict(Sensor.objects.values_list("pk", "sensor_id"))


def _hourly(part: str | None) -> Iterable[Sequence[Any]]:
    year = _year(part)
    names = _names()
    start, end = dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    rows = (HourlyAggregate.objects.filter(hour__gte=start, hour__lt=end).order_by("hour", "sensor_id", "quantity")
            .values_list("sensor_id", "quantity", "hour", "count", "total_micro", "minimum", "maximum"))
    for sensor, quantity, hour, count, total, low, high in rows.iterator(chunk_size=5000):
        name = str(QUANTITY_OF[quantity])
        yield (names.get(sensor), name, hour, count, total / count / 1_000_000, low, high, canonical_unit(name))


def _daily(part: str | None) -> Iterable[Sequence[Any]]:
    year = _year(part)
    names = _names()
    rows = (DailyAggregate.objects.filter(day__year=year).order_by("day", "sensor_id", "quantity")
            .values_list("sensor_id", "quantity", "day", "count", "total_micro", "minimum", "maximum", "hours",
                         "hourly_mean_micro"))
    for sensor, quantity, day, count, total, low, high, hours, hourly_total in rows.iterator(chunk_size=5000):
        name = str(QUANTITY_OF[quantity])
        # The EU daily mean: the mean of the hourly means, valid with 75 % of the hours (18 of 24).
        eu_mean = hourly_total / hours / 1_000_000 if hours >= 18 else None
        yield (names.get(sensor), name, day, count, total / count / 1_000_000, low, high, hours, eu_mean,
               canonical_unit(name))


def _sensors(_part: str | None) -> Iterable[Sequence[Any]]:
    for sensor in Sensor.objects.select_related("station").order_by("sensor_id"):
        station = sensor.station
        public = station.network == Network.PUBLIC
        yield (sensor.sensor_id, sensor.kind, " ".join(sensor.quantities), sensor.active, sensor.last_reading_at,
               station.slug, station.name, station.network, station.operator if public else None,
               station.public_latitude, station.public_longitude, station.is_demo)


AGGREGATE_FIELDS = (("sensor_id", "string", "Sensor id"), ("quantity", "string", "Quantity, e.g. pm2_5"))
STATS = (("count", "integer", "Readings"), ("mean", "number", "Mean of the readings"),
         ("min", "number", "Minimum"), ("max", "number", "Maximum"))
HOURLY = register_table(Table(ROOM, "air-quality-hourly", schema(
    *AGGREGATE_FIELDS, ("hour", "datetime", "Start of the UTC hour"), *STATS, ("unit", "string", "Unit"),
    primary_key=["sensor_id", "quantity", "hour"]), _hourly))
DAILY = register_table(Table(ROOM, "air-quality-daily", schema(
    *AGGREGATE_FIELDS, ("day", "date", "Calendar day, Europe/Bucharest"), *STATS,
    ("hours", "integer", "Hours with data"),
    ("eu_mean", "number", "EU daily mean (mean of hourly means; empty below 75 % of the hours)"),
    ("unit", "string", "Unit"), primary_key=["sensor_id", "quantity", "day"]), _daily))
SENSORS = register_table(Table(ROOM, "air-quality-sensors", schema(
    ("sensor_id", "string", "Sensor id"), ("kind", "string", "Sensor model"),
    ("quantities", "string", "Quantities measured, space-separated"), ("active", "boolean", "Accepts data"),
    ("last_reading_at", "datetime", "Last reading (UTC)"), ("station", "string", "Station slug"),
    ("station_name", "string", "Station name"), ("network", "string", "public or private network"),
    ("operator", "string", "Operator (public network only)"),
    ("lat", "number", "Latitude, WGS 84 (a private station's is blurred)"),
    ("lon", "number", "Longitude, WGS 84 (a private station's is blurred)"), ("demo", "boolean", "Demonstration"),
    primary_key=["sensor_id"]), _sensors))

LIVE_API = DataService(
    key="live-api", title=Text(ro="Calitatea aerului acum (API JSON)", en="Air quality now (JSON API)"),
    endpoint_url="/api/v1/air-quality/now", endpoint_description_url="/api/openapi.json")


def datasets() -> list[Dataset]:
    span = DailyAggregate.objects.aggregate(first=Min("day"), last=Max("day"))
    last_reading = Sensor.objects.aggregate(last=Max("last_reading_at"))["last"]
    demo = Station.objects.filter(is_demo=True).exists()
    years = list(range(span["first"].year, span["last"].year + 1)) if span["first"] else []
    common: dict[str, Any] = {"room": ROOM, "themes": ("ENVI",), "hvd_category": HVD_ENVIRONMENT,
                              "contains_demo": demo, "landing_page": "/ro/aer/", "services": (LIVE_API,),
                              "spatial_geometry": city_extent()}  # the city's extent: where the sensors measure
    tags = ("air-quality", "pm2.5", "pm10", "sensors")
    return [
        Dataset(name="air-quality-aggregates",
                title=Text(ro="Calitatea aerului: medii orare și zilnice", en="Air quality: hourly and daily means"),
                description=Text(
                    ro="Pentru fiecare senzor și poluant: numărul de citiri, media, minimul și maximul pe fiecare "
                       "oră (UTC) și zi (ora României), cu media zilnică UE; un fișier CSV pe an.",
                    en="For every sensor and pollutant: count of readings, mean, minimum and maximum per UTC hour "
                       "and per day (Romanian time), with the EU daily mean; one CSV file a year."),
                tags=tags, frequency="HOURLY", modified=last_reading,
                temporal_start=span["first"], temporal_end=span["last"],
                distributions=tuple(
                    [Distribution(key=f"hourly-{year}", title=Text(ro=f"Medii orare {year} (CSV)",
                                                                   en=f"Hourly means {year} (CSV)"),
                                  url=HOURLY.url(str(year)), media_type="text/csv", file_type="CSV",
                                  table_schema=HOURLY.schema) for year in years]
                    + [Distribution(key=f"daily-{year}", title=Text(ro=f"Medii zilnice {year} (CSV)",
                                                                    en=f"Daily means {year} (CSV)"),
                                    url=DAILY.url(str(year)), media_type="text/csv", file_type="CSV",
                                    table_schema=DAILY.schema) for year in years]),
                **common),
        Dataset(name="air-quality-sensors",
                title=Text(ro="Calitatea aerului: senzori și stații", en="Air quality: sensors and stations"),
                description=Text(
                    ro="Senzorii de calitate a aerului, stațiile lor, rețeaua (publică sau a cetățenilor) și poziția; "
                       "poziția stațiilor cetățenilor este estompată, iar proprietarii lor nu sunt numiți.",
                    en="The air-quality sensors, their stations, network (public or citizens') and position; "
                       "citizens' stations are shown at a blurred position and their owners are never named."),
                tags=tags, frequency="CONT", modified=last_reading,
                distributions=(
                    Distribution(key="csv", title=Text(ro="Senzori (CSV)", en="Sensors (CSV)"), url=SENSORS.url(),
                                 media_type="text/csv", file_type="CSV", table_schema=SENSORS.schema),
                    Distribution(key="json", title=Text(ro="Senzori și indicele curent (JSON)",
                                                        en="Sensors and the current index (JSON)"),
                                 url="/api/v1/sensors", media_type="application/json", file_type="JSON")),
                **common),
    ]


def register_all() -> None:
    register(ROOM, datasets)
