"""Every public page of the resources room passes axe-core (WCAG 2.1 AA) in Romanian and English, fits
390 px without sideways scrolling, and the map's places can be reached with the keyboard."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.a11y import assert_accessible
from tests.conftest import load_real_dataset
from tests.resources.pages import page_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(live_server: Any) -> dict[str, Any]:
    load_real_dataset()
    from core.geo import load_neighbourhoods
    from core.models import Neighbourhood
    from resources import demo

    if not Neighbourhood.objects.exists():
        from django.conf import settings

        load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    demo.load_demo_data(io.StringIO())
    return {"url": live_server.url}


def pages(lang: str) -> list[str]:
    return [page_url("map", lang=lang), page_url("map", lang=lang) + "?q=teatru&layer=organisation",
            page_url("organisation", "teatrul-national-timisoara", lang=lang),
            page_url("organisation", "demo-atelierul-de-prototipuri", lang=lang),
            page_url("space", "demo-hala-industriala-fabric", lang=lang),
            page_url("funding_finder", lang=lang),
            page_url("funding_finder", lang=lang) + "?who=ngo&purpose=culture&open_only=on",
            page_url("funding_finder", lang=lang) + "?who=person&deadline_in=next_month",
            page_url("funding", "demo-apel-granturi-culturale-2027", lang=lang),
            page_url("initiative", "demo-harta-copacilor", lang=lang)]


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_have_no_axe_violations_and_fit_a_phone(page: Any, seeded: dict[str, Any], lang: str) -> None:
    for path in pages(lang):
        page.set_viewport_size({"width": 1280, "height": 900})
        assert_accessible(page, seeded["url"] + path)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(seeded["url"] + path, wait_until="networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways at 390 px by {overflow} px"


def test_signed_in_forms_have_no_axe_violations(page: Any, seeded: dict[str, Any], make_user: Any) -> None:
    from allauth.account.models import EmailAddress
    from django.test import Client

    user = make_user()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": seeded["url"]}])
    for lang in ("ro", "en"):
        for path in (page_url("organisation_new", lang=lang), page_url("initiative_new", lang=lang),
                     page_url("space", "demo-parter-strada-alba-iulia", lang=lang)):
            assert_accessible(page, seeded["url"] + path)


def test_map_places_are_reachable_with_the_keyboard(page: Any, seeded: dict[str, Any]) -> None:
    page.goto(seeded["url"] + page_url("map") + "?layer=space", wait_until="networkidle")
    page.wait_for_selector(".resources-marker")
    markers = page.locator(".leaflet-marker-icon")
    assert markers.count() == 3
    # Not by colour alone: the layer's initial in the marker and its name in the accessible name.
    assert markers.first.inner_text() == "S" and "(Spații pentru folosire temporară)" in (
        markers.first.get_attribute("title") or "")
    assert page.locator(".map-legend li").count() == 5
    markers.first.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content a")
    popup.wait_for()
    assert "/ro/resurse/spatii/" in (popup.get_attribute("href") or "")
