"""Incremental, mergeable aggregates and the EU/EEA-style daily statistics.

`Aggregate` keeps count, sum, min and max of a set of values so the app can
update an hourly or daily bucket as each reading arrives, and combine buckets
computed in different processes. Merging must not depend on arrival order,
otherwise a re-run of an import would produce different published figures.
Floating-point sums are not associative, so the sum is kept as an exact
integer number of millionths of the unit (`QUANTUM`): every value is rounded
to 1e-6 once on entry and after that all sums are exact. 1e-6 µg/m³ is far
below the precision of any sensor.

Daily statistics follow the data-coverage rules of EU air-quality law:

* a daily mean is valid when at least 75 % of its hourly values exist
  (18 of 24; Directive 2008/50/EC Annex XI, "criteria for checking validity
  when aggregating data": 75 % of the hourly averages);
* a maximum daily 8-hour mean uses 8-hour running averages that each need
  75 % of their hours (6 of 8), and the day needs 75 % of those averages
  (18 of 24); each average is assigned to the day on which it ends
  (Directive 2008/50/EC Annex VII, note to the ozone target value, and Annex XI
  for carbon monoxide).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

QUANTUM: Final = 1_000_000
HOUR: Final = timedelta(hours=1)


def _quantise(value: float) -> int:
    if not math.isfinite(value):
        raise ValueError(f"cannot aggregate a non-finite value: {value!r}")
    return round(value * QUANTUM)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Count, exact sum, min and max of some values. Immutable; merge freely.

    ``merge`` is associative and commutative, with `EMPTY` as identity, so
    buckets can be combined in any grouping and order with identical results.
    """

    count: int = 0
    total_micro: int = 0
    minimum: float = math.inf
    maximum: float = -math.inf

    @classmethod
    def of(cls, value: float) -> Aggregate:
        return cls(1, _quantise(value), value, value)

    @classmethod
    def of_values(cls, values: Iterable[float]) -> Aggregate:
        count = 0
        total = 0
        low = math.inf
        high = -math.inf
        for value in values:
            total += _quantise(value)
            count += 1
            low = min(low, value)
            high = max(high, value)
        return cls(count, total, low, high)

    def add(self, value: float) -> Aggregate:
        return Aggregate(
            self.count + 1,
            self.total_micro + _quantise(value),
            min(self.minimum, value),
            max(self.maximum, value),
        )

    def merge(self, other: Aggregate) -> Aggregate:
        return Aggregate(
            self.count + other.count,
            self.total_micro + other.total_micro,
            min(self.minimum, other.minimum),
            max(self.maximum, other.maximum),
        )

    @property
    def total(self) -> float:
        return self.total_micro / QUANTUM

    @property
    def mean(self) -> float | None:
        return self.total_micro / self.count / QUANTUM if self.count else None

    def to_dict(self) -> dict[str, int | float | None]:
        """JSON-safe form (an empty aggregate has no min/max, not ±inf)."""
        return {
            "count": self.count,
            "total_micro": self.total_micro,
            "minimum": self.minimum if self.count else None,
            "maximum": self.maximum if self.count else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Aggregate:
        count = data.get("count")
        total = data.get("total_micro")
        low = data.get("minimum")
        high = data.get("maximum")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError("aggregate.count must be an integer >= 0")
        if not isinstance(total, int) or isinstance(total, bool):
            raise ValueError("aggregate.total_micro must be an integer")
        if count == 0:
            if total != 0 or low is not None or high is not None:
                raise ValueError("an empty aggregate has total 0 and no minimum/maximum")
            return EMPTY
        if not isinstance(low, (int, float)) or not isinstance(high, (int, float)):
            raise ValueError("aggregate.minimum/maximum must be numbers")
        if isinstance(low, bool) or isinstance(high, bool) or not low <= high:
            raise ValueError("aggregate.minimum must be a number <= maximum")
        return cls(count, total, float(low), float(high))


EMPTY: Final = Aggregate()


# --- buckets ------------------------------------------------------------------------


def hour_start(moment: datetime) -> datetime:
    """The UTC hour a moment falls in, as an aware datetime (bucket key)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a timezone is required to bucket readings")
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def add_to_buckets(
    buckets: dict[datetime, Aggregate], readings: Iterable[tuple[datetime, float]]
) -> dict[datetime, Aggregate]:
    """Fold (time, value) readings into hourly buckets in place; returns them."""
    for moment, value in readings:
        key = hour_start(moment)
        current = buckets.get(key)
        buckets[key] = Aggregate.of(value) if current is None else current.add(value)
    return buckets


def merge_buckets(left: Mapping[datetime, Aggregate], right: Mapping[datetime, Aggregate]) -> dict[datetime, Aggregate]:
    """Bucket-wise merge of two bucket maps (new dict; inputs untouched)."""
    merged = dict(left)
    for key, aggregate in right.items():
        current = merged.get(key)
        merged[key] = aggregate if current is None else current.merge(aggregate)
    return merged


def hourly_means(buckets: Mapping[datetime, Aggregate], min_count: int = 1) -> dict[datetime, float]:
    """Mean per hour, leaving out hours with fewer than ``min_count`` readings.

    sensor.community devices send every ~150 s (about 24 per hour); requiring
    e.g. 18 keeps the 75 % idea for hourly values too. The default keeps any
    hour that has data.
    """
    means: dict[datetime, float] = {}
    for key, aggregate in buckets.items():
        mean = aggregate.mean
        if mean is not None and aggregate.count >= min_count:
            means[key] = mean
    return means


# --- daily statistics ---------------------------------------------------------------


def _day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=tz).astimezone(UTC)
    return start, end


def hours_in_day(day: date, tz: tzinfo = UTC) -> int:
    """24, or 23/25 on daylight-saving changeover days in ``tz``."""
    start, end = _day_bounds(day, tz)
    return round((end - start) / HOUR)


def required_count(total: int, min_fraction: float) -> int:
    """Smallest count that is at least ``min_fraction`` of ``total``."""
    # The epsilon absorbs products that land a hair above a whole number
    # (0.1 * 3 == 0.30000000000000004 style), which would otherwise demand one more.
    return math.ceil(min_fraction * total - 1e-9)


@dataclass(frozen=True, slots=True)
class DailyMean:
    """A calendar day's mean of hourly values; ``value`` is None if invalid."""

    day: date
    value: float | None
    hours_with_data: int
    hours_in_day: int

    @property
    def valid(self) -> bool:
        return self.value is not None


def daily_means(
    hourly: Mapping[datetime, float], tz: tzinfo = UTC, min_fraction: float = 0.75
) -> dict[date, DailyMean]:
    """EEA-style daily means from hourly means keyed by (aware) hour start.

    Days are calendar days in ``tz`` (pass ZoneInfo("Europe/Bucharest") for
    local days; DST days have 23 or 25 hours and the 75 % rule scales with
    them). A day with too few hours keeps its counts but has value None.
    """
    sums: dict[date, int] = {}
    counts: dict[date, int] = {}
    for moment, value in hourly.items():
        if moment.tzinfo is None:
            raise ValueError("naive datetime key: hourly means must be keyed by aware hour starts")
        day = moment.astimezone(tz).date()
        sums[day] = sums.get(day, 0) + _quantise(value)
        counts[day] = counts.get(day, 0) + 1
    result: dict[date, DailyMean] = {}
    for day in sorted(counts):
        total_hours = hours_in_day(day, tz)
        count = counts[day]
        valid = count >= required_count(total_hours, min_fraction)
        mean = sums[day] / count / QUANTUM if valid else None
        result[day] = DailyMean(day, mean, count, total_hours)
    return result


def max_daily_8h_means(
    hourly: Mapping[datetime, float],
    tz: tzinfo = UTC,
    min_hours_per_window: int = 6,
    min_windows_per_day: int = 18,
) -> dict[date, float]:
    """Maximum daily 8-hour running mean per day (O3 target value, CO limit).

    8-hour averages are calculated from hourly data, updated each hour, and
    each is assigned to the day on which it ends: the first window of a day
    covers 17:00 (previous day) to 01:00, the last 16:00 to 24:00. A window
    needs ``min_hours_per_window`` hourly values; a day needs
    ``min_windows_per_day`` valid windows, otherwise it is left out.
    """
    if not hourly:
        return {}
    by_hour: dict[datetime, float] = {}
    for moment, value in hourly.items():
        if moment.tzinfo is None:
            raise ValueError("naive datetime key: hourly means must be keyed by aware hour starts")
        by_hour[hour_start(moment)] = value
    first = min(by_hour)
    last = max(by_hour)
    window_values: list[float | None] = []
    maxima: dict[date, float] = {}
    windows_per_day: dict[date, int] = {}
    moment = first
    while moment <= last + 7 * HOUR:
        window_values.append(by_hour.get(moment))
        if len(window_values) > 8:
            window_values.pop(0)
        present = [v for v in window_values if v is not None]
        if len(present) >= min_hours_per_window:
            # The window ends at the end of `moment`'s hour; its day is the day
            # that hour belongs to (a window ending at 24:00 belongs to that day).
            day = moment.astimezone(tz).date()
            mean = sum(present) / len(present)
            windows_per_day[day] = windows_per_day.get(day, 0) + 1
            if day not in maxima or mean > maxima[day]:
                maxima[day] = mean
        moment += HOUR
    return {day: maximum for day, maximum in sorted(maxima.items()) if windows_per_day[day] >= min_windows_per_day}
