"""OpenID Connect sign-in end to end against a real provider process on 127.0.0.1 (authlib's OIDC server):
discovery, authorisation code with PKCE, state, nonce, ID-token signature against the provider's JWKS, and
each refusal with its own message."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from accounts.models import User
from accounts.oidc_config import OIDCConfigError, providers_from_environment
from tests.accounts.oidc_support import Provider, oidc_provider, oidc_provider_process, sign_in

__all__ = ["oidc_provider", "oidc_provider_process"]

pytestmark = pytest.mark.django_db


def test_a_citizen_signs_in_with_the_provider_and_an_account_is_made(oidc_provider: Provider) -> None:
    oidc_provider.sign_in_as(sub="ro-eid-123", email="ioana@example.org", email_verified=True, name="Ioana Pop")
    client = Client()
    response = sign_in(client, oidc_provider)
    assert response.status_code == 302, response.content[:800]
    user = User.objects.get(email="ioana@example.org")
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("eid", "ro-eid-123")
    assert client.session["_auth_user_id"] == str(user.pk)
    # Signing in again finds the same account.
    client.logout()
    assert sign_in(client, oidc_provider).status_code == 302
    assert User.objects.filter(email="ioana@example.org").count() == 1


def test_the_authorisation_request_carries_pkce_state_and_nonce(oidc_provider: Provider) -> None:
    start = Client().post("/ro/accounts/oidc/eid/login/")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 12 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == ["http://testserver/oidc/eid/callback/"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email", "address"}


@pytest.mark.parametrize(("mode", "code", "words"), [
    ("bad_signature", "signature", "not signed with its published key"),
    ("wrong_audience", "audience", "issued for another service"),
    ("expired", "expired", "has expired"),
])
def test_a_misbehaving_provider_is_refused_with_a_clear_message(oidc_provider: Provider, mode: str, code: str,
                                                                words: str) -> None:
    oidc_provider.sign_in_as(sub=f"ro-eid-{mode}", email=f"{mode}@example.org", email_verified=True)
    oidc_provider.misbehave(mode)
    client = Client()
    response = sign_in(client, oidc_provider, language="en")
    assert response.status_code == 400
    text = response.content.decode()
    assert f'data-refusal="{code}"' in text and words in text
    assert not User.objects.filter(email=f"{mode}@example.org").exists()
    assert "_auth_user_id" not in client.session


def test_a_replayed_nonce_is_refused(oidc_provider: Provider) -> None:
    oidc_provider.sign_in_as(sub="ro-eid-replay", email="replay@example.org", email_verified=True)
    assert sign_in(Client(), oidc_provider).status_code == 302
    # The provider now answers the next sign-in with an ID token carrying the previous sign-in's nonce.
    oidc_provider.misbehave("replayed_nonce")
    client = Client()
    response = sign_in(client, oidc_provider, language="en")
    assert response.status_code == 400
    assert 'data-refusal="nonce"' in response.content.decode()
    assert "already used or belongs to another sign-in attempt" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_refusal_reads_in_romanian(oidc_provider: Provider) -> None:
    oidc_provider.sign_in_as(sub="ro-eid-ro", email="ro@example.org", email_verified=True)
    oidc_provider.misbehave("expired")
    response = sign_in(Client(), oidc_provider, language="ro")
    assert response.status_code == 400
    assert "a expirat" in response.content.decode()


def test_a_callback_with_an_unknown_state_is_refused(oidc_provider: Provider) -> None:
    response = Client().get("/oidc/eid/callback/?code=abc&state=forged")
    assert response.status_code == 400 and 'data-refusal="state"' in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_the_provider_refuses_a_code_without_the_pkce_verifier(oidc_provider: Provider) -> None:
    """The PKCE pair is checked: the code alone, without the verifier our site kept, buys no token."""
    start = Client().post("/ro/accounts/oidc/eid/login/")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token = requests.post(f"{oidc_provider.issuer}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://testserver/oidc/eid/callback/",
        "client_id": "smartcity-tests", "client_secret": "client-secret-for-tests"})
    assert token.status_code == 400 and "code_verifier" in token.text


def test_providers_come_from_the_environment() -> None:
    apps = providers_from_environment({
        "OIDC_ISSUER": "https://eid.example.ro/", "OIDC_CLIENT_ID": "tm", "OIDC_CLIENT_SECRET": "s",
        "OIDC_NAME": "ROeID", "OIDC_SCOPES": "profile email address", "OIDC_VERIFIES_RESIDENCE": "true",
        "OIDC_2_ISSUER": "https://login.example.com", "OIDC_2_CLIENT_ID": "c2", "OIDC_2_CLIENT_SECRET": "s2",
    })
    assert [a["provider_id"] for a in apps] == ["eid", "oidc2"]
    assert apps[0]["name"] == "ROeID" and apps[0]["settings"]["server_url"] == "https://eid.example.ro"
    assert apps[0]["settings"]["scope"] == ["openid", "profile", "email", "address"]
    assert apps[0]["settings"]["verifies_residence"] is True
    assert apps[1]["settings"]["verifies_residence"] is False and apps[1]["name"] == "oidc2"
    assert providers_from_environment({}) == []


@pytest.mark.parametrize(("environ", "named"), [
    ({"OIDC_ISSUER": "https://x.example"}, "OIDC_CLIENT_ID"),
    ({"OIDC_ISSUER": "http://x.example", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"}, "OIDC_ISSUER"),
    ({"OIDC_1_ISSUER": "https://x.example", "OIDC_1_CLIENT_ID": "a", "OIDC_1_CLIENT_SECRET": "b",
      "OIDC_1_ID": "Bad Id"}, "OIDC_1_ID"),
])
def test_a_malformed_provider_configuration_names_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(OIDCConfigError, match=named):
        providers_from_environment(environ)




def test_the_eid_address_in_the_city_makes_a_verified_resident_in_one_step(oidc_provider: Provider) -> None:
    from django.conf import settings as django_settings

    from accounts.models import Verification
    from accounts.verification import RESIDENT, eligibility
    from core.geo import load_neighbourhoods

    load_neighbourhoods(django_settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson", actor="t")
    oidc_provider.sign_in_as(sub="ro-eid-resident", email="rezident@example.org", email_verified=True,
                             address={"street_address": "Strada Gheorghe Lazăr 2", "locality": "Timișoara",
                                      "country": "RO"})
    assert sign_in(Client(), oidc_provider).status_code == 302
    user = User.objects.get(email="rezident@example.org")
    verification = Verification.objects.get(user=user, level=RESIDENT)
    assert verification.method == "eid" and verification.provider == "eid"
    assert verification.neighbourhood is not None and verification.neighbourhood.name == "Circumvalațiunii"
    assert eligibility(user, RESIDENT, "budgeting:edition:1").allowed


def test_an_address_outside_the_city_or_an_untrusted_provider_verifies_no_residence(
        oidc_provider: Provider, settings: Any) -> None:
    from accounts.models import Verification

    oidc_provider.sign_in_as(sub="ro-eid-arad", email="arad@example.org", email_verified=True,
                             address={"street_address": "Bulevardul Revoluției 1", "locality": "Arad"})
    client = Client()
    assert sign_in(client, oidc_provider).status_code == 302
    told = [str(message) for message in client.get("/ro/").context["messages"]]
    assert any("nu a trimis o adresă din Timișoara" in message for message in told), told
    settings.SOCIALACCOUNT_PROVIDERS = oidc_provider.app_settings(verifies_residence=False)
    oidc_provider.sign_in_as(sub="ro-eid-other", email="other@example.org", email_verified=True,
                             address={"street_address": "Piața Victoriei 1", "locality": "Timisoara"})
    assert sign_in(Client(), oidc_provider).status_code == 302
    assert not Verification.objects.filter(level="resident").exists()


def test_a_first_sign_in_asks_once_for_the_terms_and_records_them(oidc_provider: Provider) -> None:
    """An account made through the provider has its consents like any other: a one-time form, the e-mail
    address filled in from the provider, the terms to accept; the address the provider vouched for counts as
    confirmed, dated, with the provider as its method."""
    from accounts.models import Consent, Verification

    oidc_provider.sign_in_as(sub="ro-eid-first", email="prima@example.org", email_verified=True)
    client = Client()
    response = sign_in(client, oidc_provider, complete_first_sign_in=False)
    assert response.status_code == 302 and response["Location"] == "/ro/accounts/3rdparty/signup/"
    assert not User.objects.filter(email="prima@example.org").exists()
    form = client.get(response["Location"]).content.decode()
    assert "Un ultim pas" in form and 'value="prima@example.org"' in form and 'name="accept_terms"' in form
    refused = client.post("/ro/accounts/3rdparty/signup/", {"email": "prima@example.org"})
    assert refused.status_code == 200 and not User.objects.filter(email="prima@example.org").exists()
    done = client.post("/ro/accounts/3rdparty/signup/", {"email": "prima@example.org", "accept_terms": "on"})
    assert done.status_code == 302, done.content[:500]
    user = User.objects.get(email="prima@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    terms = Consent.objects.get(user=user, kind=Consent.Kind.TERMS)
    assert terms.given and terms.context == "signup" and "termenii de utilizare" in terms.text
    email_level = Verification.objects.get(user=user, level="email")
    assert (email_level.method, email_level.provider) == ("eid", "eid") and email_level.verified_at
    # The next sign-in goes straight in.
    client.logout()
    assert sign_in(client, oidc_provider, complete_first_sign_in=False)["Location"] == "/ro/"


def test_a_signed_in_person_verifies_with_the_eid_from_my_verification(oidc_provider: Provider,
                                                                         make_user: Any) -> None:
    """An account made with an e-mail address and password links the eID ("Verify with ROeID") and is a
    verified resident at once."""
    from allauth.account.models import EmailAddress

    from accounts.verification import active_resident

    user = make_user(email="parola@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    signed_in = client.post("/ro/accounts/login/", {"login": user.email, "password": "correct horse battery"})
    assert signed_in.status_code == 302
    page = client.get("/ro/accounts/verification/").content.decode()
    assert "Verificați-vă cu ROeID (test)" in page and "process=connect" in page
    oidc_provider.sign_in_as(sub="ro-eid-connect", email="alta@example.org", email_verified=True,
                             address={"street_address": "Piața Victoriei 1", "locality": "TIMISOARA"})
    start = client.post("/ro/accounts/oidc/eid/login/?process=connect&next=/ro/accounts/verification/")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302 and response["Location"] == "/ro/accounts/verification/"
    resident = active_resident(user)
    assert resident is not None and resident.method == "eid"
    assert SocialAccount.objects.get(user=user).uid == "ro-eid-connect"
    assert "<dd>Rezident verificat</dd>" in client.get("/ro/accounts/verification/").content.decode()


def test_a_page_that_needs_a_sign_in_keeps_its_language(client: Client) -> None:
    response = client.get("/ro/accounts/verification/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ro/accounts/login/?next=/ro/accounts/verification/")


def test_the_sign_in_page_offers_the_provider_first_as_one_click(oidc_provider: Provider) -> None:
    """One large button that posts straight to the provider (no intermediate page), above the password form;
    the page's Content-Security-Policy lets that form's redirect reach the provider (form-action)."""
    from core import csp

    csp.site_policy.cache_clear()
    response = Client().get("/ro/accounts/login/?next=/ro/buget-participativ/")
    page = response.content.decode()
    button = page.index("Conectați-vă cu ROeID (test)")
    assert button < page.index('name="password"')
    assert 'action="/ro/accounts/oidc/eid/login/?process=login&amp;next=%2Fro%2Fbuget-participativ%2F"' in page
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert directives["form-action"] == f"'self' {oidc_provider.issuer}"
    assert "identitatea electronică vă confirmă și adresa" in page


def test_a_provider_that_sends_no_e_mail_still_signs_the_resident_in_at_once(oidc_provider: Provider) -> None:
    """ROeID may release no e-mail address: the one-time form asks for one, the person is signed in and a
    verified resident at once, and the address gets a confirmation link (a contact, not a condition)."""
    from django.core import mail

    from accounts.verification import active_resident, email_confirmed

    oidc_provider.sign_in_as(sub="ro-eid-no-mail", name="Gheorghe Vasile",
                             address={"street_address": "Strada Gheorghe Lazăr 2", "locality": "Timișoara"})
    client = Client()
    first = sign_in(client, oidc_provider, complete_first_sign_in=False)
    assert first["Location"] == "/ro/accounts/3rdparty/signup/"
    assert 'name="email"' in client.get(first["Location"]).content.decode()
    done = client.post(first["Location"], {"email": "gheorghe@example.org", "accept_terms": "on"})
    assert done.status_code == 302 and done["Location"] == "/ro/"
    user = User.objects.get(email="gheorghe@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert active_resident(user) is not None and not email_confirmed(user)
    assert [message.to for message in mail.outbox] == [["gheorghe@example.org"]]


def test_a_first_sign_in_with_the_address_of_an_existing_account_takes_nothing_over(
        oidc_provider: Provider, make_user: Any) -> None:
    """No account is taken over through an e-mail address, and the page does not tell whether the address has
    an account (allauth's enumeration prevention): the address's owner is mailed that an account exists; they
    sign in to it and link the eID from My verification."""
    from django.core import mail

    make_user(email="existent@example.org")
    oidc_provider.sign_in_as(sub="ro-eid-taken", email="existent@example.org", email_verified=True)
    client = Client()
    response = sign_in(client, oidc_provider, language="en")
    assert response.status_code == 302 and response["Location"] == "/en/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert list(User.objects.values_list("email", flat=True)) == ["existent@example.org"]
    assert not SocialAccount.objects.exists()
    assert [(message.to, "Already Exists" in message.subject) for message in mail.outbox] == [
        (["existent@example.org"], True)]
