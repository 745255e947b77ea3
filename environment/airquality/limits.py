"""EU limit and target values for ambient air, and a yearly exceedance check.

Two legal instruments are kept side by side as data (`STANDARDS`):

* Directive 2008/50/EC, in force until Directive (EU) 2024/2881 replaces it:
  https://eur-lex.europa.eu/eli/dir/2008/50/oj — Annex XI B (limit values),
  Annex XIV D (PM2.5 limit value), Annex VII B (ozone target value).
* Directive (EU) 2024/2881 (recast), limit values to be attained by
  1 January 2030: https://eur-lex.europa.eu/eli/dir/2024/2881/oj — Annex I,
  Section 1 Table 1 (limit values) and Section 2 (ozone target value).

Confidence: the 2008/50/EC figures and allowances were cross-checked against
several transcriptions of Annex XI. For 2024/2881 the values (PM2.5 25/10,
PM10 45/20, NO2 200/50/20, SO2 350/50/20, benzene 3.4, CO 10 and 4 mg/m³) were
cross-checked against published summaries of Annex I; the allowed exceedance
counts (18 per year for daily values, 3 for hourly values, 18 days for the
ozone target) are from Annex I Table 1 as read by the author and could not be
re-read from the EUR-Lex text in the build environment — check them there.

An exceedance is a value strictly above the limit value ("not to be
exceeded"). Counting uses the averaging period of the standard: hourly means,
calendar-day means, or the maximum daily 8-hour running mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from typing import Final

from ._i18n import gettext_noop
from .aggregates import HOUR, max_daily_8h_means
from .aggregates import daily_means as _daily_means_from_hourly
from .quantities import Quantity


class Metric(StrEnum):
    """Averaging period of a standard."""

    HOURLY = "1h"
    DAILY = "1d"
    MAX_DAILY_8H = "max-daily-8h"
    CALENDAR_YEAR = "calendar-year"


class Kind(StrEnum):
    LIMIT_VALUE = "limit_value"
    TARGET_VALUE = "target_value"


DIRECTIVE_2008_50: Final = "2008/50/EC"
DIRECTIVE_2024_2881: Final = "(EU) 2024/2881"

_URL_2008_50: Final = "https://eur-lex.europa.eu/eli/dir/2008/50/oj"
_URL_2024_2881: Final = "https://eur-lex.europa.eu/eli/dir/2024/2881/oj"


@dataclass(frozen=True, slots=True)
class Standard:
    """One legal value: pollutant, averaging period, value, allowance.

    ``allowed_exceedances`` is the number of hours/days per calendar year on
    which the value may be exceeded (0 for the CO maximum daily 8-hour mean,
    which must never be exceeded); None for calendar-year means, where the
    single annual figure must not exceed the value. ``years_averaged`` > 1
    means the count is judged as an average over that many years (ozone).
    Values are in ``unit``: µg/m³, except CO in mg/m³.
    """

    code: str
    directive: str
    pollutant: Quantity
    metric: Metric
    value: float
    unit: str
    allowed_exceedances: int | None
    kind: Kind
    applies_from: date
    source: str
    years_averaged: int = 1


def _lv(
    directive: str,
    pollutant: Quantity,
    metric: Metric,
    value: float,
    allowed: int | None,
    applies_from: date,
    source: str,
    *,
    unit: str = "ug/m3",
    kind: Kind = Kind.LIMIT_VALUE,
    years_averaged: int = 1,
) -> Standard:
    short = "2008-50" if directive == DIRECTIVE_2008_50 else "2024-2881"
    return Standard(
        code=f"{short}:{pollutant}:{metric}",
        directive=directive,
        pollutant=pollutant,
        metric=metric,
        value=value,
        unit=unit,
        allowed_exceedances=allowed,
        kind=kind,
        applies_from=applies_from,
        source=source,
        years_averaged=years_averaged,
    )


_ANNEX_XI: Final = f"{_URL_2008_50} Annex XI B"
_ANNEX_I: Final = f"{_URL_2024_2881} Annex I Section 1 Table 1"
_2030: Final = date(2030, 1, 1)

STANDARDS: Final[tuple[Standard, ...]] = (
    # --- Directive 2008/50/EC -----------------------------------------------------
    _lv(DIRECTIVE_2008_50, Quantity.SO2, Metric.HOURLY, 350, 24, date(2005, 1, 1), _ANNEX_XI),
    _lv(DIRECTIVE_2008_50, Quantity.SO2, Metric.DAILY, 125, 3, date(2005, 1, 1), _ANNEX_XI),
    _lv(DIRECTIVE_2008_50, Quantity.NO2, Metric.HOURLY, 200, 18, date(2010, 1, 1), _ANNEX_XI),
    _lv(DIRECTIVE_2008_50, Quantity.NO2, Metric.CALENDAR_YEAR, 40, None, date(2010, 1, 1), _ANNEX_XI),
    _lv(DIRECTIVE_2008_50, Quantity.PM10, Metric.DAILY, 50, 35, date(2005, 1, 1), _ANNEX_XI),
    _lv(DIRECTIVE_2008_50, Quantity.PM10, Metric.CALENDAR_YEAR, 40, None, date(2005, 1, 1), _ANNEX_XI),
    _lv(
        DIRECTIVE_2008_50,
        Quantity.PM2_5,
        Metric.CALENDAR_YEAR,
        25,
        None,
        date(2015, 1, 1),
        f"{_URL_2008_50} Annex XIV D",
    ),
    _lv(
        DIRECTIVE_2008_50,
        Quantity.CO,
        Metric.MAX_DAILY_8H,
        10,
        0,
        date(2005, 1, 1),
        _ANNEX_XI,
        unit="mg/m3",
    ),
    _lv(DIRECTIVE_2008_50, Quantity.BENZENE, Metric.CALENDAR_YEAR, 5, None, date(2010, 1, 1), _ANNEX_XI),
    _lv(
        DIRECTIVE_2008_50,
        Quantity.O3,
        Metric.MAX_DAILY_8H,
        120,
        25,
        date(2010, 1, 1),
        f"{_URL_2008_50} Annex VII B",
        kind=Kind.TARGET_VALUE,
        years_averaged=3,
    ),
    # --- Directive (EU) 2024/2881, to be attained by 1 January 2030 ----------------
    _lv(DIRECTIVE_2024_2881, Quantity.PM2_5, Metric.DAILY, 25, 18, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.PM2_5, Metric.CALENDAR_YEAR, 10, None, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.PM10, Metric.DAILY, 45, 18, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.PM10, Metric.CALENDAR_YEAR, 20, None, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.NO2, Metric.HOURLY, 200, 3, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.NO2, Metric.DAILY, 50, 18, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.NO2, Metric.CALENDAR_YEAR, 20, None, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.SO2, Metric.HOURLY, 350, 3, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.SO2, Metric.DAILY, 50, 18, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.SO2, Metric.CALENDAR_YEAR, 20, None, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.BENZENE, Metric.CALENDAR_YEAR, 3.4, None, _2030, _ANNEX_I),
    _lv(DIRECTIVE_2024_2881, Quantity.CO, Metric.MAX_DAILY_8H, 10, 0, _2030, _ANNEX_I, unit="mg/m3"),
    _lv(DIRECTIVE_2024_2881, Quantity.CO, Metric.DAILY, 4, 18, _2030, _ANNEX_I, unit="mg/m3"),
    _lv(
        DIRECTIVE_2024_2881,
        Quantity.O3,
        Metric.MAX_DAILY_8H,
        120,
        18,
        _2030,
        f"{_URL_2024_2881} Annex I Section 2",
        kind=Kind.TARGET_VALUE,
        years_averaged=3,
    ),
)

# Labels for the UI; the Django layer runs them through gettext.
METRIC_LABELS: Final[Mapping[Metric, str]] = {
    Metric.HOURLY: gettext_noop("hourly mean"),
    Metric.DAILY: gettext_noop("daily mean"),
    Metric.MAX_DAILY_8H: gettext_noop("maximum daily 8-hour mean"),
    Metric.CALENDAR_YEAR: gettext_noop("annual mean"),
}

# Minimum data capture for a valid annual figure: 90 % (Directive 2008/50/EC
# Annex I, data quality objectives for fixed measurements; kept by 2024/2881).
MIN_ANNUAL_COVERAGE: Final = 0.90


def standards_for(pollutant: Quantity | str, directive: str | None = None) -> tuple[Standard, ...]:
    return tuple(s for s in STANDARDS if s.pollutant == pollutant and (directive is None or s.directive == directive))


@dataclass(frozen=True, slots=True)
class Assessment:
    """How one year measured up against one standard.

    ``breached`` is True when the allowance is already used up (or the annual
    mean is above the value), False when it is not and the data cover at
    least 90 % of the year, and None when there is too little data to say.
    ``worst`` is the highest hourly/daily/8-hour value in the year.
    """

    standard: Standard
    year: int
    periods_with_data: int
    periods_in_year: int
    exceedances: int | None
    annual_mean: float | None
    worst: float | None
    breached: bool | None

    @property
    def coverage(self) -> float:
        return self.periods_with_data / self.periods_in_year if self.periods_in_year else 0.0


def _year_bounds(year: int, tz: tzinfo) -> tuple[datetime, datetime]:
    return (
        datetime(year, 1, 1, tzinfo=tz).astimezone(UTC),
        datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC),
    )


def _judge_count(standard: Standard, year: int, values: Sequence[float], periods_in_year: int) -> Assessment:
    allowed = standard.allowed_exceedances
    if allowed is None:
        raise ValueError(f"{standard.code} has no exceedance allowance to count against")
    exceedances = sum(1 for v in values if v > standard.value)
    worst = max(values) if values else None
    coverage = len(values) / periods_in_year
    breached: bool | None
    if exceedances > allowed:
        breached = True  # missing data can only add exceedances
    elif coverage >= MIN_ANNUAL_COVERAGE:
        breached = False
    else:
        breached = None
    return Assessment(standard, year, len(values), periods_in_year, exceedances, None, worst, breached)


def _judge_mean(standard: Standard, year: int, values: Sequence[float], periods_in_year: int) -> Assessment:
    if not values:
        return Assessment(standard, year, 0, periods_in_year, None, None, None, None)
    mean = sum(values) / len(values)
    coverage = len(values) / periods_in_year
    breached = (mean > standard.value) if coverage >= MIN_ANNUAL_COVERAGE else None
    return Assessment(standard, year, len(values), periods_in_year, None, mean, max(values), breached)


def assess_year(
    pollutant: Quantity | str,
    year: int,
    *,
    hourly_means: Mapping[datetime, float] | None = None,
    daily_means: Mapping[date, float] | None = None,
    standards: Iterable[Standard] = STANDARDS,
    tz: tzinfo = UTC,
) -> list[Assessment]:
    """Check one calendar year of one pollutant against every matching standard.

    Give hourly means (keyed by aware hour start) and/or daily means (keyed by
    calendar day in ``tz``), in the standard's unit. Daily means are derived
    from hourly ones with the 75 % rule when not given; hourly and 8-hour
    standards need hourly data. A standard the data cannot speak to is still
    returned, with no periods and ``breached`` None.
    """
    start, end = _year_bounds(year, tz)
    hours_in_year = round((end - start) / HOUR)
    days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days

    relevant = [s for s in standards if s.pollutant == pollutant]
    metrics = {s.metric for s in relevant}

    hourly_in_year: list[float] = []
    if hourly_means:
        hourly_in_year = [v for t, v in hourly_means.items() if start <= t.astimezone(UTC) < end]

    # Derived series are only computed when a standard needs them.
    daily: dict[date, float] = {}
    if daily_means is not None:
        daily = {d: v for d, v in daily_means.items() if d.year == year}
    elif hourly_means and (Metric.DAILY in metrics or (Metric.CALENDAR_YEAR in metrics and not hourly_in_year)):
        daily = {
            d: m.value
            for d, m in _daily_means_from_hourly(hourly_means, tz).items()
            if m.value is not None and d.year == year
        }

    eight_hour: dict[date, float] = {}
    if hourly_means and Metric.MAX_DAILY_8H in metrics:
        eight_hour = {d: v for d, v in max_daily_8h_means(hourly_means, tz).items() if d.year == year}

    assessments: list[Assessment] = []
    for standard in relevant:
        if standard.metric is Metric.HOURLY:
            assessments.append(_judge_count(standard, year, hourly_in_year, hours_in_year))
        elif standard.metric is Metric.DAILY:
            assessments.append(_judge_count(standard, year, list(daily.values()), days_in_year))
        elif standard.metric is Metric.MAX_DAILY_8H:
            assessments.append(_judge_count(standard, year, list(eight_hour.values()), days_in_year))
        elif hourly_in_year:
            assessments.append(_judge_mean(standard, year, hourly_in_year, hours_in_year))
        else:
            assessments.append(_judge_mean(standard, year, list(daily.values()), days_in_year))
    return assessments


def multi_year_breached(standard: Standard, exceedances_per_year: Sequence[int]) -> bool:
    """Judge a standard whose allowance is averaged over several years (ozone).

    Pass the counts of the last ``standard.years_averaged`` years (fewer if
    that is all there is: the directives accept one valid year).
    """
    if standard.allowed_exceedances is None:
        raise ValueError(f"{standard.code} is not a counted standard")
    if not exceedances_per_year:
        raise ValueError("need at least one year of counts")
    counts = exceedances_per_year[-standard.years_averaged :]
    return sum(counts) / len(counts) > standard.allowed_exceedances
