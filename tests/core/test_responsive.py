"""Phone first: every public page that the rooms' browser tests check for accessibility also fits a
390 px screen without sideways scrolling, with a header of at most a fifth of an 844 px screen; the
menu button opens the navigation with and without JavaScript. Headless Chromium, no network."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tests.addresses import localized
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
        url = every_room + localized(path.format(lang=lang))
        response = phone.goto(url, wait_until="load")
        assert response is not None and response.status < 400, f"{url} answered {response and response.status}"
        layout = _layout(phone)
        if layout["scrollWidth"] > PHONE["width"]:
            problems.append(f"{path}: {layout['scrollWidth']} px wide ({layout['wide']})")
        if layout["header"] > MAX_HEADER:
            problems.append(f"{path}: header {layout['header']} px high")
    assert not problems, "\n".join(problems)


def _group(page: Any, label: str) -> Any:
    """A header group's button (the <summary> of its <details>, core/context_processors.py)."""
    return page.locator(".site-nav summary", has_text=label)


def _expanded(page: Any, label: str) -> bool | None:
    """The expanded state Chromium gives assistive technology for the group's button."""
    session = page.context.new_cdp_session(page)
    try:
        for node in session.send("Accessibility.getFullAXTree")["nodes"]:
            if node.get("name", {}).get("value") == label and node.get("role", {}).get("value") == "DisclosureTriangle":
                return next((p["value"]["value"] for p in node.get("properties", []) if p["name"] == "expanded"), None)
    finally:
        session.detach()
    return None


@pytest.mark.parametrize("javascript", [False, True])
def test_menu_button_opens_the_navigation(browser: Any, live_server: Any, javascript: bool) -> None:
    load_real_dataset()
    context = browser.new_context(viewport=PHONE, locale="ro-RO", java_script_enabled=javascript)
    page = _offline(context.new_page())
    try:
        page.goto(live_server.url + "/ro/proiecte/")
        button = page.locator("summary.menu-button")
        assert button.is_visible() and button.inner_text().strip() == "Meniu"
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        assert not _group(page, "Participare").is_visible()
        button.click()
        # Four groups; the one holding the current page is marked, and opens in place on a phone.
        assert [g.strip() for g in page.locator(".site-nav .nav-top").all_inner_texts()] == [
            "Strategie", "Participare", "Oraș", "Date deschise"]
        assert "is-current" in (_group(page, "Strategie").get_attribute("class") or "")
        _group(page, "Strategie").click()
        assert page.locator(".site-nav a[aria-current]").inner_text() == "Proiecte"
        for control in page.locator(".site-nav a:visible, .site-nav summary:visible").all():
            assert control.bounding_box()["height"] >= 44
        # Anonymous visitors see no "My notifications" (it asks them to sign in).
        assert page.locator("header a", has_text="Notificările mele").count() == 0
        # The language switch is in the menu and works without JavaScript (a form post).
        page.select_option("#language-select", "en")
        page.click("form.lang-form button")
        page.wait_for_url("**/en/projects/")
        if javascript:
            page.locator("summary.menu-button").click()
            assert _group(page, "Participation").is_visible()
            page.keyboard.press("Escape")  # static/js/site.js: Escape closes the menu
            assert not _group(page, "Participation").is_visible()
    finally:
        context.close()


def test_wide_header_groups_work_with_the_keyboard_and_pass_axe(browser: Any, live_server: Any) -> None:
    """At 1280 px the groups sit on one line; each opens with Enter, its links follow in the tab order,
    Escape closes it and gives focus back, one group is open at a time; no axe-core violation."""
    from tests.a11y import WCAG_TAGS, _axe, assert_accessible, describe

    load_real_dataset()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ro-RO")
    page = _offline(context.new_page())
    try:
        assert_accessible(page, live_server.url + "/ro/")
        assert not page.locator("summary.menu-button").is_visible()
        assert page.locator("#language-select").is_visible()
        tops = page.locator(".site-nav .nav-top").all()
        assert len({round(top.bounding_box()["y"]) for top in tops}) == 1  # one line, no wrapping
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        consultations = page.locator(".site-nav a", has_text="Consultări")
        assert not consultations.is_visible() and _expanded(page, "Participare") is False
        _group(page, "Participare").focus()
        page.keyboard.press("Enter")
        assert consultations.is_visible() and _expanded(page, "Participare") is True
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Prezentare"
        # The open list passes axe-core too (the page as it stands, not reloaded).
        open_violations = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}}).response[
            "violations"]
        assert not open_violations, describe(open_violations)
        page.keyboard.press("Escape")
        assert not consultations.is_visible()
        assert page.evaluate("document.activeElement.textContent") == "Participare"
        _group(page, "Participare").click()
        _group(page, "Oraș").click()
        assert not consultations.is_visible() and page.locator(".site-nav a", has_text="Anunțuri").is_visible()
    finally:
        context.close()


def test_settings_ship_a_logo_that_exists() -> None:
    assert (settings.BASE_DIR / "static" / settings.BRAND_LOGO).is_file()
