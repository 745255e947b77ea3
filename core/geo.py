"""Neighbourhood look-ups with shapely (point in polygon), cached per process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from core import audit
from core.models import Neighbourhood

TIMISOARA_CENTRE = (45.7537, 21.2257)  # lat, lon: Piața Victoriei


@dataclass(frozen=True)
class _Index:
    tree: STRtree
    shapes: list[Any]
    slugs: list[str]
    version: int


_cache: dict[str, _Index] = {}


def _index() -> _Index:
    rows = list(Neighbourhood.objects.values_list("slug", "geometry"))
    version = hash(tuple(slug for slug, _ in rows))
    cached = _cache.get("index")
    if cached is not None and cached.version == version:
        return cached
    shapes = [shape(geometry) for _slug, geometry in rows]
    index = _Index(tree=STRtree(shapes), shapes=shapes, slugs=[slug for slug, _ in rows], version=version)
    _cache["index"] = index
    return index


def neighbourhood_slug_for(lat: float, lon: float) -> str | None:
    """The neighbourhood containing the point, or None when it is outside every mapped polygon."""
    index = _index()
    point = Point(lon, lat)
    for position in index.tree.query(point, predicate="intersects"):
        return index.slugs[int(position)]
    return None


def neighbourhood_for(lat: float, lon: float) -> Neighbourhood | None:
    slug = neighbourhood_slug_for(lat, lon)
    return Neighbourhood.objects.filter(slug=slug).first() if slug else None


@transaction.atomic
def load_neighbourhoods(path: Path, *, actor: Any = "loader") -> int:
    """Load (or update) neighbourhoods from a GeoJSON FeatureCollection; returns how many."""
    data = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for position, feature in enumerate(data.get("features", [])):
        properties = feature.get("properties") or {}
        slug, name = properties.get("id"), properties.get("name")
        if not slug or not name:
            raise ValueError(f"{path.name}: features[{position}] needs properties 'id' and 'name'")
        geometry = shape(feature["geometry"])
        if not geometry.is_valid:
            geometry = geometry.buffer(0)
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        values = {"name": name, "geometry": feature["geometry"], "min_lon": min_lon, "min_lat": min_lat,
                  "max_lon": max_lon, "max_lat": max_lat, "source": properties.get("source", "")[:300],
                  "attribution": properties.get("attribution", "")[:200]}
        obj, created = Neighbourhood.objects.update_or_create(slug=slug, defaults=values)
        if created:
            audit.record(actor, "core.neighbourhood.created", obj)
        count += 1
    _cache.clear()
    return count
