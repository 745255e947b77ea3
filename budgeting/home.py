"""The participatory budget on the home page (core.home): the edition under way and its phase (with
its deadline), and the latest results. One query, whatever the number of editions or projects."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest

from budgeting.models import PHASE_ORDER, Phase
from budgeting.selectors import visible_editions
from core.home import PanelContent, register_home_panel

# Editions considered; a city runs about one a year, so this reaches back years.
RECENT = 12


def budgeting_panel(request: HttpRequest) -> PanelContent:
    editions = list(visible_editions(request.user).exclude(phase=Phase.DRAFT).annotate(
        selected_count=Count("projects", filter=Q(projects__selected=True, projects__hidden=False)),
    ).order_by("-created_at", "-id")[:RECENT])
    running = [e for e in editions if not e.is_finished]
    # The edition people can act on first: voting beats review beats submission.
    current = max(running, key=lambda e: (PHASE_ORDER.index(Phase(e.phase)), e.created_at), default=None)
    finished = [e for e in editions if e.is_finished]
    latest_results = max(finished, key=lambda e: (e.results_date or e.voting_end or e.created_at), default=None)
    return PanelContent("budgeting/panels/budgeting.html", {
        "current": current, "voting_open": bool(current and current.voting_is_open()),
        "latest_results": latest_results,
    })


def register() -> None:
    register_home_panel("budgeting", 20, budgeting_panel)
