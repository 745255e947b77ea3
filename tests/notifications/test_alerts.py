"""E-mail alerts without an account (notifications/alerts.py): the public page subscribes an address to a
place, confirmed by e-mail over real SMTP (aiosmtpd); nothing matches before; hostile input names the
field and writes nothing; the answer never tells whether an address is subscribed; the signed page lists
and removes the address's alerts."""

from __future__ import annotations

import email
import email.policy
import re
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from shapely.geometry import mapping, shape

from core.models import Neighbourhood
from notifications.events import Event, publish
from notifications.models import Delivery, Endpoint, Subscription

pytestmark = pytest.mark.django_db
ADDRESS = "vecin@example.org"


def alerts_url(lang: str = "ro") -> str:
    with translation.override(lang):
        return reverse("notifications:alerts")


@pytest.fixture
def centre(db: Any) -> Neighbourhood:
    from core.geo import load_neighbourhoods

    cache.clear()  # the rate limiter's counts (locmem) from earlier tests
    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    return Neighbourhood.objects.get(slug="centru")


def _announcement_over(neighbourhood: Neighbourhood, n: int = 1) -> Event:
    inside = mapping(shape(neighbourhood.geometry).representative_point())
    return Event(kind="announcements.published", room="announcements", subject=f"announcements.announcement:{n}",
                 title={"ro": f"Apă oprită {n}", "en": f"Water off {n}"}, body={"ro": "Lucrări", "en": "Works"},
                 url=f"/announcements/{n}/", topics=("room:announcements",), geometry=inside)


def _messages_to(smtp: Any, address: str) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(e.original_content, policy=email.policy.default)  # type: ignore[misc]
            for e in smtp.envelopes if address in e.rcpt_tos]


