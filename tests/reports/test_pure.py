"""The Django-free modules: distances, photo cleaning, Open311 query parsing and documents."""
# ruff: noqa: S314  (parses this server's own XML and Atom output)

from __future__ import annotations

import datetime as dt
import io
import struct
import xml.etree.ElementTree as ET
import zlib
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from core.images import PhotoError, clean_photo
from reports import geodesy
from reports.open311 import formats
from reports.open311.params import QueryError, parse_requests_query
from tests.reports.conftest import jpeg_bytes

BUCHAREST = ZoneInfo("Europe/Bucharest")
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)

# --- geodesy ---------------------------------------------------------------------------------------


def test_haversine_known_distances() -> None:
    # Piața Victoriei to Piața Unirii, Timișoara: about 530 m as the crow flies.
    assert geodesy.haversine_m(45.7537, 21.2257, 45.7579, 21.2290) == pytest.approx(530, rel=0.05)
    assert geodesy.haversine_m(45.0, 21.0, 45.0, 21.0) == 0
    # One degree of latitude is about 111.2 km everywhere.
    assert geodesy.haversine_m(45.0, 21.0, 46.0, 21.0) == pytest.approx(111_195, rel=0.001)


@given(lat=st.floats(-80, 80), lon=st.floats(-179, 179), bearing=st.floats(0, 360), fraction=st.floats(0, 1),
       radius=st.floats(1, 5000))
def test_box_contains_every_point_of_the_circle(lat: float, lon: float, bearing: float, fraction: float,
                                                radius: float) -> None:
    import math

    distance = radius * fraction
    # Destination point on the sphere at `distance` along `bearing`.
    angular = distance / geodesy.EARTH_RADIUS_M
    phi1, lambda1, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    phi2 = math.asin(math.sin(phi1) * math.cos(angular) + math.cos(phi1) * math.sin(angular) * math.cos(theta))
    lambda2 = lambda1 + math.atan2(math.sin(theta) * math.sin(angular) * math.cos(phi1),
                                   math.cos(angular) - math.sin(phi1) * math.sin(phi2))
    box = geodesy.box_around(lat, lon, radius * 1.0000001)
    assert box.contains(math.degrees(phi2), math.degrees(lambda2))


@pytest.mark.parametrize(("lat", "lon", "valid"), [
    (45.75, 21.22, True), (90, 180, True), (91, 0, False), (0, -181, False),
    (float("nan"), 21.0, False), (45.0, float("inf"), False)])
def test_valid_coordinates(lat: float, lon: float, valid: bool) -> None:
    assert geodesy.valid_coordinates(lat, lon) is valid


# --- photos ----------------------------------------------------------------------------------------


def test_a_photo_is_resized_and_reencoded_without_exif() -> None:
    original = jpeg_bytes((3000, 2000), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the test photo really has GPS
    cleaned = clean_photo(original)
    assert max(cleaned.width, cleaned.height) == 1600
    for content in (cleaned.content, cleaned.thumbnail):
        reread = Image.open(io.BytesIO(content))
        assert reread.format == "JPEG"
        assert not reread.getexif()
        assert "exif" not in reread.info
        assert b"SecretPhone" not in content and b"PhoneMaker" not in content


def test_a_transparent_png_becomes_a_jpeg_on_white() -> None:
    image = Image.new("RGBA", (50, 50), (255, 0, 0, 0))
    output = io.BytesIO()
    image.save(output, format="PNG")
    cleaned = clean_photo(output.getvalue())
    assert Image.open(io.BytesIO(cleaned.content)).getpixel((10, 10))[0] > 240


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + \
        chunk(b"IEND", b"")


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "not_image"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "not_image"),
    (b"GIF89a" + b"\x00" * 20, "undecodable"),
    (jpeg_bytes()[:200], "undecodable"),
    (_png_header_only(8000, 8000), "too_many_pixels"),
    (_png_header_only(100_000, 100_000), "undecodable"),  # Pillow's own bomb guard
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100, "unsupported"),
])
def test_hostile_or_broken_files_are_refused(data: bytes, code: str) -> None:
    with pytest.raises(PhotoError) as error:
        clean_photo(data)
    assert error.value.code == code


def test_size_limit() -> None:
    with pytest.raises(PhotoError) as error:
        clean_photo(jpeg_bytes(), max_bytes=100)
    assert error.value.code == "too_large"


# --- Open311 query -------------------------------------------------------------------------------


def parse(**params: str) -> object:
    return parse_requests_query(params, now=NOW, default_tz=BUCHAREST, service_code_exists={"potholes"}.__contains__)


