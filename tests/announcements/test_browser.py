"""In headless Chromium: every public page of the announcements room passes axe-core (WCAG 2.1 AA) in
Romanian and English and fits a 390 px screen; the map draws what the list lists; staff draw a
closure with the map's drawing tool (or type it as GeoJSON) and publish it."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest

from tests.a11y import assert_accessible
from tests.announcements.test_pages import page_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(live_server: Any, settings: Any) -> str:
    settings.MAP_TILE_URL = ""  # no tiles from the network in tests; the shapes are still drawn
    from announcements.demo import load_demo_data
    from core.geo import load_neighbourhoods

    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson", actor="tests")
    load_demo_data(StringIO())
    return str(live_server.url)


def public_paths(lang: str) -> list[str]:
    from django.utils import timezone

    from announcements.models import Announcement
    now = timezone.now()
    closure = Announcement.objects.current(now).get(category="street_closure")
    cancelled = Announcement.objects.past(now).get(message_type="cancel")
    return [page_url("index", lang=lang), page_url("index", lang=lang) + "?when=planned",
            page_url("index", lang=lang) + "?when=past&category=heating_outage",
            page_url("detail", closure.pk, lang=lang), page_url("detail", closure.thread_id, lang=lang),
            page_url("detail", cancelled.pk, lang=lang),
            page_url("neighbourhood", "circumvalatiunii", lang=lang) + "?when=planned", f"/{lang}/"]


def _offline(page: Any) -> Any:
    page.route("**/*", lambda route: route.abort() if "127.0.0.1" not in route.request.url
               and "localhost" not in route.request.url else route.continue_())
    return page


def _sign_in(page: Any, base: str, user: Any, lang: str = "ro") -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page.goto(base + f"/{lang}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_have_no_axe_violations(page: Any, seeded: str, lang: str) -> None:
    _offline(page)
    for path in public_paths(lang):
        assert_accessible(page, seeded + path)


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_fit_a_phone(browser: Any, seeded: str, lang: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="ro-RO")
    phone = _offline(context.new_page())
    problems = []
    for path in public_paths(lang):
        phone.goto(seeded + path, wait_until="load")
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px")
    context.close()
    assert not problems, problems


def test_the_map_draws_what_the_list_lists(page: Any, seeded: str) -> None:
    _offline(page)
    page.goto(seeded + page_url("index") + "?when=planned")
    page.wait_for_selector("#ann-map .leaflet-interactive")
    listed = page.locator(".ann-list li.ann-item").count()
    assert listed == 3
    # A line and a polygon are paths, a point is a circle marker (also a path).
    assert page.locator("#ann-map path.leaflet-interactive").count() == listed


def test_staff_draw_a_closure_on_the_map_and_publish_it(page: Any, seeded: str, make_user: Any) -> None:
    from accounts.roles import Role
    from announcements.models import Announcement

    _offline(page)
    _sign_in(page, seeded, make_user(Role.DEPARTMENT_STAFF))
    assert_accessible(page, seeded + page_url("create"))
    page.wait_for_selector("#ann-draw .leaflet-pm-toolbar")
    page.click("#ann-draw .leaflet-pm-icon-polyline")
    box = page.locator("#ann-draw").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x - 60, y)
    page.mouse.click(x + 60, y + 10)
    page.mouse.click(x + 60, y + 10)  # a second click on the last vertex finishes the line
    drawn = json.loads(page.input_value("#id_geometry"))
    assert drawn["type"] == "LineString" and len(drawn["coordinates"]) == 2
    page.select_option("#id_category", "street_closure")
    page.fill("#id_title_ro", "Strada închisă")
    page.fill("#id_title_en", "Street closed")
    page.fill("#id_body_ro", "Închisă pentru lucrări.")
    page.fill("#id_body_en", "Closed for works.")
    page.fill("#id_starts_at", "2026-12-06T08:00")
    page.click("form button.primary")
    page.wait_for_load_state("networkidle")
    announcement = Announcement.objects.get(title_en="Street closed")
    assert page.url.endswith(page_url("detail", announcement.pk))
    assert json.loads(announcement.geometry)["type"] == "LineString"


def test_keyboard_users_type_the_geometry_and_errors_are_accessible(page: Any, seeded: str, make_user: Any) -> None:
    from accounts.roles import Role

    _offline(page)
    _sign_in(page, seeded, make_user(Role.DEPARTMENT_STAFF), lang="en")
    page.goto(seeded + "/en/announcements/new/")
    page.fill("#id_geometry", '{"type": "Point", "coordinates": [45.75, 21.22]}')
    page.fill("#id_title_ro", "x")
    page.click("form button.primary")
    page.wait_for_load_state("networkidle")
    errors = " ".join(page.locator(".errorlist").all_inner_texts())
    assert "outside Timișoara" in errors and "Title in English" not in errors
    # The page with its errors, as it stands after the POST, is accessible too.
    from tests.a11y import WCAG_TAGS, _axe, describe

    violations = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}}).response["violations"]
    assert not violations, describe(violations)
