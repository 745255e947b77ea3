"""Language-free endpoints: the DCAT-AP catalogue and datasets, Data Packages and the rooms' CSV tables."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from opendata import dcat, registry, tables
from opendata.datapackage import datapackage


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _bad_request(field: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"field": field, "message": message}}, status=400)


def _open(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def catalog(request: HttpRequest, suffix: str) -> HttpResponse:
    """`/catalog.ttl|rdf|jsonld?page=N&modified_since=ISO` — ckanext-dcat's parameters and paging."""
    raw_page = request.GET.get("page", "1")
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= 1_000_000:
        return _bad_request("page", "page: expected a whole number from 1")
    datasets = registry.all_datasets()
    raw_since = request.GET.get("modified_since", "").strip()
    if raw_since:
        since = _moment(raw_since)
        if since is None:
            return _bad_request("modified_since", "modified_since: expected an ISO 8601 date or datetime, "
                                                  "e.g. 2026-01-31 or 2026-01-31T00:00:00Z")
        # Without a known modification date a dataset is always offered (a harvester then compares it).
        datasets = [d for d in datasets if d.modified is None or d.modified >= since]
    page = dcat.Page(number=int(raw_page), total=len(datasets))
    if page.number > page.last:
        return _bad_request("page", f"page: there are {page.last} pages")
    chosen = datasets[(page.number - 1) * page.size: page.number * page.size]
    query = request.GET.copy()
    query.pop("page", None)
    page_url = request.build_absolute_uri(request.path) + "?" + (query.urlencode() + "&" if query else "")
    body, media_type = dcat.serialise(dcat.catalog_triples(_base(request), chosen, page, page_url), suffix)
    return _open(HttpResponse(body, content_type=f"{media_type}; charset=utf-8"))


def _moment(text: str) -> dt.datetime | None:
    try:
        parsed = parse_datetime(text.replace(" ", "+"))
        if parsed is None:
            day = parse_date(text)
            parsed = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _dataset_or_404(name: str) -> registry.Dataset:
    dataset = registry.get_dataset(name)
    if dataset is None:
        raise Http404(f"name: no dataset {name!r}")
    return dataset


@require_GET
def dataset_rdf(request: HttpRequest, name: str, suffix: str) -> HttpResponse:
    dataset = _dataset_or_404(name)
    body, media_type = dcat.serialise(dcat.dataset_triples(_base(request), dataset), suffix)
    return _open(HttpResponse(body, content_type=f"{media_type}; charset=utf-8"))


@require_GET
def dataset_package(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _dataset_or_404(name)
    return _open(JsonResponse(datapackage(_base(request), dataset), json_dumps_params={"ensure_ascii": False}))


@require_GET
def table_csv(request: HttpRequest, room: str, key: str, part: str | None = None) -> HttpResponse:
    table = tables.get_table(room, key)
    if table is None:
        raise Http404(f"no table {room}/{key}")
    try:
        body = tables.render_csv(table, part)
    except LookupError as error:
        raise Http404(str(error)) from error
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"{key}-{part}.csv" if part else f"{key}.csv"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return _open(response)
