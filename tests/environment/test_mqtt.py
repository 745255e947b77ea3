"""The MQTT worker against the real Mosquitto: both payload formats, idempotency, bad input."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.db.models import Sum

from environment.models import HourlyAggregate, QuarantinedReading, Reading
from tests.environment.mqtt_support import (
    RUN_TOPIC_PREFIX,
    Publisher,
    WorkerThread,
    require_shared_broker,
    sensor_topic,
    wait_until,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker() -> str:
    return require_shared_broker()


def platform_body(*readings: tuple[str, float, str, dt.datetime]) -> bytes:
    return json.dumps({"readings": [{"quantity": q, "value": v, "unit": u, "time": t.isoformat()}
                                    for q, v, u, t in readings]}).encode()


def test_worker_stores_both_formats_once_and_quarantines_the_bad(broker: str, register: Any) -> None:
    sensor_id = f"mq-{uuid.uuid4().hex[:8]}"
    sensor, _key = register(sensor_id, kind="SDS011")
    worker = WorkerThread(broker).start()
    publisher = Publisher(broker)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        topic = sensor_topic(sensor_id)
        publisher.publish(topic, json.dumps({"software_version": "NRZ-2020-133", "sensordatavalues": [
            {"value_type": "SDS_P1", "value": "14.0"}, {"value_type": "SDS_P2", "value": "9.5"}]}).encode())
        body = platform_body(("pm2_5", 12.3, "ug/m3", now - dt.timedelta(minutes=1)),
                             ("pm10", 20.0, "µg/m³", now - dt.timedelta(minutes=1)),
                             ("pm2_5", 11.0, "ug/m3", now))
        publisher.publish(topic, body)
        publisher.publish(topic, body)  # delivered twice: stored once
        publisher.publish(topic, b"{not json")
        publisher.publish(topic, platform_body(("pm2_5", -3.0, "ug/m3", now)))
        publisher.publish(sensor_topic(f"nobody-{uuid.uuid4().hex[:6]}"), body)
        # Outside this run's prefix (where production sensors and other runs publish): not ours, never counted.
        publisher.publish(f"smartcity/sensors/{sensor_id}", body)
        assert wait_until(lambda: Reading.objects.filter(sensor=sensor).count() == 5
                          and QuarantinedReading.objects.count() >= 3)
    finally:
        publisher.close()
        worker.stop()
    assert Reading.objects.filter(sensor=sensor).count() == 5
    counted = HourlyAggregate.objects.filter(sensor=sensor).aggregate(n=Sum("count"))["n"]
    assert counted == 5  # the duplicate message did not count twice in the aggregates either
    reasons = set(QuarantinedReading.objects.values_list("reason_code", flat=True))
    assert {"malformed", "below_minimum", "unknown_sensor"} <= reasons
    malformed = QuarantinedReading.objects.get(reason_code="malformed")
    assert malformed.field == "body" and malformed.sensor_id == sensor.pk
    assert worker.worker.stats.acked == 6
    assert worker.worker.config.topic == RUN_TOPIC_PREFIX + "+"


def test_messages_with_properties_and_large_bursts_are_all_stored_and_acknowledged(broker: str,
                                                                                   register: Any) -> None:
    """The tuned client (environment/ingest/mqtt_client.py): a PUBLISH carrying MQTT v5 properties
    takes paho's own decoding, plain ones the fast path; a burst of 2,000 messages (8,000
    readings, under the per-sensor rate limit) arrives many packets per read (and across read
    boundaries); every one is stored once and acknowledged in batches."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    sensor_id = f"mq-{uuid.uuid4().hex[:8]}"
    sensor, _key = register(sensor_id, kind="SDS011")
    worker = WorkerThread(broker).start()
    publisher = Publisher(broker)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    topic = sensor_topic(sensor_id)
    try:
        properties = Properties(PacketTypes.PUBLISH)
        properties.ContentType = "application/json"
        properties.UserProperty = ("gateway", "bench")
        publisher.publish(topic, platform_body(("pm10", 7.0, "ug/m3", start)), properties=properties)
        burst = [(topic, platform_body(*[("pm2_5", float(i % 50), "ug/m3",
                                          start + dt.timedelta(seconds=i, microseconds=j)) for j in range(4)]))
                 for i in range(1, 2001)]
        publisher.publish_burst(burst)
        # Polled through the worker's counters: on SQLite a query here would meet the worker's write lock.
        assert wait_until(lambda: worker.worker.stats.stored >= 1 + 2000 * 4, timeout=60)
    finally:
        publisher.close()
        worker.stop()
    assert HourlyAggregate.objects.filter(sensor=sensor).aggregate(n=Sum("count"))["n"] == 8_001
    assert Reading.objects.filter(sensor=sensor).count() == 8_001
    assert worker.worker.stats.acked == 2001
    assert not QuarantinedReading.objects.filter(sensor=sensor).exists()
