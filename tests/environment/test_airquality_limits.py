"""EU limit/target values as data, and the yearly exceedance check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from environment.airquality.limits import (
    DIRECTIVE_2008_50,
    DIRECTIVE_2024_2881,
    STANDARDS,
    Metric,
    assess_year,
    multi_year_breached,
    standards_for,
)
from environment.airquality.quantities import Quantity


def _by(pollutant, metric, directive):
    (standard,) = [s for s in standards_for(pollutant, directive) if s.metric is metric]
    return standard


@pytest.mark.parametrize(
    ("directive", "pollutant", "metric", "value", "allowed"),
    [
        (DIRECTIVE_2008_50, Quantity.PM10, Metric.DAILY, 50, 35),
        (DIRECTIVE_2008_50, Quantity.PM10, Metric.CALENDAR_YEAR, 40, None),
        (DIRECTIVE_2008_50, Quantity.PM2_5, Metric.CALENDAR_YEAR, 25, None),
        (DIRECTIVE_2008_50, Quantity.NO2, Metric.HOURLY, 200, 18),
        (DIRECTIVE_2008_50, Quantity.NO2, Metric.CALENDAR_YEAR, 40, None),
        (DIRECTIVE_2008_50, Quantity.SO2, Metric.HOURLY, 350, 24),
        (DIRECTIVE_2008_50, Quantity.SO2, Metric.DAILY, 125, 3),
        (DIRECTIVE_2008_50, Quantity.CO, Metric.MAX_DAILY_8H, 10, 0),
        (DIRECTIVE_2008_50, Quantity.BENZENE, Metric.CALENDAR_YEAR, 5, None),
        (DIRECTIVE_2008_50, Quantity.O3, Metric.MAX_DAILY_8H, 120, 25),
        (DIRECTIVE_2024_2881, Quantity.PM2_5, Metric.DAILY, 25, 18),
        (DIRECTIVE_2024_2881, Quantity.PM2_5, Metric.CALENDAR_YEAR, 10, None),
        (DIRECTIVE_2024_2881, Quantity.PM10, Metric.DAILY, 45, 18),
        (DIRECTIVE_2024_2881, Quantity.PM10, Metric.CALENDAR_YEAR, 20, None),
        (DIRECTIVE_2024_2881, Quantity.NO2, Metric.HOURLY, 200, 3),
        (DIRECTIVE_2024_2881, Quantity.NO2, Metric.DAILY, 50, 18),
        (DIRECTIVE_2024_2881, Quantity.NO2, Metric.CALENDAR_YEAR, 20, None),
        (DIRECTIVE_2024_2881, Quantity.SO2, Metric.HOURLY, 350, 3),
        (DIRECTIVE_2024_2881, Quantity.SO2, Metric.DAILY, 50, 18),
        (DIRECTIVE_2024_2881, Quantity.SO2, Metric.CALENDAR_YEAR, 20, None),
        (DIRECTIVE_2024_2881, Quantity.CO, Metric.DAILY, 4, 18),
        (DIRECTIVE_2024_2881, Quantity.CO, Metric.MAX_DAILY_8H, 10, 0),
        (DIRECTIVE_2024_2881, Quantity.BENZENE, Metric.CALENDAR_YEAR, 3.4, None),
        (DIRECTIVE_2024_2881, Quantity.O3, Metric.MAX_DAILY_8H, 120, 18),
    ],
)
def test_the_table_holds_the_legal_values(directive, pollutant, metric, value, allowed):
    standard = _by(pollutant, metric, directive)
    assert standard.value == value
    assert standard.allowed_exceedances == allowed
    assert standard.source.startswith("https://eur-lex.europa.eu/eli/dir/")


def test_table_is_consistent():
    codes = [s.code for s in STANDARDS]
    assert len(codes) == len(set(codes))
    for standard in STANDARDS:
        assert (standard.allowed_exceedances is None) == (standard.metric is Metric.CALENDAR_YEAR)
        assert standard.unit == ("mg/m3" if standard.pollutant is Quantity.CO else "ug/m3")
        if standard.directive == DIRECTIVE_2024_2881:
            assert standard.applies_from == date(2030, 1, 1)
    ozone = [s for s in STANDARDS if s.pollutant is Quantity.O3]
    assert all(s.years_averaged == 3 and s.kind == "target_value" for s in ozone)


def _days(year: int, value_for_day) -> dict[date, float]:
    start = date(year, 1, 1)
    return {
        start + timedelta(days=i): value_for_day(i)
        for i in range((date(year + 1, 1, 1) - start).days)
        if value_for_day(i) is not None
    }


def _assessment(assessments, directive, metric):
    (found,) = [a for a in assessments if a.standard.directive == directive and a.standard.metric is metric]
    return found


def test_pm10_daily_exceedances_are_counted_strictly_above_the_value():
    # 35 days above 50 is allowed by 2008/50/EC; exactly 50 is not an exceedance.
    daily = _days(2025, lambda i: 51.0 if i < 35 else (50.0 if i < 60 else 20.0))
    result = _assessment(assess_year("pm10", 2025, daily_means=daily), DIRECTIVE_2008_50, Metric.DAILY)
    assert result.exceedances == 35 and result.breached is False
    assert result.coverage == 1.0 and result.worst == 51.0
    # Under the 2030 values (45, 18 days) the same year breaches: 60 days above 45.
    stricter = _assessment(assess_year("pm10", 2025, daily_means=daily), DIRECTIVE_2024_2881, Metric.DAILY)
    assert stricter.exceedances == 60 and stricter.breached is True


def test_the_36th_day_breaches_the_allowance():
    daily = _days(2025, lambda i: 60.0 if i < 36 else 10.0)
    result = _assessment(assess_year("pm10", 2025, daily_means=daily), DIRECTIVE_2008_50, Metric.DAILY)
    assert result.exceedances == 36 and result.breached is True


def test_too_little_data_gives_no_verdict_unless_already_breached():
    sparse = _days(2025, lambda i: 10.0 if i % 2 else None)  # about half the year
    quiet = _assessment(assess_year("pm10", 2025, daily_means=sparse), DIRECTIVE_2008_50, Metric.DAILY)
    assert quiet.breached is None and quiet.coverage < 0.9
    loud = _days(2025, lambda i: 80.0 if i % 2 else None)
    breached = _assessment(assess_year("pm10", 2025, daily_means=loud), DIRECTIVE_2008_50, Metric.DAILY)
    assert breached.breached is True


def test_annual_mean_standards():
    daily = _days(2025, lambda i: 22.0)
    results = assess_year("pm2_5", 2025, daily_means=daily)
    old = _assessment(results, DIRECTIVE_2008_50, Metric.CALENDAR_YEAR)
    new = _assessment(results, DIRECTIVE_2024_2881, Metric.CALENDAR_YEAR)
    assert old.annual_mean == pytest.approx(22.0) and old.breached is False
    assert new.breached is True
    assert new.exceedances is None


def _hourly(year: int, value_for_hour) -> dict[datetime, float]:
    start = datetime(year, 1, 1, tzinfo=UTC)
    hours = round((datetime(year + 1, 1, 1, tzinfo=UTC) - start) / timedelta(hours=1))
    return {start + timedelta(hours=h): value_for_hour(h) for h in range(hours)}


def test_hourly_no2_and_derived_daily_means():
    hourly = _hourly(2025, lambda h: 210.0 if h < 19 else 15.0)  # 19 hours above 200
    results = assess_year("no2", 2025, hourly_means=hourly)
    hourly_old = _assessment(results, DIRECTIVE_2008_50, Metric.HOURLY)
    assert hourly_old.exceedances == 19 and hourly_old.breached is True  # 18 allowed
    assert hourly_old.periods_in_year == 8760
    daily_new = _assessment(results, DIRECTIVE_2024_2881, Metric.DAILY)
    assert daily_new.exceedances == 1  # 1 January: (19*210 + 5*15) / 24 = 169.4 > 50
    assert daily_new.breached is False
    annual = _assessment(results, DIRECTIVE_2024_2881, Metric.CALENDAR_YEAR)
    assert annual.annual_mean == pytest.approx((19 * 210 + (8760 - 19) * 15) / 8760)


def test_ozone_uses_maximum_daily_8_hour_means_and_three_year_averages():
    hourly = _hourly(2025, lambda h: 130.0 if (h // 24) < 20 and 10 <= h % 24 < 18 else 60.0)
    results = assess_year("o3", 2025, hourly_means=hourly)
    target_2030 = _assessment(results, DIRECTIVE_2024_2881, Metric.MAX_DAILY_8H)
    assert target_2030.exceedances == 20
    assert target_2030.breached is True  # this year alone; the law averages three
    standard = target_2030.standard
    assert multi_year_breached(standard, [20, 10, 10]) is False  # average 13.3 <= 18
    assert multi_year_breached(standard, [30, 20, 10]) is True
    assert multi_year_breached(standard, [5, 30, 20, 10]) is True  # only the last three count
    with pytest.raises(ValueError):
        multi_year_breached(standard, [])


def test_standards_without_matching_data_are_returned_without_a_verdict():
    results = assess_year("co", 2025, daily_means={date(2025, 1, 1): 1.0})
    eight_hour = _assessment(results, DIRECTIVE_2024_2881, Metric.MAX_DAILY_8H)
    assert eight_hour.periods_with_data == 0 and eight_hour.breached is None


def test_values_outside_the_year_are_ignored():
    daily = {date(2024, 12, 31): 500.0, date(2025, 6, 1): 10.0}
    result = _assessment(assess_year("pm10", 2025, daily_means=daily), DIRECTIVE_2008_50, Metric.DAILY)
    assert result.exceedances == 0 and result.periods_with_data == 1
