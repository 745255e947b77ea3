"""Building a street index from an OpenStreetMap extract (no Django import).

Reads the two forms extracts come in:
- **OSM XML** (`.osm`, also `.osm.xz`/`.gz`/`.bz2`), as exported by openstreetmap.org, Overpass
  (`out body; >; out skel qt;`) or osmium: named `highway=*` ways become streets; nodes and ways
  (buildings) tagged `addr:housenumber` + `addr:street` become house numbers.
- **GeoJSON** FeatureCollections (as the Overpass API's GeoJSON exports, osmtogeojson, or the city's
  shared `roads-*.geojson`): LineString/MultiLineString features with a `name` and a `highway` (or
  `kind: road`) become streets; Point/Polygon features with `addr:housenumber` + `addr:street` become
  house numbers. Tags may be the properties themselves or a `tags` object inside them.

Ways of one name are grouped into streets by proximity (pieces more than 150 m apart are different
streets: two suburbs may each have a "Strada Florilor"), merged, simplified to about a metre and
written with 6 decimals (0.1 m).
"""

from __future__ import annotations

import json
import lzma
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, shape
from shapely.ops import nearest_points

from core.geocoding import names
from core.geocoding.streets import FORMAT, FORMAT_VERSION, Projection, read_bytes

# Named ways that are not streets one lives or reports on.
EXCLUDED_HIGHWAYS = frozenset({"proposed", "construction", "abandoned", "platform", "bus_stop", "raceway",
                               "corridor", "elevator", "escape", "razed", "disused"})
CLUSTER_GAP_M = 150.0
DEFAULT_SIMPLIFY_M = 1.0
DECIMALS = 6


class ExtractError(ValueError):
    """The file is not an extract this module can read; the message says why."""


@dataclass
class ExtractContents:
    lines: dict[str, list[list[tuple[float, float]]]] = field(default_factory=dict)  # name → lines of (lon, lat)
    houses: list[tuple[str, str, float, float]] = field(default_factory=list)  # street name, number, lon, lat
    skipped_houses: int = 0  # house numbers without addr:street

    def add_line(self, name: str, coords: list[tuple[float, float]]) -> None:
        coords = [c for position, c in enumerate(coords) if position == 0 or c != coords[position - 1]]
        if len(coords) >= 2:
            self.lines.setdefault(name.strip(), []).append(coords)

    def add_house(self, street: str | None, number: str | None, lon: float, lat: float) -> None:
        if not number or not number.strip():
            return
        if not street or not street.strip():
            self.skipped_houses += 1
            return
        self.houses.append((street.strip(), number.strip()[:20], lon, lat))


def read_extract(path: Path) -> ExtractContents:
    """Read an OSM XML or GeoJSON extract (optionally compressed)."""
    try:
        content = read_bytes(path)
    except (OSError, lzma.LZMAError, EOFError) as error:
        raise ExtractError(f"{path.name}: cannot read: {error}") from error
    start = content.lstrip()[:1]
    if start == b"<":
        return read_osm_xml(content)
    if start == b"{":
        try:
            data = json.loads(content)
        except ValueError as error:
            raise ExtractError(f"{path.name}: not valid JSON: {error}") from error
        return read_geojson(data)
    raise ExtractError(f"{path.name}: neither OSM XML nor GeoJSON")


