"""Writing a batch of accepted readings and keeping the aggregates in step, in one transaction.

What happens, whatever the batch size:

1. insert the readings, skipping those already stored (ON CONFLICT DO NOTHING on the
   primary key sensor+time+quantity); only the rows actually inserted count, so a message
   delivered twice changes nothing, not even the aggregates;
2. add the inserted rows' per-hour delta to the hourly aggregates (upsert count, exact
   sum, min, max) and get the new totals back;
3. add the matching delta to the daily aggregates. The daily row also keeps the number of
   hours with data and the sum of the hourly means (for the EU daily mean); both follow
   from the hourly upsert's result: an hour whose previous count was 0 is new, and the
   change of its (rounded) mean is new_mean - old_mean, where old = new - our delta.
   Telescoping, the daily sum is exactly the sum of the final hourly means in any order;
4. on PostgreSQL, write each touched day's valid EU daily mean into the sensor's year series
   (one row per sensor, quantity and year holding 366 daily means, environment_dailyseries),
   so that a year of the whole city is read as a few hundred rows (see docs/environment.md);
5. move the sensors' last reading time forward.

On PostgreSQL the batch is turned into numpy columns (environment.airquality.columnar): the
whole batch becomes one binary COPY stream, and its per-hour deltas and each sensor's newest
time are summed there, with the same rounding as the SQL they replaced. Step 1 runs
optimistically as that COPY straight into the readings table, inside a savepoint: almost every
batch is new, and PostgreSQL inserts COPY rows in bulk, cheaper than any INSERT. Step 2 is one
statement (a data-modifying CTE) upserting the ~one delta per sensor, quantity and hour, sent as
arrays. When the primary key refuses a row (a redelivered message, or a reading repeated within
the batch), the savepoint is rolled back and the exact form runs: the same stream is COPYed into a
session-private staging table (a temporary table emptied at every commit: no WAL, no index), and
one statement inserts from it with ON CONFLICT DO NOTHING and computes the delta from the rows
actually inserted (RETURNING). Either way only new rows count. Steps 3 and 4 are one statement
each.

Concurrency: several workers (and HTTP pushes) share the aggregate rows of the same sensors.
The readings are inserted before any aggregate row is touched, so those rows stay locked only
from the hourly upsert to the commit; and keys are sorted before each upsert, so concurrent
writers lock rows in the same order and do not deadlock.

SQLite (development, tests) runs the same steps with VALUES lists and the hourly delta
computed in Python; both give identical figures (the same IEEE rounding of value * 10^6).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from environment.airquality.columnar import (
    HourlyDeltas,
    ReadingColumns,
    copy_payload,
    summarise,
    to_datetime,
)

QUANTUM = 1_000_000
SQLITE_CHUNK = 800  # rows per statement; keeps under SQLite's bound-parameter limit

READING_TABLE = "environment_reading"
HOURLY_TABLE = "environment_hourlyaggregate"
DAILY_TABLE = "environment_dailyaggregate"
SENSOR_TABLE = "environment_sensor"


class Row(NamedTuple):
    """An accepted reading ready to store: value in canonical unit, time aware (UTC).

    A tuple, not a dataclass: ingest makes hundreds of thousands a second, and a tuple in the
    staging table's column order is what the binary COPY writes as it is.
    """

    sensor_pk: int
    quantity: int
    time: dt.datetime
    value: float


@dataclass(slots=True)
class StoreResult:
    inserted: int = 0
    duplicates: int = 0
    sensors: set[int] = field(default_factory=set)
    hours: int = 0

    def merge(self, other: StoreResult) -> None:
        self.inserted += other.inserted
        self.duplicates += other.duplicates
        self.sensors |= other.sensors
        self.hours += other.hours


@lru_cache(maxsize=1)
def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=4096)
def required_hours(day: dt.date) -> int:
    """Hours with data a valid daily mean needs: 75 % of the day's hours (EU rule), i.e. 18 of
    24, 18 of 23 and 19 of 25 on the daylight-saving days."""
    from environment.airquality.aggregates import hours_in_day, required_count

    return required_count(hours_in_day(day, local_zone()), 0.75)


def eu_daily_mean(hours: int, hourly_mean_micro: int, day: dt.date) -> float | None:
    return hourly_mean_micro / hours / QUANTUM if hours and hours >= required_hours(day) else None


SERIES_TABLE = "environment_dailyseries"


def _micro(value: float) -> int:
    return round(value * QUANTUM)


def _rounded_mean(total_micro: int, count: int) -> int:
    """round(total / count) with integers only (half away from zero), so every writer agrees."""
    if total_micro >= 0:
        return (2 * total_micro + count) // (2 * count)
    return -((-2 * total_micro + count) // (2 * count))


def _hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _parse_sqlite_time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def _parse_sqlite_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# --- statements -------------------------------------------------------------------------------


def _pg_array(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal of numbers, dates or timestamps (None is NULL).

    Sent as one text parameter: psycopg adapts a Python list element by element in Python,
    which for the few thousand aggregate keys of a large batch cost more than the statement.
    None of these types' text forms needs quoting inside an array literal.
    """
    return "{" + ",".join("NULL" if value is None else value.isoformat() if hasattr(value, "isoformat")
                          else repr(value) if isinstance(value, float) else str(value) for value in values) + "}"



