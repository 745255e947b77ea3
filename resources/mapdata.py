"""The map's data: points when few are in view, else counts per grid cell (so a city-wide view of
50,000 items is one GROUP BY, not 50,000 features, and cached while nothing changes). Two queries at most."""

from __future__ import annotations

import hashlib
import math
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, F, FloatField, QuerySet
from django.db.models.functions import Floor

from resources.models import MapItem

MAX_POINTS = 400
CELLS_ACROSS = 12  # about this many grid cells across the view when clustering (60 px or so on a phone)
CELL_CACHE_SECONDS = 3600
CITY = (21.10, 45.68, 21.36, 45.82)  # Timișoara: the view when none is given
VERSION_KEY = "resources:index-version"


def index_version() -> int:
    """Bumped by resources.index on every change, which retires every cached cell count at once."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return int(version)


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(VERSION_KEY, 2, None)


def localised(item: MapItem, language: str) -> tuple[str, str]:
    if language.startswith("en"):
        return item.title_en or item.title, item.summary_en or item.summary
    return item.title, item.summary


def in_view(queryset: QuerySet[MapItem], bbox: tuple[float, float, float, float] | None) -> QuerySet[MapItem]:
    queryset = queryset.filter(latitude__isnull=False)
    if bbox is None:
        return queryset
    west, south, east, north = bbox
    return queryset.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)


def point_feature(item: MapItem, language: str) -> dict[str, Any]:
    title, summary = localised(item, language)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [item.longitude, item.latitude]},
            "properties": {"layer": item.layer, "kind": item.kind, "title": title, "summary": summary,
                           "address": item.address, "url": item.get_absolute_url(), "verified": item.verified,
                           "demo": item.is_demo}}


def cell_size(bbox: tuple[float, float, float, float]) -> float:
    """A power-of-two cell (in degrees) about 1/CELLS_ACROSS of the view: the same cells for every view at a
    zoom level, so their counts can be cached and reused while the map pans."""
    west, south, east, north = bbox
    span = max(east - west, north - south, 1e-6)
    return float(2.0 ** math.floor(math.log2(span / CELLS_ACROSS)))


def _cells(queryset: QuerySet[MapItem], cell: float, view: tuple[float, float, float, float],
           filters_key: str) -> list[dict[str, Any]]:
    """Counts per grid cell over the view widened to whole tiles of CELLS_ACROSS cells, cached until the index
    changes (index_version): a map that pans a little reuses them."""
    tile = cell * CELLS_ACROSS
    west, south = math.floor(view[0] / tile) * tile, math.floor(view[1] / tile) * tile
    east, north = math.ceil(view[2] / tile) * tile, math.ceil(view[3] / tile) * tile
    digest = hashlib.sha256(f"{filters_key}|{west}|{south}|{east}|{north}".encode()).hexdigest()[:32]
    key = f"resources:cells:{index_version()}:{cell}:{digest}"
    cells = cache.get(key)
    if cells is None:
        cells = list(in_view(queryset, (west, south, east, north)).order_by().annotate(
            cx=Floor(F("longitude") / cell, output_field=FloatField()),
            cy=Floor(F("latitude") / cell, output_field=FloatField()),
        ).values("cx", "cy").annotate(count=Count("*"), lat=Avg("latitude"), lon=Avg("longitude")))
        # COUNT(*) rather than COUNT(id): every column the query reads is then in the (latitude, longitude)
        # index, so PostgreSQL answers it with an index-only scan instead of reading the table.
        cache.set(key, cells, CELL_CACHE_SECONDS)
    return cells


def map_payload(queryset: QuerySet[MapItem], bbox: tuple[float, float, float, float] | None,
                language: str, *, filters_key: str = "") -> dict[str, Any]:
    """GeoJSON FeatureCollection: `clustered` says whether the features are cells with a `count`.

    Two queries at most: how many are in view (an index range count), then either the points themselves
    (few enough) or the cell counts (none when cached)."""
    view = bbox or CITY
    west, south, east, north = view
    visible = in_view(queryset, view)
    total = visible.count()
    if total <= MAX_POINTS:
        features = [point_feature(item, language)
                    for item in visible.defer("search_text").order_by("id")[:MAX_POINTS]]
        return {"type": "FeatureCollection", "clustered": False, "total": total, "features": features}
    cell = cell_size(view)
    rows = [row for row in _cells(queryset, cell, view, filters_key)
            # every cell that touches the view (its count may include a few items just outside it)
            if row["cx"] * cell <= east and (row["cx"] + 1) * cell >= west
            and row["cy"] * cell <= north and (row["cy"] + 1) * cell >= south]
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(row["lon"], 6),
                                                                                   round(row["lat"], 6)]},
                 "properties": {"count": row["count"]}} for row in rows]
    return {"type": "FeatureCollection", "clustered": True, "total": total, "features": features}
