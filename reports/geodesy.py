"""Distances on the WGS84 sphere for "is there already a report here?" (no Django import).

Reports store latitude and longitude as two floats with a composite index, so the database can
answer a bounding-box query on SQLite and PostgreSQL alike (no PostGIS). The box is a cheap
pre-filter; the exact distance is computed here with the haversine formula on the few rows it
returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_around(lat: float, lon: float, radius_m: float) -> BoundingBox:
    """The smallest lat/lon box that contains every point within radius_m of (lat, lon).

    A degree of longitude shrinks with cos(latitude); the box is widened with the latitude
    nearer the pole so no point inside the circle falls outside it.
    """
    d_lat = radius_m / METRES_PER_DEGREE_LAT
    polar_lat = min(89.9, abs(lat) + d_lat)
    d_lon = radius_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(polar_lat)))
    return BoundingBox(lat - d_lat, lon - d_lon, lat + d_lat, lon + d_lon)


# A grid of 0.01° x 0.01° cells (about 1.1 km x 0.8 km at Timișoara's latitude): each report stores
# its cell, so a small map window becomes a handful of "newest in this cell" index scans.
CELLS_PER_DEGREE = 100
_LON_SPAN = 360 * CELLS_PER_DEGREE + 1


def grid_cell(lat: float, lon: float) -> int:
    """The cell containing the point, as one integer (row-major, fits in 32 bits)."""
    row = math.floor(lat * CELLS_PER_DEGREE)
    column = math.floor(lon * CELLS_PER_DEGREE) + 180 * CELLS_PER_DEGREE
    return row * _LON_SPAN + column


def cells_covering(box: BoundingBox, *, limit: int) -> list[int] | None:
    """The cells a box touches, or None when there are more than `limit` of them."""
    rows = range(math.floor(box.min_lat * CELLS_PER_DEGREE), math.floor(box.max_lat * CELLS_PER_DEGREE) + 1)
    columns = range(math.floor(box.min_lon * CELLS_PER_DEGREE), math.floor(box.max_lon * CELLS_PER_DEGREE) + 1)
    if len(rows) * len(columns) > limit:
        return None
    return [row * _LON_SPAN + column + 180 * CELLS_PER_DEGREE for row in rows for column in columns]


def valid_coordinates(lat: float, lon: float) -> bool:
    """Finite numbers within the WGS84 ranges."""
    return (math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0)