STAGE_TABLE = "environment_ingest_stage"
_PG_CREATE_STAGE = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} (sensor_id bigint NOT NULL, quantity smallint NOT NULL, "
    "time timestamptz NOT NULL, value float8 NOT NULL) ON COMMIT DELETE ROWS"
)
# Step 2: upsert the hourly deltas (a CTE named delta, one row per sensor, quantity and hour)
# and return each hour's new totals with its delta. Keys are sorted so concurrent writers lock
# the shared rows in the same order.
_UPSERT_HOURLY_DELTA = f"""
, up AS (
    INSERT INTO {HOURLY_TABLE} AS h (sensor_id, quantity, hour, count, total_micro, minimum, maximum)
    SELECT sensor_id, quantity, hour, n, total, low, high FROM delta ORDER BY 1, 2, 3
    ON CONFLICT (sensor_id, quantity, hour) DO UPDATE SET count = h.count + EXCLUDED.count,
        total_micro = h.total_micro + EXCLUDED.total_micro, minimum = LEAST(h.minimum, EXCLUDED.minimum),
        maximum = GREATEST(h.maximum, EXCLUDED.maximum)
    RETURNING sensor_id, quantity, hour, count, total_micro
)
SELECT up.sensor_id, up.quantity, up.hour, up.count, up.total_micro, delta.n, delta.total, delta.low, delta.high
FROM up JOIN delta USING (sensor_id, quantity, hour)
"""  # noqa: S608 (constants)

# The fast form: every row was inserted by the direct COPY; the deltas, summed in numpy
# (environment.airquality.columnar), come as arrays, the hour as hours since 2000-01-01 UTC.
_PG_FAST_HOURLY = """
WITH delta AS (
    SELECT sensor_id, quantity, TIMESTAMPTZ '2000-01-01T00:00:00Z' + hour_index * INTERVAL '1 hour' AS hour,
           n, total, low, high
    FROM unnest(%s::bigint[], %s::smallint[], %s::bigint[], %s::integer[], %s::bigint[], %s::float8[], %s::float8[])
        AS d(sensor_id, quantity, hour_index, n, total, low, high)
)""" + _UPSERT_HOURLY_DELTA  # noqa: S608 (constants)

