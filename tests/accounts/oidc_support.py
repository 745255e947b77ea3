"""Starts the test OpenID Connect provider (tests/accounts/oidc_provider.py) as its own process on 127.0.0.1
and drives a sign-in through it: our site with Django's test client, the provider with `requests`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "smartcity-tests", "client-secret-for-tests"
REDIRECT_URI = "http://testserver/oidc/eid/callback/"


class Provider:
    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port, self.process = port, process
        self.issuer = f"http://127.0.0.1:{port}"

    def misbehave(self, mode: str) -> None:
        requests.post(f"{self.issuer}/_test/mode", json={"mode": mode}, timeout=10).raise_for_status()

    def sign_in_as(self, **claims: Any) -> None:
        requests.post(f"{self.issuer}/_test/person", json=claims, timeout=10).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def app_settings(self, *, verifies_residence: bool = True) -> dict[str, Any]:
        return {"openid_connect": {
            "provider_class": "accounts.oidc.CityOpenIDConnectProvider",
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [{"provider_id": "eid", "name": "ROeID (test)", "client_id": CLIENT_ID, "secret": CLIENT_SECRET,
                      "settings": {"server_url": self.issuer, "scope": ["openid", "profile", "email", "address"],
                                   "oauth_pkce_enabled": True, "verifies_residence": verifies_residence}}],
        }}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_provider(redirect_uri: str = REDIRECT_URI) -> Provider:
    """The provider as its own process on a free loopback port, accepting `redirect_uri` (stop with stop())."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.accounts.oidc_provider", str(port), CLIENT_ID,
                                CLIENT_SECRET, redirect_uri], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    provider = Provider(port, process)
    for _attempt in range(200):
        try:
            if requests.get(f"{provider.issuer}/_test/ready", timeout=1).ok:
                return provider
        except requests.ConnectionError:
            time.sleep(0.05)
        assert process.poll() is None, "the test OpenID Connect provider exited at start"
    process.kill()
    raise RuntimeError("the test OpenID Connect provider did not start")


@pytest.fixture(scope="session")
def oidc_provider_process() -> Iterator[Provider]:
    provider = start_provider()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def oidc_provider(oidc_provider_process: Provider, settings: Any) -> Iterator[Provider]:
    settings.SOCIALACCOUNT_PROVIDERS = oidc_provider_process.app_settings()
    oidc_provider_process.misbehave("good")
    yield oidc_provider_process
    oidc_provider_process.misbehave("good")


def sign_in(client: Client, provider: Provider, *, language: str = "ro", complete_first_sign_in: bool = True) -> Any:
    """Start the sign-in on our site, let the provider answer, return our callback's response; a first
    sign-in's one-time form (the e-mail address from the provider, the terms accepted) is submitted too
    unless `complete_first_sign_in` is off, and the form's answer returned."""
    start = client.post(f"/{language}/accounts/oidc/eid/login/")
    assert start.status_code == 302, start.content[:500]
    authorize = start["Location"]
    assert authorize.startswith(provider.issuer + "/authorize?"), authorize
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    back = urlsplit(answer.headers["Location"])
    assert f"http://{back.netloc}{back.path}" == REDIRECT_URI, answer.headers["Location"]
    response = client.get(f"{back.path}?{back.query}")
    if complete_first_sign_in and response.status_code == 302 and response["Location"].endswith(
            "/accounts/3rdparty/signup/"):
        form = client.get(response["Location"])
        assert form.status_code == 200, form.content[:500]
        email = form.context["form"].initial.get("email", "")
        return client.post(response["Location"], {"email": email, "accept_terms": "on"})
    return response
