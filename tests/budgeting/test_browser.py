"""Every public page of the budgeting room passes axe-core (WCAG 2.1 AA) in ro and en, and the
ballot works with the keyboard. Map tiles are not fetched (tests never reach the network)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings

from tests.a11y import assert_accessible
from tests.addresses import localized
from tests.conftest import load_real_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server: Any) -> str:
    load_real_dataset()
    from budgeting import demo
    from core.geo import load_neighbourhoods

    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    demo.load_demo_data(io.StringIO(), ballots=20)  # fewer example ballots: pages look the same
    return str(live_server.url)


@pytest.fixture
def offline_page(page: Any) -> Any:
    page.route("**/*", lambda route: route.abort() if "127.0.0.1" not in route.request.url
               and "localhost" not in route.request.url else route.continue_())
    return page


def public_paths() -> list[str]:
    from budgeting.demo import DEMO_SLUG, IMPORTED_SLUG

    paths = ["/{lang}/budgeting/", f"/{{lang}}/budgeting/{DEMO_SLUG}/", f"/{{lang}}/budgeting/{DEMO_SLUG}/projects/",
             f"/{{lang}}/budgeting/{DEMO_SLUG}/projects/?category=spatii-verzi",
             f"/{{lang}}/budgeting/{DEMO_SLUG}/projects/1/", f"/{{lang}}/budgeting/{DEMO_SLUG}/projects/23/",
             f"/{{lang}}/budgeting/{DEMO_SLUG}/vote/", f"/{{lang}}/budgeting/{DEMO_SLUG}/vote/code/",
             f"/{{lang}}/budgeting/{IMPORTED_SLUG}/", f"/{{lang}}/budgeting/{IMPORTED_SLUG}/results/",
             f"/{{lang}}/budgeting/{IMPORTED_SLUG}/projects/1/"]
    return paths


def test_public_pages_have_no_axe_violations_in_both_languages(offline_page: Any, site: str) -> None:
    for lang in ("ro", "en"):
        for path in public_paths():
            assert_accessible(offline_page, site + localized(path.format(lang=lang)))


def test_signed_in_pages_have_no_axe_violations(offline_page: Any, site: str) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from accounts.roles import Role
    from accounts.services import assign_role
    from accounts.verification import verify_in_person
    from budgeting import services
    from budgeting.demo import DEMO_SLUG
    from budgeting.models import Edition

    user = get_user_model().objects.create_user(email="voter@example.org", password="correct horse battery")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    assign_role("tests", user, Role.CITIZEN)
    assign_role("tests", user, Role.DEPARTMENT_STAFF)
    verify_in_person(user, user, document="TM 424242", birth_date="1985-05-05")
    offline_page.goto(site + "/en/accounts/login/")
    offline_page.fill("input[name=login]", "voter@example.org")
    offline_page.fill("input[name=password]", "correct horse battery")
    offline_page.press("input[name=password]", "Enter")
    offline_page.wait_for_url("**/")
    edition = Edition.objects.get(slug=DEMO_SLUG)
    for lang in ("ro", "en"):
        for path in (f"/{lang}/budgeting/{DEMO_SLUG}/vote/", f"/{lang}/budgeting/{DEMO_SLUG}/review/",
                     f"/{lang}/budgeting/{DEMO_SLUG}/paper/"):
            assert_accessible(offline_page, site + localized(path))
    # Keyboard: tick the first project with the space bar and cast the ballot.
    offline_page.goto(site + f"/en/budgeting/{DEMO_SLUG}/vote/")
    offline_page.focus("#project_1")
    offline_page.keyboard.press("Space")
    assert offline_page.is_checked("#project_1")
    assert "1 projects" in offline_page.inner_text("fieldset output")
    offline_page.click("form.ballot button[type=submit]")
    offline_page.wait_for_load_state("networkidle")
    assert services.has_voted(user, edition)