# The exact form: steps 1 and 2 from the staging table, the delta computed in SQL from the rows
# actually inserted (RETURNING), with the same rounding as numpy's (round() on float8 rounds
# half to even, as numpy.rint does).
_PG_EXACT = f"""
WITH ins AS (
    INSERT INTO {READING_TABLE} (sensor_id, time, quantity, value)
    SELECT sensor_id, time, quantity, value FROM {STAGE_TABLE}
    ON CONFLICT DO NOTHING RETURNING sensor_id, quantity, time, value
), delta AS (
    SELECT sensor_id, quantity, date_bin('1 hour', time, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS hour,
           count(*)::integer AS n, sum(round(value * 1000000))::bigint AS total, min(value) AS low, max(value) AS high
    FROM ins GROUP BY 1, 2, 3
)""" + _UPSERT_HOURLY_DELTA  # noqa: S608 (constants)


def _pg_insert_and_hourly(columns: ReadingColumns, hourly: HourlyDeltas
                          ) -> tuple[int, list[tuple[int, int, dt.datetime, int, int, _Delta]]]:
    """Steps 1 and 2; returns (rows inserted, per-hour new totals and deltas).

    The fast form: one binary COPY of the whole batch straight into the readings table, inside
    a savepoint, then the batch's hourly deltas (summed in numpy, `hourly`) upserted. If the
    primary key refuses a row, the savepoint is rolled back and the exact form COPYs the batch
    into the staging table and inserts from there with ON CONFLICT DO NOTHING, the delta
    computed from the rows it inserted.
    """
    import psycopg

    raw = connection.connection
    payload = copy_payload(columns)
    # Errors are turned into Django's (IntegrityError, DatabaseError...) as for any query, so
    # callers (the MQTT worker's retry logic) see one family of exceptions.
    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        try:
            with transaction.atomic():  # a savepoint: a refused fast form leaves nothing behind
                statement = f"COPY {READING_TABLE} (sensor_id, quantity, time, value) FROM STDIN (FORMAT BINARY)"
                with cursor.copy(statement) as copy:
                    copy.write(payload)
        except psycopg.errors.UniqueViolation:
            # A redelivered or repeated reading: store each once.
            cursor.execute(_PG_CREATE_STAGE)
            with cursor.copy(f"COPY {STAGE_TABLE} FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(payload)
            cursor.execute(_PG_EXACT)
            result = cursor.fetchall()
            if len(connection.atomic_blocks) > 1:
                # Inside a caller's transaction (tests, one-off scripts) the commit that empties
                # the staging table may be far off: empty it now so the next batch starts clean.
                cursor.execute(f"DELETE FROM {STAGE_TABLE}")  # noqa: S608 (constant)
        else:
            # Every row was new: the readings are in, before any aggregate row is locked (those
            # rows, which concurrent workers share, stay locked only from here to the commit).
            cursor.execute(_PG_FAST_HOURLY, [
                _pg_array(column.tolist()) for column in (hourly.sensor, hourly.quantity, hourly.hour, hourly.count,
                                                          hourly.total_micro, hourly.minimum, hourly.maximum)])
            result = cursor.fetchall()
    inserted = sum(n for *_head, n, _t, _l, _h in result)
    return inserted, [(s, q, h, c, t, _Delta(n, total, low, high)) for s, q, h, c, t, n, total, low, high in result]


def _insert_readings(rows: Sequence[Row]) -> list[tuple[int, int, dt.datetime, float]]:
    """SQLite: insert, skipping duplicates; returns the inserted rows as (sensor, quantity, time, value)."""
    adapt = connection.ops.adapt_datetimefield_value
    inserted: list[tuple[int, int, dt.datetime, float]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), SQLITE_CHUNK):
            chunk = rows[start:start + SQLITE_CHUNK]
            params: list[Any] = []
            for sensor_pk, quantity, moment, value in chunk:
                params += [sensor_pk, adapt(moment), quantity, value]
            cursor.execute(
                f"INSERT INTO {READING_TABLE} (sensor_id, time, quantity, value) VALUES "  # noqa: S608
                + ",".join(["(%s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT DO NOTHING RETURNING sensor_id, quantity, time, value",
                params,
            )
            inserted += [(s, q, _parse_sqlite_time(t), v) for s, q, t, v in cursor.fetchall()]
    return inserted


@dataclass(slots=True)
class _Delta:
    count: int
    total_micro: int
    minimum: float
    maximum: float


def _upsert_hourly(deltas: dict[tuple[int, int, dt.datetime], _Delta]) -> list[tuple[int, int, dt.datetime, int, int]]:
    """SQLite: add deltas to hourly rows; returns (sensor, quantity, hour, new count, new total_micro)."""
    keys = sorted(deltas)
    adapt = connection.ops.adapt_datetimefield_value
    result: list[tuple[int, int, dt.datetime, int, int]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), SQLITE_CHUNK):
            chunk = keys[start:start + SQLITE_CHUNK]
            params: list[Any] = []
            for k in chunk:
                d = deltas[k]
                params += [k[0], k[1], adapt(k[2]), d.count, d.total_micro, d.minimum, d.maximum]
            cursor.execute(
                f"INSERT INTO {HOURLY_TABLE} AS h (sensor_id, quantity, hour, count, total_micro, minimum, maximum) "  # noqa: S608
                "VALUES " + ",".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (sensor_id, quantity, hour) DO UPDATE SET count = h.count + excluded.count, "
                "total_micro = h.total_micro + excluded.total_micro, minimum = min(h.minimum, excluded.minimum), "
                "maximum = max(h.maximum, excluded.maximum) "
                "RETURNING sensor_id, quantity, hour, count, total_micro",
                params,
            )
            result += [(s, q, _parse_sqlite_time(h), c, t) for s, q, h, c, t in cursor.fetchall()]
    return result


@dataclass(slots=True)
class _DailyDelta:
    count: int = 0
    total_micro: int = 0
    minimum: float = float("inf")
    maximum: float = float("-inf")
    hours: int = 0
    hourly_mean_micro: int = 0


def _upsert_daily(deltas: dict[tuple[int, int, dt.date], _DailyDelta]) -> None:
    keys = sorted(deltas)
    columns = "(sensor_id, quantity, day, count, total_micro, minimum, maximum, hours, hourly_mean_micro)"
    if _is_postgres():
        _pg_upsert_daily(keys, deltas, columns)
        return
    _sqlite_upsert_daily(keys, deltas, columns)


def _pg_upsert_daily(keys: list[tuple[int, int, dt.date]], deltas: dict[tuple[int, int, dt.date], _DailyDelta],
                     columns: str) -> None:
    update = ("count = d.count + EXCLUDED.count, total_micro = d.total_micro + EXCLUDED.total_micro, "
              "minimum = LEAST(d.minimum, EXCLUDED.minimum), maximum = GREATEST(d.maximum, EXCLUDED.maximum), "
              "hours = d.hours + EXCLUDED.hours, "
              "hourly_mean_micro = d.hourly_mean_micro + EXCLUDED.hourly_mean_micro")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DAILY_TABLE} AS d {columns} "  # noqa: S608
            "SELECT * FROM unnest(%s::bigint[], %s::smallint[], %s::date[], %s::integer[], %s::bigint[], "
            "%s::float8[], %s::float8[], %s::smallint[], %s::bigint[]) "
            f"ON CONFLICT (sensor_id, quantity, day) DO UPDATE SET {update} "
            "RETURNING sensor_id, quantity, day, hours, hourly_mean_micro",
            [_pg_array(k[0] for k in keys), _pg_array(k[1] for k in keys), _pg_array(k[2] for k in keys),
             _pg_array(deltas[k].count for k in keys), _pg_array(deltas[k].total_micro for k in keys),
             _pg_array(deltas[k].minimum for k in keys), _pg_array(deltas[k].maximum for k in keys),
             _pg_array(deltas[k].hours for k in keys), _pg_array(deltas[k].hourly_mean_micro for k in keys)],
        )
        days = cursor.fetchall()
    _pg_update_series(days)


