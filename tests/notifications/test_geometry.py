"""notifications/geometry.py and schedule.py: pure functions (no database)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from shapely.geometry import Point

from notifications import geometry as geo
from notifications import schedule

BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")


def test_distance_in_metres_matches_a_known_distance() -> None:
    # Piața Victoriei to Piața Unirii, Timișoara: about 830 m apart.
    distance = geo.distance_m(Point(21.2290, 45.7580), 45.7537, 21.2257)
    assert distance == pytest.approx(540, rel=0.02)
    assert geo.within_radius(Point(21.2257, 45.7537), 45.7537, 21.2257, 1)


def test_circle_bbox_contains_the_circle() -> None:
    _min_lon, min_lat, max_lon, max_lat = geo.circle_bbox(45.75, 21.22, 1000)
    assert max_lat - min_lat == pytest.approx(2000 / geo.METRES_PER_DEGREE_LAT)
    assert geo.within_radius(Point(max_lon, 45.75), 45.75, 21.22, 1001)


@pytest.mark.parametrize("value, message", [
    ("nope", "GeoJSON geometry object"),
    ({"type": "Feature"}, "type must be"),
    ({"type": "Point", "coordinates": "x"}, "not a valid Point"),
    ({"type": "Point", "coordinates": [200, 45]}, "WGS 84"),
    ({"type": "Point", "coordinates": [float("nan"), 45]}, "finite"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]}, "not a valid Polygon"),
    ({"type": "LineString", "coordinates": [[0, 0]] * 6000}, "vertices"),
])
def test_hostile_geometries_are_refused_with_the_reason(value: object, message: str) -> None:
    with pytest.raises(geo.GeometryError, match=message):
        geo.parse_geometry(value)


def test_areas_only_refuses_a_point_and_repairs_a_bow_tie() -> None:
    with pytest.raises(geo.GeometryError, match="type must be"):
        geo.parse_geometry({"type": "Point", "coordinates": [21, 45]}, areas_only=True)
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert geo.parse_geometry(bow_tie, areas_only=True).is_valid


def test_quiet_hours_across_midnight() -> None:
    start, end = dt.time(22), dt.time(7)
    late = dt.datetime(2026, 3, 3, 23, 30, tzinfo=BUCHAREST)
    early = dt.datetime(2026, 3, 4, 6, 0, tzinfo=BUCHAREST)
    noon = dt.datetime(2026, 3, 4, 12, 0, tzinfo=BUCHAREST)
    assert schedule.quiet_until(late, start, end) == dt.datetime(2026, 3, 4, 7, 0, tzinfo=BUCHAREST)
    assert schedule.quiet_until(early, start, end) == dt.datetime(2026, 3, 4, 7, 0, tzinfo=BUCHAREST)
    assert schedule.quiet_until(noon, start, end) is None
    assert schedule.quiet_until(noon, dt.time(12), dt.time(13)) == dt.datetime(2026, 3, 4, 13, tzinfo=BUCHAREST)
    assert schedule.quiet_until(noon, None, end) is None


def test_digest_times() -> None:
    wednesday = dt.datetime(2026, 3, 4, 8, 0, tzinfo=BUCHAREST)
    assert schedule.next_digest_at(wednesday, "daily", hour=7) == dt.datetime(2026, 3, 5, 7, tzinfo=BUCHAREST)
    assert schedule.next_digest_at(wednesday, "daily", hour=9) == dt.datetime(2026, 3, 4, 9, tzinfo=BUCHAREST)
    assert schedule.next_digest_at(wednesday, "weekly", hour=7) == dt.datetime(2026, 3, 9, 7, tzinfo=BUCHAREST)


def test_backoff_doubles_and_is_capped() -> None:
    assert [schedule.backoff_seconds(n, base=60) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert schedule.backoff_seconds(30, base=60, cap=3600) == 3600


def test_vectorised_radii_agree_with_the_one_by_one_check() -> None:
    import numpy as np

    area = geo.parse_geometry({"type": "Polygon", "coordinates": [[[21.22, 45.75], [21.23, 45.75], [21.23, 45.76],
                                                                   [21.22, 45.75]]]})
    lats = np.array([45.755, 45.7537, 45.77, 45.749, 45.7600])
    lons = np.array([21.225, 21.2000, 21.225, 21.225, 21.2400])
    radii = np.array([10.0, 1500.0, 1000.0, 120.0, 700.0])
    one_by_one = [geo.within_radius(area, la, lo, r) for la, lo, r in zip(lats, lons, radii, strict=True)]
    vectorised = [bool(hit) for hit in geo.within_radii(area, lats, lons, radii)]
    assert vectorised == one_by_one == [True, False, False, True, False]
