"""Reading and checking an announcement's drawn geometry (GeoJSON, WGS84), and the shapes the feeds
need from it. Pure: no Django import.

Staff draw a point, a line along streets or an area; the drawing tool sends a GeoJSON geometry, a
Feature or a FeatureCollection, which is read here into one geometry (a GeometryCollection when
several shapes were drawn). Anything else is a GeometryError whose message says what is wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import shapely
import shapely.affinity
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

MAX_TEXT = 200_000        # characters of GeoJSON accepted
MAX_POINTS = 5_000        # coordinates in one drawing
# A generous box around the municipality and its metropolitan area (lon, lat): a drawing outside
# it is a mistake (coordinates swapped, another city), not an announcement for Timișoara.
BOUNDS = (20.9, 45.5, 21.6, 46.0)
ALLOWED = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
EARTH_RADIUS_M = 6_371_008.8


class GeometryError(ValueError):
    """The text is not a usable geometry; the message says why (shown next to the field)."""


def _geometries(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        raise GeometryError("GeoJSON must be an object with a \"type\".")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise GeometryError("The FeatureCollection has no features.")
        return [geometry for feature in features for geometry in _geometries(feature)]
    if kind == "Feature":
        return _geometries(data.get("geometry"))
    if kind not in ALLOWED:
        raise GeometryError(f"Unsupported GeoJSON type {str(kind)[:40]!r}: draw a point, a line or an area.")
    return [data]


def parse(text: str) -> BaseGeometry:
    """The geometry a GeoJSON text describes, checked: valid, not empty, inside the city's box."""
    if not text or not text.strip():
        raise GeometryError("Draw the affected place on the map or paste a GeoJSON geometry.")
    if len(text) > MAX_TEXT:
        raise GeometryError(f"The geometry is too large (more than {MAX_TEXT} characters).")
    try:
        data = json.loads(text)
    except ValueError as error:
        raise GeometryError(f"Not valid JSON: {error}") from error
    parts = []
    for item in _geometries(data):
        try:
            parts.append(shape(item))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            raise GeometryError(f"Malformed {item.get('type')} coordinates.") from error
        except shapely.errors.GEOSException as error:
            raise GeometryError(f"Malformed {item.get('type')}: {error}") from error
    geometry = parts[0] if len(parts) == 1 else shapely.GeometryCollection(parts)
    if geometry.is_empty:
        raise GeometryError("The geometry is empty.")
    if shapely.get_num_coordinates(geometry) > MAX_POINTS:
        raise GeometryError(f"The geometry has more than {MAX_POINTS} points.")
    coordinates = shapely.get_coordinates(geometry)
    if not all(math.isfinite(value) for value in coordinates.ravel()):
        raise GeometryError("Coordinates must be finite numbers.")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    west, south, east, north = BOUNDS
    if min_lon < west or max_lon > east or min_lat < south or max_lat > north:
        raise GeometryError("The geometry lies outside Timișoara (coordinates are longitude, latitude).")
    if not geometry.is_valid:
        raise GeometryError(f"Invalid geometry: {shapely.is_valid_reason(geometry)}.")
    return geometry


def normalised(geometry: BaseGeometry) -> str:
    """The geometry as compact GeoJSON text (what is stored)."""
    return json.dumps(mapping(geometry), separators=(",", ":"))


def parts(geometry: BaseGeometry) -> Iterator[BaseGeometry]:
    """Single parts: points, lines and polygons."""
    for part in shapely.get_parts(geometry):
        if part.geom_type == "GeometryCollection" or part.geom_type.startswith("Multi"):
            yield from parts(part)
        else:
            yield part


def lines(geometry: BaseGeometry) -> list[BaseGeometry]:
    return [part for part in parts(geometry) if part.geom_type == "LineString"]


def kind(geometry: BaseGeometry) -> str:
    """'point', 'line', 'area' or 'mixed' (what staff drew, for the page's wording)."""
    kinds = {{"Point": "point", "LineString": "line", "Polygon": "area"}[part.geom_type] for part in parts(geometry)}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def cifs_polyline(line: BaseGeometry) -> str:
    """A line as CIFS writes it: "lat lon lat lon …", six decimals, in drawing order."""
    return " ".join(f"{lat:.6f} {lon:.6f}" for lon, lat in line.coords)


def _metres_to_degrees(metres: float, lat: float) -> tuple[float, float]:
    lat_degrees = metres / (math.pi * EARTH_RADIUS_M / 180)
    return lat_degrees / max(math.cos(math.radians(lat)), 0.01), lat_degrees


def cap_areas(geometry: BaseGeometry, *, line_buffer_m: float = 25.0,
              point_radius_km: float = 0.1) -> tuple[list[str], list[str]]:
    """CAP 1.2 <polygon> and <circle> texts for a geometry: areas as they are, lines as a band of
    line_buffer_m on each side, points as circles. Coordinates "lat,lon", rings closed."""
    polygons: list[str] = []
    circles: list[str] = []
    for part in parts(geometry):
        if part.geom_type == "Point":
            circles.append(f"{part.y:.6f},{part.x:.6f} {point_radius_km:g}")
            continue
        if part.geom_type == "LineString":
            dx, dy = _metres_to_degrees(line_buffer_m, part.centroid.y)
            # Buffer in a frame where a degree of longitude and of latitude are the same length.
            scaled = shapely.affinity.scale(part, xfact=dy / dx, yfact=1, origin=(0, 0))
            band = shapely.affinity.scale(scaled.buffer(dy, quad_segs=2), xfact=dx / dy, yfact=1, origin=(0, 0))
            part = band.simplify(dy / 10)
        ring = list(part.exterior.coords)
        polygons.append(" ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in ring))
    return polygons, circles


def for_matching(geometry: BaseGeometry, *, buffer_m: float = 20.0) -> dict[str, Any]:
    """GeoJSON that the notifications room matches places against. One kind of shape goes as drawn;
    a drawing that mixes kinds (a GeometryCollection, which GeoJSON consumers often refuse) goes as the
    area it covers: lines and points widened by buffer_m, joined with the areas."""
    if geometry.geom_type != "GeometryCollection":
        return dict(mapping(geometry))
    widened = []
    for part in parts(geometry):
        if part.geom_type == "Polygon":
            widened.append(part)
            continue
        dx, dy = _metres_to_degrees(buffer_m, part.centroid.y)
        scaled = shapely.affinity.scale(part, xfact=dy / dx, yfact=1, origin=(0, 0))
        widened.append(shapely.affinity.scale(scaled.buffer(dy, quad_segs=4), xfact=dx / dy, yfact=1,
                                              origin=(0, 0)))
    return dict(mapping(shapely.unary_union(widened)))


def representative_point(geometry: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of a point on the geometry, for a map marker."""
    point = geometry.representative_point()
    return point.y, point.x
