"""The city's neighbourhoods (core.Neighbourhood) as an open dataset: GeoJSON polygons and a CSV index.

core sits below opendata (floors), so the opendata room publishes core's data itself. The polygons come from
OpenStreetMap: ODbL 1.0, "© OpenStreetMap contributors".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from core.models import Neighbourhood
from opendata.registry import Dataset, Distribution, Text, register
from opendata.spatial import city_extent
from opendata.tables import Table, register_table, schema

ROOM = "core"
ATTRIBUTION = "© OpenStreetMap contributors"
GEOJSON_URL = "/data/core/neighbourhoods.geojson"


def _rows(_part: str | None) -> Iterable[Sequence[Any]]:
    for area in Neighbourhood.objects.order_by("slug"):
        yield (area.slug, area.name, area.min_lon, area.min_lat, area.max_lon, area.max_lat, area.source)


TABLE = register_table(Table(ROOM, "neighbourhoods", schema(
    ("slug", "string", "Neighbourhood slug (used by every room's data)"), ("name", "string", "Name"),
    ("min_lon", "number", "Bounding box: west (WGS 84)"), ("min_lat", "number", "Bounding box: south"),
    ("max_lon", "number", "Bounding box: east"), ("max_lat", "number", "Bounding box: north"),
    ("source", "string", "Source"), primary_key=["slug"]), _rows))


@require_GET
def geojson(request: HttpRequest) -> HttpResponse:
    features = [{"type": "Feature", "id": area.slug, "geometry": area.geometry,
                 "properties": {"slug": area.slug, "name": area.name}}
                for area in Neighbourhood.objects.order_by("slug")]
    body = {"type": "FeatureCollection", "attribution": ATTRIBUTION, "license": "ODbL-1.0", "features": features}
    response = HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                            content_type="application/geo+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def datasets() -> list[Dataset]:
    extent = city_extent()
    if extent is None:
        return []
    return [Dataset(
        name="neighbourhoods", room=ROOM, title=Text(ro="Cartierele orașului", en="The city's neighbourhoods"),
        description=Text(
            ro="Poligoanele cartierelor Timișoarei folosite de toate datele platformei (din OpenStreetMap; nu "
               "acoperă tot orașul).",
            en="The polygons of Timișoara's neighbourhoods every dataset of the platform refers to (from "
               "OpenStreetMap; they do not cover the whole city)."),
        themes=("REGI",), tags=("neighbourhoods", "boundaries", "geospatial"), frequency="IRREG",
        hvd_category="c_ac64a52d", licence="ODC_BL", attribution=Text(ro=ATTRIBUTION, en=ATTRIBUTION),
        spatial_geometry=extent,
        distributions=(
            Distribution(key="geojson", title=Text(ro="Poligoane (GeoJSON)", en="Polygons (GeoJSON)"),
                         url=GEOJSON_URL, media_type="application/geo+json", file_type="GEOJSON",
                         conforms_to="https://www.rfc-editor.org/rfc/rfc7946"),
            Distribution(key="csv", title=Text(ro="Lista cartierelor (CSV)", en="List of neighbourhoods (CSV)"),
                         url=TABLE.url(), media_type="text/csv", file_type="CSV", table_schema=TABLE.schema)))]


def register_all() -> None:
    # Only the polygons feed it: core's other models (audit entries on every write) must not renew the catalogue.
    register(ROOM, datasets, sources=["core.neighbourhood"])
