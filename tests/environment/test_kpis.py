"""KPI providers for the strategy: live figures, demo sensors left out, recorded through the
strategy's own audited service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from environment.ingest.store import Row, local_zone, store_readings
from strategy import kpi_providers

pytestmark = pytest.mark.django_db
KEYS = ["environment.active_sensors", "environment.pm25_annual_mean", "environment.pm10_annual_mean",
        "environment.co2_annual_mean", "environment.pm10_days_above_daily_limit"]


def full_days(sensor: Any, quantity: int, values: list[float]) -> None:
    """One reading per hour for whole local days ending yesterday, one value per day."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    rows = []
    for offset, value in enumerate(reversed(values)):
        day = yesterday - dt.timedelta(days=offset)
        start = dt.datetime(day.year, day.month, day.day, tzinfo=local_zone())
        rows += [Row(sensor.pk, quantity, (start + dt.timedelta(hours=h)).astimezone(dt.UTC), value)
                 for h in range(24)]
    with transaction.atomic():
        store_readings(rows)


def test_providers_are_registered() -> None:
    keys = {provider.key for provider in kpi_providers.all_providers()}
    assert set(KEYS) <= keys


def test_values_from_live_sensors_only(register: Any) -> None:
    live, _ = register("kpi-live")
    other, _ = register("kpi-live-2", lat=45.76)
    demo, _ = register("kpi-demo", is_demo=True, lat=45.74)
    full_days(live, 2, [10.0, 20.0, 30.0])
    full_days(other, 2, [12.0, 22.0, 32.0])
    full_days(demo, 2, [500.0, 500.0, 500.0])
    full_days(live, 1, [60.0, 40.0, 55.0])
    assert kpi_providers.get("environment.pm25_annual_mean").compute() == Decimal("21.00")  # medians 11, 21, 31
    assert kpi_providers.get("environment.co2_annual_mean").compute() is None
    with transaction.atomic():
        # Recent readings stated outright: the whole days end at yesterday 23:00 local, which falls out of
        # the last 24 hours when the test runs late in the evening.
        store_readings([Row(live.pk, 2, timezone.now() - dt.timedelta(minutes=5), 5.0),
                        Row(other.pk, 2, timezone.now() - dt.timedelta(hours=23), 7.0),
                        Row(demo.pk, 2, timezone.now() - dt.timedelta(minutes=5), 500.0)])
    assert kpi_providers.get("environment.active_sensors").compute() == Decimal(2)  # the demo one not counted
    if (timezone.localdate() - dt.timedelta(days=3)).year == timezone.localdate().year:
        assert kpi_providers.get("environment.pm10_days_above_daily_limit").compute() == Decimal(2)


def test_a_kpi_linked_to_a_provider_records_a_measurement(strategy_data: Any, register: Any) -> None:
    from strategy.models import KPI
    from strategy.services import refresh_from_provider

    sensor, _ = register("kpi-a5")
    full_days(sensor, 2, [22.0, 22.0])
    kpi = KPI.objects.get(code="A5.K3")
    kpi.provider = "environment.pm25_annual_mean"
    kpi.save()
    measurement = refresh_from_provider(kpi)
    assert measurement is not None and measurement.value == Decimal("22.00")
