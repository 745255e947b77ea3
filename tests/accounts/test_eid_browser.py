"""Issue 16's "done when", in Chromium against the live server and a real OpenID Connect provider process on
127.0.0.1: a citizen on a phone signs in with the city's eID (one button on the sign-in page, one form the
first time), is a verified resident in that same step, and votes once in participatory budgeting; a second
sign-in with the same eID in another browser finds the same account and its vote. The sign-in page, the
first-time form and "My verification" pass axe-core and fit 390 px."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from tests.a11y import assert_accessible
from tests.accounts.oidc_support import Provider, start_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eid(live_server: Any, settings: Any) -> Iterator[Provider]:
    from core import csp

    provider = start_provider(f"{live_server.url}/oidc/eid/callback/")
    settings.SOCIALACCOUNT_PROVIDERS = provider.app_settings()
    csp.site_policy.cache_clear()
    try:
        yield provider
    finally:
        provider.stop()


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def shoot(page: Any, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(Path(os.environ.get("SCREENSHOT_DIR", tmp_path)) / f"{name}.png"), full_page=True)


def test_a_citizen_signs_in_with_the_eid_is_a_verified_resident_and_votes_once(
        browser: Any, live_server: Any, eid: Provider, tmp_path: Path) -> None:
    from accounts.models import Consent, User, Verification
    from budgeting.models import VoteRecord
    from core.geo import load_neighbourhoods
    from tests.budgeting.conftest import make_edition

    load_neighbourhoods(django_settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson", actor="t")
    edition = make_edition(slug="buget-2027")
    eid.sign_in_as(sub="ro-eid-maria", email="maria@example.org", email_verified=True, name="Maria Popescu",
                   address={"street_address": "Strada Gheorghe Lazăr 2", "locality": "Timișoara", "country": "RO"})
    base = str(live_server.url)
    vote_page = f"/ro/buget-participativ/{edition.slug}/vot/"
    context = browser.new_context(locale="ro-RO", viewport={"width": 390, "height": 844})
    page = context.new_page()
    assert_accessible(page, f"{base}/ro/accounts/login/?next={vote_page}")
    assert fits(page)
    shoot(page, "eid-sign-in-ro-390", tmp_path)
    page.get_by_role("button", name="Conectați-vă cu ROeID (test)").click()  # straight to the provider and back
    page.wait_for_url("**/accounts/3rdparty/signup/")
    assert "Un ultim pas" in page.content() and page.input_value("input[name=email]") == "maria@example.org"
    violations_url = page.url
    assert_accessible(page, violations_url)
    assert fits(page)
    shoot(page, "eid-first-sign-in-ro-390", tmp_path)
    page.get_by_label("Accept termenii de utilizare", exact=False).check()
    page.get_by_role("button", name="Creați-mi contul").click()
    page.wait_for_url(f"**{vote_page}")
    user = User.objects.get(email="maria@example.org")
    resident = Verification.objects.get(user=user, level="resident", revoked_at__isnull=True)
    assert resident.method == "eid" and resident.neighbourhood is not None
    assert Consent.objects.filter(user=user, kind="terms", given=True).count() == 1
    page.locator("main input[type=checkbox]").first.check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert "Vă mulțumim" in page.content()
    assert VoteRecord.objects.filter(edition=edition).count() == 1
    assert_accessible(page, f"{base}/ro/accounts/verification/")
    assert fits(page) and "Furnizor de identitate electronică (eID)" in page.content()
    shoot(page, "eid-my-verification-ro-390", tmp_path)
    context.close()
    # The same person on another phone: the same account (no form this time), still one vote.
    other = browser.new_context(locale="ro-RO", viewport={"width": 390, "height": 844})
    page = other.new_page()
    page.goto(f"{base}/ro/accounts/login/?next={vote_page}")
    page.get_by_role("button", name="Conectați-vă cu ROeID (test)").click()
    page.wait_for_url(f"**{vote_page}")
    page.locator("main input[type=checkbox]").nth(1).check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert User.objects.filter(socialaccount__uid="ro-eid-maria").count() == 1
    assert VoteRecord.objects.filter(edition=edition).count() == 1
    other.close()