def _pg_update_series(days: list[tuple[int, int, dt.date, int, int]]) -> None:
    """Write each day's valid EU mean (thousandths of the unit; NULL when invalid) into its year row.

    A batch normally touches one day per sensor and quantity: one UPDATE sets those elements.
    An import touching several days of the same series runs one UPDATE per extra day ("rounds"),
    since one UPDATE cannot change the same row twice.
    """
    rounds: list[list[tuple[int, int, int, int, int | None]]] = []
    seen: dict[tuple[int, int, int], int] = {}
    for sensor_pk, quantity, day, hours, hourly_micro in sorted(days):
        mean = eu_daily_mean(hours, hourly_micro, day)
        target = (sensor_pk, quantity, day.year)
        index = seen.get(target, 0)
        seen[target] = index + 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append((sensor_pk, quantity, day.year, day.timetuple().tm_yday,
                              None if mean is None else round(mean * 1000)))
    with connection.cursor() as cursor:
        targets = sorted(seen)
        cursor.execute(
            f"INSERT INTO {SERIES_TABLE} (quantity, year, sensor_id, means) "  # noqa: S608
            "SELECT q, y, s, array_fill(NULL::integer, ARRAY[366]) "
            "FROM unnest(%s::smallint[], %s::smallint[], %s::bigint[]) AS t(q, y, s) ORDER BY 1, 2, 3 "
            "ON CONFLICT DO NOTHING",
            [_pg_array(t[1] for t in targets), _pg_array(t[2] for t in targets), _pg_array(t[0] for t in targets)])
        for updates in rounds:
            cursor.execute(
                f"UPDATE {SERIES_TABLE} AS s SET means[v.i] = v.m "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::smallint[], %s::smallint[], %s::integer[], %s::integer[]) "
                "AS v(sensor_id, quantity, year, i, m) "
                "WHERE s.sensor_id = v.sensor_id AND s.quantity = v.quantity AND s.year = v.year",
                [_pg_array(u[0] for u in updates), _pg_array(u[1] for u in updates),
                 _pg_array(u[2] for u in updates), _pg_array(u[3] for u in updates),
                 _pg_array(u[4] for u in updates)])


