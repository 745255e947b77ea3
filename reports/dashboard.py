"""The public dashboard: how many reports, where, of what kind, and how fast the city responds.

Aggregates only: no report text, no personal data. The same figures as CSV.
"""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.models import Neighbourhood
from reports import stats


def _figures(request: HttpRequest) -> tuple[str, stats.Dashboard]:
    period = request.GET.get("period", stats.DEFAULT_PERIOD)
    if period not in stats.PERIODS:
        period = stats.DEFAULT_PERIOD
    area_names = {pk: (slug, name) for pk, slug, name in Neighbourhood.objects.values_list("id", "slug", "name")}
    return period, stats.dashboard(period, area_names=area_names, outside_label=_("outside the mapped neighbourhoods"))


def dashboard(request: HttpRequest) -> HttpResponse:
    period, figures = _figures(request)
    status_bars = stats.bars([(label, count) for _value, label, count in figures.by_status])
    category_bars = stats.bars([(row.category.name, row.total) for row in figures.by_category])
    return render(request, "reports/dashboard.html", {
        "period": period, "figures": figures, "status_bars": status_bars, "category_bars": category_bars,
        "periods": [("30", _("last 30 days")), ("90", _("last 90 days")), ("365", _("last 12 months")),
                    ("all", _("all time"))],
        "status_chart_height": 28 * len(status_bars) + 8, "category_chart_height": 28 * len(category_bars) + 8,
    })


def dashboard_csv(request: HttpRequest) -> HttpResponse:
    period, figures = _figures(request)
    table = request.GET.get("table", "categories")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reports-{table}-{period}.csv"'
    writer = csv.writer(response)
    if table == "status":
        writer.writerow(["status", "label", "reports"])
        for value, label, count in figures.by_status:
            writer.writerow([value, label, count])
    elif table == "areas":
        writer.writerow(["area", "name", "reports", "open", "fixed"])
        for area in figures.by_area:
            writer.writerow(area)
    else:
        writer.writerow(["service_code", "category", "department", "reports", "open", "fixed",
                         "median_hours_to_acknowledge", "target_hours_to_acknowledge", "median_days_to_fix",
                         "target_days_to_fix", "fixed_within_target_percent"])
        for row in figures.by_category:
            writer.writerow([
                row.category.code, row.category.name, row.category.department.name, row.total, row.open, row.fixed,
                "" if row.median_ack_hours is None else f"{row.median_ack_hours:.1f}",
                row.category.target_acknowledge_hours,
                "" if row.median_fix_days is None else f"{row.median_fix_days:.1f}", row.category.target_days,
                "" if row.fixed_within_target_percent is None else row.fixed_within_target_percent])
    return response
