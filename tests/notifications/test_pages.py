"""The citizen's notifications page: what it shows, every action, and hostile input (400 naming the field)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.models import Neighbourhood
from notifications import subscriptions
from notifications.events import Event, publish
from notifications.models import Delivery, Endpoint, Preferences, Subscription

pytestmark = pytest.mark.django_db


def url(lang: str) -> str:
    with translation.override(lang):
        return reverse("notifications:preferences")


@pytest.fixture
def signed_in(make_user: Any) -> tuple[Client, Any]:
    from core.geo import load_neighbourhoods

    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    user = make_user()
    client = Client()
    client.force_login(user)
    return client, user


def test_paths_are_translated_and_signing_in_is_required(client: Client) -> None:
    assert url("ro") == "/ro/notificari/" and url("en") == "/en/notifications/"
    response = client.get(url("ro"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("lang, heading", [("ro", "Notificările mele"), ("en", "My notifications")])
def test_the_page_reads_in_both_languages(signed_in: tuple[Client, Any], lang: str, heading: str) -> None:
    client, _user = signed_in
    response = client.get(url(lang))
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_notices_follows_and_places_are_listed_and_removable(signed_in: tuple[Client, Any],
                                                             django_capture_on_commit_callbacks: Any) -> None:
    client, user = signed_in
    subscriptions.follow(user, "tests.thing:3")
    with django_capture_on_commit_callbacks(execute=True):
        publish(Event(kind="tests.changed", room="tests", subject="tests.thing:3",
                      title={"ro": "Groapa a fost reparată", "en": "The pothole was fixed"},
                      body={"ro": "Echipa a terminat.", "en": "The crew finished."}, url="/tests/3/"))
    page = client.get(url("en")).content.decode()
    assert "The pothole was fixed" in page and 'href="/en/tests/3/"' in page
    assert "user" in page and "@example.org" in page  # the account's e-mail endpoint
    client.post(url("en"), {"action": "read_all"})
    assert not Delivery.objects.filter(user=user, channel="inbox", read_at__isnull=True).exists()
    follow = Subscription.objects.get(user=user, topic="tests.thing:3")
    assert client.post(url("en"), {"action": "unfollow", "subscription": follow.pk}).status_code == 302
    assert not subscriptions.is_following(user, "tests.thing:3")


def test_subscribing_to_a_neighbourhood_a_point_and_an_area(signed_in: tuple[Client, Any]) -> None:
    client, user = signed_in
    centre = Neighbourhood.objects.get(slug="centru")
    assert client.post(url("ro"), {"action": "place", "kind": "neighbourhood", "neighbourhood": centre.pk,
                                   "topic": ""}).status_code == 302
    assert client.post(url("ro"), {"action": "place", "kind": "point", "lat": "45.75", "lon": "21.22",
                                   "radius_m": "1000", "topic": "room:reports", "label": "Acasă"}).status_code == 302
    square = '{"type": "Polygon", "coordinates": [[[21.22, 45.75], [21.23, 45.75], [21.23, 45.76], [21.22, 45.75]]]}'
    assert client.post(url("ro"), {"action": "place", "kind": "area", "polygon": square}).status_code == 302
    rows = list(Subscription.objects.filter(user=user).order_by("pk"))
    assert [(s.neighbourhood_id, s.radius_m, s.polygon is not None, s.topic) for s in rows] == [
        (centre.pk, None, False, ""), (None, 1000, False, "room:reports"), (None, None, True, "")]
    page = client.get(url("ro")).content.decode()
    assert centre.name in page and "Acasă" in page
    # Someone else's subscription cannot be removed.
    other = Subscription.objects.create(topic="x.y:1")
    assert client.post(url("ro"), {"action": "unsubscribe", "subscription": other.pk}).status_code == 400


@pytest.mark.parametrize("data, field", [
    ({"kind": "neighbourhood"}, "neighbourhood"),
    ({"kind": "neighbourhood", "neighbourhood": "999999"}, "neighbourhood"),
    ({"kind": "point", "lat": "45.75"}, "lat"),
    ({"kind": "point", "lat": "91", "lon": "21"}, "lat"),
    ({"kind": "point", "lat": "45.7", "lon": "21.2", "radius_m": "7"}, "radius_m"),
    ({"kind": "area", "polygon": "{not json"}, "polygon"),
    ({"kind": "area", "polygon": '{"type": "Polygon", "coordinates": [[[0, 0]]]}'}, "polygon"),
    ({"kind": "area", "polygon": '{"type": "Point", "coordinates": [21, 45]}'}, "polygon"),
    ({"kind": "moon"}, "kind"),
    ({"kind": "neighbourhood", "topic": "room:nothing"}, "topic"),
])
def test_a_bad_place_is_a_400_naming_the_field(signed_in: tuple[Client, Any], data: dict[str, str],
                                               field: str) -> None:
    client, user = signed_in
    response = client.post(url("en"), {"action": "place", **data})
    assert response.status_code == 400
    form = response.context["place_form"]
    assert field in form.errors, form.errors
    assert not Subscription.objects.filter(user=user).exists()


def test_digest_and_quiet_hours(signed_in: tuple[Client, Any]) -> None:
    client, user = signed_in
    response = client.post(url("en"), {"action": "settings", "digest": "weekly", "quiet_start": "22:00",
                                       "quiet_end": "07:00"})
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=user)
    assert (prefs.digest, str(prefs.quiet_start), str(prefs.quiet_end)) == ("weekly", "22:00:00", "07:00:00")
    bad = client.post(url("en"), {"action": "settings", "digest": "hourly", "quiet_start": "22:00"})
    assert bad.status_code == 400
    assert {"digest", "quiet_end"} <= set(bad.context["settings_form"].errors)


def test_pausing_and_resuming_e_mail(signed_in: tuple[Client, Any]) -> None:
    client, user = signed_in
    subscriptions.follow(user, "tests.thing:4")
    endpoint = Endpoint.objects.get(user=user, kind="email")
    client.post(url("en"), {"action": "pause_email", "endpoint": endpoint.pk})
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    client.post(url("en"), {"action": "resume_email", "endpoint": endpoint.pk})
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is None
    stranger = Endpoint.objects.create(kind="email", address="x@example.org")
    assert client.post(url("en"), {"action": "pause_email", "endpoint": stranger.pk}).status_code == 400
    assert client.post(url("en"), {"action": "launch"}).status_code == 400


def test_the_delivery_log_is_for_administrators_and_moderators(make_user: Any, client: Client,
                                                               django_capture_on_commit_callbacks: Any) -> None:
    from accounts.roles import Role

    reader = make_user()
    subscriptions.follow(reader, "tests.thing:8")
    with django_capture_on_commit_callbacks(execute=True):
        publish(Event(kind="tests.changed", room="tests", subject="tests.thing:8",
                      title={"ro": "Lucrări terminate", "en": "Works finished"}, body={"ro": "-", "en": "-"}, url="/"))
    with translation.override("ro"):
        log = reverse("notifications:delivery_log")
    assert log == "/ro/notificari/jurnal/"
    assert client.get(log).status_code == 302
    client.force_login(make_user(Role.CITIZEN))
    assert client.get(log).status_code == 403
    client.force_login(make_user(Role.MODERATOR))
    page = client.get(log + "?status=sent&channel=email")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Lucrări terminate" in text and reader.email not in text  # masked
    assert client.get(log + "?status=<script>").status_code == 200
