"""The columnar batch: the binary COPY stream PostgreSQL reads, and per-hour deltas identical to
the row-by-row arithmetic (the SQLite path and the SQL of the exact form)."""

from __future__ import annotations

import struct
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from environment.airquality.columnar import (
    COPY_SIGNATURE,
    COPY_TRAILER,
    POSTGRES_EPOCH,
    ReadingColumns,
    copy_payload,
    summarise,
    to_datetime,
)

T0 = datetime(2026, 11, 25, 9, 59, 59, 999_999, tzinfo=UTC)


def decode_copy(data: bytes) -> list[tuple[int, int, datetime, float]]:
    """A reader of PostgreSQL's binary COPY format for our four columns, written from the spec."""
    assert data.startswith(COPY_SIGNATURE) and data.endswith(COPY_TRAILER)
    body = data[len(COPY_SIGNATURE):-len(COPY_TRAILER)]
    rows = []
    position = 0
    while position < len(body):
        (fields,) = struct.unpack_from("!h", body, position)
        assert fields == 4
        position += 2
        values = []
        for fmt in ("!q", "!h", "!q", "!d"):
            (length,) = struct.unpack_from("!i", body, position)
            assert length == struct.calcsize(fmt)
            values.append(struct.unpack_from(fmt, body, position + 4)[0])
            position += 4 + length
        sensor, quantity, micros, value = values
        rows.append((sensor, quantity, POSTGRES_EPOCH + timedelta(microseconds=micros), value))
    return rows


def test_copy_payload_is_the_documented_binary_format() -> None:
    rows = [(1, 2, T0, 12.5), (2**40, -3, datetime(1999, 12, 31, 23, 0, tzinfo=UTC), -0.0),
            (7, 32767, T0 + timedelta(microseconds=1), 1e-300)]
    assert decode_copy(copy_payload(ReadingColumns.of(rows))) == rows


def test_empty_batch_is_a_valid_empty_copy() -> None:
    columns = ReadingColumns.of([])
    assert copy_payload(columns) == COPY_SIGNATURE + COPY_TRAILER
    summary = summarise(columns)
    assert len(summary.hourly) == 0 and len(summary.latest_sensor) == 0


def test_a_quantity_code_that_would_wrap_is_refused() -> None:
    with pytest.raises(ValueError, match="quantity"):
        copy_payload(ReadingColumns.of([(1, 40_000, T0, 1.0)]))


def test_times_in_any_zone_are_the_same_instant_and_naive_times_are_refused() -> None:
    bucharest = timezone(timedelta(hours=2))
    columns = ReadingColumns.of([(1, 1, T0, 1.0), (1, 1, T0.astimezone(bucharest), 2.0)])
    assert columns.micros[0] == columns.micros[1]
    assert to_datetime(int(columns.micros[0])) == T0
    with pytest.raises(TypeError):
        ReadingColumns.of([(1, 1, T0.replace(tzinfo=None), 1.0)])


def reference_hourly(rows: list[tuple[int, int, datetime, float]]) -> dict[tuple[int, int, datetime], tuple]:
    groups: dict[tuple[int, int, datetime], list[float]] = defaultdict(list)
    for sensor, quantity, moment, value in rows:
        hour = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        groups[(sensor, quantity, hour)].append(value)
    return {key: (len(values), sum(round(v * 1_000_000) for v in values), min(values), max(values))
            for key, values in groups.items()}


values = st.one_of(
    st.floats(min_value=-1e5, max_value=1e5, allow_nan=False),
    st.integers(min_value=-2000, max_value=2000).map(lambda n: n / 2_000_000),  # exact halves of a millionth
    st.sampled_from([0.0, -0.0, 0.5e-6, 1.5e-6, 2.5e-6, -2.5e-6, 110_000.0]),
)
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1),
                       timezones=st.sampled_from([UTC, timezone(timedelta(hours=3)),
                                                  timezone(timedelta(hours=-5, minutes=-30))]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), moments, values), max_size=60))
def test_hourly_deltas_equal_row_by_row_arithmetic(rows: list[tuple[int, int, datetime, float]]) -> None:
    summary = summarise(ReadingColumns.of(rows))
    hourly = summary.hourly
    got = {(s, q, to_datetime(h * 3_600_000_000)): (n, total, low, high)
           for s, q, h, n, total, low, high in zip(hourly.sensor.tolist(), hourly.quantity.tolist(),
                                                   hourly.hour.tolist(), hourly.count.tolist(),
                                                   hourly.total_micro.tolist(), hourly.minimum.tolist(),
                                                   hourly.maximum.tolist(), strict=True)}
    assert got == reference_hourly(rows)
    keys = list(zip(hourly.sensor.tolist(), hourly.quantity.tolist(), hourly.hour.tolist(), strict=True))
    assert keys == sorted(keys)  # the upsert's lock order
    latest: dict[int, datetime] = {}
    for sensor, _quantity, moment, _value in rows:
        latest[sensor] = max(latest.get(sensor, moment), moment)
    assert {s: to_datetime(m) for s, m in zip(summary.latest_sensor.tolist(), summary.latest_micros.tolist(),
                                               strict=True)} == latest
