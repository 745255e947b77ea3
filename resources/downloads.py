"""The map's data and the downloads (language-free: both languages are in every row)."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation

from resources.filters import BoundingBox, MapFilters, errors_as_text
from resources.mapdata import map_payload
from resources.models import MapItem

ODBL_NOTE = ("Organisations and places imported from OpenStreetMap: © OpenStreetMap contributors, ODbL 1.0 "
             "(https://www.openstreetmap.org/copyright). Everything else: CC BY 4.0, Timișoara Smart City.")
COLUMNS = ["layer", "kind", "title_ro", "title_en", "summary_ro", "summary_en", "address", "latitude", "longitude",
           "neighbourhood", "verified", "demo", "url_ro", "url_en"]


def _filtered(request: HttpRequest) -> tuple[Any, HttpResponse | None]:
    filters = MapFilters(request.GET)
    if not filters.is_valid():
        return None, JsonResponse({"errors": errors_as_text(filters)}, status=400)
    return filters.apply(MapItem.objects.all()), None


def _filters_key(request: HttpRequest) -> str:
    """The filters (not the view) that shape the cached cell counts."""
    return "&".join(f"{name}={value}" for name in ("q", "layer", "kind", "neighbourhood", "verified")
                    for value in sorted(request.GET.getlist(name)))


def map_data(request: HttpRequest) -> HttpResponse:
    items, error = _filtered(request)
    box = BoundingBox(request.GET)
    if error is not None or not box.is_valid():
        return error or JsonResponse({"errors": errors_as_text(box)}, status=400)
    language = "en" if request.GET.get("lang") == "en" else "ro"
    with translation.override(language):  # links to the item pages in the map's language
        payload = map_payload(items, box.cleaned_data["bbox"], language, filters_key=_filters_key(request))
    return JsonResponse(payload)


def _row(item: MapItem) -> list[Any]:
    with translation.override("ro"):
        url_ro = item.get_absolute_url()
    with translation.override("en"):
        url_en = item.get_absolute_url()
    return [item.layer, item.kind, item.title, item.title_en or item.title, item.summary,
            item.summary_en or item.summary, item.address, item.latitude, item.longitude, item.neighbourhood_slug,
            item.verified, item.is_demo, url_ro, url_en]


class _Echo:
    def write(self, value: str) -> str:
        return value


def items_csv(request: HttpRequest) -> HttpResponseBase:
    items, error = _filtered(request)
    if error is not None:
        return error
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield writer.writerow(COLUMNS)
        for item in items.order_by("layer", "title", "id").iterator(chunk_size=2000):
            yield writer.writerow(_row(item))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="timisoara-resources.csv"'
    response["Link"] = '<https://www.openstreetmap.org/copyright>; rel="license"'
    return response


def items_geojson(request: HttpRequest) -> HttpResponse:
    items, error = _filtered(request)
    if error is not None:
        return error
    features = []
    for item in items.filter(latitude__isnull=False).order_by("layer", "title", "id").iterator(chunk_size=2000):
        properties = dict(zip(COLUMNS, _row(item), strict=True))
        properties.pop("latitude"), properties.pop("longitude")
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                         "coordinates": [item.longitude, item.latitude]},
                         "properties": properties})
    body = {"type": "FeatureCollection", "licence": ODBL_NOTE, "features": features}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="timisoara-resources.geojson"'
    return response
