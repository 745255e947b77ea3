"""Finding a typed place on the map.

Always available: the city's mapped neighbourhoods (local data, no third party). Optionally, street
addresses through a Nominatim server (REPORTS_NOMINATIM_URL, e.g. https://nominatim.openstreetmap.org),
called by the server, limited to Timișoara's box and cached, so citizens' browsers talk to nobody
else. Without it, citizens place the pin on the map or use their device's location.
"""

from __future__ import annotations

import json
import os
import unicodedata
import urllib.parse
import urllib.request
from typing import Any

from django.core.cache import cache
from shapely.geometry import shape

from core.models import Neighbourhood

VIEWBOX = "21.10,45.83,21.37,45.67"  # lon/lat corners of the municipality, for Nominatim


def _fold(text: str) -> str:
    """Case- and diacritic-insensitive form: "Dâmbovița" matches "dambovita"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _neighbourhoods(query: str) -> list[dict[str, Any]]:
    folded = _fold(query)
    results = []
    for name, geometry in Neighbourhood.objects.values_list("name", "geometry"):
        if folded in _fold(name):
            point = shape(geometry).representative_point()
            results.append({"label": name, "lat": round(point.y, 6), "lon": round(point.x, 6), "kind": "area"})
    return results[:5]


def _nominatim(query: str) -> list[dict[str, Any]]:
    base = os.environ.get("REPORTS_NOMINATIM_URL", "").rstrip("/")
    if not base.startswith(("https://", "http://")):
        return []
    key = "reports:geocode:" + _fold(query)[:150]
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    params = urllib.parse.urlencode({"q": f"{query}, Timișoara", "format": "jsonv2", "limit": 5,
                                     "viewbox": VIEWBOX, "bounded": 1, "countrycodes": "ro"})
    request = urllib.request.Request(f"{base}/search?{params}", headers={  # noqa: S310 (http(s) only, above)
        "User-Agent": os.environ.get("REPORTS_NOMINATIM_AGENT", "timisoara-smart-city-reports/1.0")})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (configured https URL)
            found = json.loads(response.read(200_000))
    except (OSError, ValueError):
        return []
    results = [{"label": item.get("display_name", "")[:200], "lat": float(item["lat"]), "lon": float(item["lon"]),
                "kind": "address"} for item in found if "lat" in item and "lon" in item]
    cache.set(key, results, 86400)
    return results


def search(query: str) -> list[dict[str, Any]]:
    return _neighbourhoods(query) + _nominatim(query)