def _text(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_paths_are_translated(centre: Neighbourhood, client: Client) -> None:
    assert alerts_url("ro") == "/ro/notificari/alerte/" and alerts_url("en") == "/en/notifications/alerts/"
    page = client.get(alerts_url("ro")).content.decode()
    assert "Alerte pe e-mail" in page and centre.name in page and 'name="email"' in page


def test_subscribe_confirm_and_receive(centre: Neighbourhood, client: Client, smtp_server: Any,
                                       django_capture_on_commit_callbacks: Any) -> None:
    before = len(_messages_to(smtp_server, ADDRESS))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(alerts_url("ro"), {"kind": "neighbourhood", "neighbourhood": centre.pk,
                                                  "topic": "room:announcements", "email": ADDRESS})
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    subscription = Subscription.objects.get(endpoint__address=ADDRESS)
    assert (subscription.neighbourhood_id, subscription.topic, subscription.confirmed_at) == (
        centre.pk, "room:announcements", None)
    sent = _messages_to(smtp_server, ADDRESS)[before:]
    assert len(sent) == 1
    body = _text(sent[0])
    confirm = re.search(r"https?://\S+/notificari/confirmare/\S+/", body)
    manage = re.search(r"https?://\S+/notificari/alerte/gestionare/\S+/", body)
    assert confirm and manage, body
    # Not confirmed: an announcement over the neighbourhood reaches no one.
    with django_capture_on_commit_callbacks(execute=True):
        publish(_announcement_over(centre, 1))
    assert not Delivery.objects.filter(endpoint__address=ADDRESS).exists()
    confirmed = client.get(_path(confirm.group(0)))
    assert confirmed.status_code == 200 and "/notificari/alerte/gestionare/" in confirmed.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        publish(_announcement_over(centre, 2))
    alert = _messages_to(smtp_server, ADDRESS)[-1]
    assert alert["Subject"] == "Apă oprită 2" and alert["List-Unsubscribe"]
    # The alert's "choose what reaches you" link is the address's own signed page, not the sign-in page.
    links = re.findall(r"https?://\S+/notificari/alerte/gestionare/\S+/", _text(alert))
    assert links, _text(alert)
    manage_page = client.get(_path(links[0]))
    assert manage_page.status_code == 200 and centre.name in manage_page.content.decode()
    assert ADDRESS not in manage_page.content.decode()  # masked, even there


def test_the_same_answer_for_an_address_already_subscribed(centre: Neighbourhood, client: Client,
                                                           smtp_server: Any,
                                                           django_capture_on_commit_callbacks: Any) -> None:
    data = {"kind": "neighbourhood", "neighbourhood": centre.pk, "topic": "", "email": ADDRESS}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(alerts_url("en"), data)
    Subscription.objects.update(confirmed_at="2026-01-01T00:00:00Z")
    before = len(smtp_server.envelopes)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(alerts_url("en"), {**data, "email": ADDRESS.upper()})
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    def page(location: str) -> str:  # the CSRF token is masked afresh on every render
        return re.sub(r'value="[^"]{64}"', "", client.get(location).content.decode())

    assert page(second["Location"]) == page(first["Location"])
    assert Subscription.objects.count() == 1 and Endpoint.objects.filter(user__isnull=True).count() == 1
    assert len(smtp_server.envelopes) == before  # confirmed already: nothing to send


def test_pending_confirmations_per_address_are_bounded(centre: Neighbourhood, client: Client) -> None:
    from notifications.subscriptions import MAX_PENDING_PER_ADDRESS

    for radius in (250, 500, 1000, 2000, 5000):
        response = client.post(alerts_url("en"), {"kind": "point", "lat": "45.75", "lon": "21.22",
                                                  "radius_m": str(radius), "email": ADDRESS})
        assert response.status_code == 302
    assert Subscription.objects.filter(endpoint__address=ADDRESS).count() == MAX_PENDING_PER_ADDRESS


@pytest.mark.django_db(transaction=True)
def test_requests_arriving_together_stay_within_the_bound(centre: Neighbourhood) -> None:
    """Eight requests for eight places of one address at the same moment, each in its own connection: the
    address's row is locked while counting, so no more than the bound are written (PostgreSQL; SQLite
    serialises writes by itself)."""
    import threading

    from django.db import connection, connections

    from notifications.subscriptions import MAX_PENDING_PER_ADDRESS, subscribe_email_place

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL (DATABASE_URL)")
    Endpoint.objects.create(kind=Endpoint.Kind.EMAIL, address=ADDRESS, language="ro")
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def subscribe(radius: int) -> None:
        try:
            start.wait()
            subscribe_email_place(ADDRESS, language="ro", lat="45.75", lon="21.22", radius_m=radius)
        except BaseException as problem:  # reported below, in the test's own thread
            failures.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=subscribe, args=(250 + 100 * n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert Subscription.objects.filter(endpoint__address=ADDRESS).count() == MAX_PENDING_PER_ADDRESS


@pytest.mark.parametrize("data, field", [
    ({"kind": "neighbourhood", "email": "not an address"}, "email"),
    ({"kind": "neighbourhood", "neighbourhood": "CENTRE"}, "email"),
    ({"kind": "neighbourhood", "neighbourhood": "999999", "email": ADDRESS}, "neighbourhood"),
    ({"kind": "neighbourhood", "email": ADDRESS}, "neighbourhood"),
    ({"kind": "point", "lat": "45.75", "lon": "21.22", "radius_m": "7", "email": ADDRESS}, "radius_m"),
    ({"kind": "point", "lat": "45.75", "email": ADDRESS}, "lat"),
    ({"email": ADDRESS}, "kind"),
    ({"kind": "area", "polygon": '{"type": "Point", "coordinates": [21, 45]}', "email": ADDRESS}, "polygon"),
    ({"kind": "neighbourhood", "topic": "room:nothing", "email": ADDRESS}, "topic"),
    ({"kind": "neighbourhood", "website": "http://spam.example", "email": ADDRESS}, "website"),
])
def test_hostile_input_names_the_field_and_writes_nothing(centre: Neighbourhood, client: Client,
                                                          data: dict[str, str], field: str) -> None:
    if data.get("kind") == "neighbourhood" and "neighbourhood" not in data and field != "neighbourhood":
        data = {**data, "neighbourhood": str(centre.pk)}
    response = client.post(alerts_url("en"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Subscription.objects.exists() and not Endpoint.objects.filter(user__isnull=True).exists()


def test_the_manage_page_removes_with_a_signed_token_only(centre: Neighbourhood, client: Client) -> None:
    from notifications import subscriptions, tokens

    subscription = subscriptions.subscribe_email_place(ADDRESS, language="en", neighbourhood=centre)
    assert subscription is not None and subscription.endpoint_id is not None
    with translation.override("en"):
        token = tokens.manage_token(subscription.endpoint_id)
        page = reverse("notifications:manage_alerts", args=[token])
        forged = reverse("notifications:manage_alerts", args=[token[:-2] + "xx"])
    assert client.get(forged).status_code == 404
    assert client.post(forged, {"subscription": subscription.pk}).status_code == 404
    assert "waiting for confirmation" in client.get(page).content.decode()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(page, {"subscription": subscription.pk}).status_code == 403  # CSRF
    other = Subscription.objects.create(topic="x.y:1")
    assert client.post(page, {"subscription": other.pk}).status_code == 400  # not this address's
    assert client.post(page, {"subscription": subscription.pk}).status_code == 302
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert Subscription.objects.filter(pk=other.pk).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_is_accessible_and_fits_a_phone(browser: Any, live_server: Any, settings: Any) -> None:
    """axe-core (WCAG 2.1 AA) and no sideways scroll at 390 px, blank and after a valid subscription."""
    from core.geo import load_neighbourhoods
    from tests.a11y import assert_accessible

    settings.MAP_TILE_URL = ""  # no tiles from the network in tests
    cache.clear()
    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(locale="ro-RO", viewport={"width": width, "height": height})
        page = context.new_page()
        assert_accessible(page, live_server.url + alerts_url("ro"))
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{width}px: {overflow}px of sideways scroll"
        context.close()
    context = browser.new_context(locale="ro-RO", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + alerts_url("ro"))
    page.select_option("#id_neighbourhood", label="Centru")
    page.fill("#id_email", ADDRESS)
    page.click("main form.place-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Verificați-vă căsuța" in page.content()
    assert_accessible(page, page.url)
    context.close()
