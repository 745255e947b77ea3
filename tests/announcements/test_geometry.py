"""The drawn geometry: what is accepted, what is refused and why, and the shapes the feeds need."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import LineString, Point, Polygon, shape

from announcements import geometry as geo

LINE = {"type": "LineString", "coordinates": [[21.227, 45.7477], [21.2321, 45.7481]]}


def test_point_line_area_and_features_are_read() -> None:
    assert geo.parse(json.dumps({"type": "Point", "coordinates": [21.2257, 45.7537]})).geom_type == "Point"
    assert geo.parse(json.dumps(LINE)).geom_type == "LineString"
    feature = {"type": "Feature", "geometry": LINE, "properties": {}}
    collection = {"type": "FeatureCollection", "features": [feature, {"type": "Feature", "properties": {},
                  "geometry": {"type": "Point", "coordinates": [21.2257, 45.7537]}}]}
    assert geo.parse(json.dumps(feature)).geom_type == "LineString"
    assert geo.parse(json.dumps(collection)).geom_type == "GeometryCollection"
    assert geo.kind(geo.parse(json.dumps(collection))) == "mixed"


@pytest.mark.parametrize(("text", "says"), [
    ("", "Draw"),
    ("{not json", "Not valid JSON"),
    ("[1, 2]", "object"),
    ('{"type": "Circle", "coordinates": [21.2, 45.7]}', "Unsupported"),
    ('{"type": "Point", "coordinates": "here"}', "Malformed"),
    ('{"type": "LineString", "coordinates": [[21.2, 45.7]]}', "Malformed"),
    ('{"type": "Point", "coordinates": [45.75, 21.22]}', "outside Timișoara"),
    ('{"type": "Point", "coordinates": [NaN, 45.7]}', "finite"),
    ('{"type": "Polygon", "coordinates": [[[21.2, 45.7], [21.3, 45.8], [21.3, 45.7], [21.2, 45.8], [21.2, 45.7]]]}',
     "Invalid geometry"),
    ('{"type": "FeatureCollection", "features": []}', "no features"),
])
def test_bad_geometry_is_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(geo.GeometryError, match=says):
        geo.parse(text)


def test_too_many_points_and_too_much_text_are_refused() -> None:
    many = {"type": "LineString", "coordinates": [[21.2 + i * 1e-6, 45.75] for i in range(geo.MAX_POINTS + 1)]}
    with pytest.raises(geo.GeometryError, match="more than"):
        geo.parse(json.dumps(many))
    with pytest.raises(geo.GeometryError, match="too large"):
        geo.parse("{" + " " * geo.MAX_TEXT + "}")


def test_cifs_polyline_is_lat_lon_in_drawing_order() -> None:
    assert geo.cifs_polyline(LineString([(21.227, 45.7477), (21.2321, 45.7481)])) == (
        "45.747700 21.227000 45.748100 21.232100")


def test_cap_areas_closed_rings_and_circles() -> None:
    polygons, circles = geo.cap_areas(Polygon([(21.21, 45.75), (21.22, 45.75), (21.22, 45.76), (21.21, 45.75)]))
    assert polygons == ["45.750000,21.210000 45.750000,21.220000 45.760000,21.220000 45.750000,21.210000"]
    assert circles == []
    polygons, circles = geo.cap_areas(Point(21.2257, 45.7537))
    assert circles == ["45.753700,21.225700 0.1"] and polygons == []
    polygons, _ = geo.cap_areas(LineString([(21.227, 45.7477), (21.2321, 45.7481)]))
    pairs = polygons[0].split(" ")
    assert pairs[0] == pairs[-1] and len(pairs) >= 4
    band = Polygon([tuple(map(float, pair.split(",")))[::-1] for pair in pairs])
    assert band.contains(Point(21.2295, 45.7479))  # the line's middle is inside its band


def test_a_mixed_drawing_is_matched_as_the_area_it_covers() -> None:
    mixed = geo.parse(json.dumps({"type": "GeometryCollection", "geometries": [
        LINE, {"type": "Point", "coordinates": [21.2257, 45.7537]}]}))
    matched = shape(geo.for_matching(mixed))
    assert matched.geom_type in ("Polygon", "MultiPolygon")
    assert matched.contains(Point(21.2257, 45.7537)) and matched.intersects(LineString(LINE["coordinates"]))
    assert geo.for_matching(geo.parse(json.dumps(LINE)))["type"] == "LineString"
