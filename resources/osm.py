"""Organisations and places from an OpenStreetMap extract (no Django import).

Reads Overpass JSON (`[out:json]`, nodes with lat/lon, ways and relations with `center` or with their
nodes in the same file) and OSM XML (`.osm`, ways placed at the mean of their nodes). Keeps only named
features of the kinds the resources map shows. The data is © OpenStreetMap contributors, ODbL 1.0:
whatever shows or publishes it must say so (LICENCE_NOTE).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LICENCE_NOTE = "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"
MAX_BYTES = 200 * 2**20

# (tag, value) → (organisation kind, service category)
CLASSES: dict[tuple[str, str], tuple[str, str]] = {
    ("amenity", "theatre"): ("cultural", "culture"),
    ("amenity", "cinema"): ("cultural", "culture"),
    ("amenity", "arts_centre"): ("cultural", "culture"),
    ("tourism", "museum"): ("cultural", "culture"),
    ("tourism", "gallery"): ("cultural", "culture"),
    ("amenity", "library"): ("cultural", "education"),
    ("amenity", "community_centre"): ("public", "social"),
    ("amenity", "social_centre"): ("ngo", "social"),
    ("amenity", "university"): ("university", "education"),
    ("amenity", "college"): ("university", "education"),
    ("amenity", "research_institute"): ("research", "research"),
    ("office", "research"): ("research", "research"),
    ("office", "ngo"): ("ngo", "other"),
    ("office", "association"): ("ngo", "other"),
    ("office", "foundation"): ("ngo", "other"),
    ("office", "charity"): ("ngo", "social"),
}


class OSMError(ValueError):
    pass


@dataclass(frozen=True)
class Feature:
    ref: str  # "node/123", "way/45"
    name: str
    kind: str
    category: str
    osm_class: str  # "amenity=theatre"
    latitude: float
    longitude: float
    address: str
    website: str


def classify(tags: dict[str, str]) -> tuple[str, str, str] | None:
    for (key, value), (kind, category) in CLASSES.items():
        if tags.get(key) == value:
            return kind, category, f"{key}={value}"
    return None


def _address(tags: dict[str, str]) -> str:
    street = tags.get("addr:street", "")
    number = tags.get("addr:housenumber", "")
    return f"{street} {number}".strip()


def _website(tags: dict[str, str]) -> str:
    url = tags.get("website") or tags.get("contact:website") or ""
    return url if url.startswith(("https://", "http://")) and len(url) <= 200 else ""


def _feature(ref: str, tags: dict[str, str], latitude: float | None, longitude: float | None) -> Feature | None:
    name = " ".join((tags.get("name") or "").split())[:200]
    found = classify(tags)
    if not name or found is None or latitude is None or longitude is None:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    kind, category, osm_class = found
    return Feature(ref=ref, name=name, kind=kind, category=category, osm_class=osm_class, latitude=latitude,
                   longitude=longitude, address=_address(tags), website=_website(tags))


def _mean(points: list[tuple[float, float]]) -> tuple[float | None, float | None]:
    if not points:
        return None, None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def read_overpass_json(text: str) -> Iterator[Feature]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise OSMError(f"not JSON: {error}") from error
    elements = document.get("elements") if isinstance(document, dict) else None
    if not isinstance(elements, list):
        raise OSMError("no 'elements' list: not Overpass JSON")
    nodes = {e["id"]: (e["lat"], e["lon"]) for e in elements
             if isinstance(e, dict) and e.get("type") == "node" and "lat" in e and "lon" in e}
    for element in elements:
        if not isinstance(element, dict) or not isinstance(element.get("tags"), dict):
            continue
        kind = element.get("type")
        if kind == "node":
            latitude, longitude = element.get("lat"), element.get("lon")
        elif "center" in element:
            latitude, longitude = element["center"].get("lat"), element["center"].get("lon")
        else:
            latitude, longitude = _mean([nodes[ref] for ref in element.get("nodes", []) if ref in nodes])
        try:
            latitude = float(latitude) if latitude is not None else None
            longitude = float(longitude) if longitude is not None else None
        except (TypeError, ValueError):
            continue
        feature = _feature(f"{kind}/{element.get('id')}", {str(k): str(v) for k, v in element["tags"].items()},
                           latitude, longitude)
        if feature:
            yield feature


def read_osm_xml(data: bytes) -> Iterator[Feature]:
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
        raise OSMError("document type declarations are not accepted")
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - no DTD (checked above), size limited by the caller
    except ElementTree.ParseError as error:
        raise OSMError(f"not OSM XML: {error}") from error
    if root.tag != "osm":
        raise OSMError("the root element is not <osm>")
    nodes: dict[str, tuple[float, float]] = {}
    for node in root.iter("node"):
        try:
            nodes[node.get("id", "")] = (float(node.get("lat", "")), float(node.get("lon", "")))
        except ValueError:
            continue
    for element in root:
        if element.tag not in ("node", "way"):
            continue
        tags = {tag.get("k", ""): tag.get("v", "") for tag in element.iter("tag")}
        if element.tag == "node":
            latitude, longitude = nodes.get(element.get("id", ""), (None, None))
        else:
            latitude, longitude = _mean([nodes[nd.get("ref", "")] for nd in element.iter("nd")
                                         if nd.get("ref", "") in nodes])
        feature = _feature(f"{element.tag}/{element.get('id')}", tags, latitude, longitude)
        if feature:
            yield feature


def read(path: Path) -> list[Feature]:
    """Every feature of the file, by its content (JSON or XML), at most one per OSM object."""
    if path.stat().st_size > MAX_BYTES:
        raise OSMError(f"file larger than {MAX_BYTES // 2**20} MB")
    data = path.read_bytes()
    head = data.lstrip()[:1]
    features: Any = read_overpass_json(data.decode("utf-8")) if head == b"{" else read_osm_xml(data)
    return list({feature.ref: feature for feature in features}.values())
