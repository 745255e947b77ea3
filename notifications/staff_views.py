"""The delivery log for staff (administrators and moderators): what went out, on which channel, what failed
and why, over the last days — a summary table and the latest deliveries, filterable by status and channel;
then the same for transactional e-mails (notifications/transactional.py). Addresses are masked; the full
rows are in the back office (a transactional message keeps only the masked address once it is sent)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from notifications.models import Delivery, Endpoint, TransactionalMessage

DAYS = 7
LATEST = 100


def delivery_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("notifications.view_delivery_log"):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    since = timezone.now() - dt.timedelta(days=DAYS)
    statuses = [choice for choice, _label in Delivery.Status.choices]
    channels = [choice for choice, _label in Endpoint.Kind.choices]
    counts = {(row["channel"], row["status"]): row["n"] for row in
              Delivery.objects.filter(created_at__gte=since).values("channel", "status").annotate(n=Count("id"))}
    summary = [{"channel": label, "counts": [counts.get((code, status), 0) for status in statuses]}
               for code, label in Endpoint.Kind.choices]
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    latest = Delivery.objects.select_related("event", "endpoint").order_by("-created_at", "-id")
    if status in statuses:
        latest = latest.filter(status=status)
    if channel in channels:
        latest = latest.filter(channel=channel)
    language = get_language() or "ro"
    rows = [{"delivery": d, "title": d.event.text("title", language), "endpoint": d.endpoint.masked_address()}
            for d in latest[:LATEST]]
    transactional_counts = dict(TransactionalMessage.objects.filter(created_at__gte=since)
                                .values_list("status").annotate(n=Count("id")))
    transactional = TransactionalMessage.objects.order_by("-created_at", "-id").only(
        "kind", "to_masked", "subject", "status", "attempts", "next_attempt_at", "last_error", "created_at")
    if status in statuses:
        transactional = transactional.filter(status=status)
    if channel and channel != Endpoint.Kind.EMAIL:
        transactional = transactional.none()
    return render(request, "notifications/delivery_log.html", {
        "summary": summary, "status_labels": Delivery.Status.choices, "rows": rows, "days": DAYS,
        "status": status, "channel": channel, "channel_choices": Endpoint.Kind.choices,
        "transactional_summary": [transactional_counts.get(code, 0) for code in statuses],
        "transactional_rows": list(transactional[:LATEST])})
