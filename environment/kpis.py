"""KPI providers for the strategy (strategy.kpi_providers): live figures from the sensors.

Demo sensors are left out: the strategy's indicators are official records. Figures from
low-cost sensors are indicative; docs/environment.md says how each is computed.

* environment.active_sensors — sensors (non-demo, accepting data) with a reading in the last
  24 hours (A5.K1 counts public and private air-quality sensors).
* environment.pm25_annual_mean / pm10_annual_mean — mean over the last 365 days of the city's
  daily values (median of the sensors' valid daily means), µg/m³ (A5.K3 for PM2.5).
* environment.co2_annual_mean — the same for CO2, ppm (A5.K2 is given in ppm).
* environment.pm10_days_above_daily_limit — this calendar year, the most days any sensor's
  valid daily PM10 mean was above 50 µg/m³ (2008/50/EC allows 35).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy.kpi_providers import register


def _live_sensors():  # type: ignore[no-untyped-def]
    from environment.models import Sensor

    return Sensor.objects.filter(station__is_demo=False)


def _live_sensor_pks() -> list[int]:
    return list(_live_sensors().values_list("pk", flat=True))


@register("environment.active_sensors", label=_("Air-quality sensors reporting (last 24 hours)"), unit="sensors")
def active_sensors() -> Decimal | None:
    since = timezone.now() - dt.timedelta(hours=24)
    return Decimal(_live_sensors().filter(active=True, last_reading_at__gte=since).count())


def _city_annual_mean(quantity: str) -> Decimal | None:
    from environment.catalog import CODE_OF
    from environment.models import DailyAggregate
    from environment.selectors import QUANTUM, required_hours

    last = timezone.localdate() - dt.timedelta(days=1)
    first = last - dt.timedelta(days=364)
    per_day: dict[dt.date, list[float]] = defaultdict(list)
    rows = DailyAggregate.objects.filter(quantity=CODE_OF[quantity], day__gte=first, day__lte=last, hours__gte=18,
                                         sensor__in=_live_sensors())
    for day, hours, hourly_micro in rows.values_list("day", "hours", "hourly_mean_micro"):
        if hours >= required_hours(day):
            per_day[day].append(hourly_micro / hours / QUANTUM)
    if not per_day:
        return None
    city = [statistics.median(values) for values in per_day.values()]
    return Decimal(str(round(sum(city) / len(city), 2)))


@register("environment.pm25_annual_mean", label=_("PM2.5, mean of the last 365 days (µg/m³)"), unit="µg/m³")
def pm25_annual_mean() -> Decimal | None:
    return _city_annual_mean("pm2_5")


@register("environment.pm10_annual_mean", label=_("PM10, mean of the last 365 days (µg/m³)"), unit="µg/m³")
def pm10_annual_mean() -> Decimal | None:
    return _city_annual_mean("pm10")


@register("environment.co2_annual_mean", label=_("CO2, mean of the last 365 days (ppm)"), unit="ppm")
def co2_annual_mean() -> Decimal | None:
    return _city_annual_mean("co2")


@register("environment.pm10_days_above_daily_limit",
          label=_("Days this year above the PM10 daily limit (50 µg/m³), worst sensor"), unit="days")
def pm10_days_above_daily_limit() -> Decimal | None:
    from environment.selectors import year_daily_means

    year = timezone.localdate().year
    means = year_daily_means(year, "pm10", _live_sensor_pks())
    if not means:
        return None
    return Decimal(max(sum(1 for value in days.values() if value > 50) for days in means.values()))
