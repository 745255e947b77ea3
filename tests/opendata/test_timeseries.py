"""Which tables are time series, and their first series (pure module, no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from opendata.timeseries import Column, find_time_series, guess_kind, time_labels

TZ = ZoneInfo("Europe/Bucharest")
AIR = [Column("sensor_id", "string"), Column("quantity", "string"), Column("day", "date"), Column("count", "integer"),
       Column("mean", "number"), Column("unit", "string")]


def test_the_first_series_of_a_keyed_table_in_time_order() -> None:
    rows = [["s1", "pm10", "2026-01-02", "24", "12.5", "ug/m3"], ["s2", "pm10", "2026-01-01", "24", "99", "ug/m3"],
            ["s1", "pm10", "2026-01-01", "24", "10", "ug/m3"], ["s1", "pm10", "2026-01-03", "24", "", "ug/m3"]]
    series = find_time_series(AIR, rows, primary_key=["sensor_id", "quantity", "day"], schema_known=True, tz=TZ)
    assert series is not None
    assert (series.value_column, series.label, series.unit) == ("mean", "s1 · pm10", "ug/m3")
    assert [(p.time_text, p.value) for p in series.points] == [("2026-01-01", 10.0), ("2026-01-02", 12.5)]
    assert series.points[0].time == dt.datetime(2026, 1, 1, tzinfo=TZ)


def test_tables_that_are_not_series() -> None:
    no_time = [Column("code", "string"), Column("value", "number")]
    assert find_time_series(no_time, [["a", "1"], ["b", "2"]], schema_known=True, tz=TZ) is None
    history = [Column("project", "string"), Column("at", "datetime"), Column("new_progress", "integer")]
    rows = [["p1", "2026-01-01T10:00:00Z", "10"], ["p2", "2026-01-01T10:00:00Z", "20"]]
    assert find_time_series(history, rows, schema_known=True, tz=TZ) is None  # rows share a time: not one series
    assert find_time_series(AIR, [["s1", "pm10", "2026-01-01", "1", "2", "u"]], primary_key=["sensor_id",
                            "quantity", "day"], schema_known=True, tz=TZ) is None  # one point is not a line
    assert find_time_series(AIR, [], schema_known=False, tz=TZ) is None


def test_kinds_are_guessed_from_cells_without_a_schema() -> None:
    assert guess_kind(["2026-01-01", ""]) == "date"
    assert guess_kind(["2026-01-01T10:00:00Z", "2026-01-01 11:00"]) == "datetime"
    assert guess_kind(["1", "-2"]) == "integer" and guess_kind(["1.5", "2"]) == "number"
    assert guess_kind(["nan", "1"]) == "string" and guess_kind([]) == "string"
    columns = [Column("when", guess_kind(["2026-01-01", "2026-01-02"])), Column("level", "number")]
    series = find_time_series(columns, [["2026-01-02", "3"], ["2026-01-01", "1"]], schema_known=False, tz=TZ)
    assert series is not None and [p.value for p in series.points] == [1.0, 3.0]


def test_the_time_axis_names_a_few_points_in_local_time() -> None:
    columns = [Column("hour", "datetime"), Column("mean", "number")]
    rows = [[f"2026-11-16T{hour:02d}:00:00Z", str(hour)] for hour in range(24)]
    series = find_time_series(columns, rows, schema_known=False, tz=TZ)
    assert series is not None
    labels = time_labels(series.points, TZ)
    assert len(labels) <= 6 and labels[0] == (0, "02:00")  # 00:00 UTC is 02:00 in Timișoara in November
    days = find_time_series([Column("day", "date"), Column("value", "number")],
                            [["2025-12-31", "1"], ["2026-01-01", "2"]], schema_known=False, tz=TZ)
    assert days is not None and [label for _i, label in time_labels(days.points, TZ)] == ["31.12.2025", "01.01.2026"]
