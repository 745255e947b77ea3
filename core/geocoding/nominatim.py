"""An external geocoder: a Nominatim server's /search (no Django import).

Called by our server only (citizens' browsers talk to nobody else), limited to the city's box, with
a short timeout: a slow or absent server degrades to the local street index, never to an error.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

from core.geocoding.streets import Place

MAX_RESPONSE_BYTES = 200_000


def search(base_url: str, query: str, *, viewbox: str, user_agent: str, city: str = "Timișoara",
           limit: int = 5, timeout: float = 4.0) -> list[Place]:
    """Places for a typed address, bounded to viewbox ("min_lon,max_lat,max_lon,min_lat").
    Returns [] when the server is not http(s), fails, or answers something unreadable."""
    base = base_url.rstrip("/")
    if not base.startswith(("https://", "http://")):
        return []
    params = urllib.parse.urlencode({"q": f"{query}, {city}", "format": "jsonv2", "limit": limit,
                                     "viewbox": viewbox, "bounded": 1, "countrycodes": "ro",
                                     "addressdetails": 1})
    request = urllib.request.Request(f"{base}/search?{params}", headers={"User-Agent": user_agent})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only, above)
            found = json.loads(response.read(MAX_RESPONSE_BYTES))
    except (OSError, ValueError):
        return []
    if not isinstance(found, list):
        return []
    return [place for place in (_place(item) for item in found if isinstance(item, dict)) if place is not None]


def _place(item: dict[str, Any]) -> Place | None:
    try:
        lat, lon = float(item["lat"]), float(item["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    address: dict[str, Any] = item["address"] if isinstance(item.get("address"), dict) else {}
    street = str(address.get("road") or address.get("pedestrian") or address.get("square") or "")
    number = str(address.get("house_number") or "")
    label = f"{street} nr. {number}" if street and number else street or str(item.get("display_name", "")).split(",")[0]
    return Place(label=label[:200], lat=round(lat, 6), lon=round(lon, 6), kind="address" if number else "street",
                 street=street[:200], housenumber=number[:20], score=0.9, source="nominatim")
