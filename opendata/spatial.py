"""Where the catalogue's datasets lie: GeoJSON geometries (WGS 84) for `Dataset.spatial_geometry`, which the
DCAT-AP output states as a dct:Location with locn:geometry and dcat:bbox (opendata/dcat.py).

Cheap by design (providers run on every renewal of the catalogue's snapshot): the city's extent is the
bounding box of its neighbourhoods, one aggregate query."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Min

from core.models import Neighbourhood


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A bounding box as a GeoJSON polygon (counter-clockwise, as RFC 7946 wants an outer ring)."""
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


def city_extent() -> dict[str, Any] | None:
    """Timișoara's extent: the bounding box of the neighbourhoods; None until they are loaded."""
    bounds = Neighbourhood.objects.aggregate(west=Min("min_lon"), south=Min("min_lat"), east=Max("max_lon"),
                                             north=Max("max_lat"))
    if bounds["west"] is None:
        return None
    return box(bounds["west"], bounds["south"], bounds["east"], bounds["north"])
