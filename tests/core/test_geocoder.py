"""The geocoding entry point (core.geocoder) with a real HTTP server acting as Nominatim on
127.0.0.1, and `manage.py build_street_index` on the small fixture extracts."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from core import geocoder
from core.geocoding.streets import StreetIndex

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "osm"


class FakeNominatim(BaseHTTPRequestHandler):
    """Answers /search like Nominatim's jsonv2 format; records what it was asked."""

    seen: list[dict[str, Any]] = []
    answer: list[dict[str, Any]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        FakeNominatim.seen.append({"path": url.path, "query": parse_qs(url.query),
                                   "agent": self.headers.get("User-Agent")})
        body = json.dumps(FakeNominatim.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def nominatim(settings: Any) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeNominatim.seen = []
    FakeNominatim.answer = [{"lat": "45.7590", "lon": "21.2200", "display_name": "7, Strada Gheorghe Lazăr, Timișoara",
                             "address": {"road": "Strada Gheorghe Lazăr", "house_number": "7"}}]
    url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOMINATIM_URL = url
    cache.clear()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def fixture_index(settings: Any, tmp_path: Path) -> Path:
    """The OSM XML fixture built into an index with the real command, used as the platform's index."""
    output = tmp_path / "streets.json.xz"
    call_command("build_street_index", str(FIXTURES / "lazar.osm"), "--output", str(output), stdout=io.StringIO())
    settings.STREET_INDEX_PATH = output
    geocoder.reset()
    return output


def test_build_street_index_command(tmp_path: Path) -> None:
    output = tmp_path / "streets.json.xz"
    log = tmp_path / "log.txt"
    with log.open("w") as stdout:
        call_command("build_street_index", str(FIXTURES / "lazar.osm"), str(FIXTURES / "small.geojson"),
                     "--output", str(output), "--source", "fixtures", stdout=stdout)
    assert "7 streets" in log.read_text() and "6 house numbers" in log.read_text()
    index = StreetIndex.load(output)
    assert index.source == "fixtures" and index.house_count == 6
    with pytest.raises(CommandError, match="no such file"):
        call_command("build_street_index", str(tmp_path / "missing.osm"), "--output", str(output))
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("build_street_index", str(bad), "--output", str(output))


def test_locate_uses_the_local_house_number_first(db: Any, fixture_index: Path, nominatim: str) -> None:
    place = geocoder.locate("Str. Gheorghe Lazăr nr. 2")
    assert place is not None and place.kind == "address" and place.source == "osm"
    assert FakeNominatim.seen == []  # not needed


def test_locate_asks_nominatim_for_an_unknown_house_number(db: Any, fixture_index: Path, nominatim: str) -> None:
    place = geocoder.locate("Strada Gheorghe Lazăr 40")
    assert place is not None and place.source == "nominatim" and place.label == "Strada Gheorghe Lazăr nr. 7"
    asked = FakeNominatim.seen[0]
    assert asked["path"] == "/search" and asked["query"]["bounded"] == ["1"]
    assert asked["query"]["viewbox"] == [geocoder.VIEWBOX] and "Timișoara" in asked["query"]["q"][0]
    assert asked["agent"] and "timisoara" in asked["agent"]
    geocoder.locate("Strada Gheorghe Lazăr 40")
    assert len(FakeNominatim.seen) == 1  # cached


def test_nominatim_down_or_empty_falls_back_to_the_street(db: Any, fixture_index: Path, nominatim: str,
                                                         settings: Any) -> None:
    FakeNominatim.answer = []
    place = geocoder.locate("Strada Gheorghe Lazăr 40")
    assert place is not None and place.source == "osm" and place.kind == "street"
    settings.NOMINATIM_URL = "http://127.0.0.1:9"  # nothing listens there
    cache.clear()
    place = geocoder.locate("Strada Mărășești 80")
    assert place is not None and place.street == "Strada Mărășești"
    assert geocoder.locate("Bulevardul Nicăieri") is None


def test_suggest_tells_namesakes_apart_and_adds_neighbourhoods(db: Any, fixture_index: Path) -> None:
    from django.conf import settings as django_settings

    from core.geo import load_neighbourhoods

    load_neighbourhoods(django_settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson", actor="t")
    labels = [item["label"] for item in geocoder.suggest("Strada Florilor")]
    assert len(labels) == 2 and len(set(labels)) == 2 and all(label.startswith("Strada Florilor (") for label in labels)
    areas = geocoder.suggest("Fabric")
    assert any(item["kind"] == "area" for item in areas)


def test_nearest_address_and_address_id(db: Any, fixture_index: Path) -> None:
    found = geocoder.nearest_address(45.75897, 21.22128)
    assert found is not None and found.label == "Strada Gheorghe Lazăr nr. 2"
    place = geocoder.locate_address_id("strada-gheorghe-lazar/10a")
    assert place is not None and place.housenumber == "10A"
