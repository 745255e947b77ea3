"""Open feeds of announcements (language-free paths, announcements/public_urls.py):

- /feeds/cifs.json — road closures for Waze and other navigation apps (CIFS, JSON)
- /feeds/cap.atom, /feeds/cap/<id>.xml — every announcement as a CAP 1.2 message, and the Atom index
- /feeds/planned.atom, /feeds/planned.ics — current and planned disruptions (works, outages, closures)
- /feeds/announcements.geojson — the map's data

Every feed carries both languages where its format allows (CAP: one <info> per language); the
others are Romanian first, with English beside it. No author or other personal data.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.sites.models import Site
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from announcements import cap, cifs, selectors
from announcements import geometry as geo
from announcements.models import Announcement, Category, MessageType, Severity
from core import ical


def _romanian_index() -> str:
    """The announcements page in Romanian, the feeds' language of record (its path is translated)."""
    with translation.override("ro"):
        return reverse("announcements:index")


CAP_CATEGORY = {
    Category.STREET_CLOSURE: "Transport", Category.TRANSIT_DIVERSION: "Transport",
    Category.WATER_OUTAGE: "Infra", Category.HEATING_OUTAGE: "Infra", Category.POWER_OUTAGE: "Infra",
    Category.WORKS: "Infra", Category.EMERGENCY: "Safety", Category.EVENT_RESTRICTION: "Other",
}
CAP_SEVERITY = {Severity.INFO: "Minor", Severity.WARNING: "Moderate", Severity.CRITICAL: "Severe"}
CAP_MSG_TYPE = {MessageType.ALERT: "Alert", MessageType.UPDATE: "Update", MessageType.CANCEL: "Cancel"}
CAP_LANGUAGE = {"ro": "ro-RO", "en": "en-GB"}
FEED_SIZE = 100


def sender() -> str:
    """CAP's sender: the platform's host (as e-mail links use it)."""
    return Site.objects.get_current().domain.replace(" ", "") or "timisoara.invalid"


def cap_identifier(announcement: Announcement) -> str:
    return f"{sender()}-announcement-{announcement.pk}"


def _page_url(request: HttpRequest, announcement: Announcement, language: str = "ro") -> str:
    return request.build_absolute_uri(f"/{language}{announcement.language_free_url()}")


def _area_desc(announcement: Announcement) -> str:
    names = [n.name for n in announcement.neighbourhoods.all()]
    streets = list(announcement.streets or [])[:5]
    return "; ".join(part for part in (", ".join(streets), ", ".join(names), "Timișoara") if part)


def cap_alert(request: HttpRequest, announcement: Announcement, thread: list[Announcement], now: dt.datetime
              ) -> cap.Alert:
    shape = geo.parse(announcement.geometry)
    polygons, circles = geo.cap_areas(shape)
    phase = announcement.phase(now)
    urgency = {"current": "Immediate", "planned": "Future", "past": "Past"}[str(phase)]
    certainty = "Observed" if phase == "current" else "Likely"
    if announcement.message_type == MessageType.CANCEL:
        certainty = "Observed"
    infos = []
    for language in ("ro", "en"):
        with translation.override(language):
            infos.append(cap.Info(
                language=CAP_LANGUAGE[language], category=CAP_CATEGORY[Category(announcement.category)],
                event=str(Category(announcement.category).label), urgency=urgency,
                severity=CAP_SEVERITY[Severity(announcement.severity)], certainty=certainty,
                effective=announcement.published_at, onset=announcement.starts_at, expires=announcement.ends_at,
                sender_name=translation.gettext("City of Timișoara"),
                headline=getattr(announcement, f"title_{language}") or announcement.title,
                description=getattr(announcement, f"body_{language}") or announcement.body,
                web=_page_url(request, announcement, language),
                response_type="AllClear" if announcement.message_type == MessageType.CANCEL else (
                    "Avoid" if announcement.category in (Category.STREET_CLOSURE, Category.EMERGENCY) else "Monitor"),
                area_desc=_area_desc(announcement), polygons=polygons, circles=circles,
            ))
    earlier = [message for message in thread if message.published_at <= announcement.published_at
               and message.pk != announcement.pk]
    return cap.Alert(
        identifier=cap_identifier(announcement), sender=sender(), sent=announcement.published_at,
        status="Test" if announcement.is_demo else "Actual",
        msg_type=CAP_MSG_TYPE[MessageType(announcement.message_type)], infos=infos,
        references=[(sender(), cap_identifier(message), message.published_at) for message in earlier],
        note="Demonstration data: not a real announcement." if announcement.is_demo else "",
    )


