"""Places and event geometries: parsing hostile GeoJSON, bounding boxes, and "does this event concern
this place" (point + radius, drawn polygon, neighbourhood polygon). Pure: shapely only, no Django."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

ALLOWED_TYPES = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"})
AREA_TYPES = frozenset({"Polygon", "MultiPolygon"})
MAX_VERTICES = 5000
METRES_PER_DEGREE_LAT = 110_540.0
METRES_PER_DEGREE_LON_EQUATOR = 111_320.0
MAX_RADIUS_M = 50_000

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


class GeometryError(ValueError):
    """A geometry that cannot be used; the message says what is wrong with it."""


def parse_geometry(value: Any, *, areas_only: bool = False) -> BaseGeometry:
    """A shapely geometry from GeoJSON (a mapping), or GeometryError saying why not."""
    if not isinstance(value, Mapping):
        raise GeometryError("must be a GeoJSON geometry object")
    kind = value.get("type")
    allowed = AREA_TYPES if areas_only else ALLOWED_TYPES
    if kind not in allowed:
        raise GeometryError(f"type must be one of {', '.join(sorted(allowed))}")
    try:
        geometry = shape(value)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, shapely.errors.ShapelyError) as error:
        raise GeometryError(f"coordinates are not a valid {kind}") from error
    if geometry.is_empty:
        raise GeometryError("has no coordinates")
    coordinates = shapely.get_coordinates(geometry)
    if len(coordinates) > MAX_VERTICES:
        raise GeometryError(f"has more than {MAX_VERTICES} vertices")
    if not np.isfinite(coordinates).all():
        raise GeometryError("coordinates must be finite numbers")
    lons, lats = coordinates[:, 0], coordinates[:, 1]
    if (lons < -180).any() or (lons > 180).any() or (lats < -90).any() or (lats > 90).any():
        raise GeometryError("coordinates must be [longitude, latitude] in WGS 84")
    if not geometry.is_valid:
        geometry = geometry.buffer(0)
        if geometry.is_empty:
            raise GeometryError("is not a valid area (it crosses itself)")
    return geometry


def check_point(lat: Any, lon: Any) -> tuple[float, float]:
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError) as error:
        raise GeometryError("latitude and longitude must be numbers") from error
    if not (math.isfinite(lat_f) and math.isfinite(lon_f) and -90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        raise GeometryError("latitude must be within ±90 and longitude within ±180")
    return lat_f, lon_f


def circle_bbox(lat: float, lon: float, radius_m: float) -> BBox:
    d_lat = radius_m / METRES_PER_DEGREE_LAT
    d_lon = radius_m / (METRES_PER_DEGREE_LON_EQUATOR * max(math.cos(math.radians(lat)), 0.01))
    return lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat


def bbox(geometry: BaseGeometry) -> BBox:
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return float(min_lon), float(min_lat), float(max_lon), float(max_lat)


def distance_m(geometry: BaseGeometry, lat: float, lon: float) -> float:
    """Metres from (lat, lon) to the nearest part of the geometry (local flat projection: exact enough
    within a city, a few metres over tens of kilometres)."""
    scale_lon = METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(lat))

    def project(coordinates: np.ndarray) -> np.ndarray:
        projected = np.empty_like(coordinates)
        projected[:, 0] = (coordinates[:, 0] - lon) * scale_lon
        projected[:, 1] = (coordinates[:, 1] - lat) * METRES_PER_DEGREE_LAT
        return projected

    return float(shapely.transform(geometry, project).distance(Point(0.0, 0.0)))


def within_radius(geometry: BaseGeometry, lat: float, lon: float, radius_m: float) -> bool:
    return distance_m(geometry, lat, lon) <= radius_m


def within_radii(geometry: BaseGeometry, lats: np.ndarray, lons: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """For many circles at once: is the geometry within radii[i] metres of (lats[i], lons[i])?

    Everything is projected once to a flat frame centred on the geometry (metres); within a city the
    error is well under a metre per kilometre."""
    if len(lats) == 0:
        return np.zeros(0, dtype=bool)
    centre = geometry.centroid
    lat0, lon0 = float(centre.y), float(centre.x)
    scale_lon = METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(lat0))

    def project(coordinates: np.ndarray) -> np.ndarray:
        projected = np.empty_like(coordinates)
        projected[:, 0] = (coordinates[:, 0] - lon0) * scale_lon
        projected[:, 1] = (coordinates[:, 1] - lat0) * METRES_PER_DEGREE_LAT
        return projected

    flat = shapely.transform(geometry, project)
    shapely.prepare(flat)
    points = shapely.points((lons - lon0) * scale_lon, (lats - lat0) * METRES_PER_DEGREE_LAT)
    return np.asarray(shapely.dwithin(points, flat, radii), dtype=bool)
