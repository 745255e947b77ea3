"""The notifications demo: flagged, idempotent, matched by place, removed with its deliveries."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.conf import settings

from notifications import demo
from notifications.events import Event, publish
from notifications.models import Delivery, Endpoint, EventRecord, Subscription

pytestmark = pytest.mark.django_db


def test_demo_subscriber_loads_once_receives_by_place_and_is_removed(
        django_capture_on_commit_callbacks: Any) -> None:
    from core.geo import load_neighbourhoods

    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    demo.load_demo_data(StringIO())
    demo.load_demo_data(StringIO())
    assert Subscription.objects.filter(is_demo=True).count() == 3
    assert Endpoint.objects.filter(is_demo=True).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        publish(Event(kind="tests.closure", room="tests", subject="tests.closure:1",
                      title={"ro": "Închidere demo", "en": "Demo closure"}, body={"ro": "-", "en": "-"}, url="/",
                      geometry={"type": "Point", "coordinates": [21.2257, 45.7537]}, is_demo=True))
    assert Delivery.objects.filter(endpoint__address=demo.DEMO_ADDRESS, status="sent").count() == 1
    demo.remove_demo_data(StringIO())
    assert not Subscription.objects.filter(is_demo=True).exists()
    assert not Endpoint.objects.filter(is_demo=True).exists()
    assert not EventRecord.objects.filter(is_demo=True).exists() and not Delivery.objects.exists()
