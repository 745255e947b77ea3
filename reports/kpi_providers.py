"""Indicators of the strategy computed from the reports (see strategy.kpi_providers).

Demo reports are left out: an official indicator must not count invented data. Each figure covers
the last 365 days of public reports.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from reports import stats
from reports.models import ONLINE_CHANNELS
from strategy.kpi_providers import register

WINDOW = "365"


def _quantise(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@register("reports.online_share_percent", label=_("Reports received online (web form or Open311 apps)"), unit="%")
def online_share_percent() -> Decimal | None:
    """The strategy's "% online requests": reports sent online among all those recorded (phone,
    counter and letters are entered by staff with their channel)."""
    counts = stats.base(stats.since_for(WINDOW), include_demo=False).aggregate(
        total=Count("id"), online=Count("id", filter=Q(channel__in=list(ONLINE_CHANNELS))))
    if not counts["total"]:
        return None
    return _quantise(100 * counts["online"] / counts["total"])


@register("reports.median_days_to_fix", label=_("Median days to fix a reported problem"), unit="days")
def median_days_to_fix() -> Decimal | None:
    _ack, fix_days = stats.overall_medians(stats.since_for(WINDOW), include_demo=False)
    return None if fix_days is None else _quantise(fix_days)


@register("reports.median_hours_to_acknowledge", label=_("Median hours until a report is acknowledged"),
          unit="hours")
def median_hours_to_acknowledge() -> Decimal | None:
    ack_hours, _fix = stats.overall_medians(stats.since_for(WINDOW), include_demo=False)
    return None if ack_hours is None else _quantise(ack_hours)


@register("reports.fixed_within_target_percent", label=_("Reported problems fixed within their target time"),
          unit="%")
def fixed_within_target_percent() -> Decimal | None:
    medians = stats.category_medians(stats.since_for(WINDOW), include_demo=False)
    fixed = dict(stats.base(stats.since_for(WINDOW), include_demo=False).filter(status="fixed")
                 .values_list("category_id").annotate(n=Count("id")).order_by())
    total = sum(fixed.values())
    if not total:
        return None
    within = sum(row[2] for row in medians.values())
    return _quantise(100 * within / total)
