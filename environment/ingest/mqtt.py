"""The MQTT ingest worker: subscribe, batch, commit, then acknowledge.

Delivery guarantee: a message is acknowledged (PUBACK) only after the transaction that
stored its readings has committed. The session is persistent (MQTT v5, clean start off,
a session expiry, a fixed client id), so anything not yet acknowledged — because the worker
was down, the broker restarted, or the database was unreachable — is delivered again, and
storage is idempotent on (sensor, time, quantity), so a redelivery stores nothing twice.

Threads: paho's network loop receives messages into a queue; the worker's own thread takes
batches from it, writes them, and acknowledges. A PUBACK must only go to the connection the
message came on: every disconnect and every (re)connect starts a new "generation" (bumped
when the connection is lost and again before the new socket exists, in on_pre_connect), and
messages from an older one are stored but not acknowledged; the broker redelivers them on
the new connection and the duplicate is skipped.

Database outages: the batch is retried with back-off, unacknowledged, until it commits.
The broker sends at most `receive_maximum` unacknowledged messages, which bounds memory.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

import numpy as np
import paho.mqtt.client as mqtt
from django.db import DatabaseError, DataError, IntegrityError, close_old_connections, connection
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from environment.airquality.columnar import ReadingColumns, concatenate
from environment.airquality.payloads import PayloadError
from environment.ingest import pipeline
from environment.ingest.mqtt_client import IngestClient
from environment.ingest.store import Row, StoreResult, store_batch
from environment.models import IngestChannel, QuarantinedReading, Sensor

logger = logging.getLogger("environment.mqtt")

TOPIC_PREFIX = "smartcity/sensors/"
SENSOR_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"MQTT_URL: scheme must be mqtt:// or mqtts://, got {parts.scheme!r}")
        tls = parts.scheme in ("mqtts", "ssl")
        return cls(parts.hostname or "127.0.0.1", parts.port or (8883 if tls else 1883), tls,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)


@dataclass
class WorkerConfig:
    url: str
    client_id: str = "smartcity-environment-ingest"
    # Sensors publish on <topic_prefix><SENSOR_ID>; tests on the machine's shared broker use a prefix of their
    # own so another client there cannot add to their message counts.
    topic_prefix: str = TOPIC_PREFIX
    topic: str = ""  # the subscription filter; empty: topic_prefix + "+"
    shared_group: str = ""  # several workers share one subscription: $share/<group>/<topic>
    # Under load a batch fills up to batch_messages; a quiet stream commits every batch_seconds.
    # Up to four batches are unacknowledged at once (being parsed, queued twice, being written),
    # so receive_maximum is four batches: the broker never waits for the worker's acks.
    batch_messages: int = 10_000
    batch_seconds: float = 0.2
    receive_maximum: int = 40_000
    session_expiry: int = 7 * 24 * 3600
    keepalive: int = 30
    cache_seconds: float = 60.0
    alert_every_seconds: float = 30.0  # alerts are evaluated by a task at most this often
    alerts: bool = True
    max_readings_per_sensor_minute: int = 10_000

    def __post_init__(self) -> None:
        if not self.topic:
            self.topic = self.topic_prefix + "+"


@dataclass
class Stats:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    acked: int = 0
    not_acked_stale: int = 0
    connects: int = 0
    db_retries: int = 0
    last_commit: float = 0.0
    lags: list[float] = field(default_factory=list)

    def line(self) -> str:
        return (f"messages={self.messages} stored={self.stored} duplicates={self.duplicates} "
                f"quarantined={self.quarantined} batches={self.batches} acked={self.acked} "
                f"connects={self.connects} db_retries={self.db_retries}")


class Incoming(NamedTuple):
    """A received message (a tuple: the worker makes tens of thousands a second)."""

    generation: int
    mid: int
    qos: int
    topic: str
    payload: bytes
    received_at: dt.datetime


def tune_garbage_collector() -> None:
    """Make the cyclic garbage collector cheap for a long-running ingest process.

    Ingest allocates millions of short-lived tuples and datetimes (freed by reference counting;
    they form no cycles), and each allocation burst triggers collections that also walk every
    object Django loaded at start-up: about 15 % of the worker's CPU (bench/ingest.py). Freezing
    the start-up objects and collecting the young generation less often removes most of that.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


