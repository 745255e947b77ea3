"""Addresses of reports: every report gets its nearest address (street index, reverse geocoding),
Open311 POST with address_string or address_id alone, GET tokens/{token}, the form's address search
(htmx) and its no-JavaScript fallback (the typed address placed on submit), the backfill."""
# ruff: noqa: S314  (parses this server's own XML output)

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from reports import tokens
from reports.models import Report
from tests.reports.conftest import CENTRU

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
LAZAR = (45.760284, 21.217833)  # the index's point on Strada Gheorghe Lazăr


def post(client: Client, fmt: str = "json", **fields: Any) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", fields)


def by_address(key: str, **extra: Any) -> dict[str, Any]:
    return {"api_key": key, "service_code": "potholes", "description": "Groapă adâncă",
            "attribute[size]": "large", **extra}


def errors_of(response: Any) -> list[dict[str, Any]]:
    if response["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        return [{"code": int(e.findtext("code") or 0), "description": e.findtext("description")}
                for e in root.findall("error")]
    return json.loads(response.content)


def test_every_report_gets_its_nearest_address(make_report: Any) -> None:
    report = make_report(lat=CENTRU[0], lon=CENTRU[1])
    assert report.nearest_address == "Bulevardul Regele Mihai I"
    assert 40 < report.nearest_address_m < 60
    on_lazar = make_report(lat=LAZAR[0], lon=LAZAR[1])
    assert on_lazar.nearest_address == "Strada Gheorghe Lazăr" and on_lazar.nearest_address_m < 1
    far = make_report(lat=45.69, lon=21.36)  # inside the city's box, far from any mapped street
    assert far.nearest_address == "" and far.nearest_address_m is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_post_with_address_string_only(client: Client, reference: Any, open311_key: str, fmt: str) -> None:
    response = post(client, fmt, **by_address(open311_key, address_string="Str. Gheorghe Lazar nr. 2"))
    assert response.status_code == 200, response.content
    if fmt == "json":
        request_id = response.json()[0]["service_request_id"]
    else:
        request_id = ET.fromstring(response.content).findtext("request/service_request_id")
    report = Report.objects.get(pk=int(request_id))
    assert (report.lat, report.lon) == pytest.approx(LAZAR, abs=1e-6)
    assert report.address == "Str. Gheorghe Lazar nr. 2"  # what the client sent
    assert report.nearest_address == "Strada Gheorghe Lazăr"
    read = client.get(f"{BASE}/requests/{request_id}.json").json()[0]
    assert read["address"] == "Str. Gheorghe Lazar nr. 2" and read["lat"] == pytest.approx(LAZAR[0])


def test_open311_address_id_and_nearest_address_in_output(client: Client, reference: Any, open311_key: str) -> None:
    response = post(client, **by_address(open311_key, address_id="bulevardul-mihai-viteazu"))
    assert response.status_code == 200, response.content
    report = Report.objects.get()
    assert report.address == "Bulevardul Mihai Viteazu" and report.nearest_address == "Bulevardul Mihai Viteazu"
    coordinates = post(client, **by_address(open311_key, lat=str(CENTRU[0]), long=str(CENTRU[1])))
    request_id = coordinates.json()[0]["service_request_id"]
    read = client.get(f"{BASE}/requests/{request_id}.json").json()[0]
    assert read["address"] == "Bulevardul Regele Mihai I"  # nothing typed: the nearest address


@pytest.mark.parametrize(("change", "field"), [
    ({"address_string": "Strada Care Nu Există Nicăieri 5"}, "address_string"),
    ({"address_string": "x"}, "address_string"),
    ({"address_id": "strada-inexistenta"}, "address_id"),
    ({"address_id": "strada-gheorghe-lazar/9999"}, "address_id"),
    ({}, "lat"),
    ({"lat": str(CENTRU[0])}, "long"),
    ({"long": str(CENTRU[1]), "address_string": "Strada Gheorghe Lazăr"}, "lat"),
])
def test_open311_location_errors_name_the_parameter(client: Client, reference: Any, open311_key: str,
                                                    change: dict[str, str], field: str) -> None:
    for fmt in ("json", "xml"):
        response = post(client, fmt, **by_address(open311_key, **change))
        assert response.status_code == 400, (fmt, response.content)
        error = errors_of(response)[0]
        assert error["code"] == 400 and error["description"].startswith(f"{field}:"), error
    assert not Report.objects.exists()


