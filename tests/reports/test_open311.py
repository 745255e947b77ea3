"""The Open311 GeoReport v2 server: every endpoint in JSON and XML, the specification's HTTP
codes and error bodies, every filter, the extensions, hostile input, privacy, query counts."""
# ruff: noqa: S314  (parses this server's own XML and Atom output)

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from reports import services
from reports.models import Open311Key, Report, Status
from tests.reports.conftest import CENTRU, jpeg_bytes

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def post(client: Client, fmt: str = "json", **fields: Any) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", fields)


def valid(key: str, **extra: Any) -> dict[str, Any]:
    return {"api_key": key, "service_code": "potholes", "lat": str(CENTRU[0]), "long": str(CENTRU[1]),
            "description": "Groapă mare în fața primăriei", "attribute[size]": "large", **extra}


def errors_of(response: Any) -> list[dict[str, Any]]:
    if response["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        return [{"code": int(e.findtext("code") or 0), "description": e.findtext("description")}
                for e in root.findall("error")]
    return json.loads(response.content)


def test_discovery_and_services_in_both_formats(client: Client, reference: Any) -> None:
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    assert "text/xml" in discovery["endpoints"][0]["formats"]
    assert ET.fromstring(client.get(f"{BASE}/discovery.xml").content).find("endpoints/endpoint/url") is not None
    services_json = client.get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services_json}
    assert {"potholes", "garbage", "street-lighting", "illegal-dumping", "abandoned-vehicle", "graffiti",
            "damaged-pavement", "playground", "trees-green", "transport-stop"} <= codes
    potholes = next(s for s in services_json if s["service_code"] == "potholes")
    assert potholes["metadata"] is True and potholes["type"] == "realtime" and potholes["group"]
    root = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services" and len(root.findall("service")) == len(services_json)
    english = client.get(f"{BASE}/services.json?locale=en").json()
    assert next(s for s in english if s["service_code"] == "potholes")["service_name"] == "Pothole"


def test_service_definition(client: Client, reference: Any) -> None:
    definition = client.get(f"{BASE}/services/potholes.json").json()
    size = definition["attributes"][0]
    assert size["code"] == "size" and size["datatype"] == "singlevaluelist" and size["required"] is True
    assert {v["key"] for v in size["values"]} == {"small", "medium", "large"}
    root = ET.fromstring(client.get(f"{BASE}/services/illegal-dumping.xml").content)
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/datatype") == "multivaluelist"
    missing = client.get(f"{BASE}/services/teleportation.json")
    assert missing.status_code == 404 and errors_of(missing)[0]["code"] == 404


def test_post_creates_a_request(client: Client, reference: Any, open311_key: str) -> None:
    response = post(client, **valid(open311_key, email="app-user@example.org", first_name="Ion", last_name="Pop",
                                    phone="0722000111", **{"attribute[lane]": "bike_lane"}))
    assert response.status_code == 200, response.content
    body = response.json()
    report = Report.objects.get(pk=int(body[0]["service_request_id"]))
    assert report.channel == "open311" and report.is_public and report.reporter_name == "Ion Pop"
    assert report.answers == {"size": "large", "lane": "bike_lane"}
    assert report.subscriptions.get().email == "app-user@example.org"
    assert Open311Key.objects.get().last_used_at is not None
    xml_response = post(client, "xml", **valid(open311_key))
    assert ET.fromstring(xml_response.content).findtext("request/service_request_id")


