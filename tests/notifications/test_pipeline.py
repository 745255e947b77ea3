"""The pipeline end to end: events → matching (subject, topic, place) → de-duplicated deliveries →
e-mail over real SMTP (aiosmtpd, tests/conftest.py), quiet hours, digests, retries, rate limit."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Neighbourhood
from notifications import pipeline, subscriptions
from notifications.events import Event, publish
from notifications.models import Delivery, Endpoint, EventRecord, Preferences, Subscription

pytestmark = pytest.mark.django_db
SUBJECT = "tests.thing:1"
# Piața Victoriei, in the "centru" neighbourhood of the OpenStreetMap polygons.
VICTORIEI = {"type": "Point", "coordinates": [21.2257, 45.7537]}


@pytest.fixture
def neighbourhoods(db: Any) -> None:
    from core.geo import load_neighbourhoods

    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")


def event(n: int = 1, **changes: Any) -> Event:
    values: dict[str, Any] = {
        "kind": "tests.changed", "room": "tests", "subject": SUBJECT,
        "title": {"ro": f"Stare nouă {n}", "en": f"New state {n}"},
        "body": {"ro": "Lucrarea a început.", "en": "Work has started."}, "url": "/tests/1/"}
    values.update(changes)
    return Event(**values)


def send(capture: Any, *events: Event) -> None:
    with capture(execute=True):
        for item in events:
            publish(item)


def received(smtp: Any, since: int) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(e.original_content, policy=email.policy.default)  # type: ignore[misc]
            for e in smtp.envelopes[since:]]


def test_a_follower_gets_each_state_as_it_was_in_their_language(make_user: Any, smtp_server: Any,
                                                                 django_capture_on_commit_callbacks: Any) -> None:
    reader, actor = make_user(), make_user()
    reader.preferred_language = "en"
    reader.save()
    subscriptions.follow(reader, SUBJECT)
    subscriptions.follow(actor, SUBJECT)
    before = len(smtp_server.envelopes)
    send(django_capture_on_commit_callbacks, event(1, actor_user_id=actor.pk), event(2, actor_user_id=actor.pk))
    messages = received(smtp_server, before)
    # Two messages, each with the title written when its event happened; none to the actor.
    assert [m["Subject"] for m in messages] == ["New state 1", "New state 2"]
    assert all(m["To"] == reader.email for m in messages)
    text = messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Work has started." in text and "/en/tests/1/" in text
    assert messages[0].get_body(("html",)) is not None
    # The site inbox holds the same notices.
    assert Delivery.objects.filter(user=reader, channel="inbox", status="sent").count() == 2
    assert not Delivery.objects.filter(user=actor).exists()


def test_one_message_per_channel_even_when_several_subscriptions_match(
        make_user: Any, neighbourhoods: None, django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    subscriptions.subscribe(reader, topic="room:tests")
    subscriptions.subscribe(reader, neighbourhood=Neighbourhood.objects.get(slug="centru"))
    subscriptions.subscribe(reader, lat=45.754, lon=21.226, radius_m=500)
    send(django_capture_on_commit_callbacks, event(geometry=VICTORIEI, recipient_user_ids=(reader.pk,)))
    assert sorted(Delivery.objects.filter(user=reader).values_list("channel", flat=True)) == ["email", "inbox"]


def test_places_match_by_neighbourhood_radius_and_drawn_area(
        make_user: Any, neighbourhoods: None, django_capture_on_commit_callbacks: Any) -> None:
    in_centre, near, far, drawn, drawn_elsewhere = (make_user() for _ in range(5))
    subscriptions.subscribe(in_centre, neighbourhood=Neighbourhood.objects.get(slug="centru"))
    subscriptions.subscribe(near, lat=45.7560, lon=21.2257, radius_m=300)  # ~255 m north
    subscriptions.subscribe(far, lat=45.7700, lon=21.2257, radius_m=300)  # ~1.8 km north
    square = {"type": "Polygon", "coordinates": [[[21.22, 45.75], [21.23, 45.75], [21.23, 45.76], [21.22, 45.76],
                                                  [21.22, 45.75]]]}
    elsewhere = {"type": "Polygon", "coordinates": [[[21.20, 45.73], [21.21, 45.73], [21.21, 45.74],
                                                     [21.20, 45.73]]]}
    subscriptions.subscribe(drawn, polygon=square)
    subscriptions.subscribe(drawn_elsewhere, polygon=elsewhere)
    # A topic narrows a place: this one wants only other rooms' events there.
    narrowed = make_user()
    subscriptions.subscribe(narrowed, topic="room:other", lat=45.7537, lon=21.2257, radius_m=100)
    send(django_capture_on_commit_callbacks, event(geometry=VICTORIEI))
    reached = set(Delivery.objects.filter(channel="email").values_list("user_id", flat=True))
    assert reached == {in_centre.pk, near.pk, drawn.pk}


def test_fan_out_queries_do_not_grow_with_recipients(make_user: Any, neighbourhoods: None) -> None:
    def queries_for(count: int, n: int) -> tuple[int, int]:
        Subscription.objects.all().delete()
        users = [make_user() for _ in range(count)]
        for user in users:
            Preferences.objects.create(user=user, digest="daily")  # nothing sent now: fan-out only
            subscriptions.follow(user, f"tests.thing:{100 + n}")
            subscriptions.subscribe(user, neighbourhood=Neighbourhood.objects.get(slug="centru"))
        with transaction.atomic():
            record = pipeline.record_event(event(n, subject=f"tests.thing:{100 + n}", geometry=VICTORIEI))
        with CaptureQueriesContext(connection) as queries:
            created = pipeline.fan_out(str(record.pk))
        return len(queries), created

    few, created_few = queries_for(3, 1)
    many, created_many = queries_for(30, 2)
    assert (created_few, created_many) == (6, 60)
    # event, subject/topic matches, touched neighbourhoods, their subscriptions, radius/area candidates,
    # endpoints, users, preferences, the bulk insert in its transaction, the due deliveries: about 14.
    assert few == many <= 16


def test_quiet_hours_defer_and_critical_goes_through(make_user: Any, smtp_server: Any,
                                                     django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    now = timezone.localtime()
    # A quiet window from an hour ago to an hour from now (whatever the time the test runs).
    Preferences.objects.create(user=reader, quiet_start=(now - dt.timedelta(hours=1)).time().replace(microsecond=0),
                               quiet_end=(now + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0))
    subscriptions.follow(reader, SUBJECT)
    before = len(smtp_server.envelopes)
    send(django_capture_on_commit_callbacks, event(1), event(2, severity="critical"))
    assert [m["Subject"] for m in received(smtp_server, before)] == ["Stare nouă 2"]
    deferred = Delivery.objects.get(user=reader, channel="email", event__severity="info")
    assert deferred.status == "queued" and deferred.next_attempt_at > timezone.now()
    # The inbox is not interrupting: notices appear there at once.
    assert Delivery.objects.filter(user=reader, channel="inbox", status="sent").count() == 2
    # When the window ends the recurring job sends it.
    Delivery.objects.filter(pk=deferred.pk).update(next_attempt_at=timezone.now())
    assert pipeline.send_due() == 1
    assert received(smtp_server, before)[-1]["Subject"] == "Stare nouă 1"


def test_daily_digest_gathers_the_events_into_one_message(make_user: Any, smtp_server: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    Preferences.objects.create(user=reader, digest="daily")
    subscriptions.follow(reader, SUBJECT)
    before = len(smtp_server.envelopes)
    send(django_capture_on_commit_callbacks, event(1), event(2), event(3))
    assert len(smtp_server.envelopes) == before
    assert pipeline.send_digests() == 0  # not yet due
    Delivery.objects.filter(user=reader, channel="email").update(next_attempt_at=timezone.now())
    assert pipeline.send_digests() == 1
    [digest] = received(smtp_server, before)
    assert "3" in digest["Subject"]
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert all(f"Stare nouă {n}" in text for n in (1, 2, 3))
    assert Delivery.objects.filter(user=reader, channel="email", status="sent").count() == 3


def test_a_refused_connection_is_retried_with_backoff(make_user: Any, smtp_server: Any,
                                                      django_capture_on_commit_callbacks: Any) -> None:
    import socket

    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with override_settings(EMAIL_PORT=closed_port):
        send(django_capture_on_commit_callbacks, event())
    delivery = Delivery.objects.get(user=reader, channel="email")
    assert delivery.status == "queued" and delivery.attempts == 1 and "SMTP" in delivery.last_error
    assert dt.timedelta(seconds=50) < delivery.next_attempt_at - timezone.now() <= dt.timedelta(seconds=60)
    assert pipeline.send_due() == 0  # not due yet
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    before = len(smtp_server.envelopes)
    assert pipeline.send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(smtp_server.envelopes) - before) == ("sent", 2, 1)


@override_settings(NOTIFICATIONS_MAX_PER_ENDPOINT_PER_HOUR=2)
def test_rate_limit_per_endpoint_defers_the_excess(make_user: Any, smtp_server: Any,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    before = len(smtp_server.envelopes)
    send(django_capture_on_commit_callbacks, event(1), event(2), event(3))
    assert len(smtp_server.envelopes) - before == 2
    third = Delivery.objects.get(user=reader, channel="email", status="queued")
    assert third.last_error == "rate limited" and third.next_attempt_at > timezone.now()
    assert Delivery.objects.filter(user=reader, channel="inbox", status="sent").count() == 3


def test_a_rolled_back_transaction_notifies_nobody(make_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        publish(event())
        raise RuntimeError("the room's service failed")
    assert not EventRecord.objects.exists() and not Delivery.objects.exists()


def test_a_disabled_endpoint_is_skipped(make_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    reader = make_user()
    subscriptions.follow(reader, SUBJECT)
    Endpoint.objects.filter(user=reader, kind="email").update(disabled_at=timezone.now())
    send(django_capture_on_commit_callbacks, event())
    assert list(Delivery.objects.filter(user=reader).values_list("channel", flat=True)) == ["inbox"]


@pytest.mark.parametrize("kwargs, field", [
    ({"polygon": {"type": "Polygon", "coordinates": [[[0, 0]]]}}, "polygon"),
    ({"polygon": {"type": "Point", "coordinates": [21, 45]}}, "polygon"),
    ({"lat": "x", "lon": 21, "radius_m": 100}, "point"),
    ({"lat": 45.7, "lon": 21.2, "radius_m": 10**9}, "radius_m"),
    ({"lat": 45.7, "lon": 21.2, "radius_m": "far"}, "radius_m"),
    ({}, "topic"),
    ({"topic": "has spaces"}, "subject"),
    ({"topic": "room:tests", "digest": "hourly"}, "digest"),
])
def test_bad_places_are_refused_naming_the_field(make_user: Any, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        subscriptions.subscribe(make_user(), **kwargs)
    assert field in error.value.message_dict
    assert not Subscription.objects.exists()


def test_event_validation_refuses_a_bad_geometry_at_publish(db: Any) -> None:
    from notifications.geometry import GeometryError

    with pytest.raises(GeometryError):
        publish(event(geometry={"type": "Point", "coordinates": [999, 0]}))
    with pytest.raises(ValueError, match="severity"):
        publish(event(severity="urgent"))
