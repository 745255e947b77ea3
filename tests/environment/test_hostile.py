"""Hostile input on the push endpoints: every refusal is a clear 4xx naming the field, and
nothing is half-written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from environment.models import QuarantinedReading, Reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def sds(register: Any) -> tuple[Any, str]:
    return register("hostile-1")


def raw_push(client: Any, sensor_id: str, key: str, body: bytes, **extra: Any) -> Any:
    from tests.environment.conftest import basic_auth

    return client.post("/api/v1/push-sensor-data/", data=body, content_type="application/json",
                       HTTP_X_SENSOR=sensor_id, HTTP_X_PIN="1", HTTP_AUTHORIZATION=basic_auth(key), **extra)


@pytest.mark.parametrize(("body", "status", "field"), [
    (b"", 400, "body"),
    (b"not json", 400, "body"),
    (b"[]", 400, "body"),
    (b'{"sensordatavalues": {}}', 400, "sensordatavalues"),
    (b'{"software_version": "x"}', 400, "sensordatavalues"),
    (b'{"sensordatavalues": [{"value_type": "P1", "value": NaN}]}', 400, "body"),
    (b'{"sensordatavalues": [{"value_type": "P1", "value": Infinity}]}', 400, "body"),
    (b'{"sensordatavalues": [], "sensordatavalues": []}', 400, "body"),
    (b'{"sensordatavalues": [{"value_type": "P1", "value": 1e999}]}', 400, "body"),
    ("\xff\xfe".encode("latin-1") + b'{"sensordatavalues": []}', 400, "body"),
    (b'{"a":' * 50 + b"1" + b"}" * 50, 400, "body"),
    (json.dumps({"sensordatavalues": [{"value_type": "P1", "value": "1"}] * 65}).encode(), 400, "sensordatavalues"),
    (b"{" + b'"x": "' + b"a" * 20_000 + b'"}', 413, "body"),
])
def test_malformed_bodies(client: Any, sds: Any, body: bytes, status: int, field: str) -> None:
    sensor, key = sds
    response = raw_push(client, sensor.sensor_id, key, body)
    assert response.status_code == status, response.content
    assert response.json()["detail"].startswith(f"{field}:")
    assert not Reading.objects.exists() and not QuarantinedReading.objects.exists()


def test_a_declared_huge_body_is_refused_before_reading_it(client: Any, sds: Any) -> None:
    sensor, key = sds
    response = raw_push(client, sensor.sensor_id, key, b"{}", CONTENT_LENGTH="999999999")
    assert response.status_code == 413 and response.json()["field"] == "body"


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", "0x10", "1_000", "١٢", " 12", "12,5", "", "1e400"])
def test_values_that_are_not_plain_numbers_are_quarantined(client: Any, sds: Any, value: str) -> None:
    sensor, key = sds
    body = json.dumps({"sensordatavalues": [{"value_type": "P1", "value": value},
                                            {"value_type": "P2", "value": "4.2"}]}).encode()
    response = raw_push(client, sensor.sensor_id, key, body)
    assert response.status_code == 201
    assert response.json()["quarantined"][0]["field"] == "sensordatavalues[0].value"
    assert list(Reading.objects.values_list("value", flat=True)) == [4.2]


def test_unknown_value_types_are_ignored_and_listed(client: Any, sds: Any) -> None:
    sensor, key = sds
    body = json.dumps({"software_version": "NRZ-2024-135", "sensordatavalues": [
        {"value_type": "P2", "value": "3"}, {"value_type": "radiation_cpm", "value": "17"},
        {"value_type": "samples", "value": "612000"}, {"value_type": "<script>", "value": "1"}]}).encode()
    response = raw_push(client, sensor.sensor_id, key, body)
    data = response.json()
    assert response.status_code == 201 and data["stored"] == 1
    assert data["ignored"] == ["radiation_cpm"]
    assert data["quarantined"][0]["field"] == "sensordatavalues[3].value_type"


def test_headers_that_are_too_long_or_odd(client: Any, sds: Any) -> None:
    sensor, key = sds
    body = b'{"sensordatavalues": [{"value_type": "P2", "value": "3"}]}'
    assert raw_push(client, "x" * 65, key, body).json()["field"] == "X-Sensor"
    response = client.post("/api/v1/push-sensor-data/", data=body, content_type="application/json",
                           HTTP_X_SENSOR=sensor.sensor_id, HTTP_X_PIN="12345")
    assert response.status_code == 400 and response.json()["field"] == "X-PIN"
    broken_auth = client.post("/api/v1/push-sensor-data/", data=body, content_type="application/json",
                              HTTP_X_SENSOR=sensor.sensor_id, HTTP_X_PIN="1", HTTP_AUTHORIZATION="Basic !!!")
    assert broken_auth.status_code == 401


def test_a_flood_from_one_sensor_is_slowed_down(client: Any, sds: Any, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.ENVIRONMENT_PUSH_PER_MINUTE = 5
    sensor, key = sds
    body = b'{"sensordatavalues": [{"value_type": "P2", "value": "3"}]}'
    statuses = [raw_push(client, sensor.sensor_id, key, body).status_code for _ in range(8)]
    assert set(statuses[:5]) == {201} and set(statuses[5:]) == {429}
    refused = raw_push(client, sensor.sensor_id, key, body)
    assert refused["Retry-After"] == "60" and refused.json()["field"] == "X-Sensor"


def test_a_disabled_sensor_is_refused(client: Any, sds: Any) -> None:
    from environment import services

    sensor, key = sds
    services.set_sensor_active("tests", sensor, False)
    body = b'{"sensordatavalues": [{"value_type": "P2", "value": "3"}]}'
    response = raw_push(client, sensor.sensor_id, key, body)
    assert response.status_code == 403 and "disabled" in response.json()["detail"]


@pytest.mark.parametrize(("body", "field"), [
    ({"readings": [{"quantity": "pm2_5", "value": 1, "unit": "ug/m3"}]}, "readings[0].time"),
    ({"readings": [{"quantity": "pm2_5", "value": "1", "unit": "ug/m3", "time": "2026-01-01T00:00:00Z"}]},
     "readings[0].value"),
    ({"readings": [{"quantity": "pm2_5", "value": 1, "unit": "ug/m3", "time": "2026-01-01T00:00:00"}]},
     "readings[0].time"),
    ({"readings": [{"quantity": "radon", "value": 1, "unit": "Bq", "time": "2026-01-01T00:00:00Z"}]},
     "readings[0].quantity"),
    ({"readings": [{"quantity": "pm2_5", "value": 1, "unit": "ug/m3", "time": "2099-01-01T00:00:00Z"}]},
     "readings[0].time"),
    ({"readings": [{"quantity": "pm2_5", "value": 1, "unit": "kg", "time": "2026-01-01T00:00:00Z"}]},
     "readings[0].unit"),
])
def test_platform_body_item_errors_name_the_field(client: Any, sds: Any, body: dict[str, Any], field: str) -> None:
    sensor, key = sds
    response = client.post(f"/api/v1/sensors/{sensor.sensor_id}/readings", data=json.dumps(body),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not Reading.objects.exists()
