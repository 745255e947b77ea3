"""Real brokers for the MQTT tests: the shared Mosquitto, or a private one we may restart.

Restarting the machine's shared Mosquitto would disturb other workers, so restart tests start
their own `mosquitto` on a free port with persistence in a temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_HOST, SHARED_PORT = "127.0.0.1", 1883
# This run's own topics: other clients of the shared broker (another test run, a developer's worker) publish
# under smartcity/sensors/, and would otherwise add to the exact counts these tests assert.
RUN_TOPIC_PREFIX = f"test-{uuid.uuid4().hex}/smartcity/sensors/"


def sensor_topic(sensor_id: str) -> str:
    """Where a test publishes a sensor's messages; WorkerThread subscribes under the same prefix."""
    return RUN_TOPIC_PREFIX + sensor_id


def reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_shared_broker() -> str:
    if reachable(SHARED_HOST, SHARED_PORT):
        return f"mqtt://{SHARED_HOST}:{SHARED_PORT}"
    if IN_CI:
        pytest.fail("CI=true but Mosquitto is not reachable at 127.0.0.1:1883")
    pytest.skip("Mosquitto not reachable at 127.0.0.1:1883")
    raise AssertionError  # unreachable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OwnBroker:
    """A private mosquitto with on-disk persistence, which the test may stop and start."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
        if binary is None:
            if IN_CI:
                pytest.fail("CI=true but the mosquitto binary is not installed")
            pytest.skip("mosquitto binary not installed")
        self.binary = binary
        self.port = free_port()
        self.directory = directory
        self.config = directory / "mosquitto.conf"
        # max_queued_messages 0: no per-client cap on the offline queue (default 1000 would drop
        # messages queued while the worker is down — the production setting, see docs/environment.md).
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {directory}/\nautosave_interval 1\nmax_queued_messages 0\n"
            f"log_dest file {directory}/mosquitto.log\n")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        for _ in range(100):
            if reachable("127.0.0.1", self.port, 0.1):
                return
            time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start: {(self.directory / 'mosquitto.log').read_text()[-500:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: mosquitto writes its persistence file and exits
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def restart(self, down_for: float = 0.5) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


@contextlib.contextmanager
def own_broker(tmp_path: Path) -> Iterator[OwnBroker]:
    broker = OwnBroker(tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


class Publisher:
    """At-least-once publisher: QoS 1, waits for each PUBACK, re-publishes after a broker outage."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("mqtt://").split(":")
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}",
                                  protocol=mqtt.MQTTv5)
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.connect_async(host, int(port), keepalive=10)
        self.client.loop_start()
        self.acknowledged = 0

    def publish(self, topic: str, payload: bytes, *, deadline: float = 60.0, properties: Properties | None = None
                ) -> None:
        give_up = time.monotonic() + deadline
        while time.monotonic() < give_up:
            if not self.client.is_connected():
                time.sleep(0.05)
                continue
            info = self.client.publish(topic, payload, qos=1, properties=properties)
            try:
                info.wait_for_publish(timeout=2.0)
            except (RuntimeError, ValueError):
                continue
            if info.is_published():
                self.acknowledged += 1
                return
        raise AssertionError(f"could not publish to {topic} within {deadline} s")

    def publish_burst(self, messages: list[tuple[str, bytes]]) -> None:
        """Publish without waiting in between (the worker then reads many packets per recv)."""
        infos = [self.client.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(timeout=30)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def forget_session(url: str, client_id: str) -> None:
    """Delete a persistent session on the broker (connect with clean start, expiry 0)."""
    host, port = url.removeprefix("mqtt://").split(":")
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0
    with contextlib.suppress(OSError):
        client.connect(host, int(port), clean_start=True, properties=properties)
        client.loop_start()
        time.sleep(0.2)
        client.disconnect()
        client.loop_stop()


class WorkerThread:
    """Runs the real IngestWorker in a thread (its own database connection), as the command does."""

    def __init__(self, url: str, **config: Any) -> None:
        from environment.ingest.mqtt import IngestWorker, WorkerConfig

        self.client_id = config.pop("client_id", f"test-ingest-{uuid.uuid4().hex[:8]}")
        self.url = url
        config.setdefault("topic_prefix", RUN_TOPIC_PREFIX)
        self.worker = IngestWorker(WorkerConfig(url=url, client_id=self.client_id, session_expiry=300, **config))
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.worker.run(self.stop_event)
        except BaseException as error:  # surfaced by stop()
            self.error = error

    def start(self) -> WorkerThread:
        self.thread.start()
        assert self.worker.connected.wait(10), "worker did not connect"
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "worker did not stop"
        forget_session(self.url, self.client_id)
        if self.error is not None:
            raise self.error


def wait_until(predicate: Any, timeout: float = 20.0, interval: float = 0.05) -> bool:
    """Poll a condition (readings arrive asynchronously); the test asserts on the final state."""
    from django.db import OperationalError

    def holds() -> bool:
        try:
            return bool(predicate())
        except OperationalError:  # SQLite in tests: "table is locked" while the worker writes
            return False

    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if holds():
            return True
        time.sleep(interval)
    return bool(predicate())
