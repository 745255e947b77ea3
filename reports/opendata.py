"""The problem reports' open dataset (registered with the opendata catalogue from ReportsConfig.ready()).

Public reports only (confirmed and approved), public fields only: no reporter's name, e-mail or phone, no
description or typed address (free text where people write their own details), and the position rounded to
4 decimals (about 10 m), so a report sent from someone's door does not pin the door. The live Open311
GeoReport v2 server and the JSON API are the dataset's data services.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import IntegerField, Max, Min
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import translation

from core.models import Neighbourhood
from opendata.registry import DataService, Dataset, Distribution, Text, register
from opendata.spatial import city_extent
from opendata.tables import Table, register_table, schema
from reports import selectors
from reports.models import Category

ROOM = "reports"
POSITION_DECIMALS = 4  # ~11 m of latitude: the street, not the door


def _landing_page() -> str:
    """The map and list of reports in the site's first language (/ro/sesizari/)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("reports:index")


def _rows(_part: str | None) -> Iterable[Sequence[Any]]:
    categories = dict(Category.objects.values_list("pk", "code"))
    areas = dict(Neighbourhood.objects.values_list("pk", "slug"))
    rows = selectors.public_reports().order_by("id").values_list(
        "id", "created_at", "updated_at", "category_id", "status", "is_open", "neighbourhood_id", "lat", "lon",
        "title", "supporters_count", "duplicate_of_id", "fixed_at", "closed_at", "is_demo")
    for (pk, created, updated, category, status, is_open, area, lat, lon, title, supporters, duplicate_of, fixed,
         closed, demo) in rows.iterator(chunk_size=2000):
        yield (pk, created, updated, categories.get(category), status, is_open, areas.get(area) if area else None,
               round(lat, POSITION_DECIMALS), round(lon, POSITION_DECIMALS), title, supporters, duplicate_of,
               fixed, closed, demo)


TABLE = register_table(Table(ROOM, "problem-reports", schema(
    ("id", "integer", "Report number (as on the site and in Open311)"), ("created_at", "datetime", "Submitted (UTC)"),
    ("updated_at", "datetime", "Last change (UTC)"), ("category", "string", "Category (Open311 service_code)"),
    ("status", "string", "Status"), ("open", "boolean", "Still open"),
    ("neighbourhood", "string", "Neighbourhood slug (empty: outside the mapped neighbourhoods)"),
    ("lat", "number", "Latitude, WGS 84, rounded to 4 decimals (about 10 m)"),
    ("lon", "number", "Longitude, WGS 84, rounded to 4 decimals"), ("title", "string", "Title"),
    ("supporters", "integer", "Number of supporters"), ("duplicate_of", "integer", "Duplicate of report"),
    ("fixed_at", "datetime", "Fixed (UTC)"), ("closed_at", "datetime", "Closed (UTC)"),
    ("demo", "boolean", "Demonstration row"), primary_key=["id"]), _rows))


def datasets() -> list[Dataset]:
    summary = selectors.public_reports().aggregate(first=Min("created_at"), last=Max("updated_at"),
                                                   # PostgreSQL has no max(boolean): max of 0/1
                                                   demo=Max(Cast("is_demo", output_field=IntegerField())))
    return [Dataset(
        name="problem-reports", room=ROOM,
        title=Text(ro="Sesizări despre probleme din oraș", en="Problem reports about the city"),
        description=Text(
            ro="Sesizările publice ale locuitorilor (gropi, iluminat, gunoi...), cu categoria, starea, cartierul și "
               "poziția rotunjită la circa 10 m. Fără date personale. Serverul Open311 GeoReport v2 le servește "
               "în timp real.",
            en="Residents' public reports of problems (potholes, lighting, rubbish...), with category, status, "
               "neighbourhood and position rounded to about 10 m. No personal data. The Open311 GeoReport v2 "
               "server serves them live."),
        themes=("GOVE", "REGI"), tags=("open311", "problem-reports", "fixmystreet"), frequency="CONT",
        issued=summary["first"], modified=summary["last"],
        temporal_start=summary["first"].date() if summary["first"] else None,
        spatial_geometry=city_extent(),  # the city's extent (the positions themselves are in the data)
        contains_demo=bool(summary["demo"]), landing_page=_landing_page(),
        distributions=(Distribution(
            key="csv", title=Text(ro="Sesizări (CSV)", en="Reports (CSV)"), url=TABLE.url(),
            media_type="text/csv", file_type="CSV", table_schema=TABLE.schema, modified=summary["last"]),),
        services=(
            DataService(key="open311", title=Text(ro="Open311 GeoReport v2", en="Open311 GeoReport v2"),
                        endpoint_url="/open311/v2/", endpoint_description_url="/open311/v2/discovery.json",
                        conforms_to="https://wiki.open311.org/GeoReport_v2/"),
            DataService(key="api", title=Text(ro="API-ul sesizărilor (JSON, GeoJSON)",
                                              en="Reports API (JSON, GeoJSON)"),
                        endpoint_url="/api/v1/reports", endpoint_description_url="/api/openapi.json"),
        ))]


def register_all() -> None:
    register(ROOM, datasets)
