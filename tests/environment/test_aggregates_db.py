"""The stored aggregates always equal what the raw readings say, whatever the batching, order
or duplicates — checked against the pure core (environment.airquality.aggregates)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from environment.airquality.aggregates import Aggregate, daily_means
from environment.catalog import QUANTITY_OF
from environment.ingest.store import Row, local_zone, store_readings
from environment.models import DailyAggregate, HourlyAggregate, Reading
from environment.selectors import daily_mean_arrays, day_row

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 28, 20, 0, tzinfo=dt.UTC)  # spans the spring daylight-saving change


def expected_from_raw(sensor_pk: int) -> tuple[dict[Any, Aggregate], dict[tuple[int, dt.date], Any]]:
    hourly: dict[tuple[int, dt.datetime], list[float]] = defaultdict(list)
    for quantity, moment, value in Reading.objects.filter(sensor_id=sensor_pk).values_list("quantity", "time",
                                                                                          "value"):
        hourly[(quantity, moment.replace(minute=0, second=0, microsecond=0))].append(value)
    aggregates = {key: Aggregate.of_values(values) for key, values in hourly.items()}
    days: dict[tuple[int, dt.date], Any] = {}
    for quantity in {q for q, _h in aggregates}:
        means = {hour: agg.total_micro / agg.count / 1e6 for (q, hour), agg in aggregates.items() if q == quantity}
        for day, mean in daily_means(means, local_zone()).items():
            days[(quantity, day)] = mean
    return aggregates, days


def assert_aggregates_match(sensor_pk: int) -> None:
    aggregates, days = expected_from_raw(sensor_pk)
    stored = {(h.quantity, h.hour): h for h in HourlyAggregate.objects.filter(sensor_id=sensor_pk)}
    assert set(stored) == set(aggregates)
    for key, expected in aggregates.items():
        row = stored[key]
        assert (row.count, row.total_micro) == (expected.count, expected.total_micro)
        assert (row.minimum, row.maximum) == (expected.minimum, expected.maximum)
    for d in DailyAggregate.objects.filter(sensor_id=sensor_pk):
        mean = days[(d.quantity, d.day)]
        assert d.hours == mean.hours_with_data
        view = day_row(d.day, d.count, d.total_micro, d.minimum, d.maximum, d.hours, d.hourly_mean_micro)
        if mean.value is None:
            assert view.eu_mean is None
        else:
            assert view.eu_mean == pytest.approx(mean.value, abs=1e-6)
        # The year series read by the open data (kept by ingest on PostgreSQL) says the same.
        year = daily_mean_arrays(d.day.year, str(QUANTITY_OF[d.quantity]), [sensor_pk])
        stored_mean = year.values.get(sensor_pk, [None] * 366)[(d.day - dt.date(d.day.year, 1, 1)).days]
        if mean.value is None:
            assert stored_mean is None
        else:
            assert stored_mean == pytest.approx(mean.value, abs=0.0006)


def test_batches_in_any_order_with_duplicates_give_exact_aggregates(register: Any) -> None:
    sensor, _key = register()
    rng = random.Random(7)
    rows = [Row(sensor.pk, rng.choice([1, 2]), START + dt.timedelta(seconds=150 * i), round(rng.uniform(0, 80), 2))
            for i in range(2000)]
    shuffled = rows + rng.sample(rows, 500)  # 500 redeliveries
    rng.shuffle(shuffled)
    for start in range(0, len(shuffled), 333):
        with transaction.atomic():
            store_readings(shuffled[start:start + 333])
    assert Reading.objects.filter(sensor=sensor).count() == len({(r.quantity, r.time) for r in rows})
    assert_aggregates_match(sensor.pk)
    # 28-29 March 2026 in Bucharest: the night of the change has a 23-hour day.
    assert DailyAggregate.objects.filter(sensor=sensor, day=dt.date(2026, 3, 29), quantity=1).get().hours == 23


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3 * 24 * 60), st.sampled_from([1, 2, 4]),
                          st.floats(-40, 1000, allow_nan=False).map(lambda v: round(v, 3))),
                min_size=1, max_size=120),
       st.integers(1, 40), st.randoms(use_true_random=False))
def test_property_aggregates_equal_raw(register: Any, readings: list[tuple[int, int, float]], batch: int,
                                       rng: random.Random) -> None:
    from environment.models import Sensor

    sensor = Sensor.objects.filter(sensor_id="prop").first() or register("prop", kind="BME280",
                                                                          quantities=["pm10", "pm2_5",
                                                                                      "temperature"])[0]
    Reading.objects.filter(sensor=sensor).delete()
    HourlyAggregate.objects.filter(sensor=sensor).delete()
    DailyAggregate.objects.filter(sensor=sensor).delete()
    rows = [Row(sensor.pk, q, START + dt.timedelta(minutes=m), v) for m, q, v in readings]
    rows += rng.sample(rows, len(rows) // 3)
    rng.shuffle(rows)
    for start in range(0, len(rows), batch):
        with transaction.atomic():
            store_readings(rows[start:start + batch])
    assert_aggregates_match(sensor.pk)


@pytest.mark.django_db(transaction=True)
def test_store_refuses_to_run_outside_a_transaction(register: Any) -> None:
    sensor, _key = register()
    with pytest.raises(RuntimeError, match="transaction"):
        store_readings([Row(sensor.pk, 1, START, 1.0)])


def test_last_reading_time_only_moves_forward(register: Any) -> None:
    sensor, _key = register()
    with transaction.atomic():
        store_readings([Row(sensor.pk, 1, START, 1.0)])
    with transaction.atomic():
        store_readings([Row(sensor.pk, 1, START - dt.timedelta(days=3), 1.0)])  # late, backfilled reading
    sensor.refresh_from_db()
    assert sensor.last_reading_at == START


def test_a_batch_repeating_itself_or_stored_rows_falls_back_to_the_exact_form(register: Any) -> None:
    """The fast form (COPY straight into the table) is refused by the primary key when a batch
    carries a reading twice or one already stored; the exact form then stores each once, and
    the staging table is left empty for the next batch of the same transaction."""
    sensor, _key = register("fallback", kind="SDS011")
    first = [Row(sensor.pk, 2, START + dt.timedelta(minutes=m), 10.0 + m) for m in range(5)]
    with transaction.atomic():
        assert store_readings(first).inserted == 5
        repeated = [*first[3:], Row(sensor.pk, 2, START + dt.timedelta(minutes=9), 3.0)] * 2
        result = store_readings(repeated)
        assert (result.inserted, result.duplicates) == (1, 5)
        later = [Row(sensor.pk, 1, START + dt.timedelta(minutes=m), 20.0) for m in range(3)]
        assert store_readings(later).inserted == 3  # nothing left over from the refused attempt
    assert Reading.objects.filter(sensor=sensor).count() == 9
    assert_aggregates_match(sensor.pk)
