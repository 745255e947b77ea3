"""Every public page of the strategy room passes axe-core (WCAG 2.1 AA) in headless Chromium,
in both languages, and works with the keyboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y import assert_accessible
from tests.addresses import localized
from tests.conftest import load_real_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/{lang}/", "/{lang}/strategy/", "/{lang}/ambitions/1/", "/{lang}/ambitions/7/", "/{lang}/projects/",
         "/{lang}/projects/?status=unrecorded&ambition=3", "/{lang}/projects/A1.O3.P1/", "/{lang}/kpis/",
         "/{lang}/kpis/A5.K3/", "/{lang}/governance/", "/{lang}/report/2024/", "/{lang}/accounts/login/",
         "/{lang}/accounts/signup/"]


@pytest.fixture
def seeded(live_server: Any) -> str:
    load_real_dataset()
    from strategy.models import KPI
    from strategy.services import record_measurement

    kpi = KPI.objects.get(code="A5.K3")
    import datetime as dt
    from decimal import Decimal

    record_measurement("tests", kpi, dt.date(2023, 6, 30), Decimal("19.5"))
    return live_server.url


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_public_pages_have_no_axe_violations(page: Any, seeded: str, lang: str) -> None:
    for path in PAGES:
        assert_accessible(page, seeded + localized(path.format(lang=lang)))


def test_portfolio_filters_with_keyboard_and_htmx(page: Any, seeded: str) -> None:
    page.goto(seeded + "/en/projects/")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.select_option("#f-ambition", "5")
    page.wait_for_url("**ambition=5**")
    rows = page.locator("#results tbody tr")
    assert rows.count() >= 1
    assert "5." in rows.first.inner_text()


def test_language_switcher_keeps_the_page(page: Any, seeded: str) -> None:
    page.goto(seeded + "/ro/guvernanta/")
    page.select_option("#language-select", "en")
    page.click("form.lang-form button")
    page.wait_for_url("**/en/governance/")
    assert page.locator("html").get_attribute("lang") == "en"
