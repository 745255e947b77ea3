"""Air-quality alerts as CAP 1.2 messages in the announcements room's CAP index, validated against the
OASIS CAP 1.2 schema (registered from EnvironmentConfig.ready(), through announcements.cap's registry)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from lxml import etree

pytestmark = pytest.mark.django_db

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).resolve().parents[1] / "data" / "cap-1.2" / "CAP-v1.2.xsd")))
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_alert_events_are_cap_messages_in_the_index(client: Any) -> None:
    from environment import services
    from environment.models import AlertEvent, Sensor

    services.register_sensor("tests", "esp-cap-1", latitude=45.75371, longitude=21.22571, kind="SDS011",
                             station_slug="cap-test", station_name="CAP test")
    sensor = Sensor.objects.get(sensor_id="esp-cap-1")
    now = timezone.now()
    raised = AlertEvent.objects.create(sensor=sensor, kind="aqi", key="pm10", direction="up", from_level=2,
                                       to_level=5, time=now, value=120.0, details={"quantity": "pm10", "unit": "µg/m³"})
    city = AlertEvent.objects.create(sensor=None, kind="limit", key="pm10-daily", direction="down", from_level=1,
                                     to_level=0, time=now, value=30.0,
                                     details={"quantity": "pm10", "unit": "µg/m³", "limit": 50,
                                              "directive": "2008/50/EC"})
    feed = etree.fromstring(client.get("/feeds/cap.atom").content)
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link") if link.get("type") == "application/cap+xml"]
    for row in (raised, city):
        assert any(href.endswith(f"/feeds/cap/air-{row.pk}.xml") for href in hrefs)
        response = client.get(f"/feeds/cap/air-{row.pk}.xml")
        assert response.status_code == 200
        alert = etree.fromstring(response.content)
        assert SCHEMA.validate(alert), SCHEMA.error_log
        infos = alert.findall(f"{CAP}info")
        assert [info.findtext(f"{CAP}category") for info in infos] == ["Env", "Env"]
    alert = etree.fromstring(client.get(f"/feeds/cap/air-{raised.pk}.xml").content)
    info = alert.find(f"{CAP}info")
    assert info.findtext(f"{CAP}severity") == "Severe"
    # The station's public position (a private station's rounded to ~100 m), never its exact place.
    assert info.find(f"{CAP}area").findtext(f"{CAP}circle").startswith("45.754000,21.226000 ")
    assert etree.fromstring(client.get(f"/feeds/cap/air-{city.pk}.xml").content).findtext(f"{CAP}msgType") == "Update"
    assert client.get("/feeds/cap/air-999999.xml").status_code == 404
    assert client.get("/feeds/cap/air-abc.xml").status_code == 404
