"""Pages of the notifications room: the citizen's preferences, e-mail confirmation, one-click
unsubscribe, and the service worker served at the site root (so its scope is the whole site)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core import audit
from notifications import subscriptions, tokens
from notifications.models import Endpoint, Subscription

SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "notifications" / "sw.js"


@csrf_exempt  # RFC 8058: the mail client POSTs without a session or a CSRF token; the signed token is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners follow GETs and must not unsubscribe anyone); POST unsubscribes."""
    try:
        endpoint_id, subscription_id = tokens.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return render(request, "notifications/unsubscribe.html", {"done": True})
    manage_token = tokens.manage_token(endpoint.pk) if endpoint.user_id is None else ""
    if request.method == "GET":
        return render(request, "notifications/unsubscribe.html", {"endpoint": endpoint, "token": token,
                                                                   "manage_token": manage_token})
    with transaction.atomic():
        subscription = (Subscription.objects.filter(pk=subscription_id).filter(endpoint=endpoint).first()
                        or (Subscription.objects.filter(pk=subscription_id, user_id=endpoint.user_id).first()
                            if endpoint.user_id is not None else None)) if subscription_id else None
        if subscription is not None:
            subscription.delete()
            audit.record("one-click", "notifications.unsubscribe", None,
                         {"subscription": subscription_id, "endpoint": endpoint_id})
        elif endpoint.disabled_at is None:
            # A digest or a direct notice: no single subscription to end, so the address stops receiving.
            endpoint.disabled_at = timezone.now()
            endpoint.disabled_reason = "unsubscribed (one-click)"
            endpoint.save(update_fields=["disabled_at", "disabled_reason"])
            audit.record("one-click", "notifications.endpoint_unsubscribed", endpoint)
    return render(request, "notifications/unsubscribe.html", {"done": True, "manage_token": manage_token})


def service_worker(request: HttpRequest) -> FileResponse:
    response = FileResponse(SERVICE_WORKER.open("rb"), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def vapid_public_key(request: HttpRequest) -> JsonResponse:
    from notifications import vapid

    return JsonResponse({"public_key": vapid.public_key()})


@never_cache  # a private link: the answer names the address's manage page
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription_id = tokens.read_confirm_token(token)
    except signing.BadSignature:
        return render(request, "notifications/confirmed.html", {"invalid": True}, status=400)
    subscription = subscriptions.confirm(subscription_id)
    endpoint = subscription.endpoint if subscription is not None else None
    # An address without an account: the way to its other alerts (the page is private to the link's holder).
    manage_token = tokens.manage_token(endpoint.pk) if endpoint is not None and endpoint.user_id is None else ""
    return render(request, "notifications/confirmed.html", {"subscription": subscription,
                                                            "invalid": subscription is None,
                                                            "manage_token": manage_token},
                  status=200 if subscription else 404)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    from notifications.preferences import preferences_page

    return preferences_page(request)


@login_required
@require_http_methods(["POST"])
def push_subscription(request: HttpRequest) -> JsonResponse:
    """The preferences page's script posts the browser's PushSubscription JSON here (action=add) or asks to
    forget one (action=remove, endpoint=…). A malformed subscription is a 400 naming the field."""
    from django.core.exceptions import ValidationError

    from notifications import push

    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"errors": {"body": ["must be JSON"]}}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"errors": {"body": ["must be a JSON object"]}}, status=400)
    action = data.get("action", "add")
    if action == "remove":
        removed = push.remove_push_endpoint(request.user, str(data.get("endpoint") or ""))
        return JsonResponse({"removed": removed})
    if action != "add":
        return JsonResponse({"errors": {"action": ["must be add or remove"]}}, status=400)
    try:
        endpoint = push.add_push_endpoint(request.user, data.get("subscription"), get_language() or "")
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    return JsonResponse({"id": endpoint.pk}, status=201)
