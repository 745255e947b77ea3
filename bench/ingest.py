"""Benchmark: sustained MQTT ingest into PostgreSQL, next to a raw COPY of the same rows, and a
year of daily means for 500 sensors read back.

    .venv/bin/python bench/ingest.py                      # defaults below
    .venv/bin/python bench/ingest.py --sustain-seconds 60 --sustain-rate 260000 --no-drain --paced-rate 0

What runs, all on this machine:

* its own PostgreSQL database (default environment_bench; created if missing, only the
  environment app's tables are migrated) and its own `mosquitto` on a free port, with the
  configuration the docs recommend (persistence, no cap on a client's queue);
* the real worker (environment.ingest.mqtt.IngestWorker, as `manage.py ingest_mqtt` runs
  it) in --workers processes sharing the subscription, alerts off (they are evaluated by the
  task queue, not in ingest);
* a raw-socket load generator (`blast_main`) sending QoS-1 {"readings": [...]} messages
  encoded in advance, and paho publishers for the paced phase.

Phases, in this order:

1. saturation: --messages sent as fast as possible; readings/s = committed readings divided
   by the time from the first publish to the last commit;
2. COPY: the readings committed in phase 1, exported once as a binary COPY stream and sent
   back unchanged into a fresh table with the same definition and primary key as
   environment_reading, best of 3: the database's ceiling for these rows (the worker also
   maintains the hourly, daily and year-series aggregates, COPY does not);
3. half the ceiling (the aim): --sustain-seconds on a fixed schedule at half the ceiling of
   phase 2 (or --sustain-rate), each reading stamped with its scheduled send time; kept up
   when the lag in the last fifth is not above the first fifth's by more than 0.5 s; then the
   COPY ceiling of that phase's own rows (over millions of rows it is lower than phase 2's:
   the index outgrows memory, checkpoints come);
4. paced: paho publishers send --paced-rate readings/s for --paced-seconds; lag p50/p95/max;
5. backlog: the workers stop, --messages are queued in their persistent sessions, the workers
   start again: readings/s to store the backlog, counted from their start (no publisher
   competing for the CPU: the worker's own capacity);
6. read: a year of daily aggregates for --read-sensors sensors (PM2.5 and PM10) is loaded
   and the selector behind /api/v1/air-quality/daily-means (selectors.daily_mean_arrays)
   reads one year of valid daily PM2.5 means for all of them into Python (median of 7
   runs), and the HTTP view end to end (JSON).

CPU per reading is read from /proc for the workers, the broker, every PostgreSQL process and
the load generator.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_broker(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = _free_port()
    config = directory / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                      f"persistence_location {directory}/\nmax_queued_messages 0\nlog_dest none\n")
    process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket

    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return process, f"mqtt://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mosquitto did not start")


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def prepare(url: str, sensors: int) -> list[str]:
    """Migrate the environment app only, register the bench sensors, empty the data tables."""
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from environment.models import Sensor, Station

    call_command("migrate", "environment", verbosity=0)
    ids = [f"bench-{i:04d}" for i in range(sensors)]
    existing = set(Sensor.objects.filter(sensor_id__in=ids).values_list("sensor_id", flat=True))
    missing = [sensor_id for sensor_id in ids if sensor_id not in existing]
    if missing:
        stations = Station.objects.bulk_create([
            Station(slug=sensor_id, name=sensor_id, latitude=45.70 + (i % 50) / 500, longitude=21.15 + i / 5000,
                    is_demo=True) for i, sensor_id in enumerate(missing)])
        Sensor.objects.bulk_create([Sensor(sensor_id=s.slug, station=s, kind="SDS011", quantities=["pm10", "pm2_5"])
                                    for s in stations])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE environment_reading, environment_hourlyaggregate, environment_dailyaggregate, "
                       "environment_quarantinedreading")
        cursor.execute("UPDATE environment_sensor SET last_reading_at = NULL")
    seed_full_day(ids)
    connection.close()
    return ids


def seed_full_day(sensor_ids: list[str]) -> None:
    """Give every bench sensor 20 hours of PM data today, as late in a real day.

    Ingest then works as it must from the 18th hour on: each batch changes a valid EU daily
    mean, so the sensors' year series are rewritten every batch (before the 18th hour a day's
    mean is not valid yet and stays empty). The bench measures that heavier case.
    """
    from django.utils import timezone

    from environment.catalog import CODE_OF
    from environment.models import DailyAggregate, Sensor

    today = timezone.localdate()
    pks = list(Sensor.objects.filter(sensor_id__in=sensor_ids).values_list("pk", flat=True))
    DailyAggregate.objects.bulk_create([
        DailyAggregate(sensor_id=pk, quantity=CODE_OF[quantity], day=today, count=20 * 24, total_micro=20 * 24 * 10**7,
                       minimum=5.0, maximum=15.0, hours=20, hourly_mean_micro=20 * 10**7)
        for pk in pks for quantity in ("pm2_5", "pm10")])


# --- where the CPU goes ---------------------------------------------------------------------------


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (and its threads) from /proc, or 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class CpuMeter:
    """CPU seconds used by the worker processes, the broker and PostgreSQL between start and stop."""

    def __init__(self, workers: list[int], broker: int) -> None:
        self.groups = {"worker": workers, "broker": [broker]}
        self.before: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        values = {name: sum(_process_cpu(pid) for pid in pids) for name, pids in self.groups.items()}
        values["postgres"] = sum(_process_cpu(pid) for pid in _postgres_pids())
        return values

    def start(self) -> None:
        self.before = self._read()

    def stop(self, readings: int) -> dict[str, float]:
        """Microseconds of CPU per stored reading, per component."""
        after = self._read()
        return {name: round((after[name] - self.before.get(name, 0.0)) / max(readings, 1) * 1e6, 2)
                for name in after}


# --- worker process ------------------------------------------------------------------------------


def worker_main(url: str, mqtt_url: str, events: Any, stop: Any, batch: int, number: int, shared: bool) -> None:
    setup_django(url)
    import threading

    from environment.airquality.columnar import POSTGRES_EPOCH
    from environment.ingest.mqtt import IngestWorker, WorkerConfig, tune_garbage_collector

    def on_commit(result: Any, messages: list[Any], rows: Any) -> None:
        now = (dt.datetime.now(dt.UTC) - POSTGRES_EPOCH) / dt.timedelta(microseconds=1)
        # One lag sample per message: its first reading's time is its publish time (rows are the
        # batch's columns, times in µs since 2000).
        step = max(1, len(rows) // len(messages))
        lags = [(now - micros) / 1e6 for micros in rows.micros[::step].tolist()]
        events.put(("commit", time.time(), result.inserted, result.duplicates, lags[:200]))

    tune_garbage_collector()
    worker = IngestWorker(WorkerConfig(url=mqtt_url, client_id=f"bench-ingest-{number}", batch_messages=batch,
                                       receive_maximum=min(4 * batch, 65_535),
                                       shared_group="bench" if shared else "",
                                       alerts=False,
                                       max_readings_per_sensor_minute=10**9), on_commit=on_commit)
    halt = threading.Event()

    def watch() -> None:
        stop.wait()
        halt.set()

    threading.Thread(target=watch, daemon=True).start()

    def connected() -> None:
        worker.connected.wait(30)
        events.put(("connected", time.time()))

    threading.Thread(target=connected, daemon=True).start()
    stats = worker.run(halt)
    events.put(("stopped", time.time(), stats.line()))


# --- publishers ----------------------------------------------------------------------------------


def message_body(stamp: str, index: int, per_message: int) -> str:
    """A device's buffered upload: PM2.5 and PM10 measured together (as an SDS011 or PMS5003 does),
    at per_message / 2 moments a millisecond apart; `stamp` is the first moment to the millisecond
    (without the microsecond digits, which number the moments)."""
    return '{"readings":[' + ",".join(
        f'{{"quantity":"{"pm2_5" if j % 2 == 0 else "pm10"}","value":{5 + (index * 7 + j) % 40},'
        f'"unit":"ug/m3","time":"{stamp}{j // 2:03d}Z"}}' for j in range(per_message)) + "]}"


def publisher_main(mqtt_url: str, sensor_ids: list[str], messages: int, per_message: int, rate: float,
                   seconds: float, go: Any, done: Any) -> None:
    """Publish QoS-1 messages round-robin over the sensors; `rate` readings/s (0 = as fast as possible)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    host, port = mqtt_url.removeprefix("mqtt://").split(":")
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{os.getpid()}", protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(2000)
    client.max_queued_messages_set(0)
    client.connect(host, int(port))
    client.loop_start()
    go.wait()
    start = time.time()
    sent = 0
    counters = dict.fromkeys(sensor_ids, 0)
    last_info = None
    outstanding: collections.deque[Any] = collections.deque()
    deadline = start + seconds if seconds else None
    while (messages and sent < messages) or (deadline and time.time() < deadline):
        sensor_id = sensor_ids[sent % len(sensor_ids)]
        index = counters[sensor_id]
        counters[sensor_id] = index + 1
        now = dt.datetime.now(dt.UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S") + f".{now.microsecond // 1000:03d}"
        last_info = client.publish(f"smartcity/sensors/{sensor_id}", message_body(stamp, index, per_message), qos=1)
        outstanding.append(last_info)
        if len(outstanding) > 20_000:  # MQTT message ids are 16-bit: keep well under 65,535 unacknowledged
            outstanding.popleft().wait_for_publish(60)
        sent += 1
        if rate:
            ahead = start + sent * per_message / rate - time.time()
            if ahead > 0:
                time.sleep(ahead)
    if last_info is not None:
        last_info.wait_for_publish(60)
    done.put((start, time.time(), sent))
    client.disconnect()
    client.loop_stop()


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        number, digit = divmod(number, 128)
        out.append(digit | (0x80 if number else 0))
        if not number:
            return bytes(out)


def blast_main(mqtt_url: str, sensor_ids: list[str], messages: int, per_message: int, go: Any, done: Any,
               ready: Any = None, rate: float = 0.0) -> None:
    """Publish QoS-1 messages over a raw MQTT 3.1.1 socket: flat out, or at `rate` readings/s.

    A load generator, not a client: it encodes PUBLISH packets itself, all of them before the
    phase starts, so that while it runs this process only writes to its socket (about 0.15 µs
    of CPU per reading, against ~15 µs through paho) and does not take the CPU the worker
    under test needs. Devices are other machines in real life.

    Flat out (rate 0), messages are stamped at encoding, seconds before they are sent: that
    phase reports no lag. Paced, the send schedule is fixed in advance (one message per sensor
    per tick, ticks `500 * per_message / rate` seconds apart, from a start a little after the
    encoding ends); each reading is stamped with its message's scheduled send time, so commit
    time minus reading time is the end-to-end lag, including any delay in sending.
    """
    import socket
    import struct
    import threading

    host, port = mqtt_url.removeprefix("mqtt://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client_id = f"bench-blast-{os.getpid()}".encode()
    variable = b"\x00\x04MQTT\x04\x02\x00\x3c"
    body = variable + struct.pack("!H", len(client_id)) + client_id
    sock.sendall(b"\x10" + _varint(len(body)) + body)
    connack = b""
    while len(connack) < 4:
        connack += sock.recv(4 - len(connack))
    assert connack[3] == 0, f"CONNECT refused: {connack!r}"
    acked = threading.Event()
    expected_bytes = 4 * messages  # one 4-byte PUBACK per message

    def read_acks() -> None:
        received = 0
        while received < expected_bytes:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            received += len(chunk)
        acked.set()

    threading.Thread(target=read_acks, daemon=True).start()
    topics = [f"smartcity/sensors/{sensor_id}".encode() for sensor_id in sensor_ids]
    topic_headers = [struct.pack("!H", len(topic)) + topic for topic in topics]
    counters = [0] * len(topics)
    tick = len(topics) * per_message / rate if rate else 0.0
    # Paced: a start far enough ahead for the encoding (~12 µs a message) to be done by then.
    planned_start = time.time() + 1.0 + messages * 12e-6 if rate else 0.0
    chunks: list[bytes] = []
    sent = 0
    while sent < messages:
        if rate:
            moment = dt.datetime.fromtimestamp(planned_start + len(chunks) * tick, dt.UTC)
        else:
            moment = dt.datetime.now(dt.UTC)
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}"
        chunk = []
        for _ in range(min(len(topics), messages - sent)):  # each sensor once per chunk
            which = sent % len(topics)
            index = counters[which]
            counters[which] = index + 1
            payload = message_body(stamp, index, per_message).encode()
            header = topic_headers[which]
            remaining = len(header) + 2 + len(payload)
            chunk.append(b"\x32" + _varint(remaining) + header + struct.pack("!H", sent % 65535 + 1) + payload)
            sent += 1
        chunks.append(b"".join(chunk))
        if not rate:
            while dt.datetime.now(dt.UTC) < moment + dt.timedelta(milliseconds=1):  # distinct stamps per sensor
                time.sleep(0.0005)
    if ready is not None:
        ready.release()
    go.wait()
    start = time.time()
    if rate:
        start = max(start, planned_start)
        time.sleep(max(0.0, planned_start - time.time()))
    for number, encoded in enumerate(chunks):
        if rate:
            ahead = planned_start + number * tick - time.time()
            if ahead > 0:
                time.sleep(ahead)
        sock.sendall(encoded)
    acked.wait(600)
    done.put((start, time.time(), sent))
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()


def run_phase(mqtt_url: str, sensor_ids: list[str], events: Any, *, publishers: int, messages: int,
              per_message: int, rate: float, seconds: float, meter: CpuMeter | None = None,
              blaster: bool = False) -> dict[str, Any]:
    """Publish, and count what the workers commit. rate 0: the raw-socket load generator flat out;
    rate > 0: paho publishers at that rate (or, with blaster, the load generator on a fixed schedule)."""
    go = mp.Event()
    done: Any = mp.Queue()
    ready = mp.Semaphore(0)
    shares = [sensor_ids[i::publishers] for i in range(publishers)]
    if rate and not blaster:
        processes = [mp.Process(target=publisher_main, args=(mqtt_url, share, messages // publishers, per_message,
                                                             rate / publishers, seconds, go, done)) for share in shares]
    else:
        if rate:
            messages = round(rate * seconds / per_message)
        processes = [mp.Process(target=blast_main, args=(mqtt_url, share, messages // publishers, per_message, go,
                                                         done, ready, rate / publishers)) for share in shares]
    for process in processes:
        process.start()
    if rate and not blaster:
        time.sleep(1.0)  # publishers connected
    else:
        for _ in processes:
            ready.acquire(timeout=600)  # connected, and every message encoded
    if meter is not None:
        meter.groups["publisher"] = [p.pid for p in processes if p.pid]
        meter.start()
    go.set()
    expected = None
    finished: list[tuple[float, float, int]] = []
    inserted = duplicates = commits = 0
    lags: list[float] = []
    first_publish = None
    last_commit = None
    while True:
        while len(finished) < publishers and not done.empty():
            finished.append(done.get())
        if len(finished) == publishers and expected is None:
            expected = sum(f[2] for f in finished) * per_message
            first_publish = min(f[0] for f in finished)
        try:
            event = events.get(timeout=0.5)
        except Exception:  # queue.Empty
            event = None
        if event is not None and event[0] == "commit":
            inserted += event[2]
            duplicates += event[3]
            commits += 1
            lags.extend(event[4])
            last_commit = event[1]
        if expected is not None and inserted + duplicates >= expected:
            break
    cpu = meter.stop(inserted) if meter is not None else None
    for process in processes:
        process.join()
    assert first_publish is not None and last_commit is not None
    elapsed = last_commit - first_publish
    # Lag trend, in commit order: a pipeline that keeps up has the same lag at the end of the
    # phase as at the start; one that falls behind sees it grow with the backlog.
    fifth = max(1, len(lags) // 5)
    trend = (statistics.median(lags[:fifth]), statistics.median(lags[-fifth:])) if lags else (0.0, 0.0)
    lags.sort()
    return {"readings": inserted, "duplicates": duplicates, "seconds": round(elapsed, 2),
            "readings_per_second": round(inserted / elapsed),
            "publish_seconds": round(max(f[1] for f in finished) - first_publish, 2),
            "lag_p50_ms": round(1000 * lags[len(lags) // 2]) if lags else None,
            "lag_p95_ms": round(1000 * lags[int(len(lags) * 0.95)]) if lags else None,
            "lag_max_ms": round(1000 * lags[-1]) if lags else None, "cpu_us_per_reading": cpu,
            "lag_first_fifth_ms": round(1000 * trend[0]), "lag_last_fifth_ms": round(1000 * trend[1]),
            "readings_per_commit": round(inserted / max(commits, 1))}


def drain_phase(database_url: str, mqtt_url: str, sensor_ids: list[str], *, workers: int, batch: int,
                messages: int, per_message: int, broker_pid: int) -> dict[str, Any]:
    """The workers are down: a backlog builds up in their persistent sessions; then they start
    and the time to store it all is the worker's own capacity (no publisher competing for CPU)."""
    go = mp.Event()
    done: Any = mp.Queue()
    publisher = mp.Process(target=blast_main, args=(mqtt_url, sensor_ids, messages, per_message, go, done))
    publisher.start()
    time.sleep(1.0)
    go.set()
    done.get(timeout=600)
    publisher.join()
    events: Any = mp.Queue()
    stop = mp.Event()
    started = time.time()
    processes = [mp.Process(target=worker_main, args=(database_url, mqtt_url, events, stop, batch, number,
                                                      workers > 1)) for number in range(workers)]
    for process in processes:
        process.start()
    meter = CpuMeter([p.pid for p in processes if p.pid], broker_pid)
    expected = messages * per_message
    inserted = 0
    last_commit = started
    connected_at: list[float] = []
    give_up = time.time() + 600
    while inserted < expected and time.time() < give_up:
        event = events.get(timeout=600)
        if event[0] == "connected":
            if not connected_at:
                meter.start()  # after the workers' Django set-up
            connected_at.append(event[1])
        elif event[0] == "commit":
            inserted += event[2]
            last_commit = event[1]
    cpu = meter.stop(inserted)  # before the workers (and their database sessions) exit
    stop.set()
    for process in processes:
        process.join(60)
    # Counted from the moment the first worker is connected (its Django set-up is not ingest).
    first = min(connected_at) if connected_at else started
    elapsed = last_commit - first
    return {"readings": inserted, "seconds": round(elapsed, 2), "readings_per_second": round(inserted / elapsed),
            "startup_seconds": round(first - started, 2), "cpu_us_per_reading": cpu}


# --- COPY ceiling and the read --------------------------------------------------------------------


def copy_ceiling(url: str, repeats: int = 3, since: dt.datetime | None = None) -> dict[str, Any]:
    """COPY the rows the worker stored (those timed `since`, or all) into an identical table: the
    database's ceiling for these rows.

    The rows are exported once as PostgreSQL's binary COPY stream and that stream is sent back
    unchanged (no client-side formatting at all). The best of `repeats` runs (each into a fresh
    table): the ceiling is what the database can do, so a run slowed by a checkpoint or
    autovacuum does not flatter the ratio."""
    import psycopg

    rates = []
    postgres_cpu = []
    columns = "sensor_id, time, quantity, value"
    params = [since or dt.datetime(1, 1, 1, tzinfo=dt.UTC)]
    with psycopg.connect(url, autocommit=True) as conn:
        exported = bytearray()
        with conn.cursor() as cursor, cursor.copy(
                "COPY (SELECT sensor_id, time, quantity, value FROM environment_reading WHERE time >= %s) "
                "TO STDOUT (FORMAT BINARY)", params) as copy:
            for chunk in copy:
                exported += chunk
        row = conn.execute("SELECT count(*) FROM environment_reading WHERE time >= %s", params).fetchone()
        count = row[0] if row else 0
        chunk_size = 1 << 20
        for _ in range(repeats):
            conn.execute("DROP TABLE IF EXISTS bench_copy")
            conn.execute("CREATE TABLE bench_copy (LIKE environment_reading INCLUDING ALL)")
            cpu_before = sum(_process_cpu(pid) for pid in _postgres_pids())
            started = time.perf_counter()
            statement = f"COPY bench_copy ({columns}) FROM STDIN (FORMAT BINARY)"
            with conn.transaction(), conn.cursor() as cursor, cursor.copy(statement) as copy:
                view = memoryview(exported)
                for start in range(0, len(view), chunk_size):
                    copy.write(view[start:start + chunk_size])
            rates.append(count / (time.perf_counter() - started))
            postgres_cpu.append((sum(_process_cpu(pid) for pid in _postgres_pids()) - cpu_before) / count * 1e6)
        conn.execute("DROP TABLE bench_copy")
    best = rates.index(max(rates))
    return {"readings": count, "runs_per_second": [round(r) for r in rates],
            "readings_per_second": round(rates[best]), "postgres_cpu_us_per_reading": round(postgres_cpu[best], 2)}


def read_year(url: str, sensors: int) -> dict[str, Any]:
    """Load a year of daily aggregates for `sensors` sensors, then read one year of daily means."""
    import psycopg

    setup_django(url)
    from django.db import connection
    from django.test import Client

    from environment import selectors

    year = dt.date.today().year - 1
    ids = prepare_read_sensors(sensors)
    series: dict[tuple[int, int], list[int | None]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM environment_dailyaggregate WHERE day BETWEEN %s AND %s",
                     [dt.date(year, 1, 1), dt.date(year, 12, 31)])
        conn.execute("DELETE FROM environment_dailyseries WHERE year = %s", [year])
        with conn.transaction(), conn.cursor() as cursor:
            columns = "sensor_id, quantity, day, count, total_micro, minimum, maximum, hours, hourly_mean_micro"
            with cursor.copy(f"COPY environment_dailyaggregate ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["bigint", "smallint", "date", "integer", "bigint", "float8", "float8", "smallint",
                                "bigint"])
                day = dt.date(year, 1, 1)
                while day.year == year:
                    for sensor_pk in ids:
                        for quantity, base in ((2, 12.0), (1, 20.0)):
                            mean = base + (sensor_pk * 7 + day.toordinal()) % 25
                            copy.write_row((sensor_pk, quantity, day, 576, round(mean * 576e6), mean / 2, mean * 2,
                                            24, round(mean * 24e6)))
                            # The year series ingest keeps beside the daily rows (thousandths).
                            series.setdefault((sensor_pk, quantity), [None] * 366)[
                                day.timetuple().tm_yday - 1] = round(mean * 1000)
                    day += dt.timedelta(days=1)
            with cursor.copy("COPY environment_dailyseries (sensor_id, quantity, year, means) FROM STDIN") as copy:
                for (sensor_pk, quantity), daily_means in series.items():
                    copy.write_row((sensor_pk, quantity, year, daily_means))
        conn.execute("ANALYZE environment_dailyaggregate")
    connection.close()
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        means = selectors.daily_mean_arrays(year, "pm2_5")
        timings.append(time.perf_counter() - started)
    values = sum(sum(v is not None for v in row) for row in means.values.values())
    client = Client()
    http = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(f"/api/v1/air-quality/daily-means?year={year}&quantity=pm2_5", HTTP_HOST="127.0.0.1")
        http.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:200]
    return {"sensors": len(means.values), "daily_means": values,
            "selector_ms_median": round(statistics.median(timings) * 1000),
            "http_json_ms_median": round(statistics.median(http) * 1000), "json_bytes": len(response.content)}


def prepare_read_sensors(count: int) -> list[int]:
    from environment.models import Sensor

    return list(Sensor.objects.filter(sensor_id__startswith="bench-").order_by("pk").values_list("pk", flat=True)[
        :count])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/environment_bench")
    parser.add_argument("--sensors", type=int, default=500)
    parser.add_argument("--messages", type=int, default=200_000, help="Messages in the saturation phase.")
    parser.add_argument("--per-message", type=int, default=10, help="Readings per message.")
    parser.add_argument("--publishers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=10_000,
                        help="Worker: messages per transaction at most (receive maximum: four batches).")
    parser.add_argument("--workers", type=int, default=2,
                        help="Worker processes sharing the subscription ($share/bench/...), as in production.")
    parser.add_argument("--paced-rate", type=float, default=20000, help="Readings/s in the paced phase (0: skip).")
    parser.add_argument("--paced-seconds", type=float, default=10)
    parser.add_argument("--sustain-seconds", type=float, default=10,
                        help="Seconds of load at half the measured COPY ceiling, on a fixed schedule (0: skip).")
    parser.add_argument("--sustain-rate", type=float, default=0,
                        help="Readings/s of that phase instead of half the ceiling (e.g. for a long phase, whose "
                             "rows have a lower ceiling of their own).")
    parser.add_argument("--read-sensors", type=int, default=500)
    parser.add_argument("--no-drain", dest="drain", action="store_false",
                        help="Skip the backlog phase (workers down while --messages are queued, then started).")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON only.")
    args = parser.parse_args()

    mp.set_start_method("spawn")
    ensure_database(args.database_url)
    sensor_ids = prepare(args.database_url, max(args.sensors, args.read_sensors))[:args.sensors]
    results: dict[str, Any] = {"config": {k: v for k, v in vars(args).items() if k != "json"},
                               "cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="bench-mosquitto-") as directory:
        broker, mqtt_url = start_broker(Path(directory))
        events: Any = mp.Queue()
        stop = mp.Event()
        workers = [mp.Process(target=worker_main, args=(args.database_url, mqtt_url, events, stop, args.batch, number,
                                                        args.workers > 1)) for number in range(args.workers)]
        for worker in workers:
            worker.start()
        try:
            for _ in workers:
                kind, *_rest = events.get(timeout=60)
                assert kind == "connected"
            results["mqtt_saturation"] = run_phase(mqtt_url, sensor_ids, events, publishers=args.publishers,
                                                   messages=args.messages, per_message=args.per_message, rate=0,
                                                   seconds=0, meter=CpuMeter([w.pid for w in workers if w.pid],
                                                                             broker.pid))
            results["copy_ceiling"] = copy_ceiling(args.database_url)
            if args.sustain_seconds:
                # The aim itself: can ingest sustain half the ceiling, end to end, with bounded lag?
                target = args.sustain_rate or results["copy_ceiling"]["readings_per_second"] / 2
                phase_start = dt.datetime.now(dt.UTC)
                sustained = run_phase(mqtt_url, sensor_ids, events, publishers=args.publishers, messages=0,
                                      per_message=args.per_message, rate=target, seconds=args.sustain_seconds,
                                      blaster=True, meter=CpuMeter([w.pid for w in workers if w.pid], broker.pid))
                sustained["target_per_second"] = round(target)
                # Kept up: everything sent was stored, and the lag did not grow through the phase.
                sustained["kept_up"] = sustained["lag_last_fifth_ms"] <= sustained["lag_first_fifth_ms"] + 500
                # The database's ceiling for this phase's own rows: over many millions of rows
                # (checkpoints, an index larger than memory) it is lower than for the first phase's.
                own = copy_ceiling(args.database_url, repeats=3 if sustained["readings"] <= 5_000_000 else 1,
                                   since=phase_start)
                sustained["copy_same_rows"] = own
                sustained["ratio_to_copy_same_rows"] = round(target / own["readings_per_second"], 3)
                results["mqtt_half_ceiling"] = sustained
            if args.paced_rate:
                results["mqtt_paced"] = run_phase(mqtt_url, sensor_ids, events, publishers=args.publishers,
                                                  messages=0, per_message=args.per_message, rate=args.paced_rate,
                                                  seconds=args.paced_seconds)
        finally:
            stop.set()
            for worker in workers:
                worker.join(60)
        try:
            if args.drain:
                results["mqtt_backlog_drain"] = drain_phase(
                    args.database_url, mqtt_url, sensor_ids, workers=args.workers, batch=args.batch,
                    messages=args.messages, per_message=args.per_message, broker_pid=broker.pid)
        finally:
            broker.terminate()
            broker.wait(10)
    results["ratio_to_copy"] = round(results["mqtt_saturation"]["readings_per_second"]
                                     / results["copy_ceiling"]["readings_per_second"], 3)
    results["read_year"] = read_year(args.database_url, args.read_sensors)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    saturation, paced, copy, read = (results["mqtt_saturation"], results.get("mqtt_paced"), results["copy_ceiling"],
                                     results["read_year"])
    print(f"Machine: {os.cpu_count()} CPUs, load average before the run {results['load_before']}; "
          f"{args.sensors} sensors; {args.per_message} readings per message; {args.workers} worker process(es)")
    print(f"MQTT → PostgreSQL, saturated : {saturation['readings_per_second']:>9,} readings/s "
          f"({saturation['readings']:,} readings in {saturation['seconds']} s, publisher and broker on the same "
          f"machine)")
    cpu = saturation["cpu_us_per_reading"]
    print(f"  CPU per reading while saturated: worker {cpu['worker']} µs, broker {cpu['broker']} µs, PostgreSQL "
          f"{cpu['postgres']} µs, load generator {cpu['publisher']} µs; {saturation['readings_per_commit']:,} "
          "readings per commit")
    drain = results.get("mqtt_backlog_drain")
    if drain:
        print(f"MQTT backlog drained          : {drain['readings_per_second']:>9,} readings/s "
              f"({drain['readings']:,} readings queued while the worker was down, stored in {drain['seconds']} s "
              f"once connected)")
        cpu = drain["cpu_us_per_reading"]
        print(f"  CPU per reading while draining: worker {cpu['worker']} µs, broker {cpu['broker']} µs, "
              f"PostgreSQL {cpu['postgres']} µs")
    print(f"COPY of the same rows         : {copy['readings_per_second']:>9,} readings/s "
          f"→ ingest is {results['ratio_to_copy']:.0%} of the ceiling (ingest also maintains the aggregates)")
    print(f"  CPU per reading: PostgreSQL {copy['postgres_cpu_us_per_reading']} µs")
    half = results.get("mqtt_half_ceiling")
    if half:
        cpu = half["cpu_us_per_reading"]
        verdict = "kept up" if half["kept_up"] else "did NOT keep up"
        own = half["copy_same_rows"]
        label = "MQTT at a set rate            " if args.sustain_rate else "MQTT at half the ceiling      "
        print(f"{label}: {half['target_per_second']:>9,} readings/s sent for "
              f"{args.sustain_seconds:g} s, all {half['readings']:,} stored: {verdict} (lag median "
              f"{half['lag_first_fifth_ms']} ms in the first fifth, {half['lag_last_fifth_ms']} ms in the last); "
              f"end-to-end lag p50 {half['lag_p50_ms']} ms, p95 {half['lag_p95_ms']} ms, max {half['lag_max_ms']} ms")
        print(f"  CPU per reading: worker {cpu['worker']} µs, broker {cpu['broker']} µs, PostgreSQL "
              f"{cpu['postgres']} µs, load generator {cpu['publisher']} µs; {half['readings_per_commit']:,} "
              "readings per commit")
        print(f"  COPY of that phase's own rows: {own['readings_per_second']:,} readings/s (PostgreSQL "
              f"{own['postgres_cpu_us_per_reading']} µs per reading) → sent at {half['ratio_to_copy_same_rows']:.0%} "
              "of it")
    if paced:
        print(f"MQTT paced at {args.paced_rate:,.0f}/s          : {paced['readings_per_second']:>9,} readings/s "
              f"kept up; end-to-end lag p50 {paced['lag_p50_ms']} ms, p95 {paced['lag_p95_ms']} ms, "
              f"max {paced['lag_max_ms']} ms")
    print(f"A year of daily means, {read['sensors']} sensors ({read['daily_means']:,} values): selector "
          f"{read['selector_ms_median']} ms, HTTP JSON {read['http_json_ms_median']} ms (median)")


if __name__ == "__main__":
    main()