def read_osm_xml(content: bytes) -> ExtractContents:
    contents = ExtractContents()
    nodes: dict[str, tuple[float, float]] = {}
    try:
        for _event, element in ET.iterparse(BytesIO(content), events=("end",)):  # noqa: S314 (see import)
            if element.tag == "node":
                try:
                    lon, lat = float(element.attrib["lon"]), float(element.attrib["lat"])
                except (KeyError, ValueError):
                    element.clear()
                    continue
                nodes[element.attrib.get("id", "")] = (lon, lat)
                tags = _tags(element)
                if "addr:housenumber" in tags:
                    contents.add_house(tags.get("addr:street"), tags["addr:housenumber"], lon, lat)
                element.clear()
            elif element.tag == "way":
                tags = _tags(element)
                coords = [nodes[nd.attrib["ref"]] for nd in element.iter("nd") if nd.attrib.get("ref") in nodes]
                highway = tags.get("highway")
                if highway and highway not in EXCLUDED_HIGHWAYS and tags.get("name"):
                    contents.add_line(tags["name"], coords)
                elif "addr:housenumber" in tags and coords:
                    lon = sum(c[0] for c in coords) / len(coords)
                    lat = sum(c[1] for c in coords) / len(coords)
                    contents.add_house(tags.get("addr:street"), tags["addr:housenumber"], lon, lat)
                element.clear()
            elif element.tag == "relation":
                element.clear()
    except ET.ParseError as error:
        raise ExtractError(f"OSM XML: {error}") from error
    return contents


def _tags(element: Any) -> dict[str, str]:
    return {tag.attrib.get("k", ""): tag.attrib.get("v", "") for tag in element.iter("tag")}


def read_geojson(data: Any) -> ExtractContents:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ExtractError("GeoJSON: expected a FeatureCollection")
    contents = ExtractContents()
    for position, feature in enumerate(data.get("features") or []):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            continue
        properties = feature.get("properties") or {}
        tags = {**properties, **(properties.get("tags") or {})} if isinstance(properties.get("tags"), dict) \
            else dict(properties)
        geometry_type = feature["geometry"].get("type")
        try:
            geometry = shape(feature["geometry"])
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            raise ExtractError(f"GeoJSON: features[{position}].geometry: {error}") from error
        name = tags.get("name")
        is_road = (bool(tags.get("highway")) and tags.get("highway") not in EXCLUDED_HIGHWAYS) \
            or tags.get("kind") == "road"
        if geometry_type in ("LineString", "MultiLineString") and name and is_road:
            parts = geometry.geoms if isinstance(geometry, MultiLineString) else [geometry]
            for part in parts:
                contents.add_line(str(name), [(float(x), float(y)) for x, y, *_ in part.coords])
        elif tags.get("addr:housenumber") and not geometry.is_empty:
            point = geometry if geometry_type == "Point" else geometry.representative_point()
            contents.add_house(tags.get("addr:street"), str(tags["addr:housenumber"]), float(point.x),
                               float(point.y))
    return contents


# --- building the index ---------------------------------------------------------------------------


