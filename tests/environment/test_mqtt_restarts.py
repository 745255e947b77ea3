"""No acknowledged reading is lost and none is stored twice when the broker, the worker or the
database goes away in the middle of a stream.

The broker here is a private `mosquitto` on a free port (restarting the shared one would
disturb other workers on the machine). The database outage is real, on this test's own
database: new connections are refused (ALTER DATABASE ... ALLOW_CONNECTIONS false) and the
worker's open connection is killed (pg_terminate_backend), for a few seconds, then allowed again.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from environment.models import HourlyAggregate, Reading
from tests.environment.mqtt_support import Publisher, WorkerThread, own_broker, sensor_topic, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

MESSAGES = 600
READINGS_PER_MESSAGE = 2


def message(index: int, start: dt.datetime) -> bytes:
    """Two readings with their own times; every message is distinct."""
    moment = start + dt.timedelta(seconds=index)
    return json.dumps({"readings": [
        {"quantity": "pm2_5", "value": 5 + index % 40, "unit": "ug/m3", "time": moment.isoformat()},
        {"quantity": "pm10", "value": 9 + index % 60, "unit": "ug/m3", "time": moment.isoformat()},
    ]}).encode()


def assert_exactly_once(sensor: Any, expected: int) -> None:
    assert wait_until(lambda: Reading.objects.filter(sensor=sensor).count() >= expected, timeout=180)
    assert Reading.objects.filter(sensor=sensor).count() == expected
    # Aggregates are only fed by rows actually inserted: a redelivered message adds nothing.
    assert HourlyAggregate.objects.filter(sensor=sensor).aggregate(n=Sum("count"))["n"] == expected


def test_broker_restart_and_worker_outage_lose_nothing(tmp_path: Path, register: Any) -> None:
    sensor_id = f"rs-{uuid.uuid4().hex[:8]}"
    sensor, _key = register(sensor_id, kind="SDS011")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    topic = sensor_topic(sensor_id)
    with own_broker(tmp_path) as broker:
        worker = WorkerThread(broker.url, batch_messages=50).start()
        client_id = worker.client_id
        publisher = Publisher(broker.url)
        try:
            for index in range(MESSAGES):
                if index == 200:
                    broker.restart()  # mid-stream: the worker and the publisher reconnect by themselves
                if index == 400:
                    # The worker goes away; what arrives meanwhile waits in its persistent session.
                    worker.stop_event.set()
                    worker.thread.join(30)
                if index == 500:
                    worker = WorkerThread(broker.url, batch_messages=50, client_id=client_id).start()
                publisher.publish(topic, message(index, start))
            assert publisher.acknowledged == MESSAGES
            assert_exactly_once(sensor, MESSAGES * READINGS_PER_MESSAGE)
        finally:
            publisher.close()
            worker.stop()


def _admin_connection() -> Any:
    """A connection to the maintenance database: one cannot lock out the database one is in."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
                           password=settings["PASSWORD"] or None, dbname="postgres", autocommit=True)


@pytest.mark.postgres
def test_database_outage_loses_nothing(tmp_path: Path, register: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the database outage is simulated on PostgreSQL (DATABASE_URL)")
    sensor_id = f"db-{uuid.uuid4().hex[:8]}"
    sensor, _key = register(sensor_id, kind="SDS011")
    database = connection.settings_dict["NAME"]
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    topic = sensor_topic(sensor_id)
    connection.ensure_connection()
    own_pid = connection.connection.info.backend_pid  # the test's own connection stays
    outage_started = 0.0
    with own_broker(tmp_path) as broker, _admin_connection() as admin:
        worker = WorkerThread(broker.url, batch_messages=50).start()
        publisher = Publisher(broker.url)
        try:
            for index in range(MESSAGES):
                if index in (150, 400):
                    admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
                    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = %s AND pid <> %s", [database, own_pid])
                    outage_started = time.monotonic()
                if index in (250, 500):
                    # Keep the outage on while messages keep coming, then let the database back.
                    time.sleep(max(0.0, 2.0 - (time.monotonic() - outage_started)))
                    admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
                publisher.publish(topic, message(index, start))
            assert_exactly_once(sensor, MESSAGES * READINGS_PER_MESSAGE)
            assert worker.worker.stats.db_retries >= 1  # the outage really hit the worker
        finally:
            admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
            publisher.close()
            worker.stop()
