"""The open feeds: Waze CIFS checked against the specification's element table, every CAP message
validated against the OASIS CAP 1.2 XML schema, the Atom index, the planned-works Atom and iCalendar,
the GeoJSON, and the open-data catalogue entry."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from announcements import services
from announcements.models import Announcement
from tests.announcements.conftest import draft

pytestmark = pytest.mark.django_db

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).resolve().parents[1] / "data" / "cap-1.2" / "CAP-v1.2.xsd")))
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"

# The CIFS specification's element table (Waze partner feeds, "CIFS specification"), as far as a road
# closure uses it: element -> (Required / Requested / Optional, the format the table gives).
ISO8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
POLYLINE = re.compile(r"^-?\d{1,2}\.\d{6} -?\d{1,3}\.\d{6}( -?\d{1,2}\.\d{6} -?\d{1,3}\.\d{6})+$")
CIFS_TABLE: dict[str, tuple[str, Any]] = {
    "id": ("Required", lambda value: isinstance(value, str) and value.strip() != ""),
    "type": ("Required", lambda value: value in {"ROAD_CLOSED", "ACCIDENT", "HAZARD", "POLICE", "CHIT_CHAT", "JAM"}),
    "subtype": ("Requested", lambda value: value.startswith("ROAD_CLOSED_")),
    "polyline": ("Required", lambda value: bool(POLYLINE.match(value))),
    "direction": ("Requested", lambda value: value in {"BOTH_DIRECTIONS", "ONE_DIRECTION"}),
    "street": ("Required", lambda value: isinstance(value, str) and value.strip() != ""),
    "starttime": ("Required", lambda value: bool(ISO8601.match(value))),  # required for ROAD_CLOSED
    "endtime": ("Requested", lambda value: bool(ISO8601.match(value))),
    "description": ("Requested", lambda value: isinstance(value, str) and 0 < len(value) <= 500),
    "location": ("Optional", lambda value: isinstance(value, str) and value.strip() != ""),
    "updatetime": ("Optional", lambda value: bool(ISO8601.match(value))),
}
# What our closures always carry (every Required element, and the Requested ones we know).
WE_ALWAYS_SEND = {"id", "type", "subtype", "polyline", "direction", "street", "starttime", "description", "location",
                  "updatetime"}


@pytest.fixture
def demo(neighbourhoods: None) -> None:
    from announcements.demo import load_demo_data

    load_demo_data(StringIO())


def test_cifs_feed_meets_the_specification_table(client: Any, demo: None, staff: Any) -> None:
    # A second closure, open-ended and one-way, with two lines (two incidents, stable ids).
    two_lines = {"type": "MultiLineString", "coordinates": [
        [[21.227001, 45.747771], [21.228381, 45.747752]], [[21.247683, 45.762681], [21.246132, 45.762313]]]}
    extra = services.publish(staff, draft(geometry=json.dumps(two_lines), ends_at=None, direction="ONE_DIRECTION"))
    response = client.get("/feeds/cifs.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    incidents = response.json()["incidents"]
    ids = [incident["id"] for incident in incidents]
    assert len(ids) == len(set(ids)) == 3
    assert {f"{extra.pk}-1", f"{extra.pk}-2"} <= set(ids)
    for incident in incidents:
        for element, (level, _check) in CIFS_TABLE.items():
            if level == "Required":
                assert element in incident, f"required CIFS element {element} missing"
        assert set(incident) >= WE_ALWAYS_SEND, set(WE_ALWAYS_SEND) - set(incident)
        for element, value in incident.items():
            assert element in CIFS_TABLE, f"{element} is not a CIFS element"
            assert CIFS_TABLE[element][1](value), f"{element}={value!r} does not have the specification's format"
        assert incident["type"] == "ROAD_CLOSED"
    parvan = next(incident for incident in incidents if "Pârvan" in incident["street"])
    assert parvan["direction"] == "BOTH_DIRECTIONS" and "endtime" in parvan
    assert parvan["polyline"].startswith("45.747771 21.227001 ")  # lat lon, in drawing order
    assert not any("endtime" in incident for incident in incidents if incident["id"].startswith(f"{extra.pk}-"))
    one_way = next(incident for incident in incidents if incident["id"] == f"{extra.pk}-1")
    assert one_way["direction"] == "ONE_DIRECTION"
    # Each line names the street it follows.
    assert one_way["street"] == "Bulevardul Vasile Pârvan"
    assert next(i for i in incidents if i["id"] == f"{extra.pk}-2")["street"] == "Bulevardul Take Ionescu"


def test_cifs_feed_leaves_out_what_is_not_a_road_closure(client: Any, demo: None) -> None:
    incidents = client.get("/feeds/cifs.json").json()["incidents"]
    closures = Announcement.objects.current(timezone.now()).filter(category="street_closure")
    assert {incident["id"] for incident in incidents} == {str(closure.thread_id_or_self) for closure in closures}


def _validate(body: bytes) -> Any:
    document = etree.fromstring(body)
    if not SCHEMA.validate(document):
        raise AssertionError("\n".join(str(error) for error in SCHEMA.error_log))
    return document


def test_every_announcement_is_a_valid_cap_message(client: Any, demo: None, staff: Any) -> None:
    mixed = {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [21.2257, 45.7537]},
        {"type": "LineString", "coordinates": [[21.227001, 45.747771], [21.228381, 45.747752]]},
        {"type": "Polygon", "coordinates": [[[21.21, 45.75], [21.22, 45.75], [21.22, 45.76], [21.21, 45.75]]]}]}
    services.publish(staff, draft(category="emergency", severity="critical", geometry=json.dumps(mixed)))
    messages = list(Announcement.objects.all())
    assert len(messages) >= 7
    for announcement in messages:
        response = client.get(f"/feeds/cap/{announcement.pk}.xml")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/cap+xml")
        alert = _validate(response.content)
        infos = alert.findall(f"{CAP}info")
        assert [info.findtext(f"{CAP}language") for info in infos] == ["ro-RO", "en-GB"]
        assert infos[0].findtext(f"{CAP}headline") == announcement.title_ro[:160]
        assert infos[1].findtext(f"{CAP}headline") == announcement.title_en[:160]
        msg_type = alert.findtext(f"{CAP}msgType")
        assert msg_type == {"alert": "Alert", "update": "Update", "cancel": "Cancel"}[announcement.message_type]
        if msg_type != "Alert":
            references = alert.findtext(f"{CAP}references").split(" ")
            assert references and all(len(reference.split(",")) == 3 for reference in references)
        assert alert.findtext(f"{CAP}status") == ("Test" if announcement.is_demo else "Actual")
        area = infos[0].find(f"{CAP}area")
        assert area.findall(f"{CAP}polygon") or area.findall(f"{CAP}circle")
    assert client.get("/feeds/cap/999999.xml").status_code == 404


def test_cap_atom_index_links_every_message(client: Any, demo: None) -> None:
    response = client.get("/feeds/cap.atom")
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == Announcement.objects.count()
    for entry in entries:
        link = entry.find(f"{ATOM}link[@type='application/cap+xml']")
        path = link.get("href").split("testserver", 1)[1]
        _validate(client.get(path).content)
    assert feed.findtext(f"{ATOM}updated")


def test_cap_index_carries_registered_sources(client: Any, demo: None) -> None:
    from announcements import cap

    now = timezone.now()
    alert = cap.Alert(identifier="example-air-1", sender="example", sent=now, status="Test", msg_type="Alert",
                      infos=[cap.Info(language="en-GB", category="Env", event="Air quality", urgency="Immediate",
                                      severity="Moderate", certainty="Observed", headline="PM10 high",
                                      description="PM10 above the EU daily limit.", area_desc="Timișoara",
                                      circles=["45.753700,21.225700 1"])])
    # A made-up room's source (the environment room registers the real "air" one at start-up).
    source = cap.Source(prefix="example", entries=lambda base, moment: [cap.IndexEntry(
        identifier="example-air-1", title="PM10 high", summary="Air quality", updated=now,
        cap_url=base + "feeds/cap/example-1.xml")],
        message=lambda key, base: cap.alert_xml(alert) if key == "1" else None)
    cap.register_source(source)
    try:
        feed = etree.fromstring(client.get("/feeds/cap.atom").content)
        hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
        assert any(href.endswith("/feeds/cap/example-1.xml") for href in hrefs)
        _validate(client.get("/feeds/cap/example-1.xml").content)
        assert client.get("/feeds/cap/example-2.xml").status_code == 404
        assert client.get("/feeds/cap/nothing-1.xml").status_code == 404
    finally:
        cap._sources.pop("example", None)
    assert cap.source("air") is not None  # the environment room's alerts stay registered


def test_planned_works_calendar_and_atom(client: Any, demo: None) -> None:
    body = client.get("/feeds/planned.ics").content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    active = Announcement.objects.latest_messages().exclude(message_type="cancel").exclude(ends_at__lte=timezone.now())
    assert body.count("BEGIN:VEVENT") == active.count() >= 3
    assert "Take Ionescu" in body and "Dâmbovița" not in body  # the cancelled outage is not planned
    feed = etree.fromstring(client.get("/feeds/planned.atom").content)
    assert len(feed.findall(f"{ATOM}entry")) == active.count()


def test_geojson_feed_and_constant_queries(client: Any, demo: None, staff: Any) -> None:
    data = client.get("/feeds/announcements.geojson").json()
    assert data["type"] == "FeatureCollection"
    properties = data["features"][0]["properties"]
    assert {"title_ro", "title_en", "category", "severity", "starts_at", "neighbourhoods", "url"} <= set(properties)
    assert "author" not in properties
    with CaptureQueriesContext(connection) as before:
        client.get("/feeds/announcements.geojson")
    for _ in range(4):
        services.publish(staff, draft(starts_at=timezone.now() + dt.timedelta(days=2)))
    with CaptureQueriesContext(connection) as after:
        assert len(client.get("/feeds/announcements.geojson").json()["features"]) == len(data["features"]) + 4
    assert len(after) == len(before)
    with CaptureQueriesContext(connection) as cifs_before:
        client.get("/feeds/cifs.json")
    services.publish(staff, draft())
    with CaptureQueriesContext(connection) as cifs_after:
        client.get("/feeds/cifs.json")
    assert len(cifs_after) == len(cifs_before)


def test_feeds_are_listed_in_the_open_data_catalogue(demo: None) -> None:
    from announcements import opendata
    from opendata import registry

    assert opendata.datasets in registry._providers["announcements"]
    [dataset] = opendata.datasets()
    assert dataset.name == "city-announcements" and dataset.room == "announcements" and dataset.contains_demo
    assert {d.url for d in dataset.distributions} == {"/feeds/announcements.geojson", "/feeds/cap.atom",
                                                      "/feeds/cifs.json", "/feeds/planned.ics", "/feeds/planned.atom"}


def test_the_schema_check_is_real() -> None:
    """A message missing a required element, or with a time in "Z" form, is refused by the schema."""
    from announcements import cap

    alert = cap.Alert(identifier="x-1", sender="example", sent=timezone.now(), status="Actual", msg_type="Alert",
                      infos=[])
    document = etree.fromstring(cap.alert_xml(alert))
    assert SCHEMA.validate(document)
    document.remove(document.find(f"{CAP}sender"))
    assert not SCHEMA.validate(document)
    document = etree.fromstring(cap.alert_xml(alert))
    document.find(f"{CAP}sent").text = "2026-12-06T18:00:00Z"
    assert not SCHEMA.validate(document)
    with pytest.raises(ValueError, match="spaces"):
        cap.alert_xml(cap.Alert(identifier="has space", sender="example", sent=timezone.now(), status="Actual",
                                msg_type="Alert", infos=[]))
