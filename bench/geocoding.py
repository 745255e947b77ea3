"""Benchmark of the street index (core/geocoding, no Django) on the shipped Timișoara index.

Times, with the inputs generated before the clock starts:

1. loading data/timisoara/streets.json.xz (decompress, parse, build the STRtrees);
2. reverse geocoding of 100,000 random points in the city's box (what every new report costs);
3. forward geocoding of typed addresses: every street name typed the way people type it (no
   diacritics, lower case, abbreviated type, and a house number), plus misspellings (a letter
   dropped), with the share found as the intended street first.

Run from the repository root:

    .venv/bin/python bench/geocoding.py            # full size
    .venv/bin/python bench/geocoding.py --quick    # a tenth of the points, 200 names
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.geocoding import names  # noqa: E402
from core.geocoding.streets import StreetIndex  # noqa: E402

INDEX = ROOT / "data" / "timisoara" / "streets.json.xz"
BOX = (45.70, 21.15, 45.80, 21.30)  # min_lat, min_lon, max_lat, max_lon: the built-up city
SHORT_TYPES = {"strada": "str.", "bulevardul": "bd.", "calea": "cal.", "piata": "p-ta", "aleea": "al.",
               "intrarea": "int.", "splaiul": "spl."}


def typed_like_people(name: str, rng: random.Random) -> str:
    key = names.street_key(name)
    words = key.core
    prefix = SHORT_TYPES.get(key.type or "", key.type or "")
    return f"{prefix} {words} {rng.randint(1, 120)}".strip()


def misspelt(name: str, rng: random.Random) -> str:
    core = names.street_key(name).core
    if len(core) < 8:
        return core
    position = rng.randrange(1, len(core) - 1)
    return core[:position] + core[position + 1:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rng = random.Random(13)
    points = 10_000 if args.quick else 100_000

    started = time.perf_counter()
    index = StreetIndex.load(INDEX)
    load_s = time.perf_counter() - started
    print(f"index: {INDEX.stat().st_size:,} bytes, {len(index.streets):,} streets; load {load_s * 1000:.0f} ms")

    sample = [(rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])) for _ in range(points)]
    started = time.perf_counter()
    found = sum(1 for lat, lon in sample if index.reverse(lat, lon) is not None)
    reverse_s = time.perf_counter() - started
    print(f"reverse: {points:,} points in {reverse_s:.2f} s = {reverse_s / points * 1e6:.0f} µs each; "
          f"{found / points:.1%} within 250 m of a named street")

    unique = sorted({street.name for street in index.streets})
    chosen = rng.sample(unique, 200) if args.quick else unique
    for label, make in (("typed like people", typed_like_people), ("a letter dropped", misspelt)):
        queries = [(name, make(name, rng)) for name in chosen]
        timings = []
        hits = 0
        for name, query in queries:
            started = time.perf_counter()
            results = index.geocode(query, limit=5)
            timings.append(time.perf_counter() - started)
            hits += bool(results) and names.fold(results[0].street) == names.fold(name)  # OSM spells some both ways
        timings.sort()
        median_ms, p95_ms = statistics.median(timings) * 1000, timings[int(len(timings) * .95)] * 1000
        print(f"forward, {label}: {len(queries):,} queries, first result right {hits / len(queries):.1%}; "
              f"median {median_ms:.1f} ms, p95 {p95_ms:.1f} ms")


if __name__ == "__main__":
    main()