class IngestWorker:
    """Run with `run(stop_event)`; `manage.py ingest_mqtt` does that until SIGTERM."""

    def __init__(self, config: WorkerConfig, *,
                 on_commit: Callable[[StoreResult, list[Incoming], ReadingColumns], None] | None = None) -> None:
        if not 1 <= config.receive_maximum <= 65_535:  # MQTT packet ids are 16-bit
            raise ValueError(f"receive_maximum: must be between 1 and 65535, got {config.receive_maximum}")
        if not 1 <= config.batch_messages <= config.receive_maximum:
            raise ValueError(f"batch_messages: must be between 1 and receive_maximum ({config.receive_maximum}), "
                             f"got {config.batch_messages}")
        self.config = config
        self.stats = Stats()
        self.connected = threading.Event()
        self._inbox: queue.SimpleQueue[Incoming] = queue.SimpleQueue()
        self._generation = 0
        self._ack_lock = threading.Lock()
        self._sensors: dict[str, tuple[pipeline.SensorRef | None, float]] = {}
        self._quarantine_noted: dict[tuple[str, str], float] = {}
        self._per_sensor_minute: dict[tuple[int, int], int] = {}
        self._pending_alerts: set[int] = set()
        self._last_alert_flush = time.monotonic()
        self._on_commit = on_commit
        self._writer_busy = False  # the writer thread is committing, or has batches waiting
        self._stopping = False
        self.client = self._make_client()

    # --- MQTT -------------------------------------------------------------------------------

    def _make_client(self) -> IngestClient:
        address = BrokerAddress.parse(self.config.url)
        client = IngestClient(CallbackAPIVersion.VERSION2, client_id=self.config.client_id, protocol=mqtt.MQTTv5)
        client.manual_ack_set(True)
        client.on_plain_publish = self._on_plain_publish
        if address.username:
            client.username_pw_set(address.username, address.password)
        if address.tls:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.on_pre_connect = self._on_pre_connect
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self._address = address
        return client

    def _on_pre_connect(self, client: mqtt.Client, userdata: Any) -> None:
        with self._ack_lock:
            self._generation += 1

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT connection refused: %s", reason_code)
            return
        self.stats.connects += 1
        topic = self.config.topic
        if self.config.shared_group:
            topic = f"$share/{self.config.shared_group}/{topic}"
        client.subscribe(topic, qos=1)
        logger.info("MQTT connected to %s:%s (session present: %s), subscribed to %s", self._address.host,
                    self._address.port, getattr(flags, "session_present", "?"), topic)
        self.connected.set()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any,
                       properties: Any) -> None:
        # A new generation already here, not only before the next connect: paho empties its
        # outgoing queue between the two, and an acknowledgement queued in that gap would go
        # out on the new connection, for message ids that now mean other messages.
        with self._ack_lock:
            self._generation += 1
        self.connected.clear()
        if not self._stopping:
            logger.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_plain_publish(self, mid: int, qos: int, topic: str, payload: bytes) -> None:
        # The receive time is that of the socket read that brought the message (one clock
        # reading for the hundreds of messages a read holds).
        self._inbox.put(Incoming(self._generation, mid, qos, topic, payload, self.client.read_at))

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        # Messages with MQTT v5 properties (or QoS 2) arrive here instead; the properties are not used.
        self._inbox.put(Incoming(self._generation, message.mid, message.qos, message.topic, bytes(message.payload),
                                 dt.datetime.now(dt.UTC)))

    def _ack(self, batch: list[Incoming]) -> None:
        with self._ack_lock:
            generation = self._generation
            # A message that came on a connection that is gone is not acknowledged: the broker
            # redelivers it, and the copy is skipped as a duplicate.
            mids = [item.mid for item in batch if item.qos == 1 and item.generation == generation]
            stale = sum(1 for item in batch if item.qos and item.generation != generation)
            self.client.ack_many(mids)
            for item in batch:
                if item.qos == 2 and item.generation == generation:
                    self.client.ack(item.mid, item.qos)  # (subscriptions are QoS 1; kept for completeness)
            self.stats.acked += len(mids)
            self.stats.not_acked_stale += stale

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.config.session_expiry
        properties.ReceiveMaximum = self.config.receive_maximum
        self.client.connect_async(self._address.host, self._address.port, keepalive=self.config.keepalive,
                                  clean_start=False, properties=properties)
        self.client.loop_start()

    def stop(self) -> None:
        self._stopping = True
        self.client.disconnect()
        self.client.loop_stop()

    # --- batches ----------------------------------------------------------------------------

    def _take_batch(self, wait: float) -> list[Incoming]:
        try:
            first = self._inbox.get(timeout=wait)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.config.batch_seconds
        while len(batch) < self.config.batch_messages:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if not self._writer_busy:
                        break
                    # The writer is still committing earlier batches: this one would only wait,
                    # so it goes on filling (up to batch_messages). Under load commits grow and
                    # their per-commit costs shrink per reading; a quiet stream is not delayed.
                    remaining = 0.005
                try:
                    batch.append(self._inbox.get(timeout=min(remaining, 0.01)))
                except queue.Empty:
                    continue
        return batch

    def _lookup(self, sensor_ids: set[str]) -> None:
        now = time.monotonic()
        ttl = self.config.cache_seconds
        stale = {s for s in sensor_ids if s not in self._sensors or now - self._sensors[s][1] > ttl}
        if not stale:
            return
        found = {s.sensor_id: pipeline.SensorRef.of(s) for s in Sensor.objects.filter(sensor_id__in=stale)}
        for sensor_id in stale:
            self._sensors[sensor_id] = (found.get(sensor_id), now)

    def _note_once(self, claimed: str, code: str) -> bool:
        """Unknown or disabled senders are recorded once a minute each, not once per message."""
        now = time.monotonic()
        last = self._quarantine_noted.get((claimed, code))
        if last is not None and now - last < 60:
            return False
        if len(self._quarantine_noted) > 10_000:
            self._quarantine_noted.clear()
        self._quarantine_noted[(claimed, code)] = now
        return True

    def _prepare(self, batch: list[Incoming]) -> tuple[ReadingColumns, list[QuarantinedReading]]:
        # Topics are resolved once per batch (a batch holds many messages of each sensor).
        prefix = self.config.topic_prefix
        claimed_of = {topic: topic[len(prefix):] if topic.startswith(prefix) else topic
                      for topic in {item.topic for item in batch}}
        valid = {claimed for claimed in claimed_of.values() if SENSOR_ID.fullmatch(claimed)}
        self._lookup(valid)
        refs = {topic: self._sensors[claimed][0] if claimed in valid else None
                for topic, claimed in claimed_of.items()}
        # The fast lane takes the plain bodies of the whole batch at once; what it declines takes
        # the reference path below, message by message.
        senders = [refs[item.topic] for item in batch]
        lane_messages = [index for index, ref in enumerate(senders) if ref is not None and ref.active]
        lane_columns, lane_counts = pipeline.plain_columns(
            [senders[index] for index in lane_messages],  # type: ignore[misc]  # (not None: filtered)
            [batch[index].payload for index in lane_messages], [batch[index].received_at for index in lane_messages])
        count_of = dict(zip(lane_messages, lane_counts, strict=True))
        lane_kept: list[bool] = []  # per message the lane took: still kept after the rate limit?
        reference_rows: list[Row] = []
        records: list[QuarantinedReading] = []
        minute = int(time.time() // 60)
        per_minute = self._per_sensor_minute
        for index, item in enumerate(batch):
            ref = senders[index]
            if ref is None or not ref.active:
                claimed = claimed_of[item.topic]
                code = pipeline.UNKNOWN_SENSOR if ref is None else pipeline.SENSOR_DISABLED
                if self._note_once(claimed, code):
                    message = (f"topic {item.topic[:80]!r}: no registered sensor {claimed[:64]!r}" if ref is None
                               else f"sensor {claimed} is disabled")
                    records += pipeline.quarantine_records(
                        [pipeline.Problem("topic", code, message)], channel=IngestChannel.MQTT,
                        sensor_pk=ref.pk if ref else None, claimed=claimed, received_at=item.received_at)
                continue
            accepted_count = count_of[index]
            from_lane = accepted_count >= 0
            accepted: list[Row] = []
            problems: list[pipeline.Problem] = []
            if not from_lane:  # not a plain body: the reference path, which explains each problem
                try:
                    parsed = pipeline.parse_mqtt_payload(item.payload, item.received_at)
                except PayloadError as error:
                    records += pipeline.quarantine_records([pipeline.payload_problem(error)],
                                                           channel=IngestChannel.MQTT, sensor_pk=ref.pk,
                                                           received_at=item.received_at)
                    continue
                judged = pipeline.judge(ref, parsed, item.received_at)
                accepted, problems = judged.rows, judged.problems
                accepted_count = len(accepted)
            budget_key = (ref.pk, minute)
            used = per_minute.get(budget_key, 0)
            if used + accepted_count > self.config.max_readings_per_sensor_minute:
                if self._note_once(ref.sensor_id, pipeline.RATE_LIMITED):
                    records += pipeline.quarantine_records(
                        [pipeline.Problem("topic", pipeline.RATE_LIMITED,
                                          f"more than {self.config.max_readings_per_sensor_minute} readings a "
                                          f"minute from sensor {ref.sensor_id}; the excess is dropped")],
                        channel=IngestChannel.MQTT, sensor_pk=ref.pk, received_at=item.received_at)
                if from_lane:
                    lane_kept.append(False)
                continue
            per_minute[budget_key] = used + accepted_count
            if from_lane:
                lane_kept.append(True)
            reference_rows += accepted
            if problems:
                records += pipeline.quarantine_records(problems, channel=IngestChannel.MQTT, sensor_pk=ref.pk,
                                                       received_at=item.received_at)
        if len(self._per_sensor_minute) > 50_000:
            self._per_sensor_minute = {k: v for k, v in self._per_sensor_minute.items() if k[1] == minute}
        if not all(lane_kept):
            lane_columns = lane_columns.select(np.repeat(lane_kept, [n for n in lane_counts if n >= 0]))
        return concatenate([lane_columns, ReadingColumns.of(reference_rows)]), records

    def _prepare_retrying(self, batch: list[Incoming], stop: threading.Event
                          ) -> tuple[ReadingColumns, list[QuarantinedReading]] | None:
        """Parse and validate (sensor look-ups may hit a database outage); None only when stopping."""
        delay = 0.2
        while True:
            try:
                return self._prepare(batch)
            except DatabaseError as error:
                self.stats.db_retries += 1
                logger.warning("database unavailable for sensor look-up (%s); retrying in %.1f s", error, delay)
                connection.close()
            if stop.wait(delay):
                return None
            delay = min(delay * 2, 5.0)

    def _store(self, batch: list[Incoming], rows: ReadingColumns, records: list[QuarantinedReading],
               stop: threading.Event) -> StoreResult | None:
        """Commit one prepared batch, retrying through database outages; None only when stopping."""
        delay = 0.2
        integrity_failures = 0
        while True:
            try:
                if not connection.in_atomic_block:  # (a caller's transaction, e.g. a test, keeps its own)
                    close_old_connections()  # drops a connection a database restart broke
                result = store_batch(rows, records)
                self.stats.quarantined += len(records)
                return result
            except (IntegrityError, DataError):
                # A sensor deleted while its messages were in flight (or a value the database refuses):
                # forget the cache and judge the batch again, then store message by message so one
                # bad message cannot block the rest.
                integrity_failures += 1
                self._sensors.clear()
                if integrity_failures >= 2:
                    return self._commit_one_by_one(batch)
                rows, records = self._prepare(batch)
                continue
            except DatabaseError as error:
                self.stats.db_retries += 1
                logger.warning("database unavailable (%s); retrying the batch in %.1f s", error, delay)
                connection.close()
            if stop.wait(delay):
                return None
            delay = min(delay * 2, 5.0)

    def _commit_one_by_one(self, batch: list[Incoming]) -> StoreResult:
        total = StoreResult()
        for item in batch:
            try:
                rows, records = self._prepare([item])
                total.merge(store_batch(rows, records))
            except (IntegrityError, DataError) as error:
                # Kept for staff rather than retried for ever: it would block every message after it.
                logger.error("message on %s could not be stored (%s); quarantined", item.topic, error)
                store_batch([], pipeline.quarantine_records(
                    [pipeline.Problem("body", "store_failed", f"the database refused this message: {error}")],
                    channel=IngestChannel.MQTT, sensor_pk=None,
                    claimed=item.topic.removeprefix(self.config.topic_prefix), received_at=item.received_at))
        return total

    def _queue_alerts(self, sensors: set[int], *, force: bool = False) -> None:
        self._pending_alerts |= sensors
        if not self._pending_alerts:
            return
        if not force and time.monotonic() - self._last_alert_flush < self.config.alert_every_seconds:
            return
        pending, self._pending_alerts = sorted(self._pending_alerts), set()
        self._last_alert_flush = time.monotonic()
        try:
            from environment.tasks import evaluate_alerts

            evaluate_alerts.enqueue(pending)
        except Exception:  # the queue being down must not stop ingest; alerts catch up on the next batch
            logger.exception("could not enqueue alert evaluation")
            self._pending_alerts |= set(pending)

    def _finish(self, batch: list[Incoming], rows: ReadingColumns, records: list[QuarantinedReading],
                stop: threading.Event) -> bool:
        """Store, then acknowledge: the only order that loses nothing."""
        result = self._store(batch, rows, records, stop)
        if result is None:
            return False
        self._ack(batch)
        self.stats.messages += len(batch)
        self.stats.batches += 1
        self.stats.stored += result.inserted
        self.stats.duplicates += result.duplicates
        self.stats.last_commit = time.time()
        if result.inserted and self.config.alerts:
            self._queue_alerts(result.sensors)
        if self._on_commit is not None:
            self._on_commit(result, batch, rows)
        return True

    def process(self, batch: list[Incoming], stop: threading.Event) -> bool:
        """Prepare and commit one batch in the calling thread (tests, one-off use)."""
        prepared = self._prepare_retrying(batch, stop)
        return prepared is not None and self._finish(batch, *prepared, stop)

    def _write_loop(self, pending: queue.Queue[tuple[list[Incoming], ReadingColumns, list[QuarantinedReading]] | None],
                    stop: threading.Event) -> None:
        """The writer thread: commits prepared batches in order while the next one is being parsed,
        so the database's work overlaps Python's. It has its own database connection.

        Group commit: batches prepared while the previous commit ran are merged into one
        transaction. Each commit pays for the aggregate upserts of every sensor in it whatever its
        size, so under load (when batches wait) fewer, larger commits keep up where many small
        ones would fall behind; when the stream is quiet nothing waits and nothing is merged.
        """
        try:
            stopping = False
            while not stopping:
                item = pending.get()
                if item is None:
                    return
                batch, columns, records = item
                parts = [columns]
                # (Up to about half the receive maximum: the broker keeps sending during the commit.)
                while len(batch) < self.config.receive_maximum // 2:
                    try:
                        more = pending.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stopping = True
                        break
                    batch = batch + more[0]
                    parts.append(more[1])
                    records = records + more[2]
                self._writer_busy = True
                try:
                    finished = self._finish(batch, concatenate(parts), records, stop)
                finally:
                    self._writer_busy = not pending.empty()
                if not finished:
                    # Stopping during an outage: what is not stored is not acknowledged; the broker
                    # delivers it again to the next worker.
                    continue
        finally:
            connection.close()

    def run(self, stop: threading.Event, *, report_every: float = 60.0,
            report: Callable[[str], None] | None = None) -> Stats:
        self.start()
        # At most four prepared batches wait (the writer merges them); the receive maximum bounds
        # what the broker sends unacknowledged in any case.
        pending: queue.Queue[tuple[list[Incoming], ReadingColumns, list[QuarantinedReading]] | None] = queue.Queue(
            maxsize=4)
        writer = threading.Thread(target=self._write_loop, args=(pending, stop), name="ingest-writer", daemon=True)
        writer.start()
        last_report = time.monotonic()
        try:
            while not stop.is_set():
                batch = self._take_batch(wait=0.2)
                if batch:
                    prepared = self._prepare_retrying(batch, stop)
                    if prepared is None:
                        break
                    self._writer_busy = True  # (until the writer has taken it and found nothing more)
                    pending.put((batch, *prepared))
                if report is not None and time.monotonic() - last_report >= report_every:
                    report(self.stats.line())
                    last_report = time.monotonic()
            # Store what has already arrived (it would be redelivered anyway, but why wait).
            while True:
                batch = self._take_batch(wait=0.0)
                if not batch:
                    break
                prepared = self._prepare_retrying(batch, stop)
                if prepared is None:
                    break
                pending.put((batch, *prepared))
        finally:
            pending.put(None)
            writer.join()
            self._queue_alerts(set(), force=True)
            self.stop()
            connection.close()
        return self.stats
