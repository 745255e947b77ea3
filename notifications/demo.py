"""Demo data of the notifications room: one invented subscriber without an account (an e-mail address on
the reserved example.org domain) subscribed by place three ways — a neighbourhood (Centru), a point with a
radius (Complexul Studențesc, 1 km) and a drawn area (around Piața Traian, Fabric) — so that the delivery log
in the back office fills as soon as the other rooms' demos publish events there. Flagged `is_demo`;
`remove_demo_data` deletes them with their deliveries. Idempotent."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import Neighbourhood
from notifications import geometry as geo
from notifications.models import Endpoint, EventRecord, Subscription

ACTOR = "loader:notifications-demo"
DEMO_ADDRESS = "vecin.demo@example.org"
FABRIC_AREA = {"type": "Polygon", "coordinates": [[[21.2420, 45.7590], [21.2530, 45.7590], [21.2530, 45.7650],
                                                   [21.2420, 45.7650], [21.2420, 45.7590]]]}


@transaction.atomic
def load_demo_data(stdout: Any) -> None:
    now = timezone.now()
    endpoint, created = Endpoint.objects.get_or_create(
        user=None, kind=Endpoint.Kind.EMAIL, address=DEMO_ADDRESS,
        defaults={"language": "ro", "verified_at": now, "is_demo": True, "label": "Demo"})
    if created:
        audit.record(ACTOR, "notifications.demo_loaded", endpoint)
    if Subscription.objects.filter(endpoint=endpoint, is_demo=True).exists():
        stdout.write("Notifications: demo subscriber already present")
        return
    rows = []
    centre = Neighbourhood.objects.filter(slug="centru").first()
    if centre is not None:
        rows.append(Subscription(endpoint=endpoint, neighbourhood=centre, label="Demo — Centru",
                                 min_lon=centre.min_lon, min_lat=centre.min_lat, max_lon=centre.max_lon,
                                 max_lat=centre.max_lat))
    lat, lon, radius = 45.7478, 21.2392, 1000
    box = geo.circle_bbox(lat, lon, radius)
    rows.append(Subscription(endpoint=endpoint, lat=lat, lon=lon, radius_m=radius,
                             label="Demo — Complexul Studențesc, 1 km", min_lon=box[0], min_lat=box[1],
                             max_lon=box[2], max_lat=box[3]))
    area = geo.bbox(geo.parse_geometry(FABRIC_AREA, areas_only=True))
    rows.append(Subscription(endpoint=endpoint, polygon=FABRIC_AREA, label="Demo — Fabric (zonă desenată)",
                             digest="daily", min_lon=area[0], min_lat=area[1], max_lon=area[2], max_lat=area[3]))
    for row in rows:
        row.confirmed_at, row.is_demo = now, True
    Subscription.objects.bulk_create(rows)
    stdout.write(f"Notifications: demo subscriber with {len(rows)} places")


@transaction.atomic
def remove_demo_data(stdout: Any) -> None:
    subscriptions, _ = Subscription.objects.filter(is_demo=True).delete()
    events, _ = EventRecord.objects.filter(is_demo=True).delete()
    for endpoint in Endpoint.objects.filter(is_demo=True):
        audit.record(ACTOR, "notifications.demo_removed", endpoint)
    endpoints, _ = Endpoint.objects.filter(is_demo=True).delete()
    stdout.write(f"Notifications: removed demo rows ({subscriptions} subscriptions, {endpoints} endpoints, "
                 f"{events} events, with their deliveries)")
