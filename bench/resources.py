"""Benchmark of the resources map: 50,000 items, the map's data for a city-wide view and for a zoomed-in
neighbourhood, and a full-text search — p95 of each, with the number of queries.

    .venv/bin/python bench/resources.py [--items 50000] [--runs 60]

Runs on a fresh SQLite database in a temporary directory, or on DATABASE_URL when it is set (use a
database of your own: the map index is emptied and refilled). Aim: map data < 100 ms, search < 150 ms
on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CITY = (21.12, 45.68, 21.38, 45.82)  # west, south, east, north
NEIGHBOURHOOD = (21.220, 45.750, 21.240, 45.762)  # around Piața Victoriei, about 1.5 × 1.3 km
WORDS = [
    "asociatia", "centrul", "teatrul", "biblioteca", "atelier", "gradina", "comunitara", "cartier", "fabric",
    "iosefin", "elisabetin", "cetate", "lipovei", "mehala", "freidorf", "girocului", "soarelui",
    "circumvalatiunii", "victoriei", "libertatii", "unirii", "cultura", "educatie", "mediu", "digital",
    "tineret", "sport", "muzica", "arta", "stiinta", "cercetare", "inovare", "social", "sanatate",
    "mobilitate", "biciclete", "copaci", "senzori", "aer", "apa", "energie", "solar", "reciclare",
    "voluntariat", "batrani", "copii", "studenti", "universitate", "institut", "firma", "startup",
    "makerspace", "coworking", "cinema", "muzeu", "galerie",
]


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SMARTCITY_VAR_DIR", tempfile.mkdtemp(prefix="resources-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from resources.mapdata import bump_version
    from resources.models import MapItem
    from resources.text import fold

    call_command("migrate", verbosity=0)
    rng = random.Random(17)
    MapItem.objects.all().delete()
    start = time.perf_counter()
    layers = ["organisation"] * 6 + ["space", "initiative", "funding"]
    rows = []
    for number in range(args.items):
        layer = rng.choice(layers)
        title = " ".join(rng.choice(WORDS).capitalize() for _ in range(3)) + f" {number}"
        summary = " ".join(rng.choice(WORDS) for _ in range(12))
        placed = layer != "funding"
        rows.append(MapItem(
            layer=layer, object_id=number + 1, kind="ngo", title=title, summary=summary, slug=f"bench-{number}",
            latitude=rng.uniform(CITY[1], CITY[3]) if placed else None,
            longitude=rng.uniform(CITY[0], CITY[2]) if placed else None,
            search_text=fold(f"{title} {summary}")))
    MapItem.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE resources_mapitem")  # as autovacuum would: index-only scans
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
          f"{MapItem.objects.count()} items loaded in {time.perf_counter() - start:.1f} s")

    client = Client()
    cases = {
        "map, city-wide view, cell counts computed (cache cold)": ("/resources/map.json",
                                                                  {"bbox": ",".join(map(str, CITY))}),
        "map, city-wide view, cell counts cached": ("/resources/map.json", {"bbox": ",".join(map(str, CITY))}),
        "map, zoomed neighbourhood, cache cold": ("/resources/map.json", {"bbox": ",".join(map(str, NEIGHBOURHOOD))}),
        "search (map data, city view, cache cold)": ("/resources/map.json",
                                         {"bbox": ",".join(map(str, CITY)), "q": "gradina cart"}),
        "search (list page, first page)": ("/ro/resurse/", {"q": "teatrul muzica"}),
    }
    print("case | features/results | queries | p50 ms | p95 ms")
    for name, (path, params) in cases.items():
        response = client.get(path, params)  # warm-up
        assert response.status_code == 200, (name, response.status_code)
        counter = QueryCounter()
        # Counted with a wrapper: request_started resets connection.queries under DEBUG.
        if "cold" in name:
            bump_version()
        with connection.execute_wrapper(counter):
            client.get(path, params)
        samples = []
        for _ in range(args.runs):
            if "cold" in name:
                bump_version()
            begin = time.perf_counter()
            client.get(path, params)
            samples.append(time.perf_counter() - begin)
        if path.endswith(".json"):
            body = response.json()
            size = f"{len(body['features'])} {'cells' if body['clustered'] else 'points'} of {body['total']}"
        else:
            size = "first page of results (HTML)"
        print(f"{name} | {size} | {counter.count} | {statistics.median(samples) * 1000:.1f} | {p95(samples):.1f}")


if __name__ == "__main__":
    main()
