"""The strategy's panel on the home page (core.home): projects by status and indicators measured,
said honestly — when no status is recorded the panel says so instead of showing 0 %."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.http import HttpRequest

from core.home import PanelContent, register_home_panel
from strategy import selectors
from strategy.models import KPI, Project, ProjectStatus


def progress_panel(request: HttpRequest) -> PanelContent | None:
    """Three queries whatever the number of projects and indicators."""
    strategy = selectors.current_strategy()
    if strategy is None:
        return None
    statuses = Counter(Project.objects.filter(parent__isnull=True).values_list("status", flat=True))
    total = sum(statuses.values())
    unrecorded = statuses.pop("", 0)
    by_status = [(value, label, statuses[value]) for value, label in ProjectStatus.choices if statuses[value]]
    indicators = KPI.objects.aggregate(
        total=Count("id", distinct=True),
        measured=Count("id", filter=Q(measurements__isnull=False), distinct=True))
    return PanelContent("strategy/panels/progress.html", {
        "strategy": strategy, "projects_total": total, "projects_unrecorded": unrecorded, "by_status": by_status,
        "indicators_total": indicators["total"], "indicators_measured": indicators["measured"],
    })


def register() -> None:
    register_home_panel("strategy-progress", 60, progress_panel)
