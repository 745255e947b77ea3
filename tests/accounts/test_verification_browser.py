"""In Chromium: "My verification", the residents-register check, the office's in-person page and the eID
refusal page pass axe-core in ro and en and fit 390 px without sideways scrolling."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.a11y import WCAG_TAGS, assert_accessible, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def people(settings: Any) -> dict[str, Any]:
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import assign_role
    from accounts.verification import verify_in_person

    settings.STAFF_MFA_REQUIRED = False
    # A provider that is never contacted: the refusal below happens before any request to it.
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {
        "provider_class": "accounts.oidc.CityOpenIDConnectProvider",
        "APPS": [{"provider_id": "eid", "name": "ROeID", "client_id": "c", "secret": "s",
                  "settings": {"server_url": "http://127.0.0.1:9"}}]}}
    made = {}
    for name, role in (("citizen", Role.CITIZEN), ("office", Role.DEPARTMENT_STAFF)):
        user = User.objects.create_user(email=f"{name}@example.org", password=PASSWORD)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        assign_role("tests", user, role)
        made[name] = user
    verify_in_person(made["office"], made["citizen"], document="TM 123456", birth_date="1985-03-14")
    return made


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def shoot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/ro/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [390, 1280])
def test_verification_pages_are_accessible_and_fit(browser: Any, live_server: Any, people: dict[str, Any],
                                                   tmp_path: Path, width: int) -> None:
    context = browser.new_context(locale="ro-RO", viewport={"width": width, "height": 900})
    page = context.new_page()
    base = str(live_server.url)
    sign_in(page, base, "citizen@example.org")
    for lang in ("ro", "en"):
        for path in ("/accounts/verification/", "/accounts/verification/register/"):
            assert_accessible(page, f"{base}/{lang}{path}")
            assert fits(page), (lang, path, width)
    page.goto(base + "/ro/accounts/verification/")
    assert "Rezident verificat" in page.content()
    shoot(page, f"identity-my-verification-ro-{width}", tmp_path)
    page.goto(base + "/ro/accounts/verification/register/")
    page.fill("input[name=document_number]", "TM 000000")
    page.fill("input[name=birth_date]", "01.01.1970")
    page.press("input[name=birth_date]", "Enter")
    page.wait_for_load_state("networkidle")
    assert "nu se află în registrul" in page.content() or "nu este disponibilă" in page.content()
    assert fits(page)
    shoot(page, f"identity-register-check-ro-{width}", tmp_path)
    context.clear_cookies()
    sign_in(page, base, "office@example.org")
    for lang in ("ro", "en"):
        assert_accessible(page, f"{base}/{lang}/accounts/verification/in-person/")
        assert fits(page)
    # The refusal page (here: a callback whose state this browser never started).
    for lang in ("ro", "en"):
        page.goto(f"{base}/{lang}/")
        response = page.goto(f"{base}/oidc/eid/callback/?code=x&state=forged")
        assert response is not None and response.status == 400
        violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert not violations.response["violations"], describe(violations.response["violations"])
        assert fits(page)
    shoot(page, f"identity-refusal-en-{width}", tmp_path)
    context.close()
