"""Mergeable aggregates and the EU data-coverage rules for daily statistics."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from environment.airquality.aggregates import (
    EMPTY,
    Aggregate,
    add_to_buckets,
    daily_means,
    hour_start,
    hourly_means,
    hours_in_day,
    max_daily_8h_means,
    merge_buckets,
    required_count,
)

BUCHAREST = ZoneInfo("Europe/Bucharest")
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
aggregates = st.lists(values, max_size=20).map(Aggregate.of_values)


@given(aggregates, aggregates, aggregates)
def test_merge_is_associative(a, b, c):
    assert a.merge(b).merge(c) == a.merge(b.merge(c))


@given(aggregates, aggregates)
def test_merge_is_commutative_and_empty_is_the_identity(a, b):
    assert a.merge(b) == b.merge(a)
    assert a.merge(EMPTY) == a == EMPTY.merge(a)


@given(st.lists(values, max_size=40), st.integers(min_value=0, max_value=40))
def test_any_split_merges_back_to_the_same_aggregate(items, cut):
    cut = min(cut, len(items))
    whole = Aggregate.of_values(items)
    assert Aggregate.of_values(items[:cut]).merge(Aggregate.of_values(items[cut:])) == whole
    incremental = EMPTY
    for item in reversed(items):
        incremental = incremental.add(item)
    assert incremental == whole


@given(st.lists(values, min_size=1, max_size=40))
def test_statistics_match_a_direct_computation(items):
    aggregate = Aggregate.of_values(items)
    assert aggregate.count == len(items)
    assert aggregate.minimum == min(items)
    assert aggregate.maximum == max(items)
    assert aggregate.mean == pytest.approx(math.fsum(items) / len(items), abs=1e-6)


@given(aggregates)
def test_json_round_trip(aggregate):
    assert Aggregate.from_dict(json.loads(json.dumps(aggregate.to_dict()))) == aggregate


def test_empty_aggregate_has_no_mean_and_serialises_without_infinities():
    assert EMPTY.mean is None
    assert EMPTY.to_dict() == {"count": 0, "total_micro": 0, "minimum": None, "maximum": None}


@pytest.mark.parametrize(
    "data",
    [
        {"count": -1, "total_micro": 0, "minimum": None, "maximum": None},
        {"count": True, "total_micro": 0, "minimum": None, "maximum": None},
        {"count": 2, "total_micro": 1.5, "minimum": 1, "maximum": 2},
        {"count": 2, "total_micro": 3, "minimum": 5, "maximum": 2},
        {"count": 0, "total_micro": 7, "minimum": None, "maximum": None},
        {"count": 1, "total_micro": 7, "minimum": "1", "maximum": 2},
    ],
)
def test_from_dict_refuses_inconsistent_data(data):
    with pytest.raises(ValueError):
        Aggregate.from_dict(data)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_refused(bad):
    with pytest.raises(ValueError):
        EMPTY.add(bad)


def test_buckets_fold_by_utc_hour_and_merge():
    t0 = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)
    left = add_to_buckets({}, [(t0, 10.0), (t0 + timedelta(minutes=20), 20.0)])
    right = add_to_buckets({}, [(t0 + timedelta(minutes=50), 30.0), (t0 + timedelta(hours=1), 5.0)])
    merged = merge_buckets(left, right)
    assert hourly_means(merged) == {
        datetime(2026, 11, 25, 10, tzinfo=UTC): pytest.approx(20.0),
        datetime(2026, 11, 25, 11, tzinfo=UTC): pytest.approx(5.0),
    }
    assert hourly_means(merged, min_count=2) == {datetime(2026, 11, 25, 10, tzinfo=UTC): pytest.approx(20.0)}
    assert len(left) == 1  # inputs untouched


def test_bucketing_needs_aware_times():
    with pytest.raises(ValueError, match="naive"):
        hour_start(datetime(2026, 1, 1, 10))
    local = datetime(2026, 7, 1, 12, 30, tzinfo=BUCHAREST)
    assert hour_start(local) == datetime(2026, 7, 1, 9, tzinfo=UTC)


def _hours(day: date, hours: range, value: float = 10.0, tz=UTC) -> dict[datetime, float]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    return {start + timedelta(hours=h): value for h in hours}


def test_daily_mean_needs_18_of_24_hours():
    day = date(2026, 11, 25)
    seventeen = daily_means(_hours(day, range(17)))[day]
    assert not seventeen.valid and seventeen.value is None and seventeen.hours_with_data == 17
    eighteen = daily_means(_hours(day, range(18)))[day]
    assert eighteen.valid and eighteen.value == pytest.approx(10.0)
    assert eighteen.hours_in_day == 24


def test_daylight_saving_days_scale_the_coverage_rule():
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    assert hours_in_day(spring, BUCHAREST) == 23
    assert hours_in_day(autumn, BUCHAREST) == 25
    assert required_count(23, 0.75) == 18  # 17.25 rounds up
    assert required_count(25, 0.75) == 19  # 18.75 rounds up
    assert required_count(24, 0.75) == 18
    assert daily_means(_hours(spring, range(18), tz=BUCHAREST), BUCHAREST)[spring].valid
    short_autumn = daily_means(_hours(autumn, range(18), tz=BUCHAREST), BUCHAREST)[autumn]
    assert not short_autumn.valid and short_autumn.hours_in_day == 25


def test_daily_means_use_local_calendar_days():
    # 22:00 UTC on 24 Nov is already 25 Nov in Bucharest (UTC+2 in winter).
    hourly = {datetime(2026, 11, 24, 22, tzinfo=UTC) + timedelta(hours=h): 1.0 for h in range(24)}
    local = daily_means(hourly, BUCHAREST)
    assert local[date(2026, 11, 25)].hours_with_data == 24
    utc = daily_means(hourly)
    assert utc[date(2026, 11, 24)].hours_with_data == 2


def test_max_daily_8h_mean_assigns_windows_to_the_day_they_end_on():
    day = date(2026, 7, 1)
    hourly = _hours(day, range(24), 50.0)
    hourly[datetime(2026, 7, 1, 10, tzinfo=UTC)] = 130.0
    maxima = max_daily_8h_means(hourly)
    assert maxima[day] == pytest.approx(50.0 + 80.0 / 8)
    # 2 July only gets the few windows that reach back into 1 July's data:
    # far fewer than 18, so it has no value.
    assert date(2026, 7, 2) not in maxima


def test_max_daily_8h_mean_needs_six_hours_per_window_and_18_windows():
    day = date(2026, 7, 1)
    sparse = _hours(day, range(0, 24, 2))  # every other hour: 4 of 8 per window
    assert max_daily_8h_means(sparse) == {}
    assert max_daily_8h_means({}) == {}
