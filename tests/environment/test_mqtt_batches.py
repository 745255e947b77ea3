"""The MQTT worker's batch handling without a broker: the fast lane and the reference path in
one batch, the per-sensor rate limit, and group commit of batches that waited for the writer."""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
from typing import Any

import pytest
from django.db.models import Sum

from environment.ingest.mqtt import Incoming, IngestWorker, WorkerConfig
from environment.models import HourlyAggregate, QuarantinedReading, Reading

TOPIC = "smartcity/sensors/"


def platform(*readings: tuple[str, float, dt.datetime]) -> bytes:
    return json.dumps({"readings": [{"quantity": q, "value": v, "unit": "ug/m3", "time": t.isoformat()}
                                    for q, v, t in readings]}).encode()


def firmware(pm10: str, pm25: str) -> bytes:
    return json.dumps({"software_version": "NRZ-2020-133", "sensordatavalues": [
        {"value_type": "SDS_P1", "value": pm10}, {"value_type": "SDS_P2", "value": pm25}]}).encode()


@pytest.mark.django_db
def test_lane_and_reference_messages_share_a_batch_and_the_rate_limit(register: Any) -> None:
    sensor, _key = register("mq-batch", kind="SDS011")
    worker = IngestWorker(WorkerConfig(url="mqtt://127.0.0.1:1", max_readings_per_sensor_minute=5, alerts=False))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    minute_ago = now - dt.timedelta(minutes=1)
    topic = TOPIC + "mq-batch"
    batch = [
        Incoming(0, 1, 1, topic, platform(("pm2_5", 10.0, minute_ago), ("pm10", 20.0, minute_ago)), now),  # lane
        Incoming(0, 2, 1, topic, firmware("14.0", "9.5"), now),  # reference path (stored at receive time)
        Incoming(0, 3, 1, topic, platform(("pm2_5", 11.0, now - dt.timedelta(seconds=2)),
                                          ("pm10", -3.0, now - dt.timedelta(seconds=2))), now),  # one bad reading
        Incoming(0, 4, 1, topic, platform(("pm2_5", 12.0, now - dt.timedelta(seconds=5)),
                                          ("pm10", 22.0, now - dt.timedelta(seconds=5))), now),  # over the limit
    ]
    assert worker.process(batch, threading.Event())
    stored = sorted(Reading.objects.filter(sensor=sensor).values_list("value", flat=True))
    assert stored == [9.5, 10.0, 11.0, 14.0, 20.0]  # 2 + 2 + 1 readings: the limit of 5 a minute
    reasons = sorted(QuarantinedReading.objects.filter(sensor=sensor).values_list("reason_code", flat=True))
    assert reasons == ["below_minimum", "rate_limited"]
    assert HourlyAggregate.objects.filter(sensor=sensor).aggregate(n=Sum("count"))["n"] == 5
    assert worker.stats.acked == 4  # a message over the limit is acknowledged: dropped, not redelivered


@pytest.mark.django_db(transaction=True)
def test_batches_waiting_for_the_writer_are_committed_together(register: Any) -> None:
    sensor, _key = register("mq-group", kind="SDS011")
    worker = IngestWorker(WorkerConfig(url="mqtt://127.0.0.1:1", alerts=False))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    pending: queue.Queue[Any] = queue.Queue()
    for number in range(3):
        moment = now - dt.timedelta(seconds=10 * number)
        batch = [Incoming(0, number + 1, 1, TOPIC + "mq-group", platform(("pm2_5", 10.0 + number, moment)), now)]
        pending.put((batch, *worker._prepare(batch)))
    pending.put(None)
    worker._write_loop(pending, threading.Event())
    assert worker.stats.batches == 1 and worker.stats.messages == 3 and worker.stats.acked == 3
    assert Reading.objects.filter(sensor=sensor).count() == 3
