"""Demo data of the environment room: a few sensors placed in Timișoara, clearly marked demo.

Their readings are real: the public sensor.community archive files shipped in data/demo/sensors
(recorded in Aberdeen, UK, on 10 January 2019; source and licence in data/demo/README.md). So
that the pages look as they would with a live network, that one day is *re-timed*: repeated on
each of the last DEMO_DAYS days up to the present minute, values unchanged. The station
description and the pages' demo notice say so. Demo stations are left out of the strategy KPIs.

Idempotent, and a later run tops the series up to the new present (a sensor's readings after its
last reading are added), so the sensors show online again whenever `make serve` starts.
`remove_demo_data` deletes the demo stations with everything they measured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import audit
from environment import services
from environment.models import (
    AlertEvent,
    AlertTracker,
    DailyAggregate,
    DailySeries,
    HourlyAggregate,
    Network,
    Reading,
    Sensor,
    Station,
)

ACTOR = "loader:environment-demo"
SAMPLES_DIR = Path(settings.BASE_DIR) / "data" / "demo" / "sensors"
DEMO_DAYS = 21

# (station slug, name, lat, lon, [(demo sensor id, kind, archive file, archive sensor id)])
DEMO_STATIONS = [
    ("demo-piata-victoriei", "Demo — Piața Victoriei", 45.7537, 21.2257, [
        ("demo-15092", "SDS011", "2019-01-10_sds011_sensor_15092.csv", "15092"),
        ("demo-15093", "BME280", "2019-01-10_bme280_sensor_15093.csv", "15093"),
    ]),
    ("demo-complexul-studentesc", "Demo — Complexul Studențesc", 45.7478, 21.2392, [
        ("demo-5331", "SDS011", "2019-01-10_sds011_sensor_5331.csv", "5331"),
        ("demo-5332", "DHT22", "2019-01-10_dht22_sensor_5332.csv", "5332"),
    ]),
]

DESCRIPTION = ("Demonstration only: real sensor.community archive readings from Aberdeen, UK (sensor {archive}, "
               "10 January 2019), re-timed to recent dates for the demo (that day repeated over the last {days} "
               "days) and placed in Timișoara to show the pages.")


def retimed_lines(lines: Iterable[str], *, now: dt.datetime, days: int = DEMO_DAYS,
                  after: dt.datetime | None = None) -> Iterator[str]:
    """The lines of a one-day archive CSV, its rows repeated on each of the last `days` days up to `now`.

    Each row keeps its values; the day moves, and the whole series is then moved forward by the
    time between its newest reading and `now` (at most the file's longest gap), so the sensor has
    just reported, as a live one would. Rows not later than `after` (what a sensor already holds)
    are left out. Times stay UTC, as in the file.
    """
    now_utc = now.astimezone(dt.UTC).replace(tzinfo=None)
    after_utc = after.astimezone(dt.UTC).replace(tzinfo=None) if after is not None else None
    iterator = iter(lines)
    header = next(iterator, "")
    yield header
    column = header.rstrip("\r\n").split(";").index("timestamp")
    rows = [line.rstrip("\r\n").split(";") for line in iterator if line.strip()]
    if not rows:
        return
    times = [dt.datetime.fromisoformat(cells[column]) for cells in rows]
    source_day = times[0].date()
    series: list[tuple[dt.datetime, list[str]]] = []
    for offset in range(days - 1, -1, -1):
        shift = (now_utc.date() - dt.timedelta(days=offset)) - source_day
        series.extend((moment + shift, cells) for moment, cells in zip(times, rows, strict=True)
                      if moment + shift <= now_utc)
    if not series:
        return
    lag = now_utc - max(moment for moment, _cells in series)
    for moment, cells in series:
        moment += lag
        if after_utc is None or moment > after_utc:
            yield ";".join([*cells[:column], moment.isoformat(timespec="seconds"), *cells[column + 1:]]) + "\n"


def load_demo_data(stdout: Any, *, now: dt.datetime | None = None, days: int = DEMO_DAYS) -> None:
    now = now or timezone.now()
    for slug, name, lat, lon, sensors in DEMO_STATIONS:
        for sensor_id, kind, filename, archive_id in sensors:
            if not Sensor.objects.filter(sensor_id=sensor_id).exists():
                station_exists = Station.objects.filter(slug=slug).exists()
                services.register_sensor(ACTOR, sensor_id, latitude=lat, longitude=lon, kind=kind,
                                         station_slug=slug, station_name=name, network=Network.PRIVATE,
                                         is_demo=True, description=DESCRIPTION.format(archive=archive_id, days=days))
                if not station_exists:
                    stdout.write(f"Environment: demo station {name}")
            stored = _top_up(Sensor.objects.get(sensor_id=sensor_id), filename, archive_id, now=now, days=days)
            if stored:
                stdout.write(f"Environment: {sensor_id} ← {filename} re-timed to the last {days} days: "
                             f"{stored} readings")


def _top_up(sensor: Sensor, filename: str, archive_id: str, *, now: dt.datetime, days: int) -> int:
    """Add the re-timed readings after the sensor's last one, up to `now`; returns how many were stored."""
    path = SAMPLES_DIR / filename
    with path.open(encoding="utf-8", newline="") as stream:
        lines = list(retimed_lines(stream, now=now, days=days, after=sensor.last_reading_at))
    if len(lines) <= 1:
        return 0
    report = services.import_archive(ACTOR, path, sensor_map={archive_id: sensor.sensor_id}, is_demo=True,
                                     lines=lines)
    return report.stored


def replay_demo_readings(*, now: dt.datetime | None = None) -> int:
    """Keep the demo sensors reporting: what the worker runs every few minutes (environment/apps.py).

    Without it the demo's air quality would go offline a quarter of an hour after `make serve` loaded
    it. Only demo sensors that still exist are topped up: after `remove_demo_data` this does nothing,
    and it never registers anything."""
    now = now or timezone.now()
    files = {sensor_id: (filename, archive_id)
             for _slug, _name, _lat, _lon, sensors in DEMO_STATIONS
             for sensor_id, _kind, filename, archive_id in sensors}
    stored = 0
    for sensor in Sensor.objects.filter(station__is_demo=True, sensor_id__in=files):
        filename, archive_id = files[sensor.sensor_id]
        stored += _top_up(sensor, filename, archive_id, now=now, days=DEMO_DAYS)
    return stored


@transaction.atomic
def remove_demo_data(stdout: Any) -> None:
    """Delete the demo stations, their sensors and everything measured or raised for them (audited)."""
    stations = list(Station.objects.filter(is_demo=True).order_by("slug"))
    sensor_pks = list(Sensor.objects.filter(station__in=stations).values_list("pk", flat=True))
    readings = Reading.objects.filter(sensor_id__in=sensor_pks).delete()[0]
    for model in (HourlyAggregate, DailyAggregate, DailySeries, AlertTracker, AlertEvent):
        model.objects.filter(sensor_id__in=sensor_pks).delete()
    for station in stations:
        audit.record(ACTOR, "environment.demo_station.removed", station,
                     {"sensors": list(station.sensors.values_list("sensor_id", flat=True))})
    Sensor.objects.filter(pk__in=sensor_pks).delete()  # quarantine records and subscriptions go with them
    Station.objects.filter(pk__in=[s.pk for s in stations]).delete()
    stdout.write(f"Environment: removed {len(stations)} demo stations, {len(sensor_pks)} sensors, "
                 f"{readings} readings")
