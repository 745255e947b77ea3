"""The platform's one geocoding entry point: typed places to points, points to addresses.

- Local and always available: the street index built from OpenStreetMap (`core.geocoding`, file
  settings.STREET_INDEX_PATH, default data/timisoara/streets.json.xz) and the mapped neighbourhoods.
- Optional: a Nominatim server (NOMINATIM_URL; the older name REPORTS_NOMINATIM_URL still works, with
  NOMINATIM_USER_AGENT / REPORTS_NOMINATIM_AGENT), called by our server with the city's box and cached
  a day. It is asked when the local index does not know the house number.

Reverse geocoding (a report's nearest address) is local only: it runs on every new report and must
not depend on a third party.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from shapely.geometry import shape

from core.geocoding import names, nominatim
from core.geocoding.streets import IndexError_, NearestAddress, Place, StreetIndex

logger = logging.getLogger(__name__)

VIEWBOX = "21.10,45.83,21.37,45.67"  # lon/lat corners of the municipality, for Nominatim
ACCEPT_SCORE = 0.85  # a typed address is placed without asking only when its street matches this well
NOMINATIM_CACHE_SECONDS = 86400

_lock = threading.Lock()
_loaded: dict[str, tuple[float, StreetIndex]] = {}


def index_path() -> Path:
    configured = getattr(settings, "STREET_INDEX_PATH", None)
    return Path(configured) if configured else Path(settings.BASE_DIR) / "data" / "timisoara" / "streets.json.xz"


def street_index() -> StreetIndex | None:
    """The street index, loaded once per process (again when the file changes); None without a file."""
    path = index_path()
    try:
        modified = path.stat().st_mtime
    except OSError:
        return None
    key = str(path)
    cached = _loaded.get(key)
    if cached is not None and cached[0] == modified:
        return cached[1]
    with _lock:
        cached = _loaded.get(key)
        if cached is not None and cached[0] == modified:
            return cached[1]
        try:
            index = StreetIndex.load(path)
        except IndexError_:
            logger.exception("street index %s cannot be read", path)
            return None
        _loaded[key] = (modified, index)
        return index


def reset() -> None:
    _loaded.clear()


def nominatim_url() -> str:
    return str(getattr(settings, "NOMINATIM_URL", "") or os.environ.get("NOMINATIM_URL")
               or os.environ.get("REPORTS_NOMINATIM_URL", ""))


def _user_agent() -> str:
    return (os.environ.get("NOMINATIM_USER_AGENT") or os.environ.get("REPORTS_NOMINATIM_AGENT")
            or "timisoara-smart-city/1.0")


def _nominatim(query: str) -> list[Place]:
    base = nominatim_url()
    if not base:
        return []
    key = "geocoder:nominatim:" + names.slug(query)[:150]
    cached = cache.get(key)
    if cached is not None:
        return [Place(**item) for item in cached]
    found = nominatim.search(base, query, viewbox=VIEWBOX, user_agent=_user_agent())
    cache.set(key, [asdict(place) for place in found], NOMINATIM_CACHE_SECONDS)
    return found


def _neighbourhoods(query: str, limit: int) -> list[dict[str, Any]]:
    from core.models import Neighbourhood

    folded = names.fold(query)
    results = []
    for name, geometry in Neighbourhood.objects.values_list("name", "geometry"):
        if folded in names.fold(name):
            point = shape(geometry).representative_point()
            results.append({"label": name, "lat": round(point.y, 6), "lon": round(point.x, 6), "kind": "area",
                            "address_id": ""})
    return results[:limit]


def _as_dict(place: Place) -> dict[str, Any]:
    return {"label": place.label, "lat": place.lat, "lon": place.lon, "kind": place.kind,
            "address_id": place.address_id}


def _name_the_area_of_namesakes(results: list[dict[str, Any]]) -> None:
    """Two streets of one name (in two suburbs) are told apart by their neighbourhood."""
    labels = [item["label"] for item in results]
    repeated = {label for label in labels if labels.count(label) > 1}
    if not repeated:
        return
    from core.geo import neighbourhood_slug_for
    from core.models import Neighbourhood

    area_names = dict(Neighbourhood.objects.values_list("slug", "name"))
    for item in results:
        if item["label"] in repeated:
            slug = neighbourhood_slug_for(item["lat"], item["lon"])
            item["label"] = f"{item['label']} ({area_names[slug]})" if slug in area_names else \
                f"{item['label']} ({item['lat']:.4f}, {item['lon']:.4f})"


def suggest(query: str, *, limit: int = 6) -> list[dict[str, Any]]:
    """What a search box offers for typed text: streets and addresses, then neighbourhoods, then the
    external geocoder's answers (when configured), without repeating a label."""
    query = query.strip()[:200]
    if len(query) < 2:
        return []
    index = street_index()
    results = [_as_dict(place) for place in (index.geocode(query, limit=limit) if index else [])]
    _name_the_area_of_namesakes(results)
    areas = _neighbourhoods(query, 3)
    folded = names.fold(query)
    # A neighbourhood typed in full ("Dâmbovița") comes before the streets named after it.
    results = [a for a in areas if names.fold(a["label"]) == folded] + results + \
        [a for a in areas if names.fold(a["label"]) != folded]
    if not any(item["kind"] == "address" for item in results):
        results += [_as_dict(place) for place in _nominatim(query)]
    seen: set[str] = set()
    unique = []
    for item in results:
        if item["label"] not in seen:
            seen.add(item["label"])
            unique.append(item)
    return unique[:limit]


def locate(text: str) -> Place | None:
    """One point for a typed address, or None when it cannot be placed with confidence: the local
    house number, else the external geocoder, else the local street (a point on it)."""
    text = text.strip()[:300]
    if len(text) < 2:
        return None
    index = street_index()
    local = index.geocode(text, limit=1) if index else []
    if local and local[0].kind == "address":
        return local[0]
    remote = _nominatim(text)
    if remote:
        return remote[0]
    if local and local[0].score >= ACCEPT_SCORE:
        return local[0]
    return None


def locate_address_id(address_id: str) -> Place | None:
    """The place an address id of the street index names ("strada-x" or "strada-x/12a")."""
    index = street_index()
    return index.by_address_id(address_id[:200]) if index else None


def nearest_address(lat: float, lon: float) -> NearestAddress | None:
    """The nearest house number (within 40 m) or street (within 250 m), from the local index."""
    index = street_index()
    return index.reverse(lat, lon) if index else None
