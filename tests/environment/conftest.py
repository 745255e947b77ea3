"""Fixtures of the environment room: registered sensors with credentials, push helpers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

TIMISOARA = (45.7537, 21.2257)


@pytest.fixture
def register(db: Any) -> Callable[..., Any]:
    """register("tm-1", kind="SDS011") -> (sensor, key)."""
    from environment import services

    def make(sensor_id: str = "tm-sds-1", *, kind: str = "SDS011", lat: float = TIMISOARA[0],
             lon: float = TIMISOARA[1], **options: Any) -> tuple[Any, str | None]:
        registered = services.register_sensor("tests", sensor_id, latitude=lat, longitude=lon, kind=kind, **options)
        return registered.sensor, registered.key

    return make


def basic_auth(key: str, user: str = "sensor") -> str:
    return "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()


def firmware_body(values: dict[str, str], version: str = "NRZ-2020-133") -> bytes:
    return json.dumps({"software_version": version, "esp8266id": "3654427",
                       "sensordatavalues": [{"value_type": k, "value": v} for k, v in values.items()]}).encode()


@pytest.fixture
def push(client: Client) -> Callable[..., Any]:
    """push(sensor_id, key, body, pin="1") -> response of POST /api/v1/push-sensor-data/."""

    def send(sensor_id: str, key: str | None, body: bytes | dict[str, str], pin: str = "1", **headers: str) -> Any:
        data = firmware_body(body) if isinstance(body, dict) else body
        extra: dict[str, Any] = {"HTTP_X_SENSOR": sensor_id, "HTTP_X_PIN": pin}
        if key is not None:
            extra["HTTP_AUTHORIZATION"] = basic_auth(key)
        extra.update(headers)
        return client.post("/api/v1/push-sensor-data/", data=data, content_type="application/json", **extra)

    return send
