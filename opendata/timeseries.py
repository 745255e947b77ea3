"""Whether a table of text cells is a time series, and its first series (pure: no Django).

A dataset page charts the first CSV that has a date or date-time column and a numeric column. When the
table mixes several series (air quality: one per sensor and quantity; KPI measurements: one per KPI), the
other fields of its primary key tell them apart and the first series met is charted. Without a Table
Schema the column types are guessed from the cells, and the times must then be unique: a table whose
rows cannot be told apart is not charted rather than charted wrongly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

TIME_KINDS = ("date", "datetime")
NUMBER_KINDS = ("number", "integer")
# Columns that count or locate rather than measure: charted only when nothing else is numeric.
_NOT_MEASURES = {"count", "hours", "year", "lat", "lon", "latitude", "longitude", "id", "position"}
_PREFERRED_VALUES = ("value", "mean", "eu_mean", "progress_percent")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
MAX_POINTS = 31  # a month of days: a readable line and a data table that stays short


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # a Frictionless type: string, number, integer, date, datetime, boolean, ...


@dataclass(frozen=True)
class SeriesPoint:
    time: dt.datetime  # aware
    value: float
    time_text: str  # the cell as written in the file
    value_text: str


@dataclass(frozen=True)
class TimeSeries:
    time_column: str
    value_column: str
    label: str  # which series of the table: "sensor-1 · pm2_5", or "" when the table holds one
    unit: str  # from a "unit" column, or ""
    points: list[SeriesPoint]
    dated: bool = False  # the time column holds dates (days), not date-times


def guess_kind(cells: Sequence[str]) -> str:
    """The Frictionless type every non-empty cell fits: date, datetime, integer, number or string."""
    filled = [cell for cell in cells if cell != ""]
    if not filled:
        return "string"
    if all(_DATE.match(cell) for cell in filled):
        return "date"
    if all(_DATETIME.match(cell) for cell in filled):
        return "datetime"
    if all(re.fullmatch(r"-?\d+", cell) for cell in filled):
        return "integer"
    if all(_is_number(cell) for cell in filled):
        return "number"
    return "string"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")


def parse_time(cell: str, tz: dt.tzinfo) -> dt.datetime | None:
    """A date (midnight in `tz`) or an ISO 8601 date-time (naive means UTC) as an aware datetime."""
    try:
        if _DATE.match(cell):
            day = dt.date.fromisoformat(cell)
            return dt.datetime(day.year, day.month, day.day, tzinfo=tz)
        if _DATETIME.match(cell):
            moment = dt.datetime.fromisoformat(cell.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return None


def _value_column(columns: Sequence[Column], excluded: set[str]) -> Column | None:
    numeric = [column for column in columns if column.kind in NUMBER_KINDS and column.name not in excluded]
    for name in _PREFERRED_VALUES:
        for column in numeric:
            if column.name == name:
                return column
    measures = [column for column in numeric if column.name.lower() not in _NOT_MEASURES]
    return measures[0] if measures else None


def find_time_series(columns: Sequence[Column], rows: Sequence[Sequence[str]], *, primary_key: Sequence[str] = (),
                     schema_known: bool, tz: dt.tzinfo) -> TimeSeries | None:
    """The first series of the table, in time order, or None when the table is not a time series."""
    time_column = next((column for column in columns if column.kind in TIME_KINDS), None)
    if time_column is None:
        return None
    if schema_known and primary_key and time_column.name not in primary_key:
        return None  # the times do not identify the rows (a history of changes, not a series)
    if schema_known and not primary_key:
        key_names: list[str] = []
        times_must_be_unique = True
    else:
        key_names = [name for name in primary_key if name != time_column.name]
        times_must_be_unique = not schema_known
    value_column = _value_column(columns, {time_column.name, *key_names})
    if value_column is None:
        return None
    position = {column.name: index for index, column in enumerate(columns)}
    unit_at = position.get("unit")
    first_key: tuple[str, ...] | None = None
    unit = ""
    points: list[SeriesPoint] = []
    seen: set[dt.datetime] = set()
    for row in rows:
        if len(row) != len(columns):
            continue
        key = tuple(row[position[name]] for name in key_names)
        if first_key is None:
            first_key = key
        if key != first_key:
            continue
        moment = parse_time(row[position[time_column.name]], tz)
        value_text = row[position[value_column.name]]
        if moment is None or not _is_number(value_text):
            continue
        if moment in seen:
            if times_must_be_unique:
                return None
            continue
        seen.add(moment)
        if unit_at is not None and not unit:
            unit = row[unit_at]
        points.append(SeriesPoint(moment, float(value_text), row[position[time_column.name]], value_text))
    points.sort(key=lambda point: point.time)
    if len(points) < 2:
        return None
    return TimeSeries(time_column=time_column.name, value_column=value_column.name,
                      label=" · ".join(first_key or ()), unit=unit, points=points[:MAX_POINTS],
                      dated=time_column.kind == "date")


def time_labels(points: Sequence[SeriesPoint], tz: dt.tzinfo, most: int = 6) -> list[tuple[int, str]]:
    """Up to `most` evenly spaced points of the series (index, label) to name on the time axis, in local time:
    days as 16.11 (with the year when the series spans years), hours as 03:00 (with the day past 36 hours)."""
    if not points:
        return []
    local = [point.time.astimezone(tz) for point in points]
    span = local[-1] - local[0]
    whole_days = all(moment.hour == 0 and moment.minute == 0 for moment in local)
    if whole_days:
        pattern = "%d.%m.%Y" if local[0].year != local[-1].year else "%d.%m"
    else:
        pattern = "%H:%M" if span <= dt.timedelta(hours=36) else "%d.%m %H:%M"
    step = max(1, -(-(len(points) - 1) // (most - 1)))
    chosen = list(range(0, len(points), step))
    return [(index, local[index].strftime(pattern)) for index in chosen]
