"""Read-side queries shared by the public pages, the map data, the feeds and Open311.

Everything here starts from `public_reports()`: reports that are confirmed and approved. Personal
fields (reporter_*) are never selected by the public read paths.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from core.models import Neighbourhood
from reports.models import Category, Report, Status

OUTSIDE_AREA = "outside"

# Columns the public pages need; reporter_email, reporter_phone are deliberately absent.
PUBLIC_LIST_FIELDS = ("id", "title", "status", "is_open", "created_at", "updated_at", "lat", "lon", "address",
                      "category_id", "neighbourhood_id", "supporters_count", "first_photo_id", "expected_at",
                      "show_name", "reporter_name", "is_demo")


def public_reports() -> QuerySet[Report]:
    return Report.objects.filter(is_public=True)


@dataclass
class ListFilters:
    category: str = ""
    status: str = ""       # a Status value, or "open" / "closed"
    area: str = ""         # a neighbourhood slug, or OUTSIDE_AREA
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""

    def as_query(self) -> dict[str, str]:
        return {key: value for key, value in {
            "category": self.category, "status": self.status, "area": self.area,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "", "q": self.q}.items() if value}


def read_filters(params: Any) -> ListFilters:
    """Filters from a query string; unknown values are ignored rather than failing the page."""
    category = params.get("category", "")[:60]
    status = params.get("status", "")[:20]
    if status not in (*Status.values, "open", "closed"):
        status = ""
    area = params.get("area", "")[:60]
    return ListFilters(category=category, status=status, area=area,
                       date_from=_date(params.get("from", "")), date_to=_date(params.get("to", "")),
                       q=params.get("q", "").strip()[:100])


def _date(text: str) -> dt.date | None:
    try:
        return parse_date(text[:10]) if text else None
    except ValueError:
        return None


def apply_filters(reports: QuerySet[Report], filters: ListFilters, *, categories: dict[str, int],
                  areas: dict[str, int]) -> QuerySet[Report]:
    """Filter with ids resolved beforehand (categories, areas), so no joins are needed."""
    if filters.category:
        reports = reports.filter(category_id=categories.get(filters.category, -1))
    if filters.status == "open":
        reports = reports.filter(is_open=True)
    elif filters.status == "closed":
        reports = reports.filter(is_open=False)
    elif filters.status:
        reports = reports.filter(status=filters.status)
    if filters.area == OUTSIDE_AREA:
        reports = reports.filter(neighbourhood__isnull=True)
    elif filters.area:
        reports = reports.filter(neighbourhood_id=areas.get(filters.area, -1))
    tz = timezone.get_current_timezone()
    if filters.date_from:
        reports = reports.filter(created_at__gte=dt.datetime.combine(filters.date_from, dt.time(), tz))
    if filters.date_to:
        reports = reports.filter(created_at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1),
                                                                    dt.time(), tz))
    if filters.q:
        if filters.q.lstrip("#").isdigit():
            reports = reports.filter(pk=int(filters.q.lstrip("#")))
        else:
            reports = reports.filter(title__icontains=filters.q)
    return reports


def sql_conditions(filters: ListFilters, *, categories: dict[str, int], areas: dict[str, int]
                   ) -> tuple[list[str], list[Any]]:
    """The same filters as apply_filters, as SQL for the hand-written map query (see views.map_data)."""
    adapt = connection.ops.adapt_datetimefield_value
    conditions: list[str] = ["is_public"]  # literal, so PostgreSQL picks the partial indexes
    params: list[Any] = []
    if filters.category:
        conditions.append("category_id = %s")
        params.append(categories.get(filters.category, -1))
    if filters.status == "open":
        conditions.append("is_open")
    elif filters.status == "closed":
        conditions.append("NOT is_open")
    elif filters.status:
        conditions.append("status = %s")
        params.append(filters.status)
    if filters.area == OUTSIDE_AREA:
        conditions.append("neighbourhood_id IS NULL")
    elif filters.area:
        conditions.append("neighbourhood_id = %s")
        params.append(areas.get(filters.area, -1))
    tz = timezone.get_current_timezone()
    if filters.date_from:
        conditions.append("created_at >= %s")
        params.append(adapt(dt.datetime.combine(filters.date_from, dt.time(), tz)))
    if filters.date_to:
        conditions.append("created_at < %s")
        params.append(adapt(dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), tz)))
    if filters.q:
        if filters.q.lstrip("#").isdigit():
            conditions.append("id = %s")
            params.append(int(filters.q.lstrip("#")))
        else:
            conditions.append("UPPER(title) LIKE UPPER(%s)")
            params.append("%" + filters.q.replace("\\", "").replace("%", "").replace("_", "") + "%")
    return conditions, params


def category_index() -> dict[int, Category]:
    return {c.pk: c for c in Category.objects.select_related("department")}


def area_index() -> dict[int, Neighbourhood]:
    return {n.pk: n for n in Neighbourhood.objects.only("id", "slug", "name")}
