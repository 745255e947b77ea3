"""Public pages of the reports room: the map and list, the report form, a page per report.

Each page runs a constant number of queries whatever the number of reports; personal fields are
never read on these paths (see selectors.PUBLIC_LIST_FIELDS).
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit
from core.client_address import person_token
from core.models import Neighbourhood
from reports import geocoding, geodesy, refcache, respcache, selectors, services, tokens
from reports.forms import FlagForm, FollowForm, ReopenForm, ReportForm
from reports.models import STATUS_MEANINGS, Category, Channel, Moderation, Photo, Report, Status, Update

PAGE_SIZE = 25
MAP_LIMIT = 500
MAP_CELLS = 16  # windows of up to 16 grid cells (about 3.5 x 3 km) are read cell by cell


def map_settings() -> dict[str, Any]:
    """The platform's tile server (MAP_TILE_URL; "" shows the neighbourhood outlines only, with no
    third-party requests) and its attribution."""
    return {"tiles": getattr(settings, "MAP_TILE_URL", ""),
            "attribution": getattr(settings, "MAP_ATTRIBUTION", "© OpenStreetMap contributors"),
            "centre": [45.7537, 21.2257], "areas": reverse("reports:areas")}


def _active_categories() -> list[Category]:
    return list(Category.objects.filter(active=True).select_related("department"))


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Status.choices}


# --- the map and the list -------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    filters = selectors.read_filters(request.GET)
    categories = selectors.category_index()
    areas = selectors.area_index()
    category_ids = {c.code: c.pk for c in categories.values()}
    area_ids = {a.slug: a.pk for a in areas.values()}
    reports = selectors.apply_filters(selectors.public_reports(), filters, categories=category_ids, areas=area_ids)
    paginator = Paginator(reports.only(*selectors.PUBLIC_LIST_FIELDS).order_by("-created_at", "-id"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for report in page.object_list:
        report.category_obj = categories.get(report.category_id)  # type: ignore[attr-defined]
        report.area_obj = areas.get(report.neighbourhood_id) if report.neighbourhood_id else None  # type: ignore
    query = filters.as_query()
    context = {
        "page": page, "filters": filters, "query_string": urlencode(query),
        "map_query": query,
        "categories": [c for c in categories.values() if c.active], "areas": list(areas.values()),
        "statuses": Status.choices, "outside_area": selectors.OUTSIDE_AREA,
        "map": map_settings(), "status_labels": _status_labels(),
        "category_names": {c.code: c.name for c in categories.values()},
        "selected_area": next((a for a in areas.values() if a.slug == filters.area), None),
        "selected_category": next((c for c in categories.values() if c.code == filters.category), None),
    }
    template = "reports/_results.html" if request.headers.get("HX-Request") else "reports/index.html"
    return render(request, template, context)


@require_GET
def map_data(request: HttpRequest) -> HttpResponse:
    return respcache.cached(request, lambda: _map_data(request))


def _map_rows(conditions: list[str], params: list[Any], cells: list[int] | None) -> list[tuple[Any, ...]]:
    """Newest matching reports. Hand-written SQL: this endpoint answers every pan and zoom of the map.

    A small window (a few grid cells) is read cell by cell from the (cell, newest) index, at most
    MAP_LIMIT rows each, then merged: a zoomed-in view costs about the same with 10,000 reports as
    with millions. A large window matches most recent reports, so the recency index alone is quick.
    """
    # Only constant SQL fragments are joined here (selectors.sql_conditions); every value is a parameter.
    table = Report._meta.db_table
    where = " AND ".join(conditions)
    if cells:
        # Newest (created_at, id) per cell — index-only on PostgreSQL — then the rows of the winners.
        parts = [f"SELECT * FROM (SELECT id, created_at FROM {table} WHERE cell = %s AND {where} "  # noqa: S608
                 f"ORDER BY created_at DESC, id DESC LIMIT %s) AS c{position}" for position in range(len(cells))]
        sql = (f"SELECT r.id, r.lat, r.lon, r.category_id, r.status, r.title FROM ("  # noqa: S608
               f"SELECT id, created_at FROM ({' UNION ALL '.join(parts)}) AS u "
               f"ORDER BY created_at DESC, id DESC LIMIT %s) AS top JOIN {table} r ON r.id = top.id "
               "ORDER BY top.created_at DESC, top.id DESC")
        arguments = [value for cell in cells for value in (cell, *params, MAP_LIMIT + 1)] + [MAP_LIMIT + 1]
    else:
        sql = (f"SELECT id, lat, lon, category_id, status, title FROM {table} WHERE {where} "  # noqa: S608
               "ORDER BY created_at DESC, id DESC LIMIT %s")
        arguments = [*params, MAP_LIMIT + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return cursor.fetchall()


def _map_data(request: HttpRequest) -> HttpResponse:
    """Markers for the public map: [id, lat, lon, category code, status, title], newest first, at most 500.

    `bbox=min_lon,min_lat,max_lon,max_lat` limits them to the visible map; the list filters apply too.
    """
    filters = selectors.read_filters(request.GET)
    reference = refcache.snapshot()
    conditions, params = selectors.sql_conditions(filters, categories=reference.codes, areas=reference.area_slugs)
    bbox = request.GET.get("bbox", "")
    cells: list[int] | None = None
    if bbox:
        try:
            min_lon, min_lat, max_lon, max_lat = (float(part) for part in bbox.split(",", 3))
        except ValueError:
            return JsonResponse({"error": "bbox: expected min_lon,min_lat,max_lon,max_lat"}, status=400)
        if not all(map(math.isfinite, (min_lon, min_lat, max_lon, max_lat))):
            return JsonResponse({"error": "bbox: expected finite numbers"}, status=400)
        conditions.append("lat BETWEEN %s AND %s AND lon BETWEEN %s AND %s")
        params.extend([min_lat, max_lat, min_lon, max_lon])
        cells = geodesy.cells_covering(geodesy.BoundingBox(min_lat, min_lon, max_lat, max_lon), limit=MAP_CELLS)
    rows = _map_rows(conditions, params, cells)
    categories = reference.categories
    items = [[pk, lat, lon, categories[category_id].code if category_id in categories else "", status, title]
             for pk, lat, lon, category_id, status, title in rows[:MAP_LIMIT]]
    response = HttpResponse(json.dumps({"fields": ["id", "lat", "lon", "category", "status", "title"],
                                        "items": items, "truncated": len(rows) > MAP_LIMIT},
                                       ensure_ascii=False, separators=(",", ":")),
                            content_type="application/json")
    response["Cache-Control"] = "public, max-age=30"
    return response


@require_GET
def areas_geojson(request: HttpRequest) -> HttpResponse:
    features = [{"type": "Feature", "properties": {"slug": slug, "name": name}, "geometry": geometry}
                for slug, name, geometry in Neighbourhood.objects.values_list("slug", "name", "geometry")]
    response = JsonResponse({"type": "FeatureCollection", "features": features,
                             "attribution": "© OpenStreetMap contributors (ODbL)"})
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- reporting ----------------------------------------------------------------------------------


def _questions_for(category: Category | None) -> list[Any]:
    if category is None:
        return []
    return list(category.questions.prefetch_related("choices"))


def _form_category(request: HttpRequest, categories: list[Category]) -> Category | None:
    code = (request.POST.get("category") if request.method == "POST" else request.GET.get("category")) or ""
    return next((c for c in categories if c.code == code), None)


def new_report(request: HttpRequest) -> HttpResponse:
    categories = _active_categories()
    category = _form_category(request, categories)
    questions = _questions_for(category)
    user = request.user if request.user.is_authenticated else None
    staff = bool(user and user.has_perm("reports.view_inbox"))
    nearby: list[Any] = []
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, categories=categories, user=user, staff=staff,
                          questions=questions)
        if form.is_valid():
            data = form.cleaned_data
            nearby = services.nearby_open_reports(data["category"], data["lat"], data["lon"])
            if nearby and not data.get("not_duplicate"):
                form.add_error("not_duplicate", _("Reports of this kind already exist nearby: support one of "
                                                  "them, or tick this box if yours is a different problem."))
            else:
                response = _submit(request, form, user, staff)
                if response is not None:
                    return response
        status = 400
    else:
        initial = {key: request.GET[key] for key in ("category", "lat", "lon") if key in request.GET}
        form = ReportForm(initial=initial, categories=categories, user=user, staff=staff, questions=questions)
        status = 200
    response = render(request, "reports/new.html", {
        "form": form, "categories": categories, "nearby": nearby, "map": map_settings(),
        "radius": int(services.DUPLICATE_RADIUS_M), "category": category,
    }, status=status)
    return response


def _submit(request: HttpRequest, form: ReportForm, user: Any, staff: bool) -> HttpResponse | None:
    data = form.cleaned_data
    # Staff recording a call type the caller's address; everyone else signed in uses their account's.
    email = (data.get("email") if staff else (user.email if user else data.get("email"))) or ""
    if not ratelimit.hit(request, "report:address").allowed or (
            email and not ratelimit.hit(request, "report:email", email).allowed):
        form.add_error(None, _("Too many reports from here in a short time. Please try again later."))
        return None
    photos = [upload.read() for upload in (data.get(f"photo{n}") for n in (1, 2, 3)) if upload]
    channel = (data.get("channel") or Channel.WEB) if staff else Channel.WEB
    new = services.NewReport(
        category=data["category"], title=data["title"], description=data["description"], lat=data["lat"],
        lon=data["lon"], address=data.get("address", ""), answers=form.answers(), photos=photos,
        name=data.get("name", ""), email=email, phone=data.get("phone", ""), show_name=data.get("show_name", False),
        channel=channel, language=translation.get_language() or "")
    try:
        report = services.submit_report(user, new)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            target = {"lat": "lat", "lon": "lon", "photos": "photo1"}.get(field, field)
            if target.startswith("attribute["):
                target = "q_" + target[len("attribute["):-1]
            form.add_error(target if target in form.fields else None, errors)
        return None
    if report.confirmed_at is None:
        state = "confirm"
    elif not report.is_public:
        state = "moderation"
    else:
        messages.success(request, _("Thank you: your report has been published and sent to %(department)s.") % {
            "department": report.department.name})
        return redirect(report.get_absolute_url())
    return redirect(reverse("reports:thanks") + f"?state={state}")


def thanks(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    return render(request, "reports/thanks.html", {"state": state if state in ("confirm", "moderation") else ""})


@require_GET
def questions_fragment(request: HttpRequest) -> HttpResponse:
    categories = _active_categories()
    category = _form_category(request, categories)
    form = ReportForm(categories=categories, user=None, questions=_questions_for(category))
    return render(request, "reports/_questions.html", {"form": form, "category": category})


@require_GET
def nearby_fragment(request: HttpRequest) -> HttpResponse:
    category = Category.objects.filter(code=request.GET.get("category", "")[:60], active=True).first()
    try:
        lat, lon = float(request.GET.get("lat", "")), float(request.GET.get("lon", ""))
    except ValueError:
        return HttpResponse("")
    if category is None or not services.geodesy.valid_coordinates(lat, lon):
        return HttpResponse("")
    nearby = services.nearby_open_reports(category, lat, lon)
    area_id = _area_id(lat, lon)
    area = Neighbourhood.objects.filter(pk=area_id).only("name").first() if area_id else None
    return render(request, "reports/_nearby.html", {"nearby": nearby, "radius": int(services.DUPLICATE_RADIUS_M),
                                                    "area": area, "checked": False})


def _area_id(lat: float, lon: float) -> int | None:
    from core.geo import neighbourhood_slug_for

    slug = neighbourhood_slug_for(lat, lon)
    return Neighbourhood.objects.filter(slug=slug).values_list("id", flat=True).first() if slug else None


@require_GET
def geocode(request: HttpRequest) -> HttpResponse:
    """Places for typed text: JSON for scripts, or (htmx) the report form's list of choices."""
    query = (request.GET.get("q") or request.GET.get("address") or "").strip()[:200]
    fragment = bool(request.headers.get("HX-Request"))
    if len(query) < 2:
        return render(request, "reports/_address_results.html", {"results": [], "query": ""}) if fragment \
            else JsonResponse({"results": []})
    if not ratelimit.hit(request, "geocode:address").allowed:
        return JsonResponse({"error": "too many searches; wait a minute"}, status=429)
    results = geocoding.search(query)
    if fragment:
        return render(request, "reports/_address_results.html", {"query": query, "results": [
            {**item, "lat": f"{item['lat']:.6f}", "lon": f"{item['lon']:.6f}"} for item in results]})
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the confirmation email. GET shows a button, so link scanners confirm nothing."""
    try:
        report_id = tokens.read(tokens.CONFIRM_REPORT, token)
    except tokens.BadToken:
        return render(request, "reports/link_invalid.html", status=400)
    report = get_object_or_404(Report, pk=report_id)
    if request.method == "POST":
        report = services.confirm_report(token)
        if report.is_public:
            messages.success(request, _("Thank you: your report is confirmed and published."))
            return redirect(report.get_absolute_url())
        return redirect(reverse("reports:thanks") + "?state=moderation")
    return render(request, "reports/confirm.html", {"report": report, "kind": "report"})


# --- a report's page ----------------------------------------------------------------------------


def _public_report(pk: int) -> Report:
    report = Report.objects.filter(pk=pk, is_public=True).select_related(
        "category", "department", "neighbourhood", "duplicate_of").first()
    if report is None:
        raise Http404(_("No such report, or it is not public."))
    return report


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _public_report(pk)
    photos = list(report.photos.filter(moderation=Moderation.APPROVED))
    updates = list(report.updates.select_related("department").order_by("created_at", "id"))
    answers = []
    if report.answers:
        questions = {q.code: q for q in report.category.questions.prefetch_related("choices")}
        for code, value in report.answers.items():
            question = questions.get(code)
            if question is None or not question.public:
                continue
            labels = {c.key: c.name for c in question.choices.all()}
            values = value if isinstance(value, list) else [value]
            answers.append((question.text, ", ".join(str(labels.get(v, v)) for v in values)))
    user = request.user
    following = None
    if user.is_authenticated:
        following = report.subscriptions.filter(user=user).first()
    return render(request, "reports/detail.html", {
        "report": report, "photos": photos, "updates": updates, "answers": answers, "following": following,
        "follow_form": FollowForm(), "flag_form": FlagForm(), "reopen_form": ReopenForm(),
        "can_reopen": services.can_reopen(user, report) if report.status == Status.FIXED else False,
        "can_handle": user.is_authenticated and user.has_perm("reports.handle_report", report),
        "map": map_settings(), "status_meaning": STATUS_MEANINGS.get(Status(report.status), ""),
    })


@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    report = _public_report(pk)
    form = FollowForm(request.POST)
    support = request.POST.get("support") in ("on", "1", "true") or request.GET.get("support") == "1"
    if not ratelimit.hit(request, "follow:address").allowed:
        messages.error(request, _("Too many requests from here in a short time. Please try again later."))
        return redirect(report.get_absolute_url() + "#follow")
    user = request.user if request.user.is_authenticated else None
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
        return redirect(report.get_absolute_url() + "#follow")
    try:
        subscription = services.follow(user, report, email=form.cleaned_data.get("email") or "", supports=support,
                                       language=translation.get_language() or "")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report.get_absolute_url() + "#follow")
    if subscription.confirmed_at is None:
        messages.success(request, _("Check your email: open the link we sent to confirm."))
    elif support:
        messages.success(request, _("Thank you: your support has been added and you will receive updates."))
    else:
        messages.success(request, _("You will receive an email at each change of this report."))
    return redirect(report.get_absolute_url())


@require_GET
def confirm_follow(request: HttpRequest, token: str) -> HttpResponse:
    # Confirming a subscription on GET is harmless (it only starts emails the person asked for).
    try:
        subscription = services.confirm_subscription(token)
    except (tokens.BadToken, services.Subscription.DoesNotExist):
        return render(request, "reports/link_invalid.html", status=400)
    messages.success(request, _("Confirmed: you will receive an email at each change of this report."))
    return redirect(subscription.report.get_absolute_url())


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        tokens.read(tokens.UNSUBSCRIBE, token)
    except tokens.BadToken:
        return render(request, "reports/link_invalid.html", status=400)
    if request.method == "POST":
        report = services.unsubscribe(token)
        return render(request, "reports/unsubscribed.html", {"report": report})
    return render(request, "reports/confirm.html", {"kind": "unsubscribe"})


@require_POST
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    report = _public_report(pk)
    form = FlagForm(request.POST)
    if not ratelimit.hit(request, "flag:address").allowed:
        messages.error(request, _("Too many requests from here in a short time. Please try again later."))
        return redirect(report.get_absolute_url())
    if not form.is_valid():
        return HttpResponseBadRequest(_("reason: choose a reason."))
    user = request.user if request.user.is_authenticated else None
    try:
        services.flag_report(user, report, form.cleaned_data["reason"], form.cleaned_data["text"],
                             person_token(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report.get_absolute_url() + "#flag")
    messages.success(request, _("Thank you: a moderator will look at this report."))
    return redirect(reverse("reports:index"))


@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    report = _public_report(pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is still wrong."))
        return redirect(report.get_absolute_url() + "#reopen")
    try:
        services.reopen(request.user, report, form.cleaned_data["text"])
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report.get_absolute_url())
    messages.success(request, _("The report has been reopened and the department told."))
    return redirect(report.get_absolute_url())


@require_http_methods(["GET", "POST"])
def reopen_link(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """From the "fixed" email: the reporter says it is not fixed, without signing in."""
    try:
        tokens.read(tokens.REOPEN, token)
    except tokens.BadToken:
        return render(request, "reports/link_invalid.html", status=400)
    report = _public_report(pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(request, "reopen:address").allowed:
            raise PermissionDenied("rate")
        try:
            services.reopen(None, report, form.cleaned_data["text"], via_token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(report.get_absolute_url())
        messages.success(request, _("The report has been reopened and the department told."))
        return redirect(report.get_absolute_url())
    return render(request, "reports/reopen.html", {"report": report, "form": form},
                  status=400 if request.method == "POST" else 200)


def photo(request: HttpRequest, photo_id: int, thumbnail: bool = False) -> HttpResponseBase:
    """Photos pass through here so a photo waiting for moderation is seen only by staff."""
    found = Photo.objects.select_related("report").filter(pk=photo_id).first()
    if found is None:
        raise Http404
    public = found.moderation == Moderation.APPROVED and found.report.is_public
    if not public and not (request.user.is_authenticated and (
            request.user.has_perm("reports.moderate") or request.user.has_perm("reports.handle_report",
                                                                                found.report))):
        raise Http404
    try:
        handle = default_storage.open(found.thumbnail if thumbnail else found.file, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def about(request: HttpRequest) -> HttpResponse:
    categories = list(Category.objects.filter(active=True).select_related("department").prefetch_related(
        "questions"))
    return render(request, "reports/about.html", {
        "categories": categories, "meanings": [(Status(s).label, m) for s, m in STATUS_MEANINGS.items()],
        "base": request.build_absolute_uri("/open311/v2/"), "languages": settings.LANGUAGES,
    })


def update_label(update: Update) -> str:
    return str(Update.Kind(update.kind).label)
