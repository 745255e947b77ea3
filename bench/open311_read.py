"""Read performance of the reports room on PostgreSQL: Open311 `GET requests.json` and the public
map's data endpoint, next to a trivial JSON endpoint of the same server (the framework's ceiling).

    .venv/bin/python bench/open311_read.py                      # 100,000 then 1,000,000 reports
    .venv/bin/python bench/open311_read.py --sizes 100000       # only the first size
    .venv/bin/python bench/open311_read.py --requests 1000 --concurrency 4 --workers 3

What it does, in one run:
1. (re)creates the database `reports_bench` on 127.0.0.1 (override with --database), migrates it and
   loads Timișoara's neighbourhoods and report categories;
2. bulk-loads synthetic reports with COPY (indexes dropped during the load and rebuilt after):
   points spread over the city's box, three years of history, realistic statuses, the public
   updates of the last 120 days (for `extensions=true`); then ANALYZE;
3. starts gunicorn on 127.0.0.1 (sync workers, no DEBUG) and drives it from this process with a
   bounded pool of threads over loopback, each endpoint for the same number of requests after a
   warm-up; reports p50/p95/p99 latency and requests per second, and each endpoint's share of the
   ceiling's throughput;
4. grows the table to the next size and repeats.

Nothing leaves the machine; the database is left in place for inspection (drop it when done).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CITY = (45.705, 21.17, 45.795, 21.30)  # min lat, min lon, max lat, max lon: the built-up city
CENTRU_BBOX = "21.2180,45.7490,21.2330,45.7590"  # lon/lat, about 1.2 x 1.1 km around Piața Victoriei
CITY_BBOX = "21.1500,45.6900,21.3200,45.8100"
STATUS_WEIGHTS = [("submitted", 6), ("acknowledged", 5), ("in_progress", 5), ("reopened", 1), ("fixed", 65),
                  ("closed_not_fixed", 8), ("duplicate", 5), ("not_responsible", 5)]
OPEN = {"submitted", "acknowledged", "in_progress", "reopened"}
WORDS = ["Groapă", "adâncă", "pe", "banda", "stâlp", "stins", "gunoi", "necolectat", "trotuar", "spart", "lângă",
         "bloc", "stație", "copac", "căzut", "moloz", "parc", "intersecție", "strada", "mare"]


def log(message: str) -> None:
    print(message, flush=True)


# --- database ------------------------------------------------------------------------------------


def admin_connection(base_url: str) -> object:
    import psycopg

    return psycopg.connect(base_url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with admin_connection(url) as connection:  # type: ignore[attr-defined]
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    os.environ.setdefault("SMARTCITY_VAR_DIR", str(Path(tempfile.gettempdir()) / "reports-bench-var"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_schema() -> dict[str, tuple[int, int, int]]:
    from django.conf import settings
    from django.core.management import call_command

    from core.geo import load_neighbourhoods
    from reports.demo import load_reference_data

    call_command("migrate", verbosity=0)
    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson", actor="bench")
    categories = load_reference_data()
    return {code: (int(category.pk), int(category.department_id), int(category.target_days))
            for code, category in categories.items()}


def _area_lookup() -> tuple[list[int], list[object]]:
    from shapely.geometry import shape

    from core.models import Neighbourhood

    ids, shapes = [], []
    for pk, geometry in Neighbourhood.objects.values_list("id", "geometry"):
        ids.append(pk)
        shapes.append(shape(geometry))
    return ids, shapes


def _areas_for(lats: list[float], lons: list[float], ids: list[int], shapes: list[object]) -> list[int | None]:
    import numpy as np
    import shapely

    result: list[int | None] = [None] * len(lats)
    xs, ys = np.asarray(lons), np.asarray(lats)
    for pk, polygon in zip(ids, shapes, strict=True):
        inside = np.nonzero(shapely.contains_xy(polygon, xs, ys))[0]
        for position in inside:
            if result[position] is None:
                result[position] = pk
    return result


REPORT_COLUMNS = ["category_id", "department_id", "status", "is_open", "status_note", "status_reason",
                  "responsible_party", "title", "description", "answers", "address", "lat", "lon", "cell",
                  "neighbourhood_id", "reporter_name", "reporter_email", "reporter_phone", "show_name", "channel",
                  "moderation", "confirmed_at", "is_public", "is_demo", "priority", "created_at", "updated_at",
                  "acknowledged_at", "fixed_at", "closed_at", "expected_at", "supporters_count", "flags_count",
                  "reopened_count"]


def load_reports(count: int, categories: dict[str, tuple[int, int, int]], *, seed: int, now: dt.datetime) -> float:
    """COPY `count` more reports (and recent public updates); returns seconds taken."""
    from django.db import connection

    from reports.geodesy import grid_cell

    rng = random.Random(seed)
    started = time.perf_counter()
    area_ids, shapes = _area_lookup()
    codes = list(categories)
    statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]
    span = 3 * 365 * 86400
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                       "('reports_report', 'reports_update') AND indexname NOT LIKE '%%_pkey'")
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM reports_report")
        first_id = cursor.fetchone()[0] + 1
    raw = connection.connection  # psycopg 3 connection under Django's wrapper
    batch = 100_000
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        lats = [rng.uniform(CITY[0], CITY[2]) for _ in range(size)]
        lons = [rng.uniform(CITY[1], CITY[3]) for _ in range(size)]
        areas = _areas_for(lats, lons, area_ids, shapes)
        updates: list[tuple[object, ...]] = []
        with raw.cursor() as cursor, cursor.copy(f"COPY reports_report ({', '.join(REPORT_COLUMNS)}) FROM STDIN") \
                as copy:
            for position in range(size):
                report_id = first_id + offset + position
                category_id, department_id, target_days = categories[codes[rng.randrange(len(codes))]]
                created = now - dt.timedelta(seconds=rng.random() ** 0.8 * span)
                status = rng.choice(statuses)
                is_open = status in OPEN
                acknowledged: dt.datetime | None = None
                fixed: dt.datetime | None = None
                closed: dt.datetime | None = None
                if status != "submitted":
                    acknowledged = min(now, created + dt.timedelta(hours=rng.uniform(1, 96)))
                if status == "fixed":
                    fixed = min(now, created + dt.timedelta(days=rng.uniform(0.5, 40)))
                if not is_open:
                    closed = fixed or min(now, created + dt.timedelta(days=rng.uniform(1, 20)))
                updated = max(t for t in (created, acknowledged, fixed, closed) if t is not None)
                title = " ".join(rng.choice(WORDS) for _ in range(4))
                public = rng.random() > 0.02
                copy.write_row((
                    category_id, department_id, status, is_open, "", "", "", title,
                    f"{title}. Raport sintetic pentru măsurători (bench).", "{}", "", lats[position],
                    lons[position], grid_cell(lats[position], lons[position]), areas[position], "Bench Person",
                    "bench@example.org", "", False,
                    "web" if rng.random() < 0.8 else "open311", "approved" if public else "pending", created,
                    public, False, 2, created, updated, acknowledged, fixed, closed,
                    created + dt.timedelta(days=target_days), rng.randrange(5), 0, 0))
                if now - created < dt.timedelta(days=120):
                    updates.append((report_id, "created", "", "submitted", "", created, True))
                    if acknowledged is not None:
                        updates.append((report_id, "status", "submitted", "acknowledged", "", acknowledged, False))
                    if closed is not None:
                        updates.append((report_id, "status", "acknowledged", status, "Închis (bench).", closed,
                                        False))
        with raw.cursor() as cursor, cursor.copy(
                "COPY reports_update (report_id, kind, old_status, new_status, text, created_at, by_reporter) "
                "FROM STDIN") as copy:
            for row in updates:
                copy.write_row(row)
        raw.commit()
        log(f"  loaded {offset + size:,} of {count:,} ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('reports_report', 'id'), MAX(id)) FROM reports_report")
        for _name, definition in indexes:
            cursor.execute(definition)
    # VACUUM sets the visibility map (autovacuum does it in production), for index-only scans.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_report")
        cursor.execute("VACUUM ANALYZE reports_update")
    raw.commit()
    return time.perf_counter() - started


# --- the server and the load ---------------------------------------------------------------------


def start_server(url: str, port: int, workers: int, *, response_cache: bool) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.reports_site_settings",
                   "DEBUG": "0", "CONN_MAX_AGE": "600", "MAP_TILE_URL": "",
                   "REPORTS_RESPONSE_CACHE": "1" if response_cache else "0"}
    process = subprocess.Popen(
        [str(GUNICORN), "smartcity.wsgi:application", "--chdir", str(ROOT), "--pythonpath", str(ROOT),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
         "--log-level", "warning", "--timeout", "60"],
        env=environment, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status, _body = fetch(port, CEILING)
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise RuntimeError("gunicorn did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": "ro"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _batch(port: int, path: str, count: int, concurrency: int) -> tuple[list[float], float, int]:
    """`count` requests from `concurrency` threads; returns (latencies, elapsed seconds, errors)."""
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [count]
    errors = [0]

    def worker() -> None:
        local: list[float] = []
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            begin = time.perf_counter()
            status, _body = fetch(port, path)
            local.append(time.perf_counter() - begin)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(local)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(worker)
    return latencies, time.perf_counter() - started, errors[0]


def _summary(latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {"p50": percentile(0.50), "p95": percentile(0.95), "p99": percentile(0.99),
            "mean": statistics.fmean(ordered) * 1000, "rps": len(ordered) / elapsed, "errors": errors}


def measure(port: int, path: str, *, requests: int, concurrency: int, warmup: int, rounds: int = 5
            ) -> tuple[dict[str, float], dict[str, float]]:
    """The endpoint and the ceiling, interleaved in `rounds` alternating batches, so both see the same
    machine (other work on a shared machine changes the absolute figures from minute to minute)."""
    for target in (CEILING, path):
        for _ in range(warmup):
            status, body = fetch(port, target)
            if status != 200:
                raise RuntimeError(f"{target} answered {status}: {body[:300]!r}")
    collected: dict[str, tuple[list[float], float, int]] = {CEILING: ([], 0.0, 0), path: ([], 0.0, 0)}
    for _ in range(rounds):
        for target in (CEILING, path):
            latencies, elapsed, errors = _batch(port, target, requests // rounds, concurrency)
            previous = collected[target]
            collected[target] = (previous[0] + latencies, previous[1] + elapsed, previous[2] + errors)
    endpoint = _summary(*collected[path])
    endpoint["bytes"] = len(fetch(port, path)[1])
    return endpoint, _summary(*collected[CEILING])


CEILING = "/bench/ping.json"


def endpoints(now: dt.datetime) -> list[tuple[str, str]]:
    a_year_ago = now - dt.timedelta(days=365)
    start = (a_year_ago - dt.timedelta(days=30)).date()
    window = f"start_date={start}T00:00:00Z&end_date={a_year_ago.date()}T00:00:00Z"
    return [
        ("Open311 requests.json (default: last 90 days, 50 per page)", "/open311/v2/requests.json"),
        ("Open311 requests.json?service_code=potholes&status=open", "/open311/v2/requests.json?service_code=potholes"
                                                                   "&status=open"),
        ("Open311 requests.json, 30-day window a year ago", f"/open311/v2/requests.json?{window}"),
        ("Open311 requests.json?status=closed&page=5", "/open311/v2/requests.json?status=closed&page=5"),
        ("Open311 requests.json?extensions=true", "/open311/v2/requests.json?extensions=true"),
        ("Open311 requests.xml (default)", "/open311/v2/requests.xml"),
        ("map.json, whole city (500 newest)", f"/reports/map.json?bbox={CITY_BBOX}"),
        ("map.json, Centru, open only", f"/reports/map.json?bbox={CENTRU_BBOX}&status=open"),
        ("map.json, category=garbage, whole city", f"/reports/map.json?bbox={CITY_BBOX}&category=garbage"),
    ]


def run_size(url: str, size: int, args: argparse.Namespace, now: dt.datetime, *, response_cache: bool
             ) -> list[dict[str, object]]:
    mode = "response cache" if response_cache else "database"
    log(f"  -- {mode} --")
    process = start_server(url, args.port, args.workers, response_cache=response_cache)
    rows: list[dict[str, object]] = []
    try:
        for label, path in endpoints(now):
            result, ceiling = measure(args.port, path, requests=args.requests, concurrency=args.concurrency,
                                      warmup=args.warmup)
            share = result["rps"] / ceiling["rps"]
            rows.append({"size": size, "mode": mode, "endpoint": label, "path": path, **result,
                         "ceiling_rps": ceiling["rps"], "ceiling_p95": ceiling["p95"], "share": share})
            log(f"  {label:<58} p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms  "
                f"{result['rps']:7.1f} req/s | ceiling {ceiling['rps']:7.1f} req/s p95 {ceiling['p95']:5.1f} ms "
                f"| {share:4.0%}  ({int(result['bytes']):,} bytes)")
    finally:
        stop_server(process)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/reports_bench")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--requests", type=int, default=1500, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (bounded)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--modes", choices=["both", "database", "cache"], default="both",
                        help="serve without the response cache (database path), with it, or both")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if not args.database.rsplit("/", 1)[1].endswith("_bench"):
        raise SystemExit("use a database of your own whose name ends in _bench: it is dropped and recreated")
    log(f"database {args.database.rsplit('/', 1)[1]} (recreated); sizes {sizes}; {args.requests} requests per "
        f"endpoint, {args.concurrency} client threads, {args.workers} gunicorn workers, "
        f"{os.cpu_count()} CPUs")
    recreate_database(args.database)
    setup_django(args.database)
    from django.db import connection
    from django.utils import timezone

    categories = prepare_schema()
    now = timezone.now()
    loaded = 0
    results: list[dict[str, object]] = []
    for number, size in enumerate(sizes):
        log(f"loading {size - loaded:,} reports (total {size:,})")
        seconds = load_reports(size - loaded, categories, seed=number, now=now)
        loaded = size
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE is_public AND created_at >= %s) "
                           "FROM reports_report", [now - dt.timedelta(days=90)])
            total, window = cursor.fetchone()
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('reports_report'))")
            table_size = cursor.fetchone()[0]
        log(f"  {total:,} reports ({window:,} public in the last 90 days), table with indexes {table_size}, "
            f"load {seconds:.0f} s")
        connection.close()
        for response_cache in (False, True) if args.modes == "both" else (args.modes == "cache",):
            results.extend(run_size(args.database, size, args, now, response_cache=response_cache))
    output = io.StringIO()
    output.write("| reports | mode | endpoint | p50 ms | p95 ms | p99 ms | req/s | ceiling req/s "
                 "| share of ceiling |\n")
    output.write("|---:|---|---|---:|---:|---:|---:|---:|---:|\n")
    for row in results:
        output.write(f"| {int(row['size']):,} | {row['mode']} | {row['endpoint']} | "  # type: ignore[call-overload]
                     f"{float(row['p50']):.1f} | {float(row['p95']):.1f} | "  # type: ignore[arg-type]
                     f"{float(row['p99']):.1f} | {float(row['rps']):.0f} | "  # type: ignore[arg-type]
                     f"{float(row['ceiling_rps']):.0f} | {float(row['share']):.0%} |\n")  # type: ignore[arg-type]
    log("")
    log(output.getvalue())
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
