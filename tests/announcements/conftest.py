"""Fixtures of the announcements tests: the real neighbourhood polygons, staff, a published closure."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings

# A real street: Bulevardul Vasile Pârvan east of Bulevardul Mihai Viteazu (OpenStreetMap street index).
PARVAN = {"type": "LineString", "coordinates": [[21.227001, 45.747771], [21.228381, 45.747752], [21.229233, 45.747795],
                                                [21.23027, 45.747886], [21.23116, 45.747982], [21.232178, 45.748139]]}
CIRCUMVALATIUNII_BOX = {"type": "Polygon", "coordinates": [[[21.2123, 45.758], [21.2203, 45.758], [21.2203, 45.763],
                                                            [21.2123, 45.763], [21.2123, 45.758]]]}


@pytest.fixture
def neighbourhoods(db: Any) -> None:
    from core.geo import load_neighbourhoods

    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson", actor="tests")


@pytest.fixture
def staff(make_user: Any) -> Any:
    from accounts.roles import Role

    return make_user(Role.DEPARTMENT_STAFF)


def draft(**changes: Any) -> Any:
    from django.utils import timezone

    from announcements.services import Draft

    now = timezone.now()
    values: dict[str, Any] = {
        "category": "street_closure", "severity": "warning",
        "title_ro": "Bulevardul Vasile Pârvan închis", "title_en": "Bulevardul Vasile Pârvan closed",
        "body_ro": "Circulația este închisă pe ambele sensuri.", "body_en": "The road is closed in both directions.",
        "starts_at": now - dt.timedelta(hours=2), "ends_at": now + dt.timedelta(days=2),
        "geometry": json.dumps(PARVAN)}
    values.update(changes)
    return Draft(**values)


@pytest.fixture
def closure(neighbourhoods: None, staff: Any) -> Any:
    from announcements import services

    return services.publish(staff, draft())