def test_post_multivalue_attributes_and_media_upload(client: Client, reference: Any, open311_key: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields = valid(open311_key, service_code="illegal-dumping", **{
        "attribute[waste_type][]": ["construction", "tyres"]})
    fields.pop("attribute[size]")
    fields["media"] = SimpleUploadedFile("x.jpg", jpeg_bytes((2000, 1500), gps=True), content_type="image/jpeg")
    response = client.post(f"{BASE}/requests.json", fields)
    assert response.status_code == 200, response.content
    report = Report.objects.get()
    assert report.answers["waste_type"] == ["construction", "tyres"]
    with default_storage.open(report.photos.get().file, "rb") as stored:
        assert b"SecretPhone" not in stored.read()


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"api_key": ""}, 403, "api_key"),
    ({"api_key": "o311_forged"}, 403, "api_key"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "x' OR '1'='1"}, 400, "service_code"),
    ({"lat": ""}, 400, "lat"),
    ({"lat": "", "address_string": "Piața Victoriei"}, 400, "lat"),
    ({"lat": "45.75; DROP TABLE"}, 400, "lat"),
    ({"lat": "1e309"}, 400, "lat"),
    ({"lat": "48.85", "long": "2.35"}, 400, "lat"),  # Paris
    ({"attribute[size]": "enormous"}, 400, "attribute[size]"),
    ({"attribute[size]": ""}, 400, "attribute[size]"),
    ({"attribute[nope]": "x"}, 400, "attribute[nope]"),
    ({"description": "x" * 6000}, 400, "description"),
    ({"email": "nobody"}, 400, "email"),
    ({"jurisdiction_id": "bucuresti.ro"}, 404, "jurisdiction_id"),
])
def test_post_errors_follow_the_specification(client: Client, reference: Any, open311_key: str,
                                              change: dict[str, str], status: int, field: str) -> None:
    for fmt in ("json", "xml"):
        response = post(client, fmt, **{**valid(open311_key), **change})
        assert response.status_code == status, (fmt, response.content)
        error = errors_of(response)[0]
        assert error["code"] == status and error["description"].startswith(field), error
    assert not Report.objects.exists()


def test_revoked_key_is_refused(client: Client, reference: Any, open311_key: str) -> None:
    key = Open311Key.objects.get()
    services.revoke_open311_key("tests", key)
    assert post(client, **valid(open311_key)).status_code == 403


@pytest.mark.parametrize(("body", "content_type"), [
    ('{"service_code": "potholes", "lat": 45.75, "long": 21.22}', "application/json"),
    ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "text/xml"),
    ("service_code=potholes", "text/plain"),
])
def test_json_and_xml_bodies_are_refused_clearly(client: Client, reference: Any, open311_key: str, body: str,
                                                 content_type: str) -> None:
    response = client.post(f"{BASE}/requests.json?api_key={open311_key}", body, content_type=content_type)
    assert response.status_code == 400
    assert errors_of(response)[0]["description"].startswith("Content-Type")


def test_rate_limit_per_key(client: Client, reference: Any) -> None:
    _record, key = services.create_open311_key("tests", "tiny", requests_per_hour=2)
    assert post(client, **valid(key)).status_code == 200
    assert post(client, **valid(key)).status_code == 200
    limited = post(client, **valid(key))
    assert limited.status_code == 429 and limited["Retry-After"]
    assert errors_of(limited)[0]["description"].startswith("api_key")


def test_unknown_format_and_methods(client: Client, reference: Any) -> None:
    response = client.get(f"{BASE}/requests.csv")
    assert response.status_code == 400 and errors_of(response)[0]["description"].startswith("format")
    assert client.delete(f"{BASE}/requests.json").status_code == 405
    assert client.post(f"{BASE}/services.json").status_code == 405


# --- reading ---------------------------------------------------------------------------------------


@pytest.fixture
def history(make_report: Any, roads_staff: Any) -> dict[str, Report]:
    now = timezone.now()
    old = make_report(title="Old", created_at=now - dt.timedelta(days=200))
    services.change_status(roads_staff, old, Status.ACKNOWLEDGED)  # old, but updated today
    recent = make_report(title="Recent", photos=[jpeg_bytes()])
    lights = make_report("street-lighting", title="Light")
    fixed = make_report(title="Fixed")
    services.change_status(roads_staff, fixed, Status.FIXED, "Plombată")
    hidden = make_report("abandoned-vehicle", title="Hidden", answers={"plate": "TM-99-XYZ"})
    return {"old": old, "recent": recent, "lights": lights, "fixed": fixed, "hidden": hidden}


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    if response["Content-Type"].startswith("text/xml"):
        return {r.findtext("service_request_id") or "" for r in ET.fromstring(response.content).findall("request")}
    return {r["service_request_id"] for r in response.json()}


