"""Waze's Closure and Incident Feed Specification (CIFS), JSON form. Pure: no Django import.

Only full road closures are written (type ROAD_CLOSED): CIFS closures stand for all lanes closed,
so other announcements stay out of this feed. Each drawn line becomes one incident (a closure
can only follow one street), with an id stable over the closure's life: "<thread>" or "<thread>-<n>".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

SUBTYPES = {"construction": "ROAD_CLOSED_CONSTRUCTION", "event": "ROAD_CLOSED_EVENT",
            "hazard": "ROAD_CLOSED_HAZARD"}


@dataclass(frozen=True)
class Closure:
    id: str
    polyline: str              # "lat lon lat lon …"
    street: str
    starttime: dt.datetime
    endtime: dt.datetime | None
    description: str
    direction: str             # BOTH_DIRECTIONS or ONE_DIRECTION
    location: str = ""         # where, in words (neighbourhoods)
    subtype: str = ""          # construction / event / hazard
    updated: dt.datetime | None = None


def cifs_time(moment: dt.datetime) -> str:
    """yyyy-MM-dd'T'HH:mm:ss+HH:mm (seconds, explicit offset)."""
    if moment.tzinfo is None:
        raise ValueError("CIFS times must be timezone-aware")
    return moment.replace(microsecond=0).isoformat()


def incident(closure: Closure) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": closure.id,
        "type": "ROAD_CLOSED",
        "polyline": closure.polyline,
        "street": closure.street,
        "starttime": cifs_time(closure.starttime),
        "description": closure.description,
        "direction": closure.direction,
    }
    if closure.subtype in SUBTYPES:
        item["subtype"] = SUBTYPES[closure.subtype]
    if closure.endtime is not None:
        item["endtime"] = cifs_time(closure.endtime)
    if closure.location:
        item["location"] = closure.location
    if closure.updated is not None:
        item["updatetime"] = cifs_time(closure.updated)
    return item


def feed(closures: list[Closure]) -> dict[str, Any]:
    return {"incidents": [incident(closure) for closure in closures]}
