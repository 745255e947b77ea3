"""Reports in the JSON API (/api/v1/reports…): public reports only, public fields only.

What is public follows the room's rules (selectors, Open311): confirmed and approved reports; no
reporter name, email, phone, account or API key; no staff-only answers or internal notes. The
location is public, as on the map and in Open311. Reference data (categories, neighbourhoods) comes
from the per-process snapshot, so a page costs two queries (count and rows) whatever its size.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from reports import refcache, selectors
from reports.models import OPEN_STATUSES, Moderation, Photo, Report, Status, Update, default_status_text

router = Router(tags=["reports"])

MAX_LIMIT = 500
GEOJSON_DEFAULT_LIMIT = 1000
GEOJSON_MAX_LIMIT = 5000
_FIELDS = ("id", "title", "description", "status", "is_open", "category_id", "department_id", "neighbourhood_id",
           "address", "nearest_address", "lat", "lon", "created_at", "updated_at", "expected_at", "supporters_count",
           "first_photo_id", "duplicate_of_id", "is_demo")
ADDRESS_ATTRIBUTION = "Nearest addresses from OpenStreetMap data, © OpenStreetMap contributors (ODbL 1.0)"


class ErrorOut(Schema):
    detail: str


class ReportOut(Schema):
    id: int
    title: str
    description: str
    status: str = Field(description="submitted, acknowledged, in_progress, fixed, reopened, closed_not_fixed, "
                                    "duplicate or not_responsible")
    status_label: str
    open: bool
    category: str | None = Field(description="the category's code (Open311 service_code)")
    category_name: str | None
    department: str | None
    neighbourhood: str | None = Field(description="slug of the mapped neighbourhood, null outside them")
    neighbourhood_name: str | None
    address: str | None = Field(description="as typed by the reporter, else the nearest address")
    nearest_address: str | None = Field(description="nearest house number or street (OpenStreetMap, ODbL)")
    lat: float
    lon: float
    created_at: dt.datetime
    updated_at: dt.datetime
    expected_at: dt.datetime | None = Field(description="target date of an open report")
    supporters: int
    photo_url: str | None
    duplicate_of: int | None
    demo: bool
    url: str


class UpdateOut(Schema):
    datetime: dt.datetime
    status: str | None
    kind: str
    text: str


class ReportDetailOut(ReportOut):
    photo_urls: list[str]
    updates: list[UpdateOut]


class ReportPageOut(Schema):
    count: int
    items: list[ReportOut]


class Filters(Schema):
    status: str | None = Field(None, description="open, closed, or one status (submitted, fixed, …)")
    category: str | None = Field(None, description="a category code (see /open311/v2/services.json)")
    neighbourhood: str | None = Field(None, description="a neighbourhood slug, or 'outside'")
    bbox: str | None = Field(None, description="min_lon,min_lat,max_lon,max_lat (WGS84)")
    updated_since: str | None = Field(None, description="ISO 8601 date or datetime: changed at or after it")


def _filtered(filters: Filters) -> tuple[QuerySet[Report], bool]:
    """The public reports matching the filters, and whether updated_since ordered them by change."""
    reference = refcache.snapshot()
    rows = selectors.public_reports()
    if filters.status:
        value = filters.status.strip().lower()
        if value == "open":
            rows = rows.filter(is_open=True)
        elif value == "closed":
            rows = rows.filter(is_open=False)
        elif value in Status.values:
            rows = rows.filter(status=value)
        else:
            raise HttpError(400, f"status: expected open, closed or one of {', '.join(Status.values)}")
    if filters.category:
        category_id = reference.codes.get(filters.category.strip())
        if category_id is None:
            raise HttpError(400, f"category: unknown category code {filters.category[:60]!r}")
        rows = rows.filter(category_id=category_id)
    if filters.neighbourhood:
        slug = filters.neighbourhood.strip()
        if slug == selectors.OUTSIDE_AREA:
            rows = rows.filter(neighbourhood__isnull=True)
        elif slug in reference.area_slugs:
            rows = rows.filter(neighbourhood_id=reference.area_slugs[slug])
        else:
            raise HttpError(400, f"neighbourhood: unknown neighbourhood {slug[:60]!r} (or 'outside')")
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = _bbox(filters.bbox)
        rows = rows.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
    by_change = False
    if filters.updated_since:
        rows = rows.filter(updated_at__gte=_since(filters.updated_since))
        by_change = True
    return rows.order_by(*(("-updated_at", "-id") if by_change else ("-created_at", "-id"))), by_change


def _bbox(text: str) -> tuple[float, float, float, float]:
    message = "bbox: expected min_lon,min_lat,max_lon,max_lat as four numbers"
    parts = text.split(",")
    if len(parts) != 4:
        raise HttpError(400, message)
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
    except ValueError:
        raise HttpError(400, message) from None
    if not all(map(math.isfinite, (min_lon, min_lat, max_lon, max_lat))):
        raise HttpError(400, message)
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise HttpError(400, "bbox: the minimum must not exceed the maximum, within -180..180 and -90..90")
    return min_lon, min_lat, max_lon, max_lat


def _since(text: str) -> dt.datetime:
    value = text.strip()
    parsed: dt.datetime | None = None
    try:
        parsed = parse_datetime(value.replace("z", "Z").replace(" ", "+"))  # "+" of an offset arrives as a space
        if parsed is None:
            day = parse_date(value)
            parsed = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise HttpError(400, "updated_since: expected an ISO 8601 date or datetime, e.g. 2026-01-31T00:00:00Z")
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _items(request: HttpRequest, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reference = refcache.snapshot()
    labels = {value: str(label) for value, label in Status.choices}
    photo_base = request.build_absolute_uri("/reports/photos/")
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        page_base = request.build_absolute_uri(reverse("reports:index"))  # the page in the request's language
    items = []
    for row in rows:
        category = reference.categories.get(row["category_id"])
        area = reference.areas.get(row["neighbourhood_id"]) if row["neighbourhood_id"] else None
        items.append({
            "id": row["id"], "title": row["title"], "description": row["description"], "status": row["status"],
            "status_label": labels.get(row["status"], row["status"]), "open": row["is_open"],
            "category": category.code if category else None, "category_name": category.name if category else None,
            "department": category.department_name if category and category.department_id ==
            row["department_id"] else None,
            "neighbourhood": area[0] if area else None, "neighbourhood_name": area[1] if area else None,
            "address": row["address"] or row["nearest_address"] or None,
            "nearest_address": row["nearest_address"] or None,
            "lat": row["lat"], "lon": row["lon"], "created_at": row["created_at"], "updated_at": row["updated_at"],
            "expected_at": row["expected_at"] if row["status"] in OPEN_STATUSES else None,
            "supporters": row["supporters_count"],
            "photo_url": f"{photo_base}{row['first_photo_id']}.jpg" if row["first_photo_id"] else None,
            "duplicate_of": row["duplicate_of_id"], "demo": row["is_demo"], "url": f"{page_base}{row['id']}/",
        })
    return items


@router.get("reports", response={200: ReportPageOut, 400: ErrorOut}, summary="Public problem reports",
            description="Newest first (by last change with updated_since). Paged with limit (at most 500) and "
                        "offset; {count, items}. No personal data.")
def report_list(request: HttpRequest, filters: Query[Filters], limit: int = Query(50, ge=1, le=MAX_LIMIT),
                offset: int = Query(0, ge=0, le=10_000_000)) -> Any:
    rows, _by_change = _filtered(filters)
    count = rows.count()
    page = list(rows.values(*_FIELDS)[offset:offset + limit])
    return {"count": count, "items": _items(request, page)}


@router.get("reports/{report_id}", response={200: ReportDetailOut, 404: ErrorOut}, summary="One public report",
            description="With its approved photos and its public updates.")
def report_detail(request: HttpRequest, report_id: int) -> Any:
    rows = list(selectors.public_reports().filter(pk=report_id).values(*_FIELDS))
    if not rows:
        raise HttpError(404, f"report_id: no public report {report_id}")
    item = _items(request, rows)[0]
    photo_base = request.build_absolute_uri("/reports/photos/")
    item["photo_urls"] = [f"{photo_base}{pk}.jpg" for pk in Photo.objects.filter(
        report_id=report_id, moderation=Moderation.APPROVED).order_by("order", "id").values_list("id", flat=True)]
    texts = {value: default_status_text(value) for value in Status.values}
    item["updates"] = [{"datetime": created_at, "status": new_status or None, "kind": kind,
                        "text": text or (str(texts.get(new_status) or "") if kind == Update.Kind.STATUS else "")}
                       for created_at, new_status, kind, text in Update.objects.filter(report_id=report_id)
                       .order_by("created_at", "id").values_list("created_at", "new_status", "kind", "text")]
    return item


@router.get("reports.geojson", url_name="reports_geojson", response={200: None, 400: ErrorOut},
            summary="Public problem reports as GeoJSON",
            description="A FeatureCollection of Points (the same filters as /reports), newest first; limit "
                        f"(default {GEOJSON_DEFAULT_LIMIT}, at most {GEOJSON_MAX_LIMIT}) and offset; 'count' is "
                        "the number of matching reports.")
def report_geojson(request: HttpRequest, filters: Query[Filters],
                   limit: int = Query(GEOJSON_DEFAULT_LIMIT, ge=1, le=GEOJSON_MAX_LIMIT),
                   offset: int = Query(0, ge=0, le=10_000_000)) -> Any:
    rows, _by_change = _filtered(filters)
    count = rows.count()
    items = _items(request, list(rows.values(*_FIELDS)[offset:offset + limit]))
    features = []
    for item in items:
        properties = {key: value for key, value in item.items() if key not in ("lat", "lon", "description")}
        for key in ("created_at", "updated_at", "expected_at"):
            properties[key] = properties[key].isoformat() if properties[key] else None
        features.append({"type": "Feature", "id": item["id"],
                         "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]},
                         "properties": properties})
    body = {"type": "FeatureCollection", "count": count, "limit": limit, "offset": offset,
            "attribution": ADDRESS_ATTRIBUTION, "features": features}
    response = HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                            content_type="application/geo+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
