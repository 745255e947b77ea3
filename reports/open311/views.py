"""The Open311 GeoReport v2 server at /open311/v2/ (JSON and XML).

Specification: https://wiki.open311.org/GeoReport_v2. HTTP codes as the specification says: 404
for a missing resource (or a foreign jurisdiction_id), 403 for a missing or bad api_key, 400 for
anything else that is wrong, each with the specification's error body. Personal data (names,
email addresses, phone numbers) is never part of any response.

The read paths avoid the ORM's model instances: a few `values_list` queries and plain dicts, so a
page of 100 requests costs two queries (three with `extensions=true`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core import ratelimit
from core.images import MAX_UPLOAD_BYTES
from reports import refcache, respcache, services, tokens
from reports.models import (
    Category,
    Channel,
    Moderation,
    Open311Key,
    Photo,
    Report,
    Status,
    Update,
    default_status_text,
)
from reports.open311 import formats, placing
from reports.open311.params import QueryError, RequestsQuery, parse_requests_query

JURISDICTION = os.environ.get("OPEN311_JURISDICTION", "timisoara.ro")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2025-01-01T00:00:00Z"
MAX_FIELD = 10_000


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _response(format_: str, status: int, body: str) -> HttpResponse:
    content_type = formats.XML_TYPE if format_ == "xml" else formats.JSON_TYPE
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(format_: str, status: int, description: str) -> HttpResponse:
    return _response(format_, status, formats.errors(format_, status, [description]))


def endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Format check, jurisdiction, language, and Open311 error bodies for every view."""

    def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        format_ = fmt.lower()
        if format_ not in formats.FORMATS:
            return _error("json", 400, f"format: .{fmt[:10]} is not supported; use .json or .xml")
        jurisdiction = request.GET.get("jurisdiction_id", "")
        if not jurisdiction and request.method == "POST":
            jurisdiction = request.POST.get("jurisdiction_id", "")
        if jurisdiction and jurisdiction != JURISDICTION:
            return _error(format_, 404, f"jurisdiction_id: this server serves only {JURISDICTION}")
        language = request.GET.get("locale", "")[:5].split("-")[0].split("_")[0].lower()
        if language not in {code for code, _name in settings.LANGUAGES}:
            language = translation.get_language() or settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                return view(request, format_, *args, **kwargs)
        except Open311Error as error:
            return _error(format_, error.status, error.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _render(format_: str, root: str, item: str | None, content: Any, status: int = 200) -> HttpResponse:
    if format_ == "xml":
        return _response(format_, status, formats.xml_document(root, item, content))
    return _response(format_, status, formats.json_document(content))


def _english_about() -> str:
    """The page that explains the service to app developers (its Open311 section), in English."""
    with translation.override("en"):
        return reverse("reports:about")


# --- discovery and services ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@endpoint
def discovery(request: HttpRequest, format_: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2")
    content = {
        "changeset": CHANGESET,
        "contact": os.environ.get("OPEN311_CONTACT", "Primăria Municipiului Timișoara — open data team"),
        "key_service": request.build_absolute_uri(_english_about()) + "#open311",
        "endpoints": [{
            "specification": SPECIFICATION, "url": base, "changeset": CHANGESET, "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    }
    return _render(format_, "discovery", None, content)


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(getattr(category, "question_count", 0)),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


@require_http_methods(["GET", "HEAD"])
@endpoint
def service_list(request: HttpRequest, format_: str) -> HttpResponse:
    from django.db.models import Count

    categories = Category.objects.filter(active=True).annotate(question_count=Count("questions"))
    return _render(format_, "services", "service", [_service(c) for c in categories])


@require_http_methods(["GET", "HEAD"])
@endpoint
def service_definition(request: HttpRequest, format_: str, code: str) -> HttpResponse:
    category = Category.objects.filter(code=code, active=True).prefetch_related("questions__choices").first()
    if category is None:
        raise Open311Error(404, f"service_code: no service {code[:60]!r}")
    attributes = []
    for position, question in enumerate(category.questions.all(), start=1):
        attribute: dict[str, Any] = {
            "variable": True,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": question.help_text,
            "order": position,
            "description": question.text,
        }
        if question.datatype in ("singlevaluelist", "multivaluelist"):
            attribute["values"] = [{"key": c.key, "name": c.name} for c in question.choices.all()]
        attributes.append(attribute)
    return _render(format_, "service_definition", None, {"service_code": category.code, "attributes": attributes})


# --- reading requests ---------------------------------------------------------------------------

_ROW_FIELDS = ("id", "status", "is_open", "status_note", "category_id", "department_id", "title", "description",
               "created_at", "updated_at", "expected_at", "address", "lat", "lon", "first_photo_id",
               "neighbourhood_id", "supporters_count", "duplicate_of_id", "responsible_party", "status_reason",
               "nearest_address")


def _request_dicts(request: HttpRequest, rows: list[tuple[Any, ...]], *, extensions: bool) -> list[dict[str, Any]]:
    """Plain dicts in the specification's field order. This is the hot path of the API: reference
    data comes from the per-process snapshot and translated sentences are looked up once."""
    reference = refcache.snapshot()
    categories = reference.categories
    tz = timezone.get_current_timezone()
    status_texts = {value: default_status_text(value) or None for value in Status.values}
    photo_base = request.build_absolute_uri("/reports/photos/")
    updates: dict[int, list[dict[str, Any]]] = {}
    photos: dict[int, list[str]] = {}
    status_labels: dict[str, str] = {}
    page_base = ""
    if extensions and rows:
        status_labels = {value: str(label) for value, label in Status.choices}
        page_base = request.build_absolute_uri(reverse("reports:index"))  # the page in the request's language
        ids = [row[0] for row in rows]
        for report_id, update_id, created_at, new_status, text, kind in Update.objects.filter(
                report_id__in=ids).order_by("created_at", "id").values_list(
                "report_id", "id", "created_at", "new_status", "text", "kind"):
            updates.setdefault(report_id, []).append({
                "update_id": update_id, "updated_datetime": created_at.astimezone(tz).isoformat(timespec="seconds"),
                "status": new_status or None, "kind": kind,
                "description": text or ((status_texts.get(new_status) or "") if kind == Update.Kind.STATUS else "")})
        for report_id, photo_id in Photo.objects.filter(report_id__in=ids, moderation=Moderation.APPROVED) \
                .order_by("order", "id").values_list("report_id", "id"):
            photos.setdefault(report_id, []).append(f"{photo_base}{photo_id}.jpg")
    result = []
    for (report_id, status, is_open, status_note, category_id, department_id, title, description, created_at,
         updated_at, expected_at, address, lat, lon, first_photo_id, area_id, supporters, duplicate_of,
         responsible_party, status_reason, nearest_address) in rows:
        category = categories.get(category_id)
        item: dict[str, Any] = {
            "service_request_id": str(report_id),
            "status": "open" if is_open else "closed",
            "status_notes": status_note or status_texts.get(status),
            "service_name": category.name if category else None,
            "service_code": category.code if category else None,
            "description": description,
            "agency_responsible": category.department_name if category and category.department_id ==
            department_id else None,
            "service_notice": None,
            "requested_datetime": created_at.astimezone(tz).isoformat(timespec="seconds"),
            "updated_datetime": updated_at.astimezone(tz).isoformat(timespec="seconds"),
            "expected_datetime": expected_at.astimezone(tz).isoformat(timespec="seconds")
            if is_open and expected_at else None,
            "address": address or nearest_address or None,  # typed, else the nearest from the street index
            "address_id": None,
            "zipcode": None,
            "lat": lat,
            "long": lon,
            "media_url": f"{photo_base}{first_photo_id}.jpg" if first_photo_id else None,
        }
        if extensions:
            area = reference.areas.get(area_id) if area_id else None
            item["extended_attributes"] = {
                "title": title,
                "detailed_status": status,
                "detailed_status_label": status_labels.get(status, status),
                "area": area[1] if area else None,
                "supporters": supporters,
                "duplicate_of": str(duplicate_of) if duplicate_of else None,
                "responsible_party": responsible_party or None,
                "closed_reason": status_reason or None,
                "media_urls": photos.get(report_id, []),
                "updates": updates.get(report_id, []),
                "url": f"{page_base}{report_id}/",
            }
        result.append(item)
    return result


def _query(request: HttpRequest) -> RequestsQuery:
    codes = refcache.snapshot().codes
    try:
        return parse_requests_query(request.GET, now=timezone.now(), default_tz=timezone.get_current_timezone(),
                                    service_code_exists=codes.__contains__)
    except QueryError as error:
        raise Open311Error(400, str(error)) from None


def _fetch_rows(query: RequestsQuery) -> list[tuple[Any, ...]]:
    """The page of public reports, by hand-written SQL: the query shape is fixed and this is the hottest
    path of the API, so the ORM's per-request compilation is skipped. Values go in as parameters."""
    adapt = connection.ops.adapt_datetimefield_value
    conditions = ["is_public"]  # literal, so PostgreSQL uses the partial indexes
    params: list[Any] = []
    if query.ids:
        conditions.append(f"id IN ({', '.join(['%s'] * len(query.ids))})")
        params.extend(query.ids)
    else:
        if query.service_codes:
            codes = refcache.snapshot().codes
            conditions.append(f"category_id IN ({', '.join(['%s'] * len(query.service_codes))})")
            params.extend(codes[code] for code in query.service_codes)
        if query.statuses and len(set(query.statuses)) == 1:
            conditions.append("is_open" if query.statuses[0] == "open" else "NOT is_open")
        for column, operator, value in (("created_at", ">=", query.start), ("created_at", "<=", query.end),
                                        ("updated_at", ">=", query.updated_after),
                                        ("updated_at", "<=", query.updated_before)):
            if value is not None:
                conditions.append(f"{column} {operator} %s")
                params.append(adapt(value))
    order = "updated_at DESC, id DESC" if (query.updated_after or query.updated_before) else "created_at DESC, id DESC"
    params.extend([query.page_size + 1, (query.page - 1) * query.page_size])
    sql = (f"SELECT {', '.join(_ROW_FIELDS)} FROM {Report._meta.db_table} WHERE {' AND '.join(conditions)} "  # noqa: S608
           f"ORDER BY {order} LIMIT %s OFFSET %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # SQLite hands back naive UTC datetimes to raw queries
        rows = [tuple(value.replace(tzinfo=dt.UTC) if isinstance(value, dt.datetime) and value.tzinfo is None
                      else value for value in row) for row in rows]
    return rows


def _requests_response(request: HttpRequest, format_: str, query: RequestsQuery) -> HttpResponse:
    rows = _fetch_rows(query)
    has_next = len(rows) > query.page_size
    items = _request_dicts(request, rows[:query.page_size], extensions=query.extensions)
    response = _render(format_, "service_requests", "request", items)
    if has_next:
        following = request.GET.copy()
        following["page"] = str(query.page + 1)
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{following.urlencode()}>; rel="next"'
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return post_request(request, fmt=fmt)
    return get_requests(request, fmt=fmt)


@endpoint
def get_requests(request: HttpRequest, format_: str) -> HttpResponse:
    return respcache.cached(request, lambda: _requests_response(request, format_, _query(request)))


@require_http_methods(["GET", "HEAD"])
@endpoint
def get_token(request: HttpRequest, format_: str, token: str) -> HttpResponse:
    """GET tokens/{token}: the service_request_id a POST's token stands for (GeoReport v2)."""
    try:
        report_id = tokens.read(tokens.OPEN311_REQUEST, token[:200])
    except tokens.BadToken:
        raise Open311Error(404, "token: no request with this token") from None
    if not Report.objects.filter(pk=report_id).exists():
        raise Open311Error(404, "token: no request with this token")
    return _render(format_, "service_requests", "request", [{"service_request_id": str(report_id),
                                                             "token": token}])


@require_http_methods(["GET", "HEAD"])
@endpoint
def get_request(request: HttpRequest, format_: str, request_id: str) -> HttpResponse:
    if not request_id.isdigit() or len(request_id) > 18:
        raise Open311Error(404, f"service_request_id: no request {request_id[:30]!r}")
    extensions = request.GET.get("extensions", "").lower() in ("true", "1", "yes")
    rows = list(Report.objects.filter(is_public=True, pk=int(request_id)).values_list(*_ROW_FIELDS))
    if not rows:
        raise Open311Error(404, f"service_request_id: no request {request_id}")
    items = _request_dicts(request, rows, extensions=extensions)
    return _render(format_, "service_requests", "request", items)


# --- creating requests --------------------------------------------------------------------------


def _authenticate(request: HttpRequest) -> Open311Key:
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not key:
        raise Open311Error(403, "api_key: required to create a service request")
    found = Open311Key.objects.filter(key_hash=Open311Key.hash_key(key[:200]), revoked_at__isnull=True).first()
    if found is None:
        raise Open311Error(403, "api_key: not a valid key")
    return found


def _attributes(post: Any) -> dict[str, Any]:
    """attribute[code]=value, and attribute[code][]=value repeated for multivaluelist."""
    answers: dict[str, Any] = {}
    for name in post:
        if not name.startswith("attribute[") or not name.endswith("]"):
            continue
        inner = name[len("attribute["):-1]
        if inner.endswith("]["):
            answers[inner[:-2]] = post.getlist(name)
        elif "[" not in inner and "]" not in inner:
            values = post.getlist(name)
            answers[inner] = values if len(values) > 1 else values[0]
    return answers


@endpoint
def post_request(request: HttpRequest, format_: str) -> HttpResponse:
    content_type = request.content_type or ""
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(400, "Content-Type: send the fields as application/x-www-form-urlencoded (or "
                                "multipart/form-data), as GeoReport v2 requires; JSON and XML bodies are not read")
    api_key = _authenticate(request)
    decision = ratelimit.hit(request, "open311_post:key", str(api_key.pk),
                              rate=f"{api_key.requests_per_hour}/h/key")
    if not decision.allowed:
        response = _error(format_, 429, "api_key: too many requests with this key; try again later")
        response["Retry-After"] = str(decision.retry_after)
        return response
    if not ratelimit.hit(request, "open311_post:address").allowed:
        raise Open311Error(429, "too many requests from this address; try again later")
    post = request.POST
    for name, value in post.items():
        if len(value) > MAX_FIELD:
            raise Open311Error(400, f"{name[:40]}: too long")
    code = post.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code: required")
    category = Category.objects.filter(code=code).select_related("department").first()
    if category is None:
        raise Open311Error(400, f"service_code: unknown service code {code[:60]!r} (see services.json)")
    try:
        where = placing.request_location(post)
    except placing.PlacingError as error:
        raise Open311Error(400, str(error)) from None
    description = post.get("description", "").strip() or category.name
    title = (post.get("title", "").strip() or description.splitlines()[0])[:services.MAX_TITLE]
    name = " ".join(part for part in (post.get("first_name", "").strip(), post.get("last_name", "").strip())
                    if part)
    photos = [upload.read(MAX_UPLOAD_BYTES + 1) for upload in request.FILES.getlist("media")]
    data = services.NewReport(
        category=category, title=title, description=description, lat=where.lat, lon=where.lon,
        address=where.address, answers=_attributes(post), photos=photos, name=name[:120],
        email=post.get("email", ""), phone=post.get("phone", ""), show_name=False, channel=Channel.OPEN311,
        api_key=api_key, language=translation.get_language() or "")
    try:
        report = services.submit_report(f"open311:{api_key.name}", data)
    except ValidationError as error:
        raise Open311Error(400, _validation_message(error)) from None
    Open311Key.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    notice = str(_notice(report))
    return _render(format_, "service_requests", "request", [{
        "service_request_id": str(report.pk), "token": tokens.make(tokens.OPEN311_REQUEST, report.pk),
        "service_notice": notice, "account_id": None}])


def _notice(report: Report) -> str:
    from django.utils.translation import gettext as _

    if not report.is_public:
        return _("Received; it will be published after moderation.")
    return _("Received; expected to be handled within %(days)d days.") % {"days": report.category.target_days}


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        message = " ".join(str(m) for e in errors for m in e.messages)
        field = {"lon": "long", "photo1": "media", "photo2": "media", "photo3": "media", "photos": "media"}.get(
            field, field)
        return f"{field}: {message}"
    return "; ".join(error.messages)
