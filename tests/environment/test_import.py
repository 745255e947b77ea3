"""Bulk import of sensor.community archive CSVs (the real samples in data/demo/sensors)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Sum

from core.models import AuditEntry
from environment.models import DailyAggregate, HourlyAggregate, QuarantinedReading, Reading, Sensor

pytestmark = pytest.mark.django_db
SAMPLES = Path(settings.BASE_DIR) / "data" / "demo" / "sensors"
SDS = SAMPLES / "2019-01-10_sds011_sensor_15092.csv"


def test_import_registers_from_the_file_and_maintains_aggregates(capsys: Any) -> None:
    call_command("import_sensor_csv", str(SDS), "--register", "--no-progress")
    out = capsys.readouterr().out
    sensor = Sensor.objects.get(sensor_id="15092")
    assert sensor.kind == "SDS011" and sensor.station.latitude == pytest.approx(56.963)
    rows = len(SDS.read_text().splitlines()) - 1
    assert Reading.objects.filter(sensor=sensor).count() == 2 * rows  # P1 and P2 on every line
    assert f"{rows} rows, {2 * rows} readings stored" in out
    # Aggregates equal what the raw rows say, hour by hour and for the day.
    assert HourlyAggregate.objects.filter(sensor=sensor).aggregate(n=Sum("count"))["n"] == 2 * rows
    day = DailyAggregate.objects.get(sensor=sensor, quantity=2, day=dt.date(2019, 1, 10))
    raw = list(Reading.objects.filter(sensor=sensor, quantity=2, time__date=dt.date(2019, 1, 10)).values_list(
        "value", flat=True))
    assert day.hours == 22 and day.count <= len(raw) + 10
    assert AuditEntry.objects.filter(action="environment.archive.imported").count() == 1


def test_reimport_stores_nothing_twice(capsys: Any) -> None:
    call_command("import_sensor_csv", str(SDS), "--register", "--no-progress")
    before = (Reading.objects.count(), HourlyAggregate.objects.aggregate(n=Sum("count"))["n"],
              DailyAggregate.objects.aggregate(n=Sum("count"), h=Sum("hourly_mean_micro")))
    call_command("import_sensor_csv", str(SDS), "--register", "--no-progress")
    assert "0 readings stored" in capsys.readouterr().out
    after = (Reading.objects.count(), HourlyAggregate.objects.aggregate(n=Sum("count"))["n"],
             DailyAggregate.objects.aggregate(n=Sum("count"), h=Sum("hourly_mean_micro")))
    assert after == before


def test_unknown_sensors_are_skipped_and_counted_unless_mapped(register: Any, capsys: Any) -> None:
    call_command("import_sensor_csv", str(SDS), "--no-progress")
    assert "skipped unknown sensors: 15092" in capsys.readouterr().out
    assert not Reading.objects.exists()
    sensor, _key = register("replay-1")
    call_command("import_sensor_csv", str(SDS), "--as", "15092=replay-1", "--no-progress")
    assert Reading.objects.filter(sensor=sensor).exists()


def test_progress_bar_is_drawn(capsys: Any) -> None:
    err = StringIO()
    call_command("import_sensor_csv", str(SDS), "--register", stderr=err)
    assert "100%" in err.getvalue() and "#" in err.getvalue()


def test_every_sample_imports(capsys: Any) -> None:
    files = sorted(str(p) for p in SAMPLES.glob("2019-01-10_*.csv"))
    call_command("import_sensor_csv", *files, "--register", "--no-progress")
    kinds = dict(Sensor.objects.values_list("sensor_id", "kind"))
    assert kinds == {"15092": "SDS011", "15093": "BME280", "5331": "SDS011", "5332": "DHT22"}
    # BME280 pressure arrives in Pa and is kept in hPa.
    pressure = Reading.objects.filter(sensor__sensor_id="15093", quantity=6).first()
    assert pressure is not None and 900 < pressure.value < 1100


def test_bad_rows_are_quarantined_and_good_rows_kept(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
        "77;SDS011;1;45.75;21.22;2019-01-10T00:01:14;7.67;;;3.93;;\n"
        "77;SDS011;1;45.75;21.22;not-a-time;7.67;;;3.93;;\n"
        "77;SDS011;1;45.75;21.22;2019-01-10T00:04:01;abc;;;5000;;\n"
        "77;SDS011;1;45.75;21.22;2019-01-10T00:06:01;8.1;;;4.2;;\n")
    call_command("import_sensor_csv", str(path), "--register", "--no-progress")
    assert Reading.objects.count() == 4
    reasons = sorted(QuarantinedReading.objects.values_list("field", "reason_code"))
    assert reasons == [("line 3 timestamp", "malformed"), ("line 4 P1", "malformed"), ("line 4 P2", "above_maximum")]


def test_a_file_that_is_not_an_archive_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    path.write_text("a;b;c\n1;2;3\n")
    with pytest.raises(CommandError, match="line 1"):
        call_command("import_sensor_csv", str(path), "--no-progress")
    with pytest.raises(CommandError, match="not found"):
        call_command("import_sensor_csv", str(tmp_path / "missing.csv"))
