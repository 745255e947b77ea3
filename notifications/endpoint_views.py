"""The citizen's SMS numbers and webhooks on the preferences page: add, verify, re-enable, remove.

Each view takes a POST and redirects back to the preferences page; refused input is answered 400 with
the message naming the field (the same page fragment, so the person sees what to fix)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from notifications import endpoints


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("notifications:preferences") + "#channels")


def _refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = error.message_dict if hasattr(error, "error_dict") else {"endpoint": error.messages}
    return render(request, "notifications/endpoint_refused.html", {"errors": errors}, status=400)


@login_required
@require_POST
def add_phone(request: HttpRequest) -> HttpResponse:
    try:
        endpoints.add_phone(request.user, request.POST.get("phone", ""), get_language() or "")
    except ValidationError as error:
        return _refused(request, error)
    return _back()


@login_required
@require_POST
def verify_phone(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    try:
        endpoints.verify_phone(request.user, endpoint_id, request.POST.get("code", ""))
    except ValidationError as error:
        return _refused(request, error)
    return _back()


@login_required
@require_POST
def add_webhook(request: HttpRequest) -> HttpResponse:
    try:
        endpoint, secret = endpoints.add_webhook(request.user, request.POST.get("webhook_url", ""),
                                                 get_language() or "")
    except ValidationError as error:
        return _refused(request, error)
    # The signing secret is shown once, here; it is not on the preferences page afterwards.
    return render(request, "notifications/webhook_created.html", {"endpoint": endpoint, "secret": secret})


@login_required
@require_POST
def reenable(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    try:
        endpoints.reenable(request.user, endpoint_id)
    except ValidationError as error:
        return _refused(request, error)
    return _back()


@login_required
@require_POST
def remove(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    try:
        endpoints.remove(request.user, endpoint_id)
    except ValidationError as error:
        return _refused(request, error)
    return _back()
