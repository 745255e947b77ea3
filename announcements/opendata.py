"""The announcements' open feeds in the open-data catalogue (opendata.registry), registered from
AnnouncementsConfig.ready(). One query: the newest publication date."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from announcements.models import Announcement
from opendata.registry import DataService, Dataset, Distribution, Text, register

ROOM = "announcements"
CAP_SPEC = "http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2-os.html"
CIFS_SPEC = "https://developers.google.com/waze/data-feed/cifs-specification"


def datasets() -> list[Dataset]:
    newest = Announcement.objects.aggregate(newest=Max("published_at"), demo=Count("id", filter=Q(is_demo=True)))
    modified, demo = newest["newest"], bool(newest["demo"])
    return [
        Dataset(
            name="city-announcements", room=ROOM,
            title=Text(ro="Anunțuri ale orașului: închideri de străzi, întreruperi, lucrări",
                       en="City announcements: street closures, outages, works"),
            description=Text(
                ro="Închideri de străzi, devieri ale transportului public, întreruperi de apă, căldură și curent, "
                   "lucrări, urgențe și restricții pentru evenimente publice, cu zona afectată desenată pe hartă, "
                   "cartierele și străzile afectate și perioada de valabilitate. Actualizările și anulările sunt "
                   "mesaje noi în același fir.",
                en="Street closures, public-transport diversions, water, heating and power outages, works, "
                   "emergencies and public-event restrictions, with the affected area drawn on a map, the "
                   "neighbourhoods and streets concerned and the validity window. Updates and cancellations are "
                   "new messages in the same thread."),
            themes=("TRAN", "GOVE"), tags=("announcements", "road-closures", "outages", "cap", "cifs"),
            frequency="CONT", modified=modified, contains_demo=demo, landing_page="/ro/anunturi/",
            distributions=(
                Distribution(key="geojson", title=Text(ro="Anunțuri curente și planificate (GeoJSON)",
                                                       en="Current and planned announcements (GeoJSON)"),
                             url="/feeds/announcements.geojson", media_type="application/geo+json",
                             file_type="GEOJSON", modified=modified),
                Distribution(key="cap", title=Text(ro="Toate anunțurile ca mesaje CAP 1.2 (index Atom)",
                                                   en="Every announcement as a CAP 1.2 message (Atom index)"),
                             url="/feeds/cap.atom", media_type="application/atom+xml", file_type="ATOM",
                             modified=modified, conforms_to=CAP_SPEC),
                Distribution(key="cifs", title=Text(ro="Străzi închise pentru aplicații de navigație (Waze CIFS)",
                                                    en="Street closures for navigation apps (Waze CIFS)"),
                             url="/feeds/cifs.json", media_type="application/json", file_type="JSON",
                             modified=modified, conforms_to=CIFS_SPEC),
                Distribution(key="ics", title=Text(ro="Calendarul lucrărilor și întreruperilor (iCalendar)",
                                                   en="Calendar of works and disruptions (iCalendar)"),
                             url="/feeds/planned.ics", media_type="text/calendar", file_type="ICS",
                             modified=modified),
                Distribution(key="atom", title=Text(ro="Lucrări și întreruperi (Atom)",
                                                    en="Works and disruptions (Atom)"),
                             url="/feeds/planned.atom", media_type="application/atom+xml", file_type="ATOM",
                             modified=modified),
            ),
            services=(DataService(key="cap", title=Text(ro="Mesaje CAP 1.2", en="CAP 1.2 messages"),
                                  endpoint_url="/feeds/cap.atom", conforms_to=CAP_SPEC),),
        ),
    ]


def register_all() -> None:
    register(ROOM, datasets)