def test_get_requests_filters(client: Client, history: dict[str, Report]) -> None:
    pk = {name: str(r.pk) for name, r in history.items()}
    for fmt in ("json", "xml"):
        url = f"{BASE}/requests.{fmt}"
        assert ids(client.get(url)) == {pk["recent"], pk["lights"], pk["fixed"]}  # 90 days, public only
        assert ids(client.get(url, {"service_code": "street-lighting"})) == {pk["lights"]}
        assert ids(client.get(url, {"service_code": "street-lighting,potholes", "status": "closed"})) == {pk["fixed"]}
        assert ids(client.get(url, {"status": "open"})) == {pk["recent"], pk["lights"]}
        assert ids(client.get(url, {"status": "open,closed"})) == {pk["recent"], pk["lights"], pk["fixed"]}
        start = (timezone.now() - dt.timedelta(days=220)).isoformat()
        end = (timezone.now() - dt.timedelta(days=150)).isoformat()
        assert ids(client.get(url, {"start_date": start, "end_date": end})) == {pk["old"]}
        assert ids(client.get(url, {"service_request_id": f"{pk['old']},{pk['hidden']}"})) == {pk["old"]}
        after = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
        assert pk["old"] in ids(client.get(url, {"updated_after": after}))


def test_paging_extension(client: Client, history: dict[str, Report]) -> None:
    first = client.get(f"{BASE}/requests.json", {"page_size": 2})
    second = client.get(f"{BASE}/requests.json", {"page_size": 2, "page": 2})
    assert len(first.json()) == 2 and len(second.json()) == 1
    assert 'rel="next"' in first["Link"] and "Link" not in second
    assert not ids(first) & ids(second)


def test_fields_and_extensions(client: Client, history: dict[str, Report]) -> None:
    recent = history["recent"]
    plain = client.get(f"{BASE}/requests/{recent.pk}.json").json()[0]
    for name in ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                 "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                 "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"):
        assert name in plain
    assert plain["status"] == "open" and plain["agency_responsible"] == "Direcția Drumuri și Poduri"
    assert plain["media_url"].endswith(".jpg") and "extended_attributes" not in plain
    assert client.get(plain["media_url"].replace("http://testserver", "")).status_code == 200
    fixed = client.get(f"{BASE}/requests/{history['fixed'].pk}.json", {"extensions": "true"}).json()[0]
    extended = fixed["extended_attributes"]
    assert fixed["status"] == "closed" and fixed["status_notes"] == "Plombată"
    assert extended["detailed_status"] == "fixed"
    assert [u["status"] for u in extended["updates"]] == ["submitted", "fixed"]
    xml_root = ET.fromstring(client.get(f"{BASE}/requests/{history['fixed'].pk}.xml?extensions=true").content)
    assert xml_root.findtext("request/extended_attributes/updates/update/status") == "submitted"


def test_missing_and_hidden_requests_are_404(client: Client, history: dict[str, Report]) -> None:
    for path in ("requests/999999.json", f"requests/{history['hidden'].pk}.json", "requests/abc.xml",
                 "requests/1%27%20OR%201=1.json"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 404, path
        assert errors_of(response)[0]["code"] == 404


@pytest.mark.parametrize(("params", "field"), [
    ({"start_date": "last week"}, "start_date"), ({"end_date": "2025-02-30"}, "end_date"),
    ({"status": "fixed"}, "status"), ({"service_code": "nope"}, "service_code"), ({"page_size": "5000"}, "page_size"),
    ({"service_request_id": "1 OR 1=1"}, "service_request_id"),
])
def test_bad_filters_are_400_in_both_formats(client: Client, history: dict[str, Report], params: dict[str, str],
                                             field: str) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}", params)
        assert response.status_code == 400
        assert errors_of(response)[0]["description"].startswith(field)


