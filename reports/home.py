"""Problem reports on the home page (core.home): problems fixed lately and how many are open.
Two queries, whatever the number of reports (a LIMITed list and one aggregate on indexed columns)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from core.home import PanelContent, register_home_panel
from reports.models import Report, Status

SHOWN = 4
RECENT_DAYS = 30  # the panel's text says "30 days" (a whole phrase to translate, "30 de zile" in Romanian)


def reports_panel(request: HttpRequest) -> PanelContent:
    public = Report.objects.filter(is_public=True)
    fixed = list(public.filter(status=Status.FIXED, fixed_at__isnull=False)
                 .select_related("category", "neighbourhood").order_by("-fixed_at", "-id")[:SHOWN])
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    counts = public.aggregate(open=Count("id", filter=Q(is_open=True)),
                              fixed_lately=Count("id", filter=Q(status=Status.FIXED, fixed_at__gte=since)))
    return PanelContent("reports/panels/reports.html", {
        "fixed": fixed, "open_count": counts["open"], "fixed_lately": counts["fixed_lately"]})


def register() -> None:
    register_home_panel("reports", 30, reports_panel)
