"""Finding 6: during a database outage people get a proper 503 page with Retry-After, APIs a JSON 503,
and /healthz a JSON 503 naming what is down (database, cache, queue). The outage is real: the
connection points at a closed port (PostgreSQL) or a directory that does not exist (SQLite)."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def database_down() -> Iterator[None]:
    original = connections["default"]
    settings_dict = copy.deepcopy(original.settings_dict)
    if original.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
        settings_dict.setdefault("OPTIONS", {})["connect_timeout"] = 2
    else:
        settings_dict["NAME"] = "/nonexistent-directory/outage.sqlite3"
    broken = type(original)(settings_dict, "default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = original


@pytest.mark.django_db
def test_healthz_is_ok_when_everything_is_up(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "down": [],
                               "checks": {"database": "ok", "cache": "ok", "queue": "ok"}}


@pytest.mark.django_db
def test_a_database_outage_is_a_503_page_with_retry_after(database_down: None) -> None:
    client = Client(raise_request_exception=False)
    for url in ("/ro/", "/en/projects/", "/en/reports/"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert int(response["Retry-After"]) > 0
        page = response.content.decode()
        assert "Serviciu indisponibil temporar" in page and "Service temporarily unavailable" in page
    api = client.get("/api/v1/projects")
    assert api.status_code == 503 and api["Retry-After"] and "unavailable" in api.json()["detail"]


@pytest.mark.django_db
def test_healthz_names_the_database_when_it_is_down(database_down: None) -> None:
    response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["down"] == ["database"]


@pytest.mark.django_db
def test_healthz_names_the_cache_and_the_queue_when_redis_is_down(client: Client, settings: Any) -> None:
    from core.huey_app import get_huey

    dead_redis = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": dead_redis}}
    settings.REDIS_URL = dead_redis
    settings.HUEY_IMMEDIATE = False
    get_huey.cache_clear()
    try:
        response = client.get("/healthz")
    finally:
        get_huey.cache_clear()
    assert response.status_code == 503
    assert response.json()["down"] == ["cache", "queue"]
    assert response.json()["checks"]["database"] == "ok"
