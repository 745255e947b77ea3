"""Current disruptions on the home page (core.home): the most severe current announcements first,
then how many are planned (two queries whatever the number of announcements)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from announcements import selectors
from core.home import PanelContent, register_home_panel

PANEL_SIZE = 5


def disruptions_panel(request: HttpRequest) -> PanelContent | None:
    now = timezone.now()
    current = list(selectors.listed("current", now)[:PANEL_SIZE + 1])
    planned = selectors.listed("planned", now).count()
    if not current and not planned:
        return None
    return PanelContent("announcements/panels/disruptions.html", {
        "current": current[:PANEL_SIZE], "more": len(current) > PANEL_SIZE, "planned": planned,
        "any_demo": any(item.is_demo for item in current)})


def register() -> None:
    register_home_panel("announcements", 15, disruptions_panel)
