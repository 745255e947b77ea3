"""Load on the public site: gunicorn (gunicorn.conf.py) + PostgreSQL with the demo data, N concurrent
clients on the public read mix, side by side with the same server's bare-JSON ceiling in the same run.

    .venv/bin/python bench/site_load.py                      # 200 clients, 60 s per phase
    .venv/bin/python bench/site_load.py --clients 50 --seconds 20 --keep-db

What it does:
1. (re)creates the PostgreSQL database `site_load_bench` on 127.0.0.1 (--database), migrates it and loads
   the strategy and the demo data (`--keep-db` reuses a loaded one);
2. starts gunicorn with the project's gunicorn.conf.py on a free port of 127.0.0.1 (DEBUG off, the Redis
   cache when Redis answers on 127.0.0.1:6379), with bench.reports_site_settings, which adds
   /bench/ping.json, a JSON view doing no work, behind the same middleware;
3. phase "ceiling": the clients request /bench/ping.json for --seconds; phase "public mix": the clients
   cycle through home, strategy, a project, the reports list and map data, the Open311 list, the air
   quality page and the API's strategy, for --seconds;
4. prints, per phase and per page, requests/s, p50/p95/p99 latency and errors, and the mix's share of
   the ceiling.

The clients are asyncio coroutines on keep-alive HTTP/1.1 connections in this process (one core), so on
a small machine the generator competes with the server for CPU: the figures are the pair's, measured
the same way for both phases. Load stays on 127.0.0.1 and each phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CEILING = ["/bench/ping.json"]


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def environment(database_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.reports_site_settings",
           "SECRET_KEY": "bench-only-" + "k" * 40, "PERSON_KEY_PEPPER": "bench-only-" + "p" * 40,
           "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "SMARTCITY_VAR_DIR": str(ROOT / "var" / "bench-site-load"), "PYTHONPATH": str(ROOT)}
    if redis_answers():
        env["REDIS_URL"] = "redis://127.0.0.1:6379/7"
    else:
        env.pop("REDIS_URL", None)
    return env


def prepare_database(name: str, keep: bool) -> str:
    import psycopg

    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            log(f"database {name}: kept")
            return url
        if exists:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = environment(url)
    for command in (["migrate", "--noinput"], ["load_strategy", "data/timisoara/strategy.yaml"], ["load_demo_data"]):
        started = time.monotonic()
        subprocess.run([str(PYTHON), "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        log(f"  manage.py {command[0]}: {time.monotonic() - started:.0f} s")
    return url


def public_mix(base: str) -> list[str]:
    """The read mix, with a real project code taken from the API."""
    import json

    with urllib.request.urlopen(base + "/api/v1/projects?limit=1", timeout=30) as response:  # noqa: S310
        payload = json.load(response)
    items = payload.get("items", payload) if isinstance(payload, dict) else payload
    code = items[0]["code"]
    return ["/ro/", "/ro/strategie/", f"/ro/proiecte/{code}/", "/ro/sesizari/", "/reports/map.json",
            "/open311/v2/requests.json", "/ro/aer/", "/api/v1/strategy"]


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, bool]:
    """Send one GET; return the status and whether the server closes the connection after it."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: ro\r\n"
                 "User-Agent: site_load\r\n\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked, close = 0, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and "close" in value.lower():
            close = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, close


async def _client(port: int, paths: list[str], offset: int, deadline: float,
                  results: dict[str, list[float]], errors: dict[str, int]) -> None:
    index = offset
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.monotonic() < deadline:
        path = paths[index % len(paths)]
        index += 1
        started = time.monotonic()
        try:
            reused = connection is not None
            if connection is None:
                connection = await asyncio.open_connection("127.0.0.1", port)
            try:
                status, close = await asyncio.wait_for(_request(*connection, path), timeout=30)
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                if not reused or isinstance(error, ConnectionRefusedError):
                    raise
                # The server closed an idle keep-alive connection (a worker recycled after
                # max_requests): like a browser, send the request again on a new connection.
                connection[1].close()
                connection = await asyncio.open_connection("127.0.0.1", port)
                status, close = await asyncio.wait_for(_request(*connection, path), timeout=30)
            if close:
                connection[1].close()
                connection = None
            if status != 200:
                errors[path] = errors.get(path, 0) + 1
            else:
                results.setdefault(path, []).append(time.monotonic() - started)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, OSError, ValueError):
            errors[path] = errors.get(path, 0) + 1
            if connection is not None:
                connection[1].close()
            connection = None
    if connection is not None:
        connection[1].close()


