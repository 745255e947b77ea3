"""Every public page of the environment room passes axe-core (WCAG 2.1 AA) in ro and en, with
the demo data loaded; the map works and its table alternative carries the same stations."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest

from tests.a11y import assert_accessible
from tests.addresses import localized

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/{lang}/air/", "/{lang}/air/sensors/demo-15092/", "/{lang}/air/sensors/demo-15093/",
         "/{lang}/air/city/?year=2019", "/{lang}/air/city/"]


@pytest.fixture
def seeded(live_server: Any, settings: Any) -> str:
    # No map tiles from the network in tests; the stations are still drawn.
    settings.MAP_TILE_URL = ""
    from environment.demo import load_demo_data

    load_demo_data(StringIO())
    return str(live_server.url)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_have_no_axe_violations(page: Any, seeded: str, lang: str, make_user: Any) -> None:
    from accounts.roles import Role
    from environment import services
    from notifications.tokens import unsubscribe_token

    user = make_user(Role.CITIZEN)
    subscription = services.subscribe(user, kind="aqi", place="city")
    from notifications.models import Endpoint
    from notifications.pipeline import ensure_default_endpoints

    ensure_default_endpoints([user.pk])
    email = Endpoint.objects.get(user=user, kind="email")
    # The one-click unsubscribe page every alert e-mail links to (language-free, as RFC 8058 wants).
    unsubscribe = f"/notifications/unsubscribe/{unsubscribe_token(email.pk, subscription.pk)}"
    for path in [*(localized(page_path.format(lang=lang)) for page_path in PAGES), unsubscribe]:
        assert_accessible(page, seeded + path)


def test_map_draws_every_station_of_the_table(page: Any, seeded: str) -> None:
    page.goto(seeded + "/en/air/")
    page.wait_for_selector("#air-map path.leaflet-interactive")
    assert page.locator("#air-map path.leaflet-interactive").count() == page.locator(
        "table.air-stations tbody tr").count() == 2


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_alert_pages_are_accessible_when_signed_in(page: Any, seeded: str, lang: str, make_user: Any) -> None:
    from allauth.account.models import EmailAddress

    from accounts.roles import Role

    user = make_user(Role.CITIZEN, email="reader@example.org", password="correct horse battery")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page.goto(seeded + f"/{lang}/accounts/login/")
    page.fill("input[name=login]", "reader@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert_accessible(page, seeded + localized(f"/{lang}/air/alerts/"))
    assert page.locator("#id_neighbourhood").count() == 1, page.url
    # A form error is announced and still accessible: a point chosen, but none given.
    page.check("input[name=place][value=point]")
    page.click("form button.primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".errorlist").count() >= 1