def test_no_personal_data_in_open311_output(client: Client, reference: Any, open311_key: str) -> None:
    post(client, **valid(open311_key, email="secret.person@example.org", first_name="Secretname",
                         last_name="Hidden", phone="0799888777", device_id="device-123", account_id="acct-9"))
    services.submit_report("tests", services.NewReport(
        category=reference["abandoned-vehicle"], title="Car", description="Old car", lat=CENTRU[0], lon=CENTRU[1],
        answers={"plate": "TM-12-SEC"}, channel="phone"))
    Report.objects.update(moderation="approved", is_public=True)
    bodies = [client.get(f"{BASE}/requests.{fmt}", {"extensions": "true"}).content.decode() for fmt in ("json", "xml")]
    bodies += [client.get(f"{BASE}/requests/{r.pk}.json", {"extensions": "true"}).content.decode()
               for r in Report.objects.all()]
    for body in bodies:
        for secret in ("secret.person", "Secretname", "Hidden", "0799888777", "device-123", "acct-9", "TM-12-SEC"):
            assert secret not in body


def test_query_count_does_not_grow(no_response_cache: None, client: Client, make_report: Any, roads_staff: Any,
                                   django_assert_num_queries: Any) -> None:
    def count(params: dict[str, str]) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/requests.json", params).status_code == 200
        return len(captured)

    make_report()
    client.get(f"{BASE}/requests.json")  # builds this process's copy of the reference data (one query)
    small = {name: count(params) for name, params in (("plain", {}), ("ext", {"extensions": "true"}),
                                                      ("code", {"service_code": "potholes"}))}
    for _ in range(12):
        report = make_report(photos=[jpeg_bytes()])
        services.change_status(roads_staff, report, Status.ACKNOWLEDGED, "ok")
    large = {name: count(params) for name, params in (("plain", {}), ("ext", {"extensions": "true"}),
                                                      ("code", {"service_code": "potholes"}))}
    assert small == large
    assert large == {"plain": 1, "ext": 3, "code": 1}


def test_response_cache_serves_hits_and_never_stale_data(client: Client, make_report: Any, roads_staff: Any,
                                                         monkeypatch: Any) -> None:
    from reports import respcache

    monkeypatch.setattr(respcache, "ENABLED", True)
    report = make_report()
    first = client.get(f"{BASE}/requests.json")
    second = client.get(f"{BASE}/requests.json")
    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit" and first.content == second.content
    assert client.get("/reports/map.json")["X-Cache"] == "miss"
    assert client.get("/reports/map.json")["X-Cache"] == "hit"
    services.change_status(roads_staff, report, Status.FIXED, "Done")
    after = client.get(f"{BASE}/requests.json")
    assert after["X-Cache"] == "miss" and after.json()[0]["status"] == "closed"
    assert client.get("/reports/map.json").json()["items"][0][4] == "fixed"
    english = client.get(f"{BASE}/requests.json?locale=en")
    assert english["X-Cache"] == "miss"  # one entry per language
    assert client.get(f"{BASE}/requests.json?start_date=nope").status_code == 400  # errors are not cached


def test_deleting_in_the_back_office_invalidates_the_cache(client: Client, make_report: Any,
                                                           monkeypatch: Any) -> None:
    from reports import respcache

    monkeypatch.setattr(respcache, "ENABLED", True)
    report = make_report()
    assert len(client.get(f"{BASE}/requests.json").json()) == 1
    report.delete()
    assert client.get(f"{BASE}/requests.json").json() == []