def _sqlite_upsert_daily(keys: list[tuple[int, int, dt.date]], deltas: dict[tuple[int, int, dt.date], _DailyDelta],
                         columns: str) -> None:
    update = ("count = d.count + excluded.count, total_micro = d.total_micro + excluded.total_micro, "
              "minimum = min(d.minimum, excluded.minimum), maximum = max(d.maximum, excluded.maximum), "
              "hours = d.hours + excluded.hours, hourly_mean_micro = d.hourly_mean_micro + excluded.hourly_mean_micro")
    with connection.cursor() as cursor:
        for start in range(0, len(keys), SQLITE_CHUNK):
            chunk = keys[start:start + SQLITE_CHUNK]
            params: list[Any] = []
            for k in chunk:
                d = deltas[k]
                params += [k[0], k[1], k[2].isoformat(), d.count, d.total_micro, d.minimum, d.maximum, d.hours,
                           d.hourly_mean_micro]
            cursor.execute(
                f"INSERT INTO {DAILY_TABLE} AS d {columns} VALUES "  # noqa: S608
                + ",".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
                + f" ON CONFLICT (sensor_id, quantity, day) DO UPDATE SET {update}",
                params,
            )


def _touch_sensors(latest: dict[int, dt.datetime]) -> None:
    ids = sorted(latest)
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {SENSOR_TABLE} AS s SET last_reading_at = v.t "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, t) "
                "WHERE s.id = v.id AND (s.last_reading_at IS NULL OR s.last_reading_at < v.t)",
                [_pg_array(ids), _pg_array(latest[i] for i in ids)],
            )
        return
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {SENSOR_TABLE} SET last_reading_at = %s "  # noqa: S608
            "WHERE id = %s AND (last_reading_at IS NULL OR last_reading_at < %s)",
            [(adapt(latest[i]), i, adapt(latest[i])) for i in ids],
        )


