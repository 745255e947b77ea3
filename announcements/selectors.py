"""Reading announcements for pages, feeds and panels (a constant number of queries each)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from announcements import geometry as geo
from announcements.models import Announcement, Category, MessageType, Phase
from core.models import Neighbourhood


def listed(phase: str, now: dt.datetime, *, category: str = "", neighbourhood: Neighbourhood | None = None
           ) -> QuerySet[Announcement]:
    """The newest message of each thread in a phase (current, planned, past), newest first."""
    queryset = Announcement.objects.phase(phase, now)
    if category in Category.values:
        queryset = queryset.filter(category=category)
    if neighbourhood is not None:
        queryset = queryset.filter(neighbourhoods=neighbourhood)
    order = {"current": ("-severity_rank", "starts_at"), "planned": ("starts_at",),
             "past": ("-published_at",)}[phase]
    from django.db.models import Case, IntegerField, Value, When

    queryset = queryset.annotate(severity_rank=Case(
        When(severity="critical", then=Value(2)), When(severity="warning", then=Value(1)), default=Value(0),
        output_field=IntegerField()))
    return queryset.prefetch_related(Prefetch("neighbourhoods", queryset=Neighbourhood.objects.only(
        "pk", "slug", "name"))).order_by(*order, "-id")


def active(now: dt.datetime) -> QuerySet[Announcement]:
    """Current and planned (what the map, the GeoJSON and the planned-works feeds show)."""
    return (Announcement.objects.latest_messages().exclude(message_type=MessageType.CANCEL)
            .exclude(ends_at__lte=now)
            .prefetch_related(Prefetch("neighbourhoods", queryset=Neighbourhood.objects.only("pk", "slug", "name")))
            .order_by("starts_at", "id"))


def feature(announcement: Announcement, now: dt.datetime, url: str) -> dict[str, Any]:
    """A GeoJSON Feature with the public fields (both languages; no author)."""
    return {
        "type": "Feature",
        "id": announcement.pk,
        "geometry": json.loads(announcement.geometry),
        "properties": {
            "id": announcement.pk, "thread": announcement.thread_id_or_self,
            "message_type": announcement.message_type, "category": announcement.category,
            "severity": announcement.severity, "phase": str(announcement.phase(now)),
            "title_ro": announcement.title_ro, "title_en": announcement.title_en,
            "body_ro": announcement.body_ro, "body_en": announcement.body_en,
            "starts_at": announcement.starts_at.isoformat(),
            "ends_at": announcement.ends_at.isoformat() if announcement.ends_at else None,
            "published_at": announcement.published_at.isoformat(),
            "neighbourhoods": [n.slug for n in announcement.neighbourhoods.all()],
            "streets": list(announcement.streets or []), "direction": announcement.direction,
            "url": url, "is_demo": announcement.is_demo,
        },
    }


def map_markers(announcements: list[Announcement], now: dt.datetime) -> list[dict[str, Any]]:
    """What the page's map draws (the list below the map carries the same announcements)."""
    markers = []
    with translation.override(translation.get_language()):
        for announcement in announcements:
            markers.append({"id": announcement.pk, "url": announcement.get_absolute_url(),
                            "title": announcement.title, "category": announcement.get_category_display(),
                            "severity": announcement.severity, "phase": str(announcement.phase(now)),
                            "geometry": json.loads(announcement.geometry)})
    return markers


def geometry_kind(announcement: Announcement) -> str:
    try:
        return geo.kind(geo.parse(announcement.geometry))
    except geo.GeometryError:
        return "mixed"


PHASES = [Phase.CURRENT, Phase.PLANNED, Phase.PAST]
