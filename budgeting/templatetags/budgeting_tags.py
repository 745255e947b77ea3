"""Template helpers of the budgeting room."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from budgeting.explain import format_money

register = template.Library()

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@register.filter
def money(value: Any, currency: str = "") -> str:
    """1234567.5 → "1.234.567,50 lei" (grouped for the active language)."""
    if value is None or value == "":
        return ""
    return format_money(value, currency)


@register.simple_tag
def map_tiles() -> str:
    """Tile URL for Leaflet maps (MAP_TILE_URL in settings, OpenStreetMap by default)."""
    return str(getattr(settings, "MAP_TILE_URL", OSM_TILES))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
