"""Figures for the dashboard and the strategy's indicators: counts by status, category, area and
channel; median time to acknowledge and to fix per category against its targets.

Medians are computed by PostgreSQL (percentile_cont) when it is the database, and in Python on
SQLite (development), with the same definitions:
- time to acknowledge: from submission to the first status change (acknowledged_at);
- time to fix: from submission to the fix, for reports whose current status is "fixed".
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from reports.models import ONLINE_CHANNELS, Category, Report, Status

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
DEFAULT_PERIOD = "365"


@dataclass
class CategoryFigures:
    category: Category
    total: int = 0
    open: int = 0
    fixed: int = 0
    median_ack_hours: float | None = None
    median_fix_days: float | None = None
    fixed_within_target: int = 0
    acknowledged_within_target: int = 0
    acknowledged: int = 0

    @property
    def fixed_within_target_percent(self) -> float | None:
        return round(100 * self.fixed_within_target / self.fixed, 1) if self.fixed else None

    @property
    def ack_on_target(self) -> bool | None:
        if self.median_ack_hours is None:
            return None
        return self.median_ack_hours <= self.category.target_acknowledge_hours

    @property
    def fix_on_target(self) -> bool | None:
        if self.median_fix_days is None:
            return None
        return self.median_fix_days <= self.category.target_days


@dataclass
class Dashboard:
    since: dt.datetime | None
    total: int = 0
    by_status: list[tuple[str, str, int]] = field(default_factory=list)
    by_category: list[CategoryFigures] = field(default_factory=list)
    by_area: list[tuple[str, str, int, int, int]] = field(default_factory=list)  # slug, name, total, open, fixed
    online_percent: float | None = None
    by_channel: list[tuple[str, int]] = field(default_factory=list)


def since_for(period: str, *, now: dt.datetime | None = None) -> dt.datetime | None:
    days = PERIODS.get(period, PERIODS[DEFAULT_PERIOD])
    return None if days is None else (now or timezone.now()) - dt.timedelta(days=days)


def base(since: dt.datetime | None, *, include_demo: bool = True) -> QuerySet[Report]:
    reports = Report.objects.filter(is_public=True)
    if since is not None:
        reports = reports.filter(created_at__gte=since)
    if not include_demo:
        reports = reports.filter(is_demo=False)
    return reports


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def category_medians(since: dt.datetime | None, *, include_demo: bool = True
                     ) -> dict[int, tuple[float | None, float | None, int, int, int]]:
    """{category_id: (median hours to acknowledge, median days to fix, fixed within target,
    acknowledged, acknowledged within target)}."""
    if connection.vendor == "postgresql":
        return _category_medians_sql(since, include_demo)
    targets = dict(Category.objects.values_list("id", "target_days"))
    ack_targets = dict(Category.objects.values_list("id", "target_acknowledge_hours"))
    ack: dict[int, list[float]] = {}
    fix: dict[int, list[float]] = {}
    rows = base(since, include_demo=include_demo).filter(acknowledged_at__isnull=False).values_list(
        "category_id", "created_at", "acknowledged_at", "fixed_at", "status")
    for category_id, created, acknowledged, fixed, status in rows.iterator(chunk_size=5000):
        if acknowledged is None:
            continue
        ack.setdefault(category_id, []).append((acknowledged - created).total_seconds() / 3600)
        if status == Status.FIXED and fixed is not None:
            fix.setdefault(category_id, []).append((fixed - created).total_seconds() / 86400)
    result = {}
    for category_id in set(ack) | set(fix):
        fix_days = fix.get(category_id, [])
        ack_hours = ack.get(category_id, [])
        result[category_id] = (
            _median(ack_hours), _median(fix_days),
            sum(1 for days in fix_days if days <= targets.get(category_id, 0)),
            len(ack_hours), sum(1 for hours in ack_hours if hours <= ack_targets.get(category_id, 0)))
    return result


def _category_medians_sql(since: dt.datetime | None, include_demo: bool
                          ) -> dict[int, tuple[float | None, float | None, int, int, int]]:
    table = Report._meta.db_table
    category_table = Category._meta.db_table
    conditions = ["r.is_public", "r.acknowledged_at IS NOT NULL"]
    params: list[Any] = []
    if since is not None:
        conditions.append("r.created_at >= %s")
        params.append(since)
    if not include_demo:
        conditions.append("NOT r.is_demo")
    sql = f"""
        SELECT r.category_id,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r.acknowledged_at - r.created_at))
                   / 3600.0,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r.fixed_at - r.created_at))
                   FILTER (WHERE r.status = 'fixed' AND r.fixed_at IS NOT NULL) / 86400.0,
               COUNT(*) FILTER (WHERE r.status = 'fixed' AND r.fixed_at IS NOT NULL
                                AND r.fixed_at - r.created_at <= c.target_days * INTERVAL '1 day'),
               COUNT(*),
               COUNT(*) FILTER (WHERE r.acknowledged_at - r.created_at
                                <= c.target_acknowledge_hours * INTERVAL '1 hour')
        FROM {table} r JOIN {category_table} c ON c.id = r.category_id
        WHERE {" AND ".join(conditions)}
        GROUP BY r.category_id
    """  # noqa: S608 (table names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: (float(row[1]) if row[1] is not None else None,
                         float(row[2]) if row[2] is not None else None, int(row[3]), int(row[4]), int(row[5]))
                for row in cursor.fetchall()}


def overall_medians(since: dt.datetime | None, *, include_demo: bool = True) -> tuple[float | None, float | None]:
    """(median hours to acknowledge, median days to fix) over all categories."""
    reports = base(since, include_demo=include_demo).filter(acknowledged_at__isnull=False)
    if connection.vendor == "postgresql":
        table = Report._meta.db_table
        conditions = ["is_public", "acknowledged_at IS NOT NULL"]
        params: list[Any] = []
        if since is not None:
            conditions.append("created_at >= %s")
            params.append(since)
        if not include_demo:
            conditions.append("NOT is_demo")
        sql = f"""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM acknowledged_at - created_at))
                       / 3600.0,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM fixed_at - created_at))
                       FILTER (WHERE status = 'fixed' AND fixed_at IS NOT NULL) / 86400.0
            FROM {table} WHERE {" AND ".join(conditions)}
        """  # noqa: S608 (table name from the model, values as parameters)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ack, fix = cursor.fetchone()
        return (float(ack) if ack is not None else None, float(fix) if fix is not None else None)
    ack_hours, fix_days = [], []
    for created, acknowledged, fixed, status in reports.values_list(
            "created_at", "acknowledged_at", "fixed_at", "status").iterator(chunk_size=5000):
        if acknowledged is None:
            continue
        ack_hours.append((acknowledged - created).total_seconds() / 3600)
        if status == Status.FIXED and fixed is not None:
            fix_days.append((fixed - created).total_seconds() / 86400)
    return _median(ack_hours), _median(fix_days)


def dashboard(period: str, *, area_names: dict[int, tuple[str, str]], outside_label: str) -> Dashboard:
    since = since_for(period)
    reports = base(since)
    figures = Dashboard(since=since)
    status_counts = dict(reports.values_list("status").annotate(n=Count("id")).order_by())
    figures.by_status = [(value, str(label), int(status_counts.get(value, 0))) for value, label in Status.choices]
    figures.total = sum(count for _value, _label, count in figures.by_status)
    per_category = {row["category_id"]: row for row in reports.values("category_id").annotate(
        total=Count("id"), open=Count("id", filter=Q(is_open=True)),
        fixed=Count("id", filter=Q(status=Status.FIXED))).order_by()}
    medians = category_medians(since)
    for category in Category.objects.all():
        row = per_category.get(category.pk)
        if row is None and not category.active:
            continue
        ack_hours, fix_days, within, acknowledged, ack_within = medians.get(category.pk, (None, None, 0, 0, 0))
        figures.by_category.append(CategoryFigures(
            category=category, total=row["total"] if row else 0, open=row["open"] if row else 0,
            fixed=row["fixed"] if row else 0, median_ack_hours=ack_hours, median_fix_days=fix_days,
            fixed_within_target=within, acknowledged=acknowledged, acknowledged_within_target=ack_within))
    per_area = reports.values("neighbourhood_id").annotate(
        total=Count("id"), open=Count("id", filter=Q(is_open=True)),
        fixed=Count("id", filter=Q(status=Status.FIXED))).order_by()
    areas = []
    for area_row in per_area:
        area_id = area_row["neighbourhood_id"]
        slug, name = area_names.get(area_id, ("outside", outside_label)) if area_id else ("outside", outside_label)
        areas.append((slug, name, area_row["total"], area_row["open"], area_row["fixed"]))
    figures.by_area = sorted(areas, key=lambda item: (-item[2], item[1]))
    channels = dict(reports.values_list("channel").annotate(n=Count("id")).order_by())
    figures.by_channel = sorted(channels.items(), key=lambda item: -item[1])
    if figures.total:
        online = sum(count for channel, count in channels.items() if channel in ONLINE_CHANNELS)
        figures.online_percent = round(100 * online / figures.total, 1)
    return figures


def bars(rows: list[tuple[str, float]], *, width: int = 320) -> list[dict[str, Any]]:
    """Bar lengths in SVG units for a horizontal bar chart (longest bar = width)."""
    top = max((value for _label, value in rows), default=0) or 1
    # Whole numbers: templates print floats with the locale's decimal comma, which SVG does not read.
    return [{"label": label, "value": value, "length": round(width * value / top), "y": 28 * position}
            for position, (label, value) in enumerate(rows)]
