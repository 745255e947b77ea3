"""Every public page of the reports room passes axe-core (WCAG 2.1 AA) in Romanian and English, and
the report form works with the keyboard: category, coordinates typed in, the 50 m duplicate check."""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y import assert_accessible
from tests.addresses import localized
from tests.reports.conftest import CENTRU, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server: Any, make_report: Any, make_user: Any, settings: Any) -> dict[str, Any]:
    from accounts.roles import Role
    from reports import services
    from reports.models import Department, Status

    settings.MAP_TILE_URL = ""  # no third-party tiles in tests: neighbourhood outlines only
    staff = make_user(Role.DEPARTMENT_STAFF)
    Department.objects.get(slug="drumuri").members.add(staff)
    report = make_report(title="Groapă adâncă", photos=[jpeg_bytes((800, 600))], show_name=True, name="Ana")
    services.change_status(staff, report, Status.ACKNOWLEDGED, "Preluat")
    fixed = make_report(title="Groapă plombată", lat=CENTRU[0] + 0.002)
    services.change_status(staff, fixed, Status.FIXED, "")
    make_report("street-lighting", title="Stâlp stins", lat=45.7962, lon=21.2205, answers={"pattern": "off"})
    return {"url": live_server.url, "report": report}


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_have_no_axe_violations(page: Any, site: dict[str, Any], lang: str) -> None:
    report = site["report"]
    for path in ("/{lang}/reports/", "/{lang}/reports/?category=potholes&status=open&area=centru",
                 "/{lang}/reports/?area=outside", "/{lang}/reports/new/", "/{lang}/reports/new/?category=potholes",
                 f"/{{lang}}/reports/{report.pk}/", "/{lang}/reports/about/", "/{lang}/reports/dashboard/",
                 "/{lang}/reports/dashboard/?period=all", "/{lang}/reports/thanks/?state=confirm"):
        assert_accessible(page, site["url"] + localized(path.format(lang=lang)))  # /ro/sesizari/... in Romanian


def test_form_with_the_keyboard_and_the_duplicate_check(page: Any, site: dict[str, Any]) -> None:
    page.goto(site["url"] + "/en/reports/new/")
    page.select_option("#id_category", "potholes")
    page.wait_for_selector("#id_q_size")  # htmx brought the category's questions
    page.fill("#id_lat", str(CENTRU[0] + 0.0001))
    page.fill("#id_lon", str(CENTRU[1]))
    page.press("#id_lon", "Tab")  # "change" fires: the pin moves and the 50 m check runs
    page.wait_for_selector("text=Is it one of these?")
    assert "Groapă adâncă" in page.inner_text("#nearby")
    assert "Area: Centru" in page.inner_text("#nearby")
    assert_accessible_now(page)


def assert_accessible_now(page: Any) -> None:
    from tests.a11y import WCAG_TAGS, _axe, describe

    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = list(results.response["violations"])
    assert not violations, describe(violations)


def test_staff_pages_have_no_axe_violations(page: Any, site: dict[str, Any], make_user: Any) -> None:
    """Not public, but staff work in them all day: the same WCAG 2.1 AA bar."""
    from django.conf import settings
    from django.test import Client

    from accounts.roles import Role

    administrator = make_user(Role.ADMINISTRATOR)  # sees every form: status, notes, moderation
    client = Client()
    client.force_login(administrator)
    host = site["url"].split("//", 1)[1].split(":")[0]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "domain": host, "path": "/"}])
    report = site["report"]
    for lang in ("ro", "en"):
        for path in (f"/{lang}/reports/staff/", f"/{lang}/reports/staff/{report.pk}/",
                     f"/{lang}/reports/staff/moderation/"):
            assert_accessible(page, site["url"] + localized(path))


def test_address_search_with_htmx_puts_the_pin(page: Any, site: dict[str, Any]) -> None:
    """Typing an address lists matching streets (htmx); choosing one fills the coordinates, in Romanian
    with machine-formatted numbers; the list passes axe."""
    page.goto(site["url"] + "/ro/sesizari/noua/")
    page.select_option("#id_category", "potholes")
    page.wait_for_selector("#id_q_size")
    page.fill("#id_address", "Str. Gh. Lazăr")
    page.wait_for_selector("#geocode-results .address-choice")
    assert "Strada Gheorghe Lazăr" in page.inner_text("#geocode-results")
    assert_accessible_now(page)
    page.click("#geocode-results .address-choice >> nth=0")
    assert page.input_value("#id_lat") == "45.760284" and page.input_value("#id_lon") == "21.217833"
    assert page.input_value("#id_address") == "Strada Gheorghe Lazăr"


@pytest.mark.parametrize(("lang", "page_path"), [("ro", "/ro/sesizari/"), ("en", "/en/reports/")])
def test_the_maps_popups_link_the_report_page_in_the_page_language(page: Any, site: dict[str, Any], lang: str,
                                                                    page_path: str) -> None:
    page.goto(site["url"] + page_path)
    page.wait_for_selector(".report-marker")
    page.click(".report-marker >> nth=0")
    link = page.wait_for_selector(".leaflet-popup-content a")
    href = link.get_attribute("href")
    assert href.startswith(page_path) and href[len(page_path):].rstrip("/").isdigit(), href
    link.click()
    page.wait_for_load_state()
    assert page.url == site["url"] + href  # the page itself, not a redirect