def test_open311_tokens(client: Client, reference: Any, open311_key: str) -> None:
    created = post(client, **by_address(open311_key, address_string="Calea Aradului")).json()[0]
    token = created["token"]
    assert token and created["service_request_id"]
    answer = client.get(f"{BASE}/tokens/{token}.json")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    assert answer.json() == [{"service_request_id": created["service_request_id"], "token": token}]
    xml = ET.fromstring(client.get(f"{BASE}/tokens/{token}.xml").content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id") == created["service_request_id"]
    assert xml.findtext("request/token") == token
    forged = tokens.make(tokens.CONFIRM_REPORT, int(created["service_request_id"]))  # another purpose
    for bad in ("nonsense", forged, "", "a.b"):
        for fmt in ("json", "xml"):
            response = client.get(f"{BASE}/tokens/{bad}.{fmt}")
            assert response.status_code == 404, (bad, fmt)
            assert errors_of(response) == [{"code": 404, "description": "token: no request with this token"}]
    Report.objects.all().delete()
    assert client.get(f"{BASE}/tokens/{token}.json").status_code == 404
    assert client.post(f"{BASE}/tokens/{token}.json").status_code == 405


def test_form_without_javascript_places_the_typed_address(client: Client, citizen: Any, reference: Any) -> None:
    client.force_login(citizen)
    data = {"category": "potholes", "q_size": "large", "lat": "", "lon": "", "address": "Gheorghe Lazăr 2",
            "title": "Groapă", "description": "Pe banda din dreapta.", "website": ""}
    response = client.post("/ro/sesizari/noua/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get()
    assert (report.lat, report.lon) == pytest.approx(LAZAR, abs=1e-6)
    assert report.address == "Gheorghe Lazăr 2" and report.nearest_address == "Strada Gheorghe Lazăr"
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Cea mai apropiată adresă" in page and "Strada Gheorghe Lazăr" in page


@pytest.mark.parametrize(("change", "field"), [
    ({"address": "Strada Care Nu Există Nicăieri"}, "address"),
    ({"address": ""}, "lat"),
    ({"lat": str(CENTRU[0]), "address": ""}, "lon"),
])
def test_form_location_errors(client: Client, citizen: Any, reference: Any, change: dict[str, str],
                              field: str) -> None:
    client.force_login(citizen)
    data = {"category": "potholes", "q_size": "large", "lat": "", "lon": "", "title": "Groapă",
            "description": "Pe banda din dreapta.", "website": "", **change}
    response = client.post("/en/reports/new/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Report.objects.exists()


def test_address_search_fragment_for_htmx(client: Client, reference: Any) -> None:
    page = client.get("/ro/sesizari/noua/").content.decode()
    assert 'hx-get="/ro/sesizari/adrese/"' in page and 'hx-target="#geocode-results"' in page
    fragment = client.get("/ro/sesizari/adrese/", {"address": "gheorghe lazar"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and 'class="address-choice"' in html
    assert 'data-lat="45.760284"' in html and 'data-lon="21.217833"' in html  # machine-formatted in Romanian
    assert "Strada Gheorghe Lazăr" in html and "găsit" in html
    nothing = client.get("/ro/sesizari/adrese/", {"address": "qqqqzzzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Nu am găsit" in nothing
    as_json = client.get("/ro/sesizari/adrese/", {"q": "Bd. Mihai Viteazu"}).json()
    assert as_json["results"][0]["label"] == "Bulevardul Mihai Viteazu"


def test_backfill_command(make_report: Any) -> None:
    first, second = make_report(), make_report(lat=LAZAR[0], lon=LAZAR[1])
    Report.objects.update(nearest_address="", nearest_address_m=None)
    out = io.StringIO()
    call_command("reports_fill_addresses", stdout=out)
    assert "2 reports" in out.getvalue()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.nearest_address == "Bulevardul Regele Mihai I" and second.nearest_address == "Strada Gheorghe Lazăr"
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(action="reports.nearest_addresses.filled").exists()


def test_migration_backfill_function_with_the_model(make_report: Any) -> None:
    from reports.addresses import fill_nearest_addresses

    make_report()
    Report.objects.update(nearest_address="", nearest_address_m=None)
    assert fill_nearest_addresses(Report) == 1
    assert Report.objects.get().nearest_address == "Bulevardul Regele Mihai I"


def test_staff_see_the_nearest_address(client: Client, make_report: Any, roads_staff: Any) -> None:
    import csv

    report = make_report(lat=LAZAR[0], lon=LAZAR[1], title="Pe Lazăr")
    make_report(title="În centru")
    client.force_login(roads_staff)
    page = client.get(f"/ro/sesizari/birou/{report.pk}/").content.decode()
    assert "Cea mai apropiată adresă" in page and "Strada Gheorghe Lazăr" in page
    found = client.get("/ro/sesizari/birou/", {"q": "Gheorghe Lazăr"}).content.decode()
    assert "Pe Lazăr" in found and "În centru" not in found
    rows = list(csv.DictReader(io.StringIO(client.get("/en/reports/staff/export.csv").content.decode())))
    assert {row["title"]: row["nearest_address"] for row in rows} == {
        "Pe Lazăr": "Strada Gheorghe Lazăr", "În centru": "Bulevardul Regele Mihai I"}


def test_open311_address_placed_by_nominatim_outside_the_city_is_refused(
        client: Client, reference: Any, open311_key: str, settings: Any) -> None:
    """A configured Nominatim (a real HTTP server on 127.0.0.1) that answers a place outside Timișoara:
    the request is refused naming address_string, nothing is stored."""
    import threading
    from http.server import ThreadingHTTPServer

    from tests.core.test_geocoder import FakeNominatim

    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        FakeNominatim.seen = []
        FakeNominatim.answer = [{"lat": "44.4316", "lon": "26.1003", "display_name": "Strada Lipscani, București",
                                 "address": {"road": "Strada Lipscani", "house_number": "5"}}]
        settings.NOMINATIM_URL = f"http://127.0.0.1:{server.server_address[1]}"
        response = post(client, **by_address(open311_key, address_string="Strada Nicăieri Nicicând 5"))
        assert response.status_code == 400
        assert errors_of(response)[0]["description"].endswith("is outside Timișoara")
        assert FakeNominatim.seen and not Report.objects.exists()
    finally:
        server.shutdown()
        server.server_close()
