"""Public pages (map and list, one announcement with its history, one neighbourhood) and the staff
pages that publish, update and cancel (every change through announcements.services)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from announcements import selectors, services
from announcements.forms import AnnouncementForm, CancelForm
from announcements.models import Announcement, Category, MessageType, Phase
from core.models import Neighbourhood

PAGE_SIZE = 50


def _map_settings() -> dict[str, Any]:
    return {"tile_url": getattr(settings, "MAP_TILE_URL", ""), "attribution": getattr(settings, "MAP_ATTRIBUTION", "")}


def _listing(request: HttpRequest, neighbourhood: Neighbourhood | None = None) -> dict[str, Any]:
    now = timezone.now()
    phase = request.GET.get("when", Phase.CURRENT)
    if phase not in Phase.values:
        phase = Phase.CURRENT
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    items = list(selectors.listed(phase, now, category=category, neighbourhood=neighbourhood)[:PAGE_SIZE])
    return {
        "phase": phase, "category": category, "items": items, "now": now,
        "phases": [(value, label) for value, label in Phase.choices],
        "categories": Category.choices, "markers": selectors.map_markers(items, now),
        "any_demo": any(item.is_demo for item in items), "can_publish": request.user.has_perm("announcements.publish"),
        **_map_settings(),
    }


def index(request: HttpRequest) -> HttpResponse:
    context = _listing(request)
    context["neighbourhoods"] = Neighbourhood.objects.only("slug", "name")
    return render(request, "announcements/index.html", context)


def neighbourhood(request: HttpRequest, slug: str) -> HttpResponse:
    area = get_object_or_404(Neighbourhood.objects.only("pk", "slug", "name"), slug=slug)
    context = _listing(request, neighbourhood=area)
    context["neighbourhood"] = area
    return render(request, "announcements/neighbourhood.html", context)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    announcement: Announcement = get_object_or_404(Announcement.objects.prefetch_related("neighbourhoods"), pk=pk)
    thread = services.thread_of(announcement)
    latest = next((message for message in reversed(thread) if message.is_latest), thread[-1])
    now = timezone.now()
    return render(request, "announcements/detail.html", {
        "announcement": announcement, "latest": latest, "thread": thread, "now": now,
        "phase": latest.phase(now), "kind": selectors.geometry_kind(announcement),
        "markers": selectors.map_markers([announcement], now),
        "can_publish": request.user.has_perm("announcements.publish"),
        "is_cancelled": latest.message_type == MessageType.CANCEL, **_map_settings(),
    })


def _require_publisher(request: HttpRequest) -> None:
    if not request.user.has_perm("announcements.publish"):
        raise PermissionDenied


def _form_page(request: HttpRequest, form: AnnouncementForm, previous: Announcement | None, status: int = 200
               ) -> HttpResponse:
    return render(request, "announcements/form.html", {"form": form, "previous": previous, **_map_settings()},
                  status=status)


def _apply_service_error(form: Any, error: services.AnnouncementError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _require_publisher(request)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                announcement = services.publish(request.user, form.draft())
            except services.AnnouncementError as error:
                _apply_service_error(form, error)
            else:
                return redirect(announcement.get_absolute_url())
        return _form_page(request, form, None, status=400)
    return _form_page(request, form, None)


def _latest_open(pk: int) -> Announcement:
    announcement = get_object_or_404(Announcement, pk=pk)
    thread = services.thread_of(announcement)
    latest = next((message for message in thread if message.is_latest), None)
    if latest is None or latest.message_type == MessageType.CANCEL:
        raise Http404
    return latest


@require_http_methods(["GET", "POST"])
def update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_publisher(request)
    latest = _latest_open(pk)
    form = AnnouncementForm(request.POST or None, initial=AnnouncementForm.initial_from(latest))
    if request.method == "POST":
        if form.is_valid():
            try:
                new = services.update(request.user, latest, form.draft())
            except services.AnnouncementError as error:
                _apply_service_error(form, error)
            else:
                return redirect(new.get_absolute_url())
        return _form_page(request, form, latest, status=400)
    return _form_page(request, form, latest)


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_publisher(request)
    latest = _latest_open(pk)
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new = services.cancel(request.user, latest, reason_ro=form.cleaned_data["reason_ro"],
                                      reason_en=form.cleaned_data["reason_en"])
            except services.AnnouncementError as error:
                _apply_service_error(form, error)
            else:
                return redirect(new.get_absolute_url())
        status = 400
    return render(request, "announcements/cancel.html", {"form": form, "previous": latest}, status=status)
