"""Benchmark of the pure-Python air-quality core (environment/airquality).

Times, on synthetic but realistic input generated before the clock starts:

1. parsing + validating 1,000,000 readings in each wire format
   (platform JSON in bodies of 1000, firmware pushes of 5 values,
   archive CSV rows of 2 values);
2. the MQTT worker's fast lane on the same readings as 10-reading messages, in batches of
   10,000 messages (fastlane.platform_batch), side by side with the reference parser and
   validator on the same messages, then the batch's binary COPY stream and hourly deltas
   (columnar);
3. folding 1,000,000 readings into mergeable hourly aggregates;
4. the European Air Quality Index for a year of hourly PM2.5 + PM10 data
   for 500 sensors (current scale, hourly), plus the superseded scale that
   needs 24-hour running means first;
5. the yearly limit-value check for those 500 sensors.

Run from the repository root:

    .venv/bin/python bench/airquality.py            # full size
    .venv/bin/python bench/airquality.py --quick    # a tenth, for a smoke test
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from environment.airquality import aggregates, aqi, columnar, fastlane, limits, payloads
from environment.airquality.bands import EAQI_SUPERSEDED
from environment.airquality.quantities import Quantity
from environment.airquality.validation import ValidationPolicy, validate_batch

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ARCHIVE_POLICY = ValidationPolicy(max_age=None)


def timed(label: str, count: int, unit: str, work: Callable[[], int]) -> None:
    start = time.perf_counter()
    checked = work()
    elapsed = time.perf_counter() - start
    rate = count / elapsed if elapsed else float("inf")
    print(f"  {label:<58} {elapsed:8.2f} s  {rate:>12,.0f} {unit}/s  (checked {checked:,})")


def platform_bodies(readings: int, per_body: int, rng: random.Random) -> list[bytes]:
    bodies = []
    quantities = [("pm2_5", "ug/m3"), ("pm10", "ug/m3"), ("temperature", "degC"), ("pressure", "hPa")]
    for body_index in range(readings // per_body):
        items = []
        for i in range(per_body):
            quantity, unit = quantities[i % 4]
            value = {"pm2_5": 12.0, "pm10": 20.0, "temperature": 8.0, "pressure": 1012.0}[quantity]
            moment = NOW - timedelta(minutes=(body_index * per_body + i) % 600)
            items.append(
                {
                    "quantity": quantity,
                    "value": round(value + rng.uniform(-5, 5), 2),
                    "unit": unit,
                    "time": moment.isoformat().replace("+00:00", "Z"),
                }
            )
        bodies.append(json.dumps({"readings": items}).encode())
    return bodies


def firmware_bodies(readings: int, rng: random.Random) -> list[bytes]:
    bodies = []
    for _ in range(readings // 5):
        values = [
            ("SDS_P1", f"{rng.uniform(2, 80):.2f}"),
            ("SDS_P2", f"{rng.uniform(1, 50):.2f}"),
            ("BME280_temperature", f"{rng.uniform(-10, 35):.2f}"),
            ("BME280_humidity", f"{rng.uniform(20, 99):.2f}"),
            ("BME280_pressure", f"{rng.uniform(98000, 104000):.2f}"),
            ("samples", "622432"),
            ("signal", "-83"),
        ]
        body = {
            "esp8266id": "3654427",
            "software_version": "NRZ-2020-133",
            "sensordatavalues": [{"value_type": t, "value": v} for t, v in values],
        }
        bodies.append(json.dumps(body).encode())
    return bodies


def archive_lines(readings: int, rng: random.Random) -> list[str]:
    lines = ["sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2"]
    start = datetime(2019, 1, 10)
    for i in range(readings // 2):
        moment = (start + timedelta(seconds=150 * i)).isoformat()
        lines.append(f"5331;SDS011;3121;57.138;-2.077;{moment};{rng.uniform(2, 80):.2f};;;{rng.uniform(1, 50):.2f};;")
    return lines


def reference_accepted(bodies: list[bytes]) -> int:
    """Readings the reference parser and validator accept, body by body."""
    accepted = 0
    for body in bodies:
        parsed = payloads.parse_platform_readings(body)
        accepted += len(validate_batch(parsed.readings, NOW).accepted)
    return accepted


def bench_parsing(readings: int, rng: random.Random) -> None:
    print(f"Parsing + validating {readings:,} readings per format")

    bodies = platform_bodies(readings, 1000, rng)
    size = sum(len(b) for b in bodies)

    def run_platform() -> int:
        return reference_accepted(bodies)

    timed(f"platform JSON, {len(bodies):,} bodies x 1000 ({size / 1e6:.0f} MB)", readings, "readings", run_platform)

    pushes = firmware_bodies(readings, rng)

    def run_firmware() -> int:
        accepted = 0
        for body in pushes:
            parsed = payloads.parse_firmware_push(body, NOW)
            accepted += len(validate_batch(parsed.readings, NOW).accepted)
        return accepted

    timed(f"firmware pushes, {len(pushes):,} bodies x 5 values", readings, "readings", run_firmware)

    lines = archive_lines(readings, rng)

    def run_archive() -> int:
        accepted = 0
        for row in payloads.iter_archive_csv(lines):
            accepted += len(validate_batch(row.readings, NOW, ARCHIVE_POLICY).accepted)
        return accepted

    timed(f"archive CSV, {len(lines) - 1:,} rows x 2 values", readings, "readings", run_archive)


def bench_fastlane(readings: int, rng: random.Random) -> None:
    print(f"MQTT messages of 10 readings, {readings:,} readings in batches of 10,000 messages")
    messages = platform_bodies(readings, 10, rng)
    batches = [messages[start:start + 10_000] for start in range(0, len(messages), 10_000)]
    codes = {quantity.value: number for number, quantity in enumerate(Quantity, start=1)}

    def run_reference() -> int:
        return reference_accepted(messages)

    lanes: list[columnar.ReadingColumns] = []

    def run_lane() -> int:
        lanes.clear()
        for batch in batches:
            columns, counts = fastlane.platform_batch(batch, [NOW] * len(batch), [1] * len(batch),
                                                      [frozenset()] * len(batch), codes=codes)
            assert min(counts) >= 0, "a plain message was declined"
            lanes.append(columns)
        return sum(len(columns) for columns in lanes)

    def run_columnar() -> int:
        written = 0
        for columns in lanes:
            written += len(columnar.copy_payload(columns)) > 0
            columnar.summarise(columns)
        return sum(len(columns) for columns in lanes)

    timed("reference parser + validator, message by message", readings, "readings", run_reference)
    timed("fast lane, whole batches (columns out)", readings, "readings", run_lane)
    timed("binary COPY stream + hourly deltas of those columns", readings, "readings", run_columnar)


def bench_aggregates(readings: int, rng: random.Random) -> None:
    print(f"Hourly aggregates of {readings:,} readings")
    stream = [(NOW - timedelta(seconds=150 * i), rng.uniform(0, 100)) for i in range(readings)]

    def run() -> int:
        halves = (
            aggregates.add_to_buckets({}, stream[: readings // 2]),
            aggregates.add_to_buckets({}, stream[readings // 2 :]),
        )
        merged = aggregates.merge_buckets(*halves)
        return sum(a.count for a in merged.values())

    timed("fold into buckets (two halves) and merge", readings, "readings", run)


def bench_index(sensors: int, rng: random.Random) -> None:
    hours = 8760
    print(f"European Air Quality Index, {sensors} sensors x {hours} hourly values x 2 pollutants")
    year: list[dict[Quantity, list[float | None]]] = []
    for _ in range(sensors):
        base = rng.uniform(5, 30)
        pm25 = [max(0.0, base + rng.gauss(0, base / 2)) if rng.random() > 0.05 else None for _ in range(hours)]
        pm10 = [None if v is None else v * rng.uniform(1.2, 2.0) for v in pm25]
        year.append({Quantity.PM2_5: pm25, Quantity.PM10: pm10})
    values = sensors * hours * 2

    def run_current() -> int:
        return sum(sum(1 for level in aqi.station_index_series(s)[0] if level is not None) for s in year)

    timed("current scale (hourly), levels + driving pollutant", values, "values", run_current)

    def run_superseded() -> int:
        total = 0
        for series in year:
            running = {q: aqi.running_means(v) for q, v in series.items()}
            total += sum(1 for level in aqi.station_index_series(running, EAQI_SUPERSEDED)[0] if level is not None)
        return total

    timed("superseded scale (24-h running means first)", values, "values", run_superseded)

    start = datetime(2025, 1, 1, tzinfo=UTC)
    keys = [start + timedelta(hours=h) for h in range(hours)]

    def run_limits() -> int:
        checked = 0
        for series in year:
            for quantity, hourly_values in series.items():
                hourly = {k: v for k, v in zip(keys, hourly_values, strict=True) if v is not None}
                checked += len(limits.assess_year(quantity, 2025, hourly_means=hourly))
        return checked

    timed("limit values for 2025 (daily means derived, 75 % rule)", values, "values", run_limits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--sensors", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="a tenth of the default sizes")
    args = parser.parse_args()
    if args.quick:
        args.readings //= 10
        args.sensors //= 10
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    rng = random.Random(20261125)
    bench_parsing(args.readings, rng)
    bench_fastlane(args.readings, rng)
    bench_aggregates(args.readings, rng)
    bench_index(args.sensors, rng)


if __name__ == "__main__":
    main()
