"""Reports in the JSON API (/api/v1/reports, /api/v1/reports/{id}, /api/v1/reports.geojson): filters,
paging, bad input named field by field, public fields only, constant query counts, OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import services
from reports.models import Moderation, Report, Status
from tests.reports.conftest import CENTRU, jpeg_bytes

pytestmark = pytest.mark.django_db

LIST = "/api/v1/reports"
GEOJSON = "/api/v1/reports.geojson"
FAR_NORTH = (45.80, 21.25)  # Calea Aradului area, outside Centru


@pytest.fixture
def reports(make_report: Any, roads_staff: Any) -> dict[str, Report]:
    open_one = make_report(title="Groapă în centru", email="secret.person@example.org", name="Secretname",
                           phone="0799888777", show_name=True)
    fixed = make_report(title="Groapă reparată", lat=FAR_NORTH[0], lon=FAR_NORTH[1])
    services.change_status(roads_staff, fixed, Status.FIXED, "Plombată")
    lights = make_report("street-lighting", title="Stâlp stins", photos=[jpeg_bytes()])
    hidden = make_report(title="Ascunsă")
    Report.objects.filter(pk=hidden.pk).update(is_public=False, moderation=Moderation.PENDING)
    return {"open": open_one, "fixed": fixed, "lights": lights, "hidden": hidden}


def test_list_has_public_reports_with_public_fields(client: Client, reports: dict[str, Report]) -> None:
    body = client.get(LIST).json()
    assert body["count"] == 3
    ids = [item["id"] for item in body["items"]]
    assert reports["hidden"].pk not in ids
    assert ids == sorted(ids, reverse=True)  # newest first
    item = next(i for i in body["items"] if i["id"] == reports["open"].pk)
    assert item["category"] == "potholes" and item["status"] == "submitted" and item["open"] is True
    assert item["neighbourhood"] == "centru" and item["address"] == "Bulevardul Regele Mihai I"
    assert item["nearest_address"] == "Bulevardul Regele Mihai I"
    assert item["lat"] == pytest.approx(CENTRU[0]) and item["url"].endswith(f"/ro/sesizari/{item['id']}/")
    lights = next(i for i in body["items"] if i["id"] == reports["lights"].pk)
    assert lights["photo_url"].endswith(".jpg")
    raw = client.get(LIST).content.decode()
    for secret in ("secret.person", "Secretname", "0799888777", "reporter", "email", "phone"):
        assert secret not in raw


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "open"}, {"open", "lights"}),
    ({"status": "closed"}, {"fixed"}),
    ({"status": "fixed"}, {"fixed"}),
    ({"category": "street-lighting"}, {"lights"}),
    ({"neighbourhood": "centru"}, {"open", "lights"}),
    ({"neighbourhood": "outside"}, {"fixed"}),
    ({"bbox": "21.22,45.75,21.23,45.76"}, {"open", "lights"}),
    ({"bbox": "21.24,45.79,21.26,45.81"}, {"fixed"}),
])
def test_filters(client: Client, reports: dict[str, Report], params: dict[str, str], expected: set[str]) -> None:
    names = {value.pk: key for key, value in reports.items()}
    body = client.get(LIST, params).json()
    assert {names[item["id"]] for item in body["items"]} == expected
    assert body["count"] == len(expected)
    features = client.get(GEOJSON, params).json()["features"]
    assert {names[feature["id"]] for feature in features} == expected


def test_updated_since_orders_by_change(client: Client, reports: dict[str, Report]) -> None:
    long_ago = timezone.now() - dt.timedelta(days=30)
    Report.objects.filter(pk__in=[reports["open"].pk, reports["lights"].pk]).update(updated_at=long_ago)
    since = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = client.get(LIST, {"updated_since": since}).json()
    assert [item["id"] for item in body["items"]] == [reports["fixed"].pk]
    assert client.get(LIST, {"updated_since": long_ago.date().isoformat()}).json()["count"] == 3


def test_paging(client: Client, reports: dict[str, Report]) -> None:
    first = client.get(LIST, {"limit": 2}).json()
    second = client.get(LIST, {"limit": 2, "offset": 2}).json()
    assert first["count"] == second["count"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    geo = client.get(GEOJSON, {"limit": 1, "offset": 1}).json()
    assert geo["count"] == 3 and len(geo["features"]) == 1 and geo["offset"] == 1


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "lost"}, "status"),
    ({"category": "teleportation"}, "category"),
    ({"neighbourhood": "atlantis"}, "neighbourhood"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "21.3,45.7,21.2,45.8"}, "bbox"),
    ({"bbox": "nan,45,21,46"}, "bbox"),
    ({"updated_since": "yesterday"}, "updated_since"),
    ({"updated_since": "2026-02-30"}, "updated_since"),
    ({"limit": "0"}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"limit": "100000"}, "limit"),
    ({"offset": "-1"}, "offset"),
])
def test_bad_input_names_the_field(client: Client, reports: dict[str, Report], params: dict[str, str],
                                   field: str) -> None:
    for url in (LIST, GEOJSON):
        response = client.get(url, params)
        assert response.status_code in (400, 422), (url, params, response.status_code)
        body = response.json()
        if response.status_code == 400:
            assert body["detail"].startswith(f"{field}:"), body
        else:  # django-ninja's validation error: the parameter is named in "loc"
            assert any(error["loc"][-1] == field for error in body["detail"]), body


def test_detail(client: Client, reports: dict[str, Report]) -> None:
    fixed = client.get(f"{LIST}/{reports['fixed'].pk}").json()
    assert fixed["status"] == "fixed" and fixed["open"] is False and fixed["expected_at"] is None
    assert [u["status"] for u in fixed["updates"]] == ["submitted", "fixed"]
    assert fixed["updates"][-1]["text"] == "Plombată"
    lights = client.get(f"{LIST}/{reports['lights'].pk}").json()
    assert len(lights["photo_urls"]) == 1
    for missing in (reports["hidden"].pk, 999999):
        response = client.get(f"{LIST}/{missing}")
        assert response.status_code == 404 and response.json()["detail"].startswith("report_id:")
    assert client.get(f"{LIST}/abc").status_code == 422


def test_geojson(client: Client, reports: dict[str, Report]) -> None:
    response = client.get(GEOJSON)
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["count"] == 3
    assert "OpenStreetMap" in body["attribution"]
    feature = next(f for f in body["features"] if f["id"] == reports["open"].pk)
    assert feature["geometry"] == {"type": "Point", "coordinates": [pytest.approx(CENTRU[1]),
                                                                    pytest.approx(CENTRU[0])]}
    assert feature["properties"]["category"] == "potholes"
    assert feature["properties"]["address"] == "Bulevardul Regele Mihai I"
    assert "Secretname" not in response.content.decode()


def test_query_counts_do_not_grow(no_response_cache: None,
                                  client: Client, reports: dict[str, Report], make_report: Any) -> None:
    def count(url: str, params: dict[str, str] | None = None) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params or {}).status_code == 200
        return len(captured)

    client.get(LIST)  # builds this process's copy of the reference data
    small = (count(LIST), count(GEOJSON), count(LIST, {"category": "potholes", "bbox": "21,45,22,46"}),
             count(f"{LIST}/{reports['fixed'].pk}"))
    for _ in range(10):
        make_report(photos=[jpeg_bytes()])
    large = (count(LIST), count(GEOJSON), count(LIST, {"category": "potholes", "bbox": "21,45,22,46"}),
             count(f"{LIST}/{reports['fixed'].pk}"))
    assert small == large == (2, 2, 2, 3)


def test_openapi_describes_the_endpoints(client: Client, reference: Any) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/reports", "/api/v1/reports/{report_id}", "/api/v1/reports.geojson"} <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/reports"]["get"]["parameters"]}
    assert {"status", "category", "neighbourhood", "bbox", "updated_since", "limit", "offset"} <= parameters


def test_reports_page_links_to_the_geojson(client: Client, reports: dict[str, Report]) -> None:
    page = client.get("/ro/sesizari/", {"category": "potholes", "status": "open", "area": "centru"}).content.decode()
    assert "/api/v1/reports.geojson?category=potholes&amp;status=open&amp;neighbourhood=centru" in page
