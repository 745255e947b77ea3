"""Alerts: band and limit crossings with hysteresis, email and webhook delivery, subscriptions."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.roles import Role
from environment import alerts, services
from environment.ingest.store import Row, store_readings
from environment.models import AlertEvent, AlertSubscription, AlertTracker, Notification

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
    return make_user(Role.CITIZEN, email="breathes@example.org")


def test_a_band_crossing_is_announced_once_after_the_dwell(register: Any, subscriber: Any, feed: Any) -> None:
    sensor, _key = register()
    services.subscribe(subscriber, sensor=sensor, kind="aqi", channel="email", min_level=3, language="en")
    moment = feed(sensor, T0, 120, 10.0)  # Fair for two hours: below the subscriber's level
    assert not mail.outbox
    moment = feed(sensor, moment, 30, 70.0)  # Poor, but not yet for an hour
    assert not mail.outbox
    moment = feed(sensor, moment, 90, 70.0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["breathes@example.org"]
    assert "“Fair” to “Poor”" in message.body and "/air/alerts/unsubscribe/" in message.body
    event = AlertEvent.objects.filter(sensor=sensor, key="aqi:pm2_5").latest("time")
    assert (event.from_level, event.to_level) == (2, 4)
    assert Notification.objects.get(event=event).status == "sent"


def test_a_value_hovering_at_a_boundary_does_not_flood(register: Any, subscriber: Any, feed: Any) -> None:
    sensor, _key = register()
    services.subscribe(subscriber, sensor=sensor, kind="aqi", channel="email", min_level=1, language="en")
    moment = feed(sensor, T0, 120, 55.0)  # Poor (above 50)
    assert len(mail.outbox) == 1  # Good → Poor, once
    for hour in range(6):  # hourly means swinging across 50 µg/m³ within the 10 % dead band
        moment = feed(sensor, moment, 60, 48.0 if hour % 2 else 52.0)
    assert len(mail.outbox) == 1
    assert AlertTracker.objects.get(sensor=sensor, key="aqi:pm2_5").level == 3  # still "Poor" (index 4)


def test_daily_limit_crossing_and_city_alert(register: Any, subscriber: Any, feed: Any) -> None:
    sensor, _key = register()
    services.subscribe(subscriber, sensor=sensor, kind="limit", channel="email", language="en")
    services.subscribe(subscriber, sensor=None, kind="aqi", channel="email", min_level=4, language="en")
    feed(sensor, T0, 180, 150.0, quantity=PM10)
    bodies = [m.body for m in mail.outbox]
    assert any("above the daily limit value of 50" in b and "2008/50/EC" in b for b in bodies)
    assert any("above the daily limit value of 45" in b and "2024/2881" in b for b in bodies)
    assert any("Timișoara (median of the sensors)" in b for b in bodies), bodies  # the city moved to Poor
    assert AlertEvent.objects.filter(sensor__isnull=True).exists()


def test_old_data_never_alerts(register: Any, subscriber: Any) -> None:
    sensor, _key = register()
    services.subscribe(subscriber, sensor=sensor, kind="aqi", channel="email", min_level=1)
    with transaction.atomic():
        store_readings([Row(sensor.pk, PM25, T0, 500.0)])
    assert alerts.evaluate([sensor.pk], now=T0 + dt.timedelta(days=2)) == []


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/air"
    server.shutdown()


def test_webhook_receives_a_signed_event(register: Any, subscriber: Any, receiver: str, settings: Any,
                                         feed: Any) -> None:
    settings.ENVIRONMENT_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on this machine
    sensor, _key = register()
    subscription = services.subscribe(subscriber, sensor=sensor, kind="aqi", channel="webhook", min_level=1,
                                      webhook_url=receiver)
    feed(sensor, T0, 120, 30.0)
    assert _Receiver.received
    headers, body = _Receiver.received[0]
    expected = hmac.new(subscription.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Smartcity-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["sensor_id"] == sensor.sensor_id and payload["key"] == "aqi:pm2_5"


def test_webhook_is_not_sent_when_private_addresses_are_no_longer_allowed(
        register: Any, subscriber: Any, receiver: str, settings: Any, feed: Any) -> None:
    settings.ENVIRONMENT_WEBHOOK_ALLOW_PRIVATE = True
    sensor, _key = register()
    services.subscribe(subscriber, sensor=sensor, kind="aqi", channel="webhook", min_level=1, webhook_url=receiver)
    settings.ENVIRONMENT_WEBHOOK_ALLOW_PRIVATE = False
    feed(sensor, T0, 120, 30.0)
    assert not _Receiver.received
    failed = Notification.objects.get()
    assert failed.status == "failed" and "https" in failed.last_error  # http was only allowed for local receivers


@pytest.mark.parametrize("url", [
    "http://93.184.215.14/hook",          # plain http
    "https://127.0.0.1/hook", "https://10.1.2.3/x", "https://192.168.0.5/", "https://169.254.169.254/latest",
    "https://[::1]/x", "https://[::ffff:127.0.0.1]/x", "https://100.64.0.1/", "https://0.0.0.0/",
    "https://localhost/x", "https://user:pw@93.184.215.14/", "ftp://93.184.215.14/", "https:///nohost",
    "https://" + "a" * 600 + ".org/",
])
def test_webhook_addresses_that_are_refused(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        alerts.validate_webhook_url(url)
    assert "webhook_url" in refused.value.message_dict


def test_a_public_address_literal_is_accepted() -> None:
    target = alerts.validate_webhook_url("https://93.184.215.14:8443/hooks?x=1")
    assert target.addresses == ("93.184.215.14",) and target.port == 8443 and target.path == "/hooks?x=1"


def test_alert_page_subscribe_list_and_remove(client: Any, subscriber: Any, register: Any, make_user: Any) -> None:
    sensor, _key = register()
    assert client.get("/en/air/alerts/").status_code == 302  # sign in first
    client.force_login(subscriber)
    page = client.get(f"/en/air/alerts/?sensor={sensor.sensor_id}")
    assert page.status_code == 200 and sensor.sensor_id in page.content.decode()
    bad = client.post("/en/air/alerts/", {"sensor": "nope", "kind": "aqi", "min_level": 3, "channel": "email"})
    assert bad.status_code == 400 and "There is no sensor nope" in bad.content.decode()
    private = client.post("/en/air/alerts/", {"sensor": "", "kind": "aqi", "min_level": 3, "channel": "webhook",
                                              "webhook_url": "https://10.0.0.8/hook"})
    assert private.status_code == 400 and "private or reserved" in private.content.decode()
    ok = client.post("/en/air/alerts/", {"sensor": sensor.sensor_id, "kind": "aqi", "min_level": 3,
                                         "channel": "email"})
    assert ok.status_code == 302
    subscription = AlertSubscription.objects.get(user=subscriber)
    other = make_user(Role.CITIZEN)
    client.force_login(other)
    assert client.post("/en/air/alerts/", {"delete": subscription.pk}).status_code == 403
    client.force_login(subscriber)
    assert client.post("/en/air/alerts/", {"delete": subscription.pk}).status_code == 302
    assert not AlertSubscription.objects.exists()


def test_unsubscribe_link(client: Any, subscriber: Any) -> None:
    subscription = services.subscribe(subscriber, sensor=None, kind="aqi", channel="email")
    token = alerts.unsubscribe_token(subscription)
    assert client.get(f"/en/air/alerts/unsubscribe/{token}/").status_code == 200
    assert AlertSubscription.objects.exists()
    assert client.post(f"/en/air/alerts/unsubscribe/{token}/").status_code == 200
    assert not AlertSubscription.objects.exists()
    assert client.get("/en/air/alerts/unsubscribe/forged-token/").status_code == 404
