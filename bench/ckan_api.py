"""Latency of the CKAN-compatible API (opendata/ckan) with a synthetic catalogue, beside the same server's
DCAT-AP catalogue page and a bare JSON answer (the framework's ceiling).

    .venv/bin/python bench/ckan_api.py                       # 1,000 datasets, 30 requests per endpoint
    .venv/bin/python bench/ckan_api.py --datasets 10000 --requests 20

In-process: Django's test client drives the whole middleware stack and the views (no sockets, no page
cache: PAGE_CACHE_SECONDS=0), so the numbers are the server's own time per request. The registry's
providers are replaced by `--datasets` synthetic datasets built as the tests build them
(tests/opendata/ckan_fixtures.py), new objects on every read as a room's provider gives (so the time includes
building them); no database query is made. No real CKAN is available on this machine
(nothing may be downloaded or reached), so there is no side-by-side with CKAN+Solr: the comparison
is with our own DCAT endpoint and the bare-JSON ceiling.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.test_settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"


def measure(label: str, requests: int, call: Callable[[], int], ceiling: float | None = None) -> float:
    for _ in range(3):  # warm-up
        call()
    times = []
    size = 0
    for _ in range(requests):
        start = time.perf_counter()
        size = call()
        times.append(time.perf_counter() - start)
    times.sort()
    p50 = statistics.median(times) * 1000
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000
    ratio = f"  {p50 / ceiling:7.1f}x ceiling" if ceiling else ""
    print(f"  {label:<52} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  {size / 1024:9.0f} KiB{ratio}")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--same-objects", action="store_true",
                        help="the provider returns the same Dataset objects every time (default: new ones per "
                             "read, as rooms building from live data do)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from opendata import registry
    from tests.opendata.ckan_fixtures import synthetic_dataset

    setup_test_environment()
    settings.PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["*"]
    datasets = [synthetic_dataset(number) for number in range(args.datasets)]
    registry._providers.clear()
    if args.same_objects:
        registry.register("synthetic", lambda: datasets)
    else:
        registry.register("synthetic", lambda: [synthetic_dataset(number) for number in range(args.datasets)])
    client = Client()

    def get(path: str, **params: Any) -> Callable[[], int]:
        def call() -> int:
            response = client.get(path, params)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            return len(response.content)
        return call

    objects = "the same objects" if args.same_objects else "new objects"
    print(f"CKAN API bench: {args.datasets} synthetic datasets ({objects} on every read), "
          f"{args.requests} requests per endpoint, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    ceiling = measure("bare JSON: /api/3/action/site_read (ceiling)", args.requests, get("/api/3/action/site_read"))
    rows = min(1000, args.datasets)
    measure(f"package_search rows={rows}", args.requests, get("/api/3/action/package_search", rows=rows), ceiling)
    measure(f"package_search rows={rows} sort=id asc + facets", args.requests,
            get("/api/3/action/package_search", rows=rows, sort="id asc",
                **{"facet.field": '["organization","tags","res_format"]'}), ceiling)
    measure("package_search rows=10 fq=organization+tags+date range", args.requests,
            get("/api/3/action/package_search", rows=10,
                fq="organization:reports tags:tag3 metadata_modified:[2026-01-02T00:00:00Z TO *]"), ceiling)
    measure("package_search q=free text rows=10", args.requests,
            get("/api/3/action/package_search", q="descriere română", rows=10), ceiling)
    measure("package_show", args.requests, get("/api/3/action/package_show", id="set-00001"), ceiling)
    measure("package_list", args.requests, get("/api/3/action/package_list"), ceiling)
    try:
        measure("DCAT-AP /catalog.ttl (page 1)", args.requests, get("/catalog.ttl"), ceiling)
        measure("DCAT-AP /dataset/set-00001.ttl", args.requests, get("/dataset/set-00001.ttl"), ceiling)
    except AssertionError as error:
        print(f"  DCAT-AP endpoint not measured: {error}")
    with CaptureQueriesContext(connection) as queries:
        get("/api/3/action/package_search", rows=rows)()
    print(f"  database queries per package_search: {len(queries)}")


if __name__ == "__main__":
    main()