def run_phase(port: int, paths: list[str], clients: int, seconds: float) -> tuple[dict[str, list[float]],
                                                                                   dict[str, int], float]:
    results: dict[str, list[float]] = {}
    errors: dict[str, int] = {}

    async def main() -> float:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_client(port, paths, n, deadline, results, errors) for n in range(clients)))
        return time.monotonic() - started

    elapsed = asyncio.run(main())
    return results, errors, elapsed


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarise(label: str, results: dict[str, list[float]], errors: dict[str, int], elapsed: float) -> float:
    every = [value for values in results.values() for value in values]
    total_errors = sum(errors.values())
    rate = len(every) / elapsed
    log(f"{label:<28} {rate:8.1f} req/s   p50 {percentile(every, .5) * 1000:7.0f} ms   "
        f"p95 {percentile(every, .95) * 1000:7.0f} ms   p99 {percentile(every, .99) * 1000:7.0f} ms   "
        f"errors {total_errors}")
    for path in sorted(set(results) | set(errors)):
        values = results.get(path, [])
        log(f"  {path:<26} {len(values) / elapsed:8.1f} req/s   p50 {percentile(values, .5) * 1000:7.0f} ms   "
            f"p95 {percentile(values, .95) * 1000:7.0f} ms   errors {errors.get(path, 0)}"
            + (f"   mean {statistics.fmean(values) * 1000:.0f} ms" if values else ""))
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database", default="site_load_bench")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn processes (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, default=0, help="threads per process (default: gunicorn.conf.py's)")
    parser.add_argument("--no-page-cache", action="store_true", help="PAGE_CACHE_SECONDS=0: every page rendered")
    args = parser.parse_args()

    log(f"preparing PostgreSQL database {args.database} with the demo data")
    url = prepare_database(args.database, args.keep_db)
    port = free_port()
    env = environment(url)
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    if args.no_page_cache:
        env["PAGE_CACHE_SECONDS"] = "0"
    server = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                               "--access-logfile", "/dev/null", "smartcity.wsgi"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/bench/ping.json", timeout=2).close()  # noqa: S310
                break
            except OSError:
                if server.poll() is not None:
                    output = server.stdout.read() if server.stdout else ""
                    raise SystemExit("gunicorn did not start:\n" + output) from None
                time.sleep(0.2)
        mix = public_mix(base)
        log(f"gunicorn: workers={env.get('GUNICORN_WORKERS', 'conf')} threads={env.get('GUNICORN_THREADS', 'conf')}"
            f" gthread; cache: {'Redis' if 'REDIS_URL' in env else 'local memory'}; anonymous page cache: "
            f"{'off' if args.no_page_cache else 'on'}; {os.cpu_count()} cores")
        log(f"warm-up: every page once per client ({args.clients} clients, 5 s)")
        run_phase(port, mix, args.clients, 5)
        log(f"phase 'ceiling': {args.clients} clients on /bench/ping.json for {args.seconds:.0f} s")
        ceiling = summarise("bare JSON ceiling", *run_phase(port, CEILING, args.clients, args.seconds))
        log(f"phase 'public mix': {args.clients} clients on {len(mix)} pages for {args.seconds:.0f} s")
        mixed = summarise("public read mix", *run_phase(port, mix, args.clients, args.seconds))
        log(f"public mix / ceiling: {mixed / ceiling * 100:.0f} %")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
