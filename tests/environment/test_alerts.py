"""Alerts: band and limit crossings with hysteresis, published to the notifications pipeline and
delivered to the people subscribed by place (a neighbourhood, a point and a radius, the city), by e-mail
and signed webhooks."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from standardwebhooks import Webhook

from accounts.roles import Role
from environment import alerts, services
from environment.ingest.store import Row, store_readings
from environment.models import AlertEvent, AlertTracker
from notifications import endpoints
from notifications.models import Delivery, EventRecord
from notifications.models import Subscription as NotificationSubscription
from tests.environment.conftest import TIMISOARA
from tests.notifications.receivers import http_receiver

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)
PM10, PM25 = 1, 2


@pytest.fixture
def feed(django_capture_on_commit_callbacks: Any) -> Any:
    """feed(sensor, start, minutes, value): a reading every 5 minutes, alerts evaluated after each
    (as the worker does after each batch); notifications are delivered as each step commits."""

    def run(sensor: Any, start: dt.datetime, minutes: int, value: float, quantity: int = PM25) -> dt.datetime:
        moment = start
        for step in range(0, minutes, 5):
            moment = start + dt.timedelta(minutes=step)
            with django_capture_on_commit_callbacks(execute=True):
                with transaction.atomic():
                    store_readings([Row(sensor.pk, quantity, moment, value)])
                alerts.evaluate([sensor.pk], now=moment + dt.timedelta(seconds=30))
        return moment + dt.timedelta(minutes=5)

    return run


@pytest.fixture
def subscriber(make_user: Any) -> Any:
    user = make_user(Role.CITIZEN, email="breathes@example.org")
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


@pytest.fixture
def quarter(db: Any) -> Any:
    """A neighbourhood 600 m east of the test sensors, which stand just outside it (their air reaches it)."""
    from core.models import Neighbourhood

    lat, lon = TIMISOARA
    west, east, south, north = lon + 0.008, lon + 0.02, lat - 0.005, lat + 0.005
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return Neighbourhood.objects.create(slug="test-quarter", name="Cartierul de test",
                                        geometry={"type": "Polygon", "coordinates": [ring]},
                                        min_lon=west, min_lat=south, max_lon=east, max_lat=north)


def near(sensor: Any, subscriber: Any, kind: str = "aqi", min_level: int = 3, radius_m: int = 1000) -> Any:
    """A subscription by place: a point 300 m north of the sensor, with a radius."""
    return services.subscribe(subscriber, kind=kind, min_level=min_level, place="point",
                              lat=sensor.station.latitude + 0.0027, lon=sensor.station.longitude, radius_m=radius_m)


def test_a_band_crossing_is_announced_once_after_the_dwell(register: Any, subscriber: Any, feed: Any) -> None:
    sensor, _key = register()
    near(sensor, subscriber, min_level=3)
    moment = feed(sensor, T0, 120, 10.0)  # Fair for two hours: below the subscriber's level
    assert not mail.outbox
    moment = feed(sensor, moment, 30, 70.0)  # Poor, but not yet for an hour
    assert not mail.outbox
    moment = feed(sensor, moment, 90, 70.0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["breathes@example.org"]
    assert "“Fair” to “Poor”" in message.body and "/notifications/unsubscribe/" in message.body
    assert message.subject == "Air quality alert"
    event = AlertEvent.objects.filter(sensor=sensor, key="aqi:pm2_5").latest("time")
    assert (event.from_level, event.to_level) == (2, 4)
    [record] = [r for r in EventRecord.objects.filter(kind="environment.alert_raised",
                                                      subject=f"environment.sensor:{sensor.pk}")
                if r.data["key"] == "aqi:pm2_5" and r.data["to_level"] == 4]
    assert record.geometry["type"] == "Polygon" and record.severity == "warning"
    assert Delivery.objects.get(event=record, channel="email").status == Delivery.Status.SENT


def test_a_value_hovering_at_a_boundary_does_not_flood(register: Any, subscriber: Any, feed: Any) -> None:
    sensor, _key = register()
    near(sensor, subscriber, min_level=1)
    moment = feed(sensor, T0, 120, 55.0)  # Poor (above 50)
    assert len(mail.outbox) == 1  # Good → Poor, once
    for hour in range(6):  # hourly means swinging across 50 µg/m³ within the 10 % dead band
        moment = feed(sensor, moment, 60, 48.0 if hour % 2 else 52.0)
    assert len(mail.outbox) == 1
    assert AlertTracker.objects.get(sensor=sensor, key="aqi:pm2_5").level == 3  # still "Poor" (index 4)


def test_daily_limit_crossing_and_city_alert(register: Any, subscriber: Any, feed: Any) -> None:
    sensor, _key = register()
    near(sensor, subscriber, kind="limit")
    services.subscribe(subscriber, kind="aqi", min_level=4, place="city")
    feed(sensor, T0, 180, 150.0, quantity=PM10)
    bodies = [m.body for m in mail.outbox]
    assert any("above the daily limit value of 50" in b and "2008/50/EC" in b for b in bodies)
    assert any("above the daily limit value of 45" in b and "2024/2881" in b for b in bodies)
    assert any("Timișoara (median of the sensors)" in b for b in bodies), bodies  # the city moved to Poor
    assert AlertEvent.objects.filter(sensor__isnull=True).exists()


def test_old_data_never_alerts(register: Any, subscriber: Any) -> None:
    sensor, _key = register()
    near(sensor, subscriber, min_level=1)
    with transaction.atomic():
        store_readings([Row(sensor.pk, PM25, T0, 500.0)])
    assert alerts.evaluate([sensor.pk], now=T0 + dt.timedelta(days=2)) == []


def test_a_place_far_from_every_sensor_hears_nothing(register: Any, subscriber: Any, feed: Any) -> None:
    sensor, _key = register()
    services.subscribe(subscriber, kind="aqi", min_level=1, place="point", lat=sensor.station.latitude + 0.1,
                       lon=sensor.station.longitude, radius_m=1000)  # 11 km north
    feed(sensor, T0, 120, 55.0)
    assert AlertEvent.objects.filter(sensor=sensor).exists() and not mail.outbox


def test_a_neighbourhood_subscription_uses_the_sensors_in_and_around_it(register: Any, subscriber: Any,
                                                                       feed: Any, quarter: Any) -> None:
    sensor, _key = register()
    area = quarter
    services.subscribe(subscriber, kind="aqi", min_level=1, place="neighbourhood", neighbourhood=area)
    feed(sensor, T0, 120, 55.0)
    assert len(mail.outbox) == 1 and "“Good” to “Poor”" in mail.outbox[0].body


def test_a_sensor_page_subscription_is_the_place_around_the_sensor(register: Any, subscriber: Any) -> None:
    sensor, _key = register()
    subscription = services.subscribe(subscriber, kind="aqi", min_level=3, sensor=sensor)
    assert (subscription.lat, subscription.lon, subscription.radius_m) == (
        sensor.station.public_latitude, sensor.station.public_longitude, services.SENSOR_RADIUS_M)
    assert subscription.topic == "environment.aqi.level:3"


def test_webhook_receives_an_event_signed_per_standard_webhooks(register: Any, subscriber: Any, settings: Any,
                                                                feed: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on this machine
    sensor, _key = register()
    near(sensor, subscriber, min_level=1)
    with http_receiver("/hooks/air") as consumer:
        _endpoint, secret = endpoints.add_webhook(subscriber, consumer.url)
        feed(sensor, T0, 120, 30.0)
    assert consumer.requests
    request = consumer.requests[0]
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "environment.alert_raised"
    data = payload["data"]["data"]
    assert data["sensor_id"] == sensor.sensor_id and data["key"] == "aqi:pm2_5"
    assert json.loads(request.body)["data"]["geometry"]["type"] == "Polygon"


def test_webhook_is_not_sent_when_private_addresses_are_no_longer_allowed(
        register: Any, subscriber: Any, settings: Any, feed: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    sensor, _key = register()
    near(sensor, subscriber, min_level=1)
    with http_receiver() as consumer:
        endpoint, _secret = endpoints.add_webhook(subscriber, consumer.url)
        settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
        feed(sensor, T0, 120, 30.0)
    assert not consumer.requests
    failed = Delivery.objects.get(endpoint=endpoint)
    assert failed.status == "failed" and "https" in failed.last_error  # http was only allowed for local receivers


def test_alert_page_subscribe_list_and_remove(client: Any, subscriber: Any, register: Any, make_user: Any,
                                              quarter: Any) -> None:
    sensor, _key = register()
    assert client.get("/en/air/alerts/").status_code == 302  # sign in first
    client.force_login(subscriber)
    page = client.get(f"/en/air/alerts/?sensor={sensor.sensor_id}")
    assert page.status_code == 200 and sensor.sensor_id in page.content.decode()
    bad = client.post("/en/air/alerts/", {"sensor": "nope", "kind": "aqi", "min_level": 3, "place": "city"})
    assert bad.status_code == 400 and "There is no sensor nope" in bad.content.decode()
    for hostile, field in (({"place": "neighbourhood", "neighbourhood": "atlantis"}, "neighbourhood"),
                           ({"place": "point", "lat": "91", "lon": "21"}, "lat"),
                           ({"place": "point", "lat": "45.75"}, "lat"),
                           ({"place": "moon"}, "place"), ({"place": "city", "min_level": "9"}, "min_level")):
        answer = client.post("/en/air/alerts/", {"kind": "aqi", "min_level": 3, **hostile})
        assert answer.status_code == 400, hostile
        assert f'id="id_{field}-errors"' in answer.content.decode(), hostile
    assert not NotificationSubscription.objects.exists()
    area = quarter
    ok = client.post("/en/air/alerts/", {"place": "neighbourhood", "neighbourhood": area.slug, "kind": "aqi",
                                         "min_level": 3})
    assert ok.status_code == 302
    ok = client.post("/en/air/alerts/", {"place": "point", "lat": "45.75", "lon": "21.22", "radius_m": 2000,
                                         "kind": "limit", "min_level": 3})
    assert ok.status_code == 302
    by_sensor = client.post(f"/en/air/alerts/?sensor={sensor.sensor_id}", {
        "sensor": sensor.sensor_id, "place": "point", "kind": "aqi", "min_level": 4})
    assert by_sensor.status_code == 302
    listed = client.get("/en/air/alerts/").content.decode()
    assert area.name in listed and "2000 m around" in listed
    subscription = NotificationSubscription.objects.filter(user=subscriber).first()
    assert NotificationSubscription.objects.filter(user=subscriber).count() == 3
    other = make_user(Role.CITIZEN)
    client.force_login(other)
    assert client.post("/en/air/alerts/", {"delete": subscription.pk}).status_code == 403
    client.force_login(subscriber)
    assert client.post("/en/air/alerts/", {"delete": subscription.pk}).status_code == 302
    assert NotificationSubscription.objects.filter(user=subscriber).count() == 2


def test_unsubscribe_link(client: Any, subscriber: Any, register: Any, feed: Any) -> None:
    """The one-click link (RFC 8058) in each alert e-mail ends that subscription."""
    sensor, _key = register()
    near(sensor, subscriber, min_level=1)
    moment = feed(sensor, T0, 120, 55.0)
    path = re.search(r"https?://[^/\s]+(/notifications/unsubscribe/\S+)", mail.outbox[0].body).group(1)
    assert client.get(path).status_code == 200
    assert NotificationSubscription.objects.filter(user=subscriber).exists()  # a GET changes nothing
    assert client.post(path).status_code == 200
    assert not NotificationSubscription.objects.filter(user=subscriber).exists()
    mail.outbox.clear()
    feed(sensor, moment, 180, 5.0)  # back to good: no one is told any more
    assert mail.outbox == []
