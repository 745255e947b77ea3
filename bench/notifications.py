"""Benchmark of the notifications pipeline (issue 15's performance section).

1. Resolving recipients: N subscriptions by place (a third by neighbourhood, a third by point + radius, a
   third by drawn area, spread over the city) and one announcement polygon over a district; time of
   `pipeline.matching_subscriptions` (bounding-box query, then exact shapely checks on the candidates)
   side by side with a naive check of every subscription in Python.
2. Fan-out: `pipeline.fan_out` for that event (matching, de-duplication, scheduling, deliveries written
   in bulk, send tasks enqueued): deliveries per second.
3. E-mail to a real local SMTP server (aiosmtpd on 127.0.0.1): messages per second through the e-mail
   channel with one connection per batch, side by side with one connection per message.

Runs on a fresh SQLite database in a temporary directory (or on DATABASE_URL when set: use a database of
your own), with the task queue in that directory.

    .venv/bin/python bench/notifications.py            # 100,000 subscriptions, 2,000 e-mails
    .venv/bin/python bench/notifications.py --quick    # 10,000 subscriptions, 300 e-mails
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A district in the east of the city (Fabric and around): the announcement's area.
DISTRICT = {"type": "Polygon", "coordinates": [[[21.235, 45.750], [21.265, 45.750], [21.265, 45.770],
                                                [21.235, 45.770], [21.235, 45.750]]]}
CITY = (45.72, 21.18, 45.79, 21.28)  # min_lat, min_lon, max_lat, max_lon


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count, mails = (10_000, 300) if args.quick else (100_000, 2_000)
    sys.path.insert(0, str(ROOT))
    var = tempfile.mkdtemp(prefix="notifications-bench-")
    os.environ.setdefault("SMARTCITY_VAR_DIR", var)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from shapely.geometry import shape

    from core.geo import load_neighbourhoods
    from core.models import Neighbourhood
    from notifications import geometry as geo
    from notifications import pipeline
    from notifications.events import Event
    from notifications.models import Delivery, Endpoint, Subscription

    call_command("migrate", verbosity=0)
    load_neighbourhoods(ROOT / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; subscriptions: {count:,}")

    rng = random.Random(15)
    now = timezone.now()
    neighbourhoods = list(Neighbourhood.objects.all())
    endpoints = Endpoint.objects.bulk_create(
        [Endpoint(kind="email", address=f"bench{n}@example.org", verified_at=now) for n in range(count)],
        batch_size=5000)
    if endpoints[0].pk is None:  # databases without RETURNING on bulk insert
        endpoints = list(Endpoint.objects.order_by("pk"))
    rows = []
    for n, endpoint in enumerate(endpoints):
        lat, lon = rng.uniform(CITY[0], CITY[2]), rng.uniform(CITY[1], CITY[3])
        sub = Subscription(endpoint=endpoint, confirmed_at=now)
        if n % 3 == 0:
            area = rng.choice(neighbourhoods)
            sub.neighbourhood = area
            sub.min_lon, sub.min_lat, sub.max_lon, sub.max_lat = area.min_lon, area.min_lat, area.max_lon, area.max_lat
        elif n % 3 == 1:
            sub.lat, sub.lon, sub.radius_m = lat, lon, rng.choice([250, 500, 1000, 2000])
            sub.min_lon, sub.min_lat, sub.max_lon, sub.max_lat = geo.circle_bbox(lat, lon, sub.radius_m)
        else:
            d = rng.uniform(0.002, 0.01)
            sub.polygon = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d],
                                                               [lon, lat + d], [lon, lat]]]}
            sub.min_lon, sub.min_lat, sub.max_lon, sub.max_lat = lon, lat, lon + d, lat + d
        rows.append(sub)
    Subscription.objects.bulk_create(rows, batch_size=5000)

    with transaction.atomic():
        record = pipeline.record_event(Event(kind="bench.closure", room="bench", subject="bench.closure:1",
                                             title={"ro": "Închidere", "en": "Closure"}, body={"ro": "", "en": ""},
                                             url="/", geometry=DISTRICT))

    start = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        matched = profile.runcall(pipeline.matching_subscriptions, record)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(18)
    else:
        matched = pipeline.matching_subscriptions(record)
    indexed = time.perf_counter() - start

    start = time.perf_counter()
    event_shape = geo.parse_geometry(DISTRICT)
    areas = {n.pk: shape(n.geometry) for n in neighbourhoods}
    naive = 0
    for sub in Subscription.objects.all().iterator(chunk_size=5000):
        if sub.neighbourhood_id is not None:
            hit = areas[sub.neighbourhood_id].intersects(event_shape)
        elif sub.radius_m is not None:
            hit = geo.within_radius(event_shape, sub.lat, sub.lon, sub.radius_m)  # type: ignore[arg-type]
        else:
            hit = geo.parse_geometry(sub.polygon, areas_only=True).intersects(event_shape)
        naive += bool(hit)
    naive_seconds = time.perf_counter() - start
    assert naive == len(matched), (naive, len(matched))
    print(f"1. resolve recipients: {len(matched):,} of {count:,} match; bounding-box query + exact check "
          f"{indexed:.3f} s; naive check of every subscription {naive_seconds:.3f} s "
          f"({naive_seconds / indexed:.1f}x)")

    start = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        created = profile.runcall(pipeline.fan_out, str(record.pk))
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    else:
        created = pipeline.fan_out(str(record.pk))
    fan_out = time.perf_counter() - start
    assert created == Delivery.objects.filter(event=record).count() == len(matched)
    print(f"2. fan-out: {created:,} deliveries written and their send tasks enqueued in {fan_out:.3f} s "
          f"({created / fan_out:,.0f} deliveries/s)")
    smtp(mails)


def smtp(mails: int) -> None:
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.utils import timezone

    from notifications.channels.base import OutgoingMessage
    from notifications.channels.email import EmailChannel
    from notifications.models import Endpoint

    class Handler:
        received = 0

        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # aiosmtpd's hook
            Handler.received += 1
            return "250 OK"

    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    endpoint = Endpoint(kind="email", address="reader@example.org")
    message = OutgoingMessage(delivery_id=1, kind="bench.closure", language="ro", subject="Închidere",
                              text="Strada închisă.\n", html="<p>Strada închisă.</p>", url="https://x.example/",
                              unsubscribe_url="https://x.example/notifications/unsubscribe/t", payload={},
                              event_id="1", occurred_at=timezone.now())
    try:
        channel = EmailChannel()
        start = time.perf_counter()
        for _ in range(mails):
            channel.send(endpoint, message)
        channel.close()
        reused = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(mails):
            email = EmailMultiAlternatives(message.subject, message.text, to=[endpoint.address])
            email.attach_alternative(message.html or "", "text/html")
            email.send()  # Django's default: a new connection for each message
        separate = time.perf_counter() - start
    finally:
        controller.stop()
    assert Handler.received == 2 * mails
    print(f"3. e-mail to aiosmtpd: {mails:,} messages; one connection per batch {mails / reused:,.0f} msg/s; "
          f"one connection per message {mails / separate:,.0f} msg/s ({separate / reused:.1f}x)")


if __name__ == "__main__":
    main()
