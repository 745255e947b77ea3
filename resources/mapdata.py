"""The map's data: points when few are in view, else counts per grid cell (so a city-wide view of
50,000 items is one GROUP BY, not 50,000 features). Two queries at most."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, F, FloatField, QuerySet
from django.db.models.functions import Floor

from resources.models import MapItem

MAX_POINTS = 400
CELLS_ACROSS = 12  # grid cells across the view when clustering (about 60 px each on a phone)


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


def map_payload(queryset: QuerySet[MapItem], bbox: tuple[float, float, float, float] | None,
                language: str) -> dict[str, Any]:
    """GeoJSON FeatureCollection: `clustered` says whether the features are cells with a `count`."""
    visible = in_view(queryset, bbox)
    if bbox is None:
        west, south, east, north = 21.10, 45.68, 21.36, 45.82  # Timișoara
    else:
        west, south, east, north = bbox
    cell = max(east - west, north - south) / CELLS_ACROSS
    cells = list(visible.order_by().annotate(
        cx=Floor(F("longitude") / cell, output_field=FloatField()),
        cy=Floor(F("latitude") / cell, output_field=FloatField()),
    ).values("cx", "cy").annotate(count=Count("id"), lat=Avg("latitude"), lon=Avg("longitude")))
    total = sum(row["count"] for row in cells)
    if total <= MAX_POINTS:
        features = [point_feature(item, language) for item in visible.order_by("id")[:MAX_POINTS]]
        return {"type": "FeatureCollection", "clustered": False, "total": total, "features": features}
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(row["lon"], 6),
                                                                                   round(row["lat"], 6)]},
                 "properties": {"count": row["count"]}} for row in cells]
    return {"type": "FeatureCollection", "clustered": True, "total": total, "features": features}
