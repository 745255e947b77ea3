"""Addresses of reports: the nearest address of a point, and placing a typed address.

Both go through the platform's one geocoding entry point (core.geocoder). A report keeps what the
reporter typed in `address` and, separately, the nearest address from the street index in
`nearest_address` (with its distance), so staff and readers always see a street even when nobody
typed one.
"""

from __future__ import annotations

from typing import Any

from core import geocoder
from core.geocoding.streets import Place


def nearest(lat: float, lon: float) -> tuple[str, float | None]:
    """("Strada X nr. N" or "Strada X", distance in metres), or ("", None) far from any street."""
    found = geocoder.nearest_address(lat, lon)
    if found is None:
        return "", None
    return found.label[:200], found.distance_m


def place_typed(text: str) -> Place | None:
    """A point for a typed address (street index, then the external geocoder when configured)."""
    return geocoder.locate(text)


def place_address_id(address_id: str) -> Place | None:
    return geocoder.locate_address_id(address_id)


def fill_nearest_addresses(report_model: Any = None, *, everything: bool = False, batch: int = 2000) -> int:
    """Give reports without one (or every report, after the index was rebuilt) their nearest address.
    Used by migration 0003 (with the historical model) and `manage.py reports_fill_addresses`."""
    if report_model is None:
        from reports.models import Report

        report_model = Report
    rows = report_model.objects.all() if everything else report_model.objects.filter(
        nearest_address="", nearest_address_m__isnull=True)
    changed = 0
    last_id = 0
    while True:
        chunk = list(rows.filter(pk__gt=last_id).order_by("pk").only("pk", "lat", "lon")[:batch])
        if not chunk:
            return changed
        for report in chunk:
            report.nearest_address, report.nearest_address_m = nearest(report.lat, report.lon)
        report_model.objects.bulk_update(chunk, ["nearest_address", "nearest_address_m"])
        changed += len(chunk)
        last_id = chunk[-1].pk
