"""The notifications page in headless Chromium: axe-core (WCAG 2.1 AA) in ro and en, no sideways scroll
at 390 px, the map fills the point fields, and screenshots for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None


@pytest.fixture
def reader(live_server: Any, settings: Any, make_user: Any) -> Any:
    settings.MAP_TILE_URL = ""  # no tiles from the network in tests
    from allauth.account.models import EmailAddress
    from django.db import transaction

    from core.geo import load_neighbourhoods
    from core.models import Neighbourhood
    from notifications import subscriptions
    from notifications.events import Event, publish

    load_neighbourhoods(Path(settings.BASE_DIR) / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    user = make_user(email="reader@example.org", password="correct horse battery")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    subscriptions.follow(user, "tests.thing:1")
    subscriptions.subscribe(user, neighbourhood=Neighbourhood.objects.get(slug="centru"), label="Acasă")
    subscriptions.subscribe(user, lat=45.7478, lon=21.2392, radius_m=1000, topic="room:reports")
    with transaction.atomic():
        publish(Event(kind="tests.changed", room="tests", subject="tests.thing:1",
                      title={"ro": "Strada Alba Iulia închisă pentru lucrări",
                             "en": "Alba Iulia street closed for works"},
                      body={"ro": "Între 8:00 și 18:00, ocolire pe Strada Mărășești.",
                            "en": "From 8:00 to 18:00, detour via Mărășești street."}, url="/tests/1/"))
    return user


def sign_in(page: Any, base: str, lang: str) -> None:
    page.goto(f"{base}/{lang}/accounts/login/")
    page.fill("input[name=login]", "reader@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang, path", [("ro", "/ro/notificari/"), ("en", "/en/notifications/")])
def test_the_page_is_accessible_and_fits_a_phone(browser: Any, live_server: Any, reader: Any, lang: str,
                                                  path: str) -> None:
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(locale="ro-RO", viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in(page, live_server.url, lang)
        assert_accessible(page, live_server.url + path)
        assert "Alba Iulia" in page.content()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{width}px: {overflow}px of sideways scroll"
        if SCREENSHOTS is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"notifications-{lang}-{width}.png"), full_page=True)
        context.close()


def test_clicking_the_map_fills_the_point_fields(browser: Any, live_server: Any, reader: Any) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, "en")
    page.goto(live_server.url + "/en/notifications/")
    # With JavaScript only the chosen kind's fields show; the map appears with "point".
    assert not page.is_visible("#id_lat")
    page.check("input[name=kind][value=point]")
    page.wait_for_selector("#place-map.leaflet-container")
    page.click("#place-map", position={"x": 200, "y": 160})
    assert page.input_value("#id_lat") and page.input_value("#id_lon")
    page.click("form.place-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    from notifications.models import Subscription

    assert Subscription.objects.filter(user=reader, radius_m=500).exists()
    context.close()
    assert settings.MAP_TILE_URL == ""


@pytest.mark.parametrize("lang, path", [("ro", "/ro/notificari/jurnal/"), ("en", "/en/notifications/log/")])
def test_the_delivery_log_is_accessible(browser: Any, live_server: Any, reader: Any, lang: str, path: str) -> None:
    from accounts.roles import Role
    from accounts.services import assign_role

    assign_role("tests", reader, Role.MODERATOR)
    context = browser.new_context(locale="ro-RO", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, lang)
    assert_accessible(page, live_server.url + path)
    assert "Alba Iulia" in page.content()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    if SCREENSHOTS is not None:
        page.screenshot(path=str(SCREENSHOTS / f"delivery-log-{lang}-390.png"), full_page=True)
    context.close()
