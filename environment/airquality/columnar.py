"""A batch of readings as columns: PostgreSQL's binary COPY encoding and the per-hour deltas.

Ingest stores batches of up to a few hundred thousand readings. Formatting them row by row
(psycopg's `write_row`, a Python call per row) and summing them per hour in the database from a
staging table cost about a third of the ingest pipeline's CPU. Held as numpy columns, both are a
handful of vectorised operations:

* `copy_payload` builds the whole binary COPY stream (signature, one 44-byte tuple per reading,
  trailer) for the columns (sensor_id bigint, quantity smallint, time timestamptz, value float8),
  as described in PostgreSQL's documentation of COPY, "Binary Format":
  https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
  A timestamptz is sent as int64 microseconds since 2000-01-01 00:00 UTC (the server's
  `integer_datetimes` representation, the only one since PostgreSQL 10).
* `hourly_deltas` groups the batch by (sensor, quantity, UTC hour) and returns each group's
  count, exact sum of round(value * 10^6), minimum and maximum: the same figures, to the bit, as
  the SQL it replaces (`round(value * 1000000)` on float8 rounds half to even, as `numpy.rint`
  and Python's `round` do; 10^6 is exact in binary, so the products are identical).

No Django import: this is part of the pure core (tests/environment/test_airquality_columnar.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

POSTGRES_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
MICROSECOND: Final = timedelta(microseconds=1)
MICROS_PER_HOUR: Final = 3_600_000_000
QUANTUM: Final = 1_000_000  # aggregates keep sums as integer millionths of the unit

COPY_SIGNATURE: Final = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # flags, extension
COPY_TRAILER: Final = b"\xff\xff"

# One tuple: field count, then each field as its length and its big-endian value. A numpy
# structured type without alignment is packed, exactly this layout.
_COPY_TUPLE: Final = np.dtype([
    ("fields", ">i2"),
    ("sensor_length", ">i4"), ("sensor", ">i8"),
    ("quantity_length", ">i4"), ("quantity", ">i2"),
    ("time_length", ">i4"), ("time", ">i8"),
    ("value_length", ">i4"), ("value", ">f8"),
])

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ReadingColumns:
    """Readings as parallel columns; `micros` is the time in µs since `POSTGRES_EPOCH`."""

    sensor: Ints
    quantity: Ints
    micros: Ints
    value: Floats

    def __len__(self) -> int:
        return len(self.sensor)

    def select(self, mask: npt.NDArray[np.bool_]) -> ReadingColumns:
        """The readings where `mask` is true."""
        return ReadingColumns(self.sensor[mask], self.quantity[mask], self.micros[mask], self.value[mask])

    def rows(self) -> list[tuple[int, int, datetime, float]]:
        """The readings as (sensor, quantity, aware UTC time, value) tuples."""
        times: dict[int, datetime] = {}
        micros = self.micros.tolist()
        for moment in set(micros):
            times[moment] = to_datetime(moment)
        return list(zip(self.sensor.tolist(), self.quantity.tolist(), map(times.__getitem__, micros),
                        self.value.tolist(), strict=True))

    @classmethod
    def of(cls, rows: Sequence[tuple[int, int, datetime, float]]) -> ReadingColumns:
        """Columns of (sensor, quantity, aware time, value) rows.

        The readings of one message share their time object, so a time is converted once per
        distinct value, not once per reading. A naive time raises TypeError (it has no instant).
        """
        count = len(rows)
        if not count:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, np.zeros(0, dtype=np.float64))
        # (Four comprehensions: zip(*rows) over a large batch is several times slower.)
        times = [row[2] for row in rows]
        micros_of = {moment: (moment - POSTGRES_EPOCH) // MICROSECOND for moment in set(times)}
        return cls(
            np.fromiter([row[0] for row in rows], dtype=np.int64, count=count),
            np.fromiter([row[1] for row in rows], dtype=np.int64, count=count),
            np.fromiter(map(micros_of.__getitem__, times), dtype=np.int64, count=count),
            np.fromiter([row[3] for row in rows], dtype=np.float64, count=count),
        )


def concatenate(parts: Sequence[ReadingColumns]) -> ReadingColumns:
    """One batch of several (the fast lane's columns and the reference path's rows)."""
    if len(parts) == 1:
        return parts[0]
    return ReadingColumns(*(np.concatenate([getattr(part, name) for part in parts])
                            for name in ("sensor", "quantity", "micros", "value")))


def to_datetime(micros: int) -> datetime:
    """The aware UTC time of a `micros` value."""
    return POSTGRES_EPOCH + timedelta(microseconds=micros)


def copy_payload(columns: ReadingColumns) -> bytes:
    """The complete binary COPY stream for (sensor_id bigint, quantity smallint, time timestamptz,
    value float8). Raises ValueError when a quantity does not fit a smallint (it would wrap)."""
    if len(columns) and (columns.quantity.min() < -32768 or columns.quantity.max() > 32767):
        raise ValueError("quantity: a code does not fit PostgreSQL's smallint")
    tuples = np.empty(len(columns), dtype=_COPY_TUPLE)
    tuples["fields"] = 4
    tuples["sensor_length"] = 8
    tuples["sensor"] = columns.sensor
    tuples["quantity_length"] = 2
    tuples["quantity"] = columns.quantity
    tuples["time_length"] = 8
    tuples["time"] = columns.micros
    tuples["value_length"] = 8
    tuples["value"] = columns.value
    return COPY_SIGNATURE + tuples.tobytes() + COPY_TRAILER


@dataclass(frozen=True, slots=True)
class HourlyDeltas:
    """One entry per (sensor, quantity, hour), sorted by that key; `hour` counts hours since
    `POSTGRES_EPOCH` (UTC hours: the epoch is on the hour)."""

    sensor: Ints
    quantity: Ints
    hour: Ints
    count: Ints
    total_micro: Ints
    minimum: Floats
    maximum: Floats

    def __len__(self) -> int:
        return len(self.sensor)


@dataclass(frozen=True, slots=True)
class BatchSummary:
    hourly: HourlyDeltas
    latest_sensor: Ints  # each sensor of the batch once, ascending ...
    latest_micros: Ints  # ... with the time of its newest reading


def summarise(columns: ReadingColumns) -> BatchSummary:
    """Per-hour deltas and each sensor's newest reading, in one sort of the batch."""
    hour = columns.micros // MICROS_PER_HOUR  # floor division: right for times before 2000 too
    order = np.lexsort((hour, columns.quantity, columns.sensor))
    sensor, quantity, hour = columns.sensor[order], columns.quantity[order], hour[order]
    value, micros = columns.value[order], columns.micros[order]
    count = len(sensor)
    if not count:
        empty = np.zeros(0, dtype=np.int64)
        none = np.zeros(0, dtype=np.float64)
        return BatchSummary(HourlyDeltas(empty, empty, empty, empty, empty, none, none), empty, empty)
    new_sensor = sensor[1:] != sensor[:-1]
    new_group = new_sensor | (quantity[1:] != quantity[:-1]) | (hour[1:] != hour[:-1])
    starts = np.concatenate(([0], np.flatnonzero(new_group) + 1))
    sensor_starts = np.concatenate(([0], np.flatnonzero(new_sensor) + 1))
    micro_values = np.rint(value * QUANTUM).astype(np.int64)
    hourly = HourlyDeltas(
        sensor=sensor[starts],
        quantity=quantity[starts],
        hour=hour[starts],
        count=np.diff(np.append(starts, count)),
        total_micro=np.add.reduceat(micro_values, starts),
        minimum=np.minimum.reduceat(value, starts),
        maximum=np.maximum.reduceat(value, starts),
    )
    return BatchSummary(hourly, sensor[sensor_starts], np.maximum.reduceat(micros, sensor_starts))
