"""Air quality now on the home page (core.home): the city-wide European index of the current hour,
from the same selectors as the air-quality page (a constant number of queries)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from core.home import PanelContent, register_home_panel
from environment import selectors
from environment.views import index_context


def air_panel(request: HttpRequest) -> PanelContent | None:
    if not request.user.has_perm("environment.view_data"):
        return None
    now = timezone.now()
    views = selectors.stations_now(now)
    city, used = selectors.city_index_now(views, now)
    online = sum(1 for view in views for entry in view.sensors if entry.status == "online")
    hours = [view.hour for view in views if view.hour is not None]
    return PanelContent("environment/panels/air.html", {
        "city": index_context(city), "city_stations": used, "stations": len(views), "online_sensors": online,
        "hour": max(hours) if hours else None, "any_demo": any(view.station.is_demo for view in views),
    })


def register() -> None:
    register_home_panel("air", 40, air_panel)
