"""Open-data catalogue with 10,000 datasets: the CKAN API's `package_search` (several query shapes),
`package_show`, and the DCAT-AP catalogue page of 100 datasets (`/catalog.ttl`), each side by side with
the same server's bare-JSON ceiling of the same size, cold (the first read after the catalogue changed)
and warm.

    .venv/bin/python bench/opendata.py                                    # SQLite, in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_odperf .venv/bin/python bench/opendata.py
    .venv/bin/python bench/opendata.py --datasets 1000 --requests 30 --cold 3

What it does:
1. migrates a fresh SQLite database (or DATABASE_URL: use a database of your own, its harvested datasets are
   replaced) and stores `--datasets` synthetic harvested datasets (opendata.ExternalDataset, two resources
   each, 20 organisations, tags, groups, two years of modification dates) — so they reach the catalogue the
   way every dataset does: through a registered provider (the harvester's, one query), into the registry's
   snapshot. The rooms' own providers are unregistered: the catalogue is those datasets alone;
2. serves the platform in this process on 127.0.0.1 (Django's threaded WSGI server, as the tests' live
   server; DEBUG off, no page cache; the Redis cache db 2 when Redis answers, else local memory), with one
   extra view (bench/opendata_urls.py), /bench/ceiling.json?bytes=N: a JSON body of N bytes serialised in
   advance — what Django itself costs to answer with a body of that size;
3. per endpoint: `--cold` cold reads, each the first after a write (one harvested dataset's title saved: its
   signal renews the snapshot — the provider's query, the datasets, the search index or the DCAT triples of
   the changed dataset built again) and each followed by a read after a renewal that changed nothing
   (`registry.invalidate()`, as when the snapshot's lifetime ends: the provider called, what was derived
   taken over); then `--requests` warm reads, then as many reads of the ceiling of the same size; prints
   p50/p95 of each and warm / ceiling.
A client in the same process on one connection per request: client, server and framework share the CPU
(and the GIL), the same way for an endpoint and its ceiling. Aim (issue 14): package_search p95 < 100 ms,
a 100-dataset catalogue page < 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
ORGANISATIONS = [f"directia-{number:02d}" for number in range(20)]
GROUPS = ["mobilitate", "mediu", "economie", "educatie", "cultura", "energie", "sanatate", "administratie",
          "social", "urbanism"]
WORDS = ["transport", "buget", "școli", "parcări", "copaci", "aer", "apă", "energie", "cartier", "autobuz",
         "tramvai", "biciclete", "străzi", "iluminat", "deșeuri", "reciclare", "spitale", "cultură", "sport",
         "turism", "populație", "locuințe", "investiții", "contracte", "achiziții", "taxe", "venituri", "cheltuieli"]
def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def synthetic_rows(count: int, source: Any) -> list[Any]:
    from opendata.models import ExternalDataset

    rng = random.Random(14)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = []
    for number in range(count):
        words = rng.sample(WORDS, 3)
        organisation = ORGANISATIONS[number % len(ORGANISATIONS)]
        modified = start + dt.timedelta(minutes=number * 97 % (2 * 365 * 24 * 60))
        resources = [
            {"id": f"{number:05d}-csv", "name": f"Tabel {words[0]} {number}", "description": "", "format": "CSV",
             "mimetype": "text/csv", "url": f"https://date.example.ro/{organisation}/{number}.csv",
             "size": 1000 + number, "last_modified": modified.isoformat()},
            {"id": f"{number:05d}-json", "name": f"JSON {words[1]} {number}", "description": "", "format": "JSON",
             "mimetype": "application/json", "url": f"https://date.example.ro/{organisation}/{number}.json",
             "size": None, "last_modified": None},
        ]
        rows.append(ExternalDataset(
            source=source, remote_id=f"remote-{number:05d}", name=f"set-{number:05d}",
            title=f"Date despre {words[0]} și {words[1]} — {number}",
            notes=f"Setul {number}: {' '.join(words)} în Timișoara, publicat de {organisation}.",
            organization=organisation, organization_title=f"Direcția {organisation[-2:]}",
            license_id="cc-by", license_title="Creative Commons Attribution",
            license_url="https://opendefinition.org/licenses/cc-by/",
            tags=sorted({words[2], "timisoara", f"tag{number % 50}"}),
            groups=[{"name": GROUPS[number % len(GROUPS)], "title": GROUPS[number % len(GROUPS)]}],
            resources=resources, extras={"frequency": "anual"},
            remote_url=f"https://date.example.ro/dataset/set-{number:05d}",
            metadata_created=start, metadata_modified=modified))
    return rows


class Client:
    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, target: str) -> tuple[float, int]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            started = time.perf_counter()
            connection.request("GET", target, headers={"Host": "127.0.0.1", "Accept-Language": "ro"})
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"{target}: {response.status} {body[:300]!r}")
        return elapsed, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40, help="warm reads per endpoint (and of its ceiling)")
    parser.add_argument("--cold", type=int, default=3, help="cold reads per endpoint")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.site_load import free_port, redis_answers  # the same loopback helpers as the site-load bench
    os.environ.setdefault("SMARTCITY_VAR_DIR", tempfile.mkdtemp(prefix="opendata-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "smartcity.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)
    os.environ.setdefault("PERSON_KEY_PEPPER", "bench-only-" + "p" * 40)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    if redis_answers():
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/2"
    else:
        os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application
    from django.db import connection

    from opendata import registry
    from opendata.harvest import EXTERNAL_ROOM, external_datasets
    from opendata.models import ExternalDataset, HarvestSource

    settings.ROOT_URLCONF = "bench.opendata_urls"
    call_command("migrate", verbosity=0)
    ExternalDataset.objects.all().delete()
    source, _ = HarvestSource.objects.get_or_create(url="https://date.example.ro", organization="")
    started = time.perf_counter()
    ExternalDataset.objects.bulk_create(synthetic_rows(args.datasets, source), batch_size=1000)
    print(f"{args.datasets} harvested datasets stored in {time.perf_counter() - started:.1f} s")
    for room in registry.rooms():
        registry.unregister(room)
    registry.register(EXTERNAL_ROOM, external_datasets, sources=["opendata.externaldataset"])
    registry.invalidate()

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *arguments: Any) -> None:
            pass

    port = free_port()
    server = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler, allow_reuse_address=True)
    server.set_app(get_internal_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = Client(port)

    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[:3]
    cache_name = "Redis (db 2)" if os.environ.get("REDIS_URL") else "local memory"
    print(f"open-data bench: {args.datasets} datasets, {connection.vendor}, cache {cache_name}, "
          f"{args.requests} warm and {args.cold} cold reads per endpoint; Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {' '.join(load)}")
    print("  times in ms; cold: the first read after a write of a source model; renewed: after a renewal that "
          "changed nothing; warm: the snapshot built; ceiling: the bare JSON of the same size; ratio warm/ceiling")
    print(f"  {'endpoint':<56} {'KiB':>5} {'cold p50':>8} {'renewed':>8} {'warm':>7} {'warm':>7} {'ceiling':>7} "
          f"{'ceiling':>7} {'ratio':>7} {'ratio':>7}")
    print(f"  {'':<56} {'':>5} {'':>8} {'p50':>8} {'p50':>7} {'p95':>7} {'p50':>7} {'p95':>7} {'p50':>7} {'p95':>7}")

    def action(name: str, **params: Any) -> str:
        return f"/api/3/action/{name}?{urlencode(params)}"

    middle = f"set-{args.datasets // 2:05d}"
    last_page = max(1, -(-args.datasets // 100))
    endpoints = [
        ("package_search q=transport", action("package_search", q="transport")),
        ("package_search q=\"date despre\" fq=organization", action(
            "package_search", q='"date despre"', fq="organization:directia-07")),
        ("package_search fq=organization+tags+modified range", action(
            "package_search", fq="organization:directia-03 tags:timisoara "
                                 "metadata_modified:[2025-01-01T00:00:00Z TO *]")),
        ("package_search rows=1000", action("package_search", rows=1000)),
        ("package_search sort=metadata_modified desc rows=100", action(
            "package_search", sort="metadata_modified desc", rows=100)),
        (f"package_search start={args.datasets // 2} rows=100 sort=id asc (paging)", action(
            "package_search", start=args.datasets // 2, rows=100, sort="id asc")),
        ("package_search facets organization,tags,res_format", action(
            "package_search", rows=0, **{"facet.field": '["organization","tags","res_format"]'})),
        ("package_show", action("package_show", id=middle)),
        ("package_list", action("package_list")),
        ("/catalog.ttl (page 1, 100 datasets)", "/catalog.ttl"),
        (f"/catalog.ttl?page={last_page} (the last page)", f"/catalog.ttl?page={last_page}"),
        (f"/dataset/{middle}.ttl", f"/dataset/{middle}.ttl"),
    ]
    client.get("/bench/ceiling.json?bytes=100")
    client.get(endpoints[0][1])
    writes = 0
    for label, target in endpoints:
        cold, renewed = [], []
        for _ in range(args.cold):
            # A write, as a harvest or a room's service makes one: its post_save signal renews the snapshot.
            row = ExternalDataset.objects.get(name=f"set-{writes * 7919 % args.datasets:05d}")
            row.title += " (revizuit)"
            row.save()
            writes += 1
            cold.append(client.get(target)[0])
            registry.invalidate()  # a renewal that finds nothing changed (its lifetime ended)
            renewed.append(client.get(target)[0])
        warm = [client.get(target)[0] for _ in range(args.requests)]
        size = client.get(target)[1]
        bare = f"/bench/ceiling.json?bytes={size}"
        client.get(bare)
        ceiling_times = [client.get(bare)[0] for _ in range(args.requests)]
        print(f"  {label:<56} {size / 1024:5.0f} {p50(cold):8.1f} {p50(renewed):8.1f} {p50(warm):7.1f} "
              f"{p95(warm):7.1f} {p50(ceiling_times):7.1f} {p95(ceiling_times):7.1f} "
              f"{p50(warm) / p50(ceiling_times):6.1f}x {p95(warm) / p95(ceiling_times):6.1f}x", flush=True)
    server.shutdown()


if __name__ == "__main__":
    main()
