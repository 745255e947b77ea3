"""Air-quality alerts as CAP 1.2 messages, in the announcements room's CAP index (/feeds/cap.atom).

Registered from EnvironmentConfig.ready() with `announcements.cap.register_source`, so that the
announcements room never imports this room's models: each AlertEvent row (a band or limit crossing,
public) is served at /feeds/cap/air-<id>.xml, in Romanian and English, with the circle of air the
sensor stands for (environment.alerts.reach_m) or the city for the city-wide median.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from environment import alerts
from environment.models import AlertEvent, AlertKind

PREFIX = "air"
INDEX_SIZE = 50
LANGUAGES = {"ro": "ro-RO", "en": "en-GB"}
CITY_CENTRE = (45.7537, 21.2257)
CITY_RADIUS_KM = 10


def _sender() -> str:
    return Site.objects.get_current().domain.replace(" ", "") or "timisoara.invalid"


def _identifier(row: AlertEvent) -> str:
    return f"{_sender()}-air-{row.pk}"


def _severity(row: AlertEvent) -> str:
    if row.direction != "up":
        return "Minor"
    if row.kind == AlertKind.AQI:
        return "Extreme" if row.to_level >= 6 else "Severe" if row.to_level >= 5 else (
            "Moderate" if row.to_level >= 3 else "Minor")
    return "Moderate"


def _headline(row: AlertEvent) -> str:
    return str(_("Air quality alert")) if row.direction == "up" else str(_("Air quality: alert over"))


def _rows() -> list[AlertEvent]:
    return list(AlertEvent.objects.select_related("sensor__station").order_by("-time", "-id")[:INDEX_SIZE])


def entries(base_url: str, now: dt.datetime) -> list:  # type: ignore[type-arg]
    from announcements import cap

    items = []
    for row in _rows():
        with translation.override("ro"):
            title_ro, summary = _headline(row), alerts.describe_event(row)
        with translation.override("en"):
            title_en = _headline(row)
        items.append(cap.IndexEntry(identifier=_identifier(row), title=f"{title_ro} / {title_en}", summary=summary,
                                    updated=row.time, cap_url=f"{base_url}feeds/cap/{PREFIX}-{row.pk}.xml",
                                    categories=["air_quality"]))
    return items


def message(key: str, base_url: str) -> bytes | None:
    from announcements import cap

    if not key.isdigit():
        return None
    row = AlertEvent.objects.select_related("sensor__station").filter(pk=int(key)).first()
    if row is None:
        return None
    sensor = row.sensor
    if sensor is not None:
        station = sensor.station  # its public position: a private station's is rounded
        circle = f"{station.public_latitude:.6f},{station.public_longitude:.6f} {alerts.reach_m() / 1000:g}"
    else:
        circle = f"{CITY_CENTRE[0]:.6f},{CITY_CENTRE[1]:.6f} {CITY_RADIUS_KM}"
    infos = []
    for language, cap_language in LANGUAGES.items():
        with translation.override(language):
            web = base_url.rstrip("/") + (sensor.get_absolute_url() if sensor else reverse("environment:city"))
            infos.append(cap.Info(
                language=cap_language, category="Env", event=str(_("Air quality")), urgency="Immediate",
                severity=_severity(row), certainty="Observed", effective=row.time, onset=row.time,
                headline=_headline(row), description=alerts.describe_event(row), web=web,
                response_type="Monitor" if row.direction == "up" else "AllClear",
                area_desc=(_("sensor %(id)s") % {"id": sensor.sensor_id}) if sensor else "Timișoara",
                circles=[circle]))
    return cap.alert_xml(cap.Alert(
        identifier=_identifier(row), sender=_sender(), sent=row.time, status="Test" if (
            sensor is not None and sensor.station.is_demo) else "Actual",
        msg_type="Alert" if row.direction == "up" else "Update", infos=infos))


def register() -> None:
    from announcements import cap

    cap.register_source(cap.Source(prefix=PREFIX, entries=entries, message=message))
