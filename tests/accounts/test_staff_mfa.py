"""Staff sign in with a second factor (accounts/staff_mfa.py, allauth.mfa): TOTP, recovery codes, WebAuthn."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client

from accounts.roles import STAFF_ROLES, Role

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def mfa_required(settings: Any) -> None:
    settings.STAFF_MFA_REQUIRED = True
    settings.MFA_TOTP_TOLERANCE = 1  # a code computed just before a 30 s boundary still counts


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def confirmed(user: Any) -> Any:
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def sign_in(client: Client, user: Any) -> Any:
    return client.post("/ro/accounts/login/", {"login": user.email, "password": PASSWORD})


def reauthenticate(client: Client) -> None:
    """allauth asks for the password again before a factor is added (a stolen session cannot add one)."""
    response = client.post("/ro/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def activate_totp(client: Client) -> str:
    reauthenticate(client)
    page = client.get("/ro/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/ro/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_every_staff_role_without_a_second_factor_is_sent_to_set_one_up(client: Client, make_user: Any,
                                                                          role: Role) -> None:
    staff = confirmed(make_user(role))
    assert staff.is_staff
    assert sign_in(client, staff).status_code == 302
    for path in ("/ro/admin/", "/en/admin/accounts/user/", "/ro/sesizari/birou/", "/ro/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/2fa/?next=" in response["Location"], path
    # The API refuses too, with JSON (a session is a session wherever it is sent).
    api = client.get("/api/v1/strategy")
    assert api.status_code in (403, 404)
    # The set-up pages and sign-out stay open.
    assert client.get("/ro/accounts/2fa/").status_code == 200
    assert client.get("/ro/accounts/2fa/totp/activate/").status_code == 302  # after the password again
    reauthenticate(client)
    assert client.get("/ro/accounts/2fa/totp/activate/").status_code == 200


def test_citizens_are_not_asked_for_a_second_factor(client: Client, make_user: Any) -> None:
    citizen = confirmed(make_user(Role.CITIZEN))
    sign_in(client, citizen)
    assert client.get("/ro/").status_code == 200


def test_the_back_office_login_is_the_one_sign_in_page(client: Client, make_user: Any) -> None:
    response = client.get("/ro/admin/login/?next=/ro/admin/reports/")
    assert response.status_code == 302
    assert response["Location"] == "/ro/accounts/login/?next=%2Fro%2Fadmin%2Freports%2F"
    # A foreign next is dropped.
    assert "evil" not in client.get("/ro/admin/login/?next=https://evil.example/")["Location"]
    # Anonymous visitors to the back office end up on allauth's page.
    assert client.get("/ro/admin/", follow=True).redirect_chain[-1][0].startswith("/ro/accounts/login/")
    # A signed-in citizen is refused instead of looping between the two pages.
    sign_in(client, confirmed(make_user(Role.CITIZEN)))
    assert client.get("/ro/admin/login/").status_code == 403


@pytest.mark.django_db(transaction=True)  # allauth announces a new factor on commit
def test_totp_set_up_opens_the_back_office_and_every_later_sign_in_asks_for_a_code(make_user: Any) -> None:
    staff = confirmed(make_user(Role.MODERATOR))
    client = Client()
    sign_in(client, staff)
    assert client.get("/ro/admin/").status_code == 302
    secret = activate_totp(client)
    # Set up in this session: the back office opens at once.
    assert client.get("/ro/admin/").status_code == 200
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    # Recovery codes were generated with the first factor.
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()

    # A new sign-in: the password alone is not enough.
    client = Client()
    response = sign_in(client, staff)
    assert response["Location"] == "/ro/accounts/2fa/authenticate/"
    assert client.get("/ro/admin/").status_code == 302
    wrong = client.post("/ro/accounts/2fa/authenticate/", {"code": "000000" if totp_now(secret) != "000000"
                                                           else "111111"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    code = totp_now(secret)
    assert client.post("/ro/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/ro/admin/").status_code == 200
    assert client.get("/ro/sesizari/birou/").status_code == 200

    # The same code cannot be replayed for another sign-in.
    replay = Client()
    sign_in(replay, staff)
    assert replay.post("/ro/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert replay.get("/ro/admin/").status_code == 302


@pytest.mark.django_db(transaction=True)  # allauth announces a new factor on commit
def test_a_session_from_before_the_set_up_is_asked_for_the_code(make_user: Any) -> None:
    staff = confirmed(make_user(Role.ADMINISTRATOR))
    first = Client()
    sign_in(first, staff)
    activate_totp(first)
    # A second session signed in before (here: force_login skips allauth's stages) must re-authenticate.
    other = Client()
    other.force_login(staff)
    response = other.get("/ro/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/ro/accounts/2fa/reauthenticate/")


@pytest.mark.django_db(transaction=True)  # allauth announces a new factor on commit
def test_recovery_codes_work_once_each(make_user: Any) -> None:
    staff = confirmed(make_user(Role.DEPARTMENT_STAFF))
    client = Client()
    sign_in(client, staff)
    activate_totp(client)
    codes = RecoveryCodes(Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES))
    first, second = codes.get_unused_codes()[:2]

    client = Client()
    sign_in(client, staff)
    assert client.post("/ro/accounts/2fa/authenticate/", {"code": first}).status_code == 302
    assert client.get("/ro/admin/").status_code == 200

    client = Client()
    sign_in(client, staff)
    refused = client.post("/ro/accounts/2fa/authenticate/", {"code": first})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert client.post("/ro/accounts/2fa/authenticate/", {"code": second}).status_code == 302
    assert client.get("/ro/admin/").status_code == 200


def test_webauthn_registration_options_are_served(make_user: Any) -> None:
    staff = confirmed(make_user(Role.STRATEGY_EDITOR))
    client = Client()
    sign_in(client, staff)
    reauthenticate(client)
    page = client.get("/ro/accounts/2fa/webauthn/add/")
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('id="js_data"')
    options = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
    public_key = options["creation_options"]["publicKey"]
    assert public_key["rp"]["id"] == "testserver"
    assert public_key["user"]["name"] == staff.email
    assert public_key["challenge"]


def test_a_staff_role_given_through_the_group_field_needs_a_second_factor_too(client: Client, make_user: Any) -> None:
    from django.contrib.auth.models import Group

    user = confirmed(make_user())
    moderators, _ = Group.objects.get_or_create(name=Role.MODERATOR.value)
    user.groups.add(moderators)  # as the back office's user form does, without accounts.services
    user.refresh_from_db()
    assert user.is_staff
    other = confirmed(make_user())
    moderators.user_set.add(other)
    other.refresh_from_db()
    assert other.is_staff
    sign_in(client, user)
    assert "/accounts/2fa/" in client.get("/ro/sesizari/birou/")["Location"]