@require_GET
def cap_message(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = Announcement.objects.prefetch_related("neighbourhoods").filter(pk=pk).first()
    if announcement is None:
        raise Http404
    from announcements.services import thread_of

    body = cap.alert_xml(cap_alert(request, announcement, thread_of(announcement), timezone.now()))
    return HttpResponse(body, content_type="application/cap+xml; charset=utf-8")


@require_GET
def cap_source_message(request: HttpRequest, prefix: str, key: str) -> HttpResponse:
    """A CAP message of another room's source (e.g. /feeds/cap/air-12.xml), see cap.register_source."""
    source = cap.source(prefix)
    body = source.message(key, request.build_absolute_uri("/")) if source else None
    if body is None:
        raise Http404
    return HttpResponse(body, content_type="application/cap+xml; charset=utf-8")


@require_GET
def cap_index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    messages = list(Announcement.objects.prefetch_related("neighbourhoods").order_by("-published_at", "-id")
                    [:FEED_SIZE])
    entries = []
    for announcement in messages:
        with translation.override("ro"):
            category = str(Category(announcement.category).label)
        entries.append(cap.IndexEntry(
            identifier=cap_identifier(announcement),
            title=f"{announcement.title_ro} / {announcement.title_en}",
            summary=f"{category}: {_area_desc(announcement)}", updated=announcement.published_at,
            cap_url=request.build_absolute_uri(f"/feeds/cap/{announcement.pk}.xml"),
            page_url=_page_url(request, announcement), categories=[announcement.category],
            expires=announcement.ends_at))
    for source in cap.sources():
        entries.extend(source.entries(request.build_absolute_uri("/"), now))
    body = cap.atom_index(entries, feed_id=f"tag:{sender()},2026:announcements:cap",
                          title="Anunțuri Timișoara (CAP 1.2) / Timișoara announcements (CAP 1.2)",
                          self_url=request.build_absolute_uri(),
                          site_url=request.build_absolute_uri(_romanian_index()),
                          author="Primăria Municipiului Timișoara", now=now)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


def _street_of(line: Any, fallback: str) -> str:
    """The street a drawn line follows (a closure follows one street), from the street index."""
    from core.geocoder import street_index

    index = street_index()
    found = index.streets_along(line) if index is not None else []
    return found[0].name if found else fallback


@require_GET
def cifs_feed(request: HttpRequest) -> HttpResponse:
    """Current and planned street closures drawn as lines (CIFS needs a polyline along the road)."""
    now = timezone.now()
    closures = []
    for announcement in selectors.active(now).filter(category=Category.STREET_CLOSURE):
        lines = geo.lines(geo.parse(announcement.geometry))
        streets = list(announcement.streets or []) or ["Timișoara"]
        location = ", ".join(n.name for n in announcement.neighbourhoods.all())
        thread = announcement.thread_id_or_self
        for position, line in enumerate(lines, start=1):
            closures.append(cifs.Closure(
                id=str(thread) if len(lines) == 1 else f"{thread}-{position}",
                polyline=geo.cifs_polyline(line), street=_street_of(line, streets[0]),
                starttime=timezone.localtime(announcement.starts_at),
                endtime=timezone.localtime(announcement.ends_at) if announcement.ends_at else None,
                description=f"{announcement.title_ro}. {announcement.body_ro}"[:500],
                direction=announcement.direction, location=f"{location}, Timișoara" if location else "Timișoara",
                subtype="construction", updated=timezone.localtime(announcement.published_at)))
    return JsonResponse(cifs.feed(closures), json_dumps_params={"ensure_ascii": False})


@require_GET
def geojson(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    features = [selectors.feature(announcement, now, _page_url(request, announcement))
                for announcement in selectors.active(now)]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return HttpResponse(body, content_type="application/geo+json; charset=utf-8")


def _planned(now: dt.datetime) -> list[Announcement]:
    return list(selectors.active(now)[:FEED_SIZE])


@require_GET
def planned_ics(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    events = [ical.CalendarEvent(
        uid=f"announcement-{announcement.thread_id_or_self}@{sender()}", start=announcement.starts_at,
        end=announcement.ends_at, summary=f"{announcement.title_ro} / {announcement.title_en}",
        description=f"{announcement.body_ro}\n\n{announcement.body_en}", location=_area_desc(announcement),
        url=_page_url(request, announcement), updated=announcement.published_at)
        for announcement in _planned(now)]
    body = ical.calendar(events, name="Lucrări și întreruperi în Timișoara / Works and disruptions in Timișoara",
                         now=now, prodid="-//Timisoara Smart City//Announcements//RO")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_GET
def planned_atom(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    feed = Atom1Feed(title="Lucrări și întreruperi în Timișoara / Works and disruptions in Timișoara",
                     link=request.build_absolute_uri(_romanian_index()),
                     description="Current and planned announcements", language="ro",
                     feed_url=request.build_absolute_uri(), feed_guid=f"tag:{sender()},2026:announcements:planned")
    for announcement in _planned(now):
        window = timezone.localtime(announcement.starts_at).strftime("%d.%m.%Y %H:%M")
        if announcement.ends_at:
            window += " – " + timezone.localtime(announcement.ends_at).strftime("%d.%m.%Y %H:%M")
        feed.add_item(title=f"{announcement.title_ro} / {announcement.title_en}", link=_page_url(request, announcement),
                      description=(f"{window}. {_area_desc(announcement)}\n\n{announcement.body_ro}\n\n"
                                   f"{announcement.body_en}"),
                      unique_id=f"tag:{sender()},2026:announcements:{announcement.pk}",
                      pubdate=announcement.published_at, updateddate=announcement.published_at,
                      categories=[announcement.category])
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


def cap_sources_context() -> dict[str, Any]:
    return {"sources": [source.prefix for source in cap.sources()]}
