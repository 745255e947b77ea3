"""Open data: readings (newest first, paginated, CSV), aggregates, city figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import transaction

from environment.ingest.store import Row, store_readings

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 6, 1, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def sensor(register: Any) -> Any:
    sensor, _key = register("open-1")
    rows = [Row(sensor.pk, q, START + dt.timedelta(minutes=10 * i), 10 + (i % 12) + (q - 1) * 5)
            for i in range(6 * 24 * 3) for q in (1, 2)]  # three days, every 10 minutes, PM10 and PM2.5
    with transaction.atomic():
        store_readings(rows)
    return sensor


def test_readings_newest_first_with_a_cursor(client: Any, sensor: Any) -> None:
    first = client.get("/api/v1/sensors/open-1/readings?limit=5").json()
    times = [r["time"] for r in first["readings"]]
    assert times == sorted(times, reverse=True) and first["count"] == 5
    second = client.get(first["next"]).json()
    assert second["readings"][0]["time"] <= times[-1]
    seen = {(r["time"], r["quantity"]) for r in first["readings"] + second["readings"]}
    assert len(seen) == 10  # no reading twice across pages


def test_readings_filtered_by_quantity_and_period(client: Any, sensor: Any) -> None:
    data = client.get("/api/v1/sensors/open-1/readings?quantity=pm2_5&from=2025-06-02&to=2025-06-02&limit=500").json()
    assert {r["quantity"] for r in data["readings"]} == {"pm2_5"}
    # 2025-06-02 as a local (Bucharest, UTC+3) day: 144 ten-minute readings
    assert data["count"] == 144


def test_readings_csv_download(client: Any, sensor: Any) -> None:
    response = client.get("/api/v1/sensors/open-1/readings?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["sensor_id", "time", "quantity", "value", "unit"]
    assert len(rows) == 1 + 6 * 24 * 3 * 2


def test_daily_aggregates_with_the_eu_validity_rule(client: Any, sensor: Any) -> None:
    data = client.get("/api/v1/sensors/open-1/aggregates?resolution=day&quantity=pm10&from=2025-06-01"
                      "&to=2025-06-04").json()
    days = {a["day"]: a for a in data["aggregates"]}
    # Local days: 1 June starts at 03:00 local (21 hours of data), 2 and 3 June are full, 4 June has 3 hours.
    assert days["2025-06-02"]["hours"] == 24 and days["2025-06-02"]["eu_mean"] is not None
    assert days["2025-06-04"]["hours"] == 3 and days["2025-06-04"]["eu_mean"] is None
    hourly = client.get("/api/v1/sensors/open-1/aggregates?resolution=hour&format=csv")
    assert b"hour,quantity,count,mean" in b"".join(hourly.streaming_content)


def test_city_endpoints(client: Any, sensor: Any) -> None:
    daily = client.get("/api/v1/air-quality/daily?year=2025").json()
    assert {d["day"] for d in daily["days"]} == {"2025-06-01", "2025-06-02", "2025-06-03"}
    assert daily["days"][1]["index"]["code"] in {"good", "fair", "moderate"}
    exceedances = client.get("/api/v1/air-quality/exceedances?year=2025").json()
    codes = {s["code"] for s in exceedances["standards"]}
    assert "2008-50:pm10:1d" in codes and "2024-2881:pm2_5:1d" in codes
    pm10 = next(s for s in exceedances["standards"] if s["code"] == "2008-50:pm10:1d")
    assert pm10["worst"]["breached"] is None  # three days are not enough for a verdict
    means = client.get("/api/v1/air-quality/daily-means?year=2025&quantity=pm10").json()
    assert means["first_day"] == "2025-01-01" and means["days"] == 365
    values = means["values"]["open-1"]
    assert len(values) == 365 and sum(v is not None for v in values) == 3
    assert values[151] is not None and values[154] is None  # 1 June: 21 of 24 hours; 4 June: 3 hours


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/sensors/open-1/readings?from=yesterday", "from"),
    ("/api/v1/sensors/open-1/readings?to=2025-13-01", "to"),
    ("/api/v1/sensors/open-1/readings?quantity=radon", "quantity"),
    ("/api/v1/sensors/open-1/readings?before=garbage", "before"),
    ("/api/v1/sensors/open-1/readings?from=2025-06-03&to=2025-06-01", "to"),
    ("/api/v1/sensors/open-1/readings?from=2020-01-01&to=2025-01-01&format=csv", "from"),
    ("/api/v1/air-quality/daily?year=1850", "year"),
])
def test_bad_query_parameters_are_a_400_naming_the_field(client: Any, sensor: Any, url: str, field: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith(f"{field}:")


def test_validation_errors_name_the_parameter(client: Any, sensor: Any) -> None:
    response = client.get("/api/v1/sensors/open-1/readings?limit=100000")
    assert response.status_code == 422 and "limit" in response.content.decode()
    assert client.get("/api/v1/sensors/missing/readings").status_code == 404
