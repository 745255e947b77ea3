"""Phone first: every public page that the rooms' browser tests check for accessibility also fits a
390 px screen without sideways scrolling, with a header of at most a fifth of an 844 px screen; the
menu button opens the navigation with and without JavaScript. Headless Chromium, no network."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import load_real_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
MAX_HEADER = 844 // 5  # 168.8 px: at most a fifth of the first screen


def _offline(page: Any) -> Any:
    page.route("**/*", lambda route: route.abort() if "127.0.0.1" not in route.request.url
               and "localhost" not in route.request.url else route.continue_())
    return page


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, locale="ro-RO")
    yield _offline(context.new_page())
    context.close()


@pytest.fixture
def every_room(live_server: Any, settings: Any) -> str:
    """The Timișoara dataset and every room's demo data, as `make serve` loads them."""
    settings.MAP_TILE_URL = ""
    load_real_dataset()
    from budgeting import demo as budgeting_demo
    from core.geo import load_neighbourhoods
    from environment import demo as environment_demo
    from participation import demo as participation_demo
    from reports import demo as reports_demo

    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    out = io.StringIO()
    participation_demo.load_demo_data(out)
    budgeting_demo.load_demo_data(out, ballots=20)
    reports_demo.load_demo_data(out)
    environment_demo.load_demo_data(out)
    return str(live_server.url)


def public_paths() -> list[str]:
    """The public pages of the rooms' axe tests (tests/*/test_browser.py), with the demo's objects where
    those tests build their own."""
    from budgeting.models import Edition
    from participation.models import Consultation, Conversation, Proposal
    from reports.models import Report
    from tests.budgeting.test_browser import public_paths as budgeting_paths
    from tests.environment.test_browser import PAGES as ENVIRONMENT_PAGES
    from tests.participation.test_browser import PAGES as PARTICIPATION_PAGES
    from tests.strategy.test_browser import PAGES as STRATEGY_PAGES

    fixture_objects = ("mobility-2026", "{proposal}", "asociatia-test", "mobility-map")
    paths = [*STRATEGY_PAGES, *ENVIRONMENT_PAGES,
             *(p for p in PARTICIPATION_PAGES if not any(name in p for name in fixture_objects))]
    paths += [p for p in budgeting_paths()
              if Edition.objects.filter(slug=p.split("/")[3]).exists()] if Edition.objects.exists() else []
    consultation = Consultation.objects.filter(published=True).first()
    if consultation:
        paths += [f"/{{lang}}/participation/consultations/{consultation.slug}/",
                  f"/{{lang}}/participation/consultations/{consultation.slug}/results/"]
    proposal = Proposal.objects.filter(status=Proposal.Status.PUBLISHED).first()
    if proposal:
        paths.append(f"/{{lang}}/participation/proposals/{proposal.pk}/")
    conversation = Conversation.objects.filter(published=True).first()
    if conversation:
        paths += [f"/{{lang}}/participation/opinion/{conversation.slug}/",
                  f"/{{lang}}/participation/opinion/{conversation.slug}/map/"]
    paths += ["/{lang}/reports/", "/{lang}/reports/?category=potholes&status=open&area=centru",
              "/{lang}/reports/?area=outside", "/{lang}/reports/new/", "/{lang}/reports/new/?category=potholes",
              "/{lang}/reports/about/", "/{lang}/reports/dashboard/", "/{lang}/reports/dashboard/?period=all",
              "/{lang}/reports/thanks/?state=confirm"]
    report = Report.objects.filter(is_public=True).order_by("-fixed_at").first()
    if report:
        paths.append(f"/{{lang}}/reports/{report.pk}/")
    return paths


def _layout(page: Any) -> dict[str, float]:
    return page.evaluate("""() => ({
        scrollWidth: document.documentElement.scrollWidth,
        header: document.querySelector('.site-header').getBoundingClientRect().height,
        wide: [...document.querySelectorAll('main *')].filter(el => el.getBoundingClientRect().right > 391)
              .slice(0, 3).map(el => el.tagName + '.' + el.className).join(', '),
    })""")


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_every_public_page_fits_a_phone(phone: Any, every_room: str, lang: str) -> None:
    paths = public_paths()
    assert len(paths) >= 50, paths
    problems = []
    for path in paths:
        url = every_room + path.format(lang=lang)
        response = phone.goto(url, wait_until="load")
        assert response is not None and response.status < 400, f"{url} answered {response and response.status}"
        layout = _layout(phone)
        if layout["scrollWidth"] > PHONE["width"]:
            problems.append(f"{path}: {layout['scrollWidth']} px wide ({layout['wide']})")
        if layout["header"] > MAX_HEADER:
            problems.append(f"{path}: header {layout['header']} px high")
    assert not problems, "\n".join(problems)


def _nav_link(page: Any) -> Any:
    return page.locator(".site-nav a", has_text="Participare")


@pytest.mark.parametrize("javascript", [False, True])
def test_menu_button_opens_the_navigation(browser: Any, live_server: Any, javascript: bool) -> None:
    load_real_dataset()
    context = browser.new_context(viewport=PHONE, locale="ro-RO", java_script_enabled=javascript)
    page = _offline(context.new_page())
    try:
        page.goto(live_server.url + "/ro/projects/")
        button = page.locator("summary.menu-button")
        assert button.is_visible() and button.inner_text().strip() == "Meniu"
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        assert not _nav_link(page).is_visible()
        button.click()
        assert _nav_link(page).is_visible()
        assert page.locator(".site-nav a[aria-current]").inner_text() == "Proiecte"
        for link in page.locator(".site-nav a").all():
            assert link.bounding_box()["height"] >= 44
        # The language switch is in the menu and works without JavaScript (a form post).
        page.select_option("#language-select", "en")
        page.click("form.lang-form button")
        page.wait_for_url("**/en/projects/")
        if javascript:
            page.locator("summary.menu-button").click()
            assert _nav_link(page).count() == 0 and page.locator(".site-nav a", has_text="Participation").is_visible()
            page.keyboard.press("Escape")  # static/js/site.js: Escape closes the menu
            assert not page.locator(".site-nav a", has_text="Participation").is_visible()
            assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    finally:
        context.close()


def test_wide_screen_shows_the_navigation_without_a_button(browser: Any, live_server: Any) -> None:
    load_real_dataset()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ro-RO")
    page = _offline(context.new_page())
    try:
        page.goto(live_server.url + "/ro/")
        assert not page.locator("summary.menu-button").is_visible()
        assert _nav_link(page).is_visible()
        assert page.locator("#language-select").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        context.close()


def test_settings_ship_a_logo_that_exists() -> None:
    assert (settings.BASE_DIR / "static" / settings.BRAND_LOGO).is_file()
