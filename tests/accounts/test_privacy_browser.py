"""In Chromium: staff set up TOTP and a WebAuthn key (a virtual authenticator through the DevTools protocol),
and the MFA and "my data" pages pass axe-core in ro and en and fit 390 px without sideways scrolling."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def staff(settings: Any) -> Any:
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import assign_role

    settings.STAFF_MFA_REQUIRED = True
    user = User.objects.create_user(email="staff@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    assign_role("tests", user, Role.MODERATOR)
    return user


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(locale="ro-RO", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.route("**/*", lambda route: route.abort() if "localhost" not in route.request.url
               and "127.0.0.1" not in route.request.url else route.continue_())
    yield page
    context.close()


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def shoot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def sign_in(page: Any, base: str) -> None:
    page.goto(base + "/ro/accounts/login/")
    page.fill("input[name=login]", "staff@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")


def test_staff_set_up_a_webauthn_key_and_the_pages_are_accessible(phone: Any, live_server: Any, staff: Any,
                                                                  tmp_path: Path) -> None:
    from allauth.mfa.models import Authenticator

    base = str(live_server.url)
    assert "localhost" in base  # WebAuthn refuses IP addresses as relying-party ids
    sign_in(phone, base)
    phone.goto(base + "/ro/admin/")
    assert "/ro/accounts/2fa/" in phone.url  # sent to set a second factor up
    for lang in ("ro", "en"):
        assert_accessible(phone, f"{base}/{lang}/accounts/2fa/")
        assert fits(phone), lang
    # allauth asks for the password again before a factor is added.
    phone.goto(base + "/ro/accounts/2fa/totp/activate/")
    assert "/reauthenticate/" in phone.url
    phone.fill("input[name=password]", PASSWORD)
    phone.press("input[name=password]", "Enter")
    phone.wait_for_url("**/2fa/totp/activate/")
    assert fits(phone)
    shoot(phone, "mfa-totp-activate-ro-390", tmp_path)
    for lang in ("ro", "en"):
        assert_accessible(phone, f"{base}/{lang}/accounts/2fa/totp/activate/")
        assert fits(phone), lang

    # A security key: Chromium's virtual authenticator answers navigator.credentials.create().
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True}})
    phone.goto(base + "/ro/accounts/2fa/webauthn/add/")
    assert_accessible(phone, base + "/ro/accounts/2fa/webauthn/add/")
    phone.click("#mfa_webauthn_add")
    phone.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.WEBAUTHN).exists()
    # Added in this session: the back office opens.
    response = phone.goto(base + "/ro/admin/")
    assert response is not None and response.status == 200 and "/ro/admin/" in phone.url

    # Recovery codes were made with the first factor; their page reads in both languages too.
    for lang in ("ro", "en"):
        assert_accessible(phone, f"{base}/{lang}/accounts/2fa/recovery-codes/")
        assert fits(phone), lang

    # The next sign-in asks for the key: the virtual authenticator signs the challenge.
    phone.context.clear_cookies()
    sign_in(phone, base)
    assert "/accounts/2fa/authenticate/" in phone.url
    assert_accessible(phone, base + "/ro/accounts/2fa/authenticate/")
    assert fits(phone)
    shoot(phone, "mfa-authenticate-ro-390", tmp_path)
    phone.click("#mfa_webauthn_authenticate")
    phone.wait_for_url(lambda url: "/2fa/authenticate/" not in url)
    response = phone.goto(base + "/ro/admin/")
    assert response is not None and response.status == 200 and "/ro/admin/" in phone.url

    # A person's own data, on a phone, in both languages.
    for lang in ("ro", "en"):
        for path in ("accounts/me/data/", "accounts/me/consents/", "accounts/me/delete/"):
            assert_accessible(phone, f"{base}/{lang}/{path}")
            assert fits(phone), f"{lang}/{path}"
    phone.goto(base + "/ro/accounts/me/data/")
    shoot(phone, "my-data-ro-390", tmp_path)
