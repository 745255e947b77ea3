"""The django-tasks API over a real Huey queue: SQLite storage by default, Redis with REDIS_URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from huey import RedisHuey, SqliteHuey

import core.huey_app as huey_app
from strategy.models import KPI, Measurement
from strategy.tasks import refresh_kpi_providers


def _run_one(queue: Any) -> None:
    task = queue.dequeue()
    assert task is not None, "nothing was enqueued"
    queue.execute(task)


@pytest.fixture
def queue_kpi(db: Any, strategy_data: None) -> KPI:
    return KPI.objects.create(code="Q.K1", name_en="Projects started", unit="%",
                              provider="strategy.projects_started_percent")


def _use(monkeypatch: pytest.MonkeyPatch, queue: Any) -> None:
    monkeypatch.setattr(huey_app, "get_huey", lambda: queue)
    monkeypatch.setattr(huey_app, "_registered", {})
    import core.tasks_backend as backend

    monkeypatch.setattr(backend, "get_huey", lambda: queue)


def test_sqlite_queue_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, queue_kpi: KPI) -> None:
    queue = SqliteHuey("test", filename=str(tmp_path / "queue.sqlite3"))
    _use(monkeypatch, queue)
    result = refresh_kpi_providers.enqueue()
    assert result.status == "READY"
    assert queue.pending_count() == 1
    assert not Measurement.objects.filter(kpi=queue_kpi).exists()  # nothing ran yet: it is queued
    _run_one(queue)
    assert Measurement.objects.filter(kpi=queue_kpi).count() == 1


def test_redis_queue_round_trip(monkeypatch: pytest.MonkeyPatch, queue_kpi: KPI) -> None:
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI", "").lower() == "true" and os.environ.get("REDIS_URL"):
            pytest.fail(f"CI=true and Redis at {url} is unreachable")
        pytest.skip("Redis not reachable")
    queue = RedisHuey(f"test-{os.getpid()}", url=url)
    queue.flush()
    _use(monkeypatch, queue)
    refresh_kpi_providers.enqueue()
    assert queue.pending_count() == 1
    _run_one(queue)
    assert Measurement.objects.filter(kpi=queue_kpi).count() == 1
    queue.flush()
