"""Finding a typed place on the map: the platform's geocoder (core.geocoder) — the street index built
from OpenStreetMap, the mapped neighbourhoods and, when configured, a Nominatim server."""

from __future__ import annotations

from typing import Any

from core import geocoder


def search(query: str) -> list[dict[str, Any]]:
    return geocoder.suggest(query)