# --- the batch --------------------------------------------------------------------------------


def _generic_insert_and_hourly(batch: Sequence[Row]) -> tuple[int, list[tuple[int, int, dt.datetime, int, int,
                                                                              _Delta]]]:
    inserted = _insert_readings(batch)
    hourly: dict[tuple[int, int, dt.datetime], _Delta] = {}
    for sensor_pk, quantity, moment, value in inserted:
        key = (sensor_pk, quantity, _hour_of(moment))
        delta = hourly.get(key)
        if delta is None:
            hourly[key] = _Delta(1, _micro(value), value, value)
        else:
            delta.count += 1
            delta.total_micro += _micro(value)
            delta.minimum = min(delta.minimum, value)
            delta.maximum = max(delta.maximum, value)
    if not hourly:
        return 0, []
    return len(inserted), [(s, q, h, c, t, hourly[(s, q, h.astimezone(dt.UTC))])
                           for s, q, h, c, t in _upsert_hourly(hourly)]


def store_readings(rows: Iterable[Row] | ReadingColumns) -> StoreResult:
    """Store accepted readings and update the aggregates. Call inside transaction.atomic.

    Rows may be plain tuples in Row's field order, or columns (the MQTT fast lane makes those).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("store_readings must run inside the batch's transaction")
    result = StoreResult()
    if not len(rows := rows if isinstance(rows, ReadingColumns) else list(rows)):
        return result
    latest: dict[int, dt.datetime] = {}
    if _is_postgres():
        columns = rows if isinstance(rows, ReadingColumns) else ReadingColumns.of(rows)
        summary = summarise(columns)
        latest = {int(sensor_pk): to_datetime(int(micros))
                  for sensor_pk, micros in zip(summary.latest_sensor.tolist(), summary.latest_micros.tolist(),
                                               strict=True)}
        count, hours = _pg_insert_and_hourly(columns, summary.hourly)
    else:
        batch = [Row(*row) for row in rows.rows()] if isinstance(rows, ReadingColumns) else rows
        for sensor_pk, _quantity, moment, _value in batch:
            previous = latest.get(sensor_pk)
            if previous is None or moment > previous:
                latest[sensor_pk] = moment
        count, hours = _generic_insert_and_hourly(batch)
    result.sensors = set(latest)
    result.inserted = count
    result.duplicates = len(rows) - count
    result.hours = len(hours)
    if hours:
        zone = local_zone()
        daily: dict[tuple[int, int, dt.date], _DailyDelta] = defaultdict(_DailyDelta)
        for sensor_pk, quantity, hour, count, total, delta in hours:
            hour_utc = hour.astimezone(dt.UTC)
            day = daily[(sensor_pk, quantity, hour_utc.astimezone(zone).date())]
            day.count += delta.count
            day.total_micro += delta.total_micro
            day.minimum = min(day.minimum, delta.minimum)
            day.maximum = max(day.maximum, delta.maximum)
            old_count = count - delta.count
            new_mean = _rounded_mean(total, count)
            if old_count == 0:
                day.hours += 1
                day.hourly_mean_micro += new_mean
            else:
                day.hourly_mean_micro += new_mean - _rounded_mean(total - delta.total_micro, old_count)
        _upsert_daily(daily)
    _touch_sensors(latest)
    return result


def store_batch(rows: Iterable[Row] | ReadingColumns, quarantined: Sequence[Any] = ()) -> StoreResult:
    """One transaction: readings, aggregates and quarantine records together."""
    from environment.models import QuarantinedReading

    with transaction.atomic():
        result = store_readings(rows)
        if quarantined:
            QuarantinedReading.objects.bulk_create(quarantined)
    return result