def test_default_window_is_the_last_90_days() -> None:
    query = parse()
    assert query.start == NOW - dt.timedelta(days=90) and query.end is None  # type: ignore[attr-defined]
    assert query.page == 1 and query.page_size == 50  # type: ignore[attr-defined]


def test_dates_in_w3c_formats() -> None:
    query = parse(start_date="2025-01-01T00:00:00Z", end_date="2025-02-01T10:00:00+02:00")
    assert query.start == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # type: ignore[attr-defined]
    assert query.end.utcoffset() == dt.timedelta(hours=2)  # type: ignore[attr-defined]
    naive = parse(start_date="2025-01-01")
    assert naive.start.tzinfo == BUCHAREST  # type: ignore[attr-defined]
    assert naive.end - naive.start == dt.timedelta(days=90)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("params", "field"), [
    ({"start_date": "yesterday"}, "start_date"),
    ({"end_date": "2025-13-45T00:00:00Z"}, "end_date"),
    ({"start_date": "2025-01-01", "end_date": "2024-01-01"}, "end_date"),
    ({"start_date": "2025-01-01", "end_date": "2025-06-01"}, "end_date"),
    ({"status": "pending"}, "status"),
    ({"service_code": "potholes,'; DROP TABLE reports_report;--"}, "service_code"),
    ({"service_request_id": "1,2,x"}, "service_request_id"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": "100000"}, "page_size"),
    ({"page": "-1"}, "page"),
    ({"extensions": "maybe"}, "extensions"),
    ({"updated_after": "2025-02-01", "updated_before": "2025-01-01"}, "updated_before"),
])
def test_bad_parameters_name_the_field(params: dict[str, str], field: str) -> None:
    with pytest.raises(QueryError) as error:
        parse(**params)
    assert str(error.value).startswith(f"{field}:")


def test_service_request_id_overrides_other_filters() -> None:
    query = parse(service_request_id="3, 5", status="open", start_date="2025-01-01")
    assert query.ids == (3, 5) and query.statuses == () and query.start is None  # type: ignore[attr-defined]


def test_updated_after_replaces_the_default_window() -> None:
    query = parse(updated_after="2020-01-01T00:00:00Z")
    assert query.start is None and query.updated_after is not None  # type: ignore[attr-defined]


# --- documents -------------------------------------------------------------------------------------


def test_xml_escapes_markup_and_drops_forbidden_characters() -> None:
    document = formats.xml_document("service_requests", "request", [
        {"description": "<b>bold</b> & \"quoted\" \x01\x0b end", "lat": 45.7, "flag": True, "none": None,
         "extended_attributes": {"updates": [{"update_id": 1}], "media_urls": ["http://x/1.jpg"]}}])
    root = ET.fromstring(document.encode())
    request = root.find("request")
    assert request is not None
    assert request.findtext("description") == "<b>bold</b> & \"quoted\"  end"
    assert request.findtext("flag") == "true" and request.findtext("none") == ""
    assert request.findtext("extended_attributes/updates/update/update_id") == "1"
    assert request.findtext("extended_attributes/media_urls/media_url") == "http://x/1.jpg"


def test_error_bodies() -> None:
    assert formats.errors("json", 403, ["api_key: required"]) == '[{"code":403,"description":"api_key: required"}]'
    root = ET.fromstring(formats.errors("xml", 404, ["not found"]).encode())
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_grid_cells() -> None:
    assert geodesy.grid_cell(45.7537, 21.2257) == geodesy.grid_cell(45.7501, 21.2201)
    assert geodesy.grid_cell(45.7537, 21.2257) != geodesy.grid_cell(45.7637, 21.2257)
    assert geodesy.grid_cell(-89.99, -179.99) < geodesy.grid_cell(89.99, 179.99) < 2**31
    box = geodesy.BoundingBox(45.745, 21.215, 45.765, 21.235)
    cells = geodesy.cells_covering(box, limit=16)
    assert cells is not None and len(cells) == 9
    assert geodesy.grid_cell(45.7537, 21.2257) in cells
    assert geodesy.cells_covering(box, limit=8) is None


@given(lat=st.floats(-89.9, 89.9), lon=st.floats(-179.9, 179.9), size=st.floats(0, 0.03))
def test_the_cells_of_a_box_contain_every_point_in_it(lat: float, lon: float, size: float) -> None:
    box = geodesy.BoundingBox(lat, lon, min(lat + size, 90), min(lon + size, 180))
    cells = geodesy.cells_covering(box, limit=10_000)
    assert cells is not None
    for point_lat, point_lon in ((box.min_lat, box.min_lon), (box.max_lat, box.max_lon),
                                 ((box.min_lat + box.max_lat) / 2, (box.min_lon + box.max_lon) / 2)):
        assert geodesy.grid_cell(point_lat, point_lon) in cells
