"""Announcements API (read-only, open data): `GET /api/v1/announcements` (a GeoJSON FeatureCollection,
by phase and category) and `GET /api/v1/announcements/{id}` (one message, with its thread's ids).
Publishing is for staff on the staff pages (announcements.services)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from announcements import selectors, services
from announcements.models import Announcement, Category

router = Router(tags=["announcements"])
MAX_LIMIT = 500


class ListFilters(Schema):
    when: Literal["current", "planned", "past"] = "current"
    category: str = ""
    limit: int = 100


def _url(request: HttpRequest, announcement: Announcement) -> str:
    return request.build_absolute_uri(f"/ro{announcement.language_free_url()}")


@router.get("/announcements", summary="Announcements as GeoJSON, by phase and category")
def list_announcements(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    if filters.category and filters.category not in Category.values:
        return JsonResponse({"detail": f"category: must be one of {', '.join(Category.values)}",
                             "field": "category"}, status=400)
    if not 1 <= filters.limit <= MAX_LIMIT:
        return JsonResponse({"detail": f"limit: must be between 1 and {MAX_LIMIT}", "field": "limit"}, status=400)
    now = timezone.now()
    items = selectors.listed(filters.when, now, category=filters.category)[:filters.limit]
    return {"type": "FeatureCollection",
            "features": [selectors.feature(item, now, _url(request, item)) for item in items]}


@router.get("/announcements/{announcement_id}", summary="One announcement message and its thread")
def get_announcement(request: HttpRequest, announcement_id: int) -> Any:
    announcement = Announcement.objects.prefetch_related("neighbourhoods").filter(pk=announcement_id).first()
    if announcement is None:
        return JsonResponse({"detail": "announcement_id: no such announcement", "field": "announcement_id"},
                            status=404)
    feature = selectors.feature(announcement, timezone.now(), _url(request, announcement))
    feature["properties"]["thread_messages"] = [message.pk for message in services.thread_of(announcement)]
    return feature