def _clusters(lines: list[Any], gap_m: float) -> list[list[int]]:
    """Groups of lines (projected) whose members are chained by gaps under gap_m."""
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(lines) > 1:
        tree = shapely.STRtree(lines)
        left, right = tree.query(lines, predicate="dwithin", distance=gap_m)
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[ra] = rb
    groups: dict[int, list[int]] = {}
    for i in range(len(lines)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _flat(line: Any, projection: Projection) -> list[float]:
    coords = np.asarray(line.coords)
    flat: list[float] = []
    for x, y in coords:
        lon, lat = projection.inverse(float(x), float(y))
        flat.extend((round(lon, DECIMALS), round(lat, DECIMALS)))
    return flat


def build_index(contents: ExtractContents, *, source: str, licence: str = "ODbL-1.0",
                attribution: str = "© OpenStreetMap contributors",
                simplify_m: float = DEFAULT_SIMPLIFY_M) -> dict[str, Any]:
    """The index document (see streets.StreetIndex) for the extract's streets and house numbers."""
    all_coords = [c for lines in contents.lines.values() for line in lines for c in line]
    if not all_coords:
        raise ExtractError("the extract has no named streets (highway=* ways with a name)")
    lon0 = sum(c[0] for c in all_coords) / len(all_coords)
    lat0 = sum(c[1] for c in all_coords) / len(all_coords)
    projection = Projection(lat0, lon0)

    def project(coords: Iterable[tuple[float, float]]) -> Any:
        array = np.asarray(list(coords), dtype=float)
        x, y = projection.forward(array[:, 0], array[:, 1])
        return LineString(np.column_stack([x, y]))

    pieces: list[tuple[str, Any]] = []  # (name, merged projected geometry)
    for name in sorted(contents.lines):
        lines = [project(coords) for coords in contents.lines[name]]
        for group in _clusters(lines, CLUSTER_GAP_M):
            merged = shapely.line_merge(shapely.union_all([lines[i] for i in group]))
            if not merged.is_empty and merged.length > 0:
                pieces.append((name, merged))
    pieces.sort(key=lambda item: (item[0], -item[1].length))
    streets: list[dict[str, Any]] = []
    street_geometries: list[Any] = []
    used_ids: dict[str, int] = {}
    for name, geometry in pieces:
        base = names.slug(name) or "street"
        used_ids[base] = used_ids.get(base, 0) + 1
        address_id = base if used_ids[base] == 1 else f"{base}~{used_ids[base]}"
        parts = list(getattr(geometry, "geoms", [geometry]))
        simplified = [part.simplify(simplify_m, preserve_topology=False) for part in parts]
        centre = geometry.centroid
        anchor = nearest_points(geometry, centre)[0]  # a point on the street, near its middle
        at_lon, at_lat = projection.inverse(anchor.x, anchor.y)
        streets.append({"id": address_id, "name": name,
                        "at": [round(at_lon, DECIMALS), round(at_lat, DECIMALS)],
                        "lines": [_flat(part, projection) for part in simplified if part.length > 0]})
        street_geometries.append(geometry)
    housenumbers = _attach_houses(contents.houses, streets, street_geometries, projection)
    return {"format": FORMAT, "version": FORMAT_VERSION, "source": source, "licence": licence,
            "attribution": attribution, "streets": streets, "housenumbers": housenumbers}


def _attach_houses(houses: list[tuple[str, str, float, float]], streets: list[dict[str, Any]],
                   geometries: list[Any], projection: Projection) -> list[list[Any]]:
    """Each house number goes to the nearest street piece of its addr:street (matched as typed names
    are, so "Str. X" finds "Strada X"); numbers naming no street of the extract are dropped."""
    by_key: dict[names.StreetKey, list[int]] = {}
    by_core: dict[str, list[int]] = {}
    for position, street in enumerate(streets):
        key = names.street_key(street["name"])
        by_key.setdefault(key, []).append(position)
        by_core.setdefault(key.core, []).append(position)
    result: list[list[Any]] = []
    seen: set[tuple[int, str]] = set()
    for street_name, number, lon, lat in houses:
        key = names.street_key(street_name)
        candidates = by_key.get(key) or by_core.get(key.core) or []
        if not candidates:
            continue
        x, y = projection.forward(lon, lat)
        point = shapely.points(float(x), float(y))
        position = min(candidates, key=lambda p: geometries[p].distance(point))
        number_key = (position, names.house_number_key(number))
        if number_key in seen:
            continue
        seen.add(number_key)
        result.append([position, number, round(lon, DECIMALS), round(lat, DECIMALS)])
    result.sort(key=lambda row: (row[0], row[1]))
    return result


def write_index(index: dict[str, Any], path: Path) -> int:
    """Write the index (xz-compressed when the name ends in .xz); returns the file's size in bytes."""
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode()
    payload = lzma.compress(text, preset=9 | lzma.PRESET_EXTREME) if path.suffix == ".xz" else text
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return len(payload)


def merge(extracts: Iterable[ExtractContents]) -> ExtractContents:
    merged = ExtractContents()
    for contents in extracts:
        for name, lines in contents.lines.items():
            merged.lines.setdefault(name, []).extend(lines)
        merged.houses.extend(contents.houses)
        merged.skipped_houses += contents.skipped_houses
    return merged
