from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def _room_nav() -> list[tuple[str, str]]:
    """Rooms add header links by setting `nav_items = [(label, url_name), ...]` on their AppConfig."""
    items = []
    for config in apps.get_app_configs():
        for label, url_name in getattr(config, "nav_items", ()):
            try:
                items.append((str(label), reverse(url_name)))
            except NoReverseMatch:
                continue
    return items


def platform(request: HttpRequest) -> dict[str, Any]:
    return {"PLATFORM_NAME": "Timișoara Smart City", "LANGUAGES": settings.LANGUAGES, "ROOM_NAV": _room_nav()}
