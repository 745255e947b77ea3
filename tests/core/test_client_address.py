"""Finding 2: one client address for every limit; forged X-Forwarded-For entries change nothing;
sign-in and voting-code limits that one client cannot turn against everyone else."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from core.client_address import client_address_from

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address_from("198.51.100.7", "203.0.113.9") == "198.51.100.7"


def test_the_rightmost_untrusted_entry_is_the_client() -> None:
    # One proxy of ours: it appended the real client (198.51.100.7); the client forged 1.2.3.4.
    assert client_address_from(PROXY, "1.2.3.4, 198.51.100.7", trusted_count=1) == "198.51.100.7"
    assert client_address_from(PROXY, "198.51.100.7", trusted_count=1) == "198.51.100.7"
    # Two proxies (CDN then nginx): the CDN's entry is trusted too.
    assert client_address_from(PROXY, "1.2.3.4, 198.51.100.7, 10.0.0.9", trusted_count=2) == "198.51.100.7"
    # By network instead of by count.
    proxies = ("10.0.0.0/8",)
    assert client_address_from(PROXY, "1.2.3.4, 198.51.100.7, 10.0.0.9", trusted_proxies=proxies) == "198.51.100.7"
    assert client_address_from("198.51.100.8", "1.2.3.4", trusted_proxies=proxies) == "198.51.100.8"
    assert client_address_from(PROXY, "garbage, 10.0.0.5", trusted_proxies=proxies) == "10.0.0.5"
    assert client_address_from(PROXY, "[2001:db8::1]:443", trusted_count=1) == "2001:db8::1"


def _login(client: Client, email: str, password: str, client_ip: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip} if client_ip else {}
    return client.post("/en/accounts/login/", {"login": email, "password": password}, **extra)


def _signed_in(response: Any) -> bool:
    # Mandatory e-mail verification: a correct password leads on to confirming the address.
    return response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.django_db
def test_thirty_failed_sign_ins_from_one_address_lock_no_one_else_out(make_user: Any) -> None:
    make_user(email="victim@example.org", password="correct horse battery")
    make_user(email="other@example.org", password="correct horse battery")
    stranger = Client()
    for _ in range(30):
        assert not _signed_in(_login(stranger, "victim@example.org", "wrong guess"))
    # The same address, another account: not refused.
    assert _signed_in(_login(Client(), "other@example.org", "correct horse battery"))


@pytest.mark.django_db
def test_behind_the_proxy_a_guesser_locks_out_neither_others_nor_the_account_owner(
        make_user: Any, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(email="victim@example.org", password="correct horse battery")
    make_user(email="other@example.org", password="correct horse battery")
    stranger = Client()
    responses = [_login(stranger, "victim@example.org", "wrong guess", "203.0.113.66") for _ in range(30)]
    assert b"Too many failed login attempts" in responses[-1].content  # the guesser is slowed down
    # Prepending another address does not get the guesser a fresh allowance.
    forged = _login(stranger, "victim@example.org", "wrong guess", "192.0.2.1, 203.0.113.66")
    assert b"Too many failed login attempts" in forged.content
    # Everyone else behind the same proxy signs in, the account's owner included.
    assert _signed_in(_login(Client(), "other@example.org", "correct horse battery", "198.51.100.7"))
    assert _signed_in(_login(Client(), "victim@example.org", "correct horse battery", "198.51.100.8"))


@pytest.mark.django_db
def test_a_forged_forwarded_for_entry_does_not_bypass_a_report_limit(settings: Any) -> None:
    from django.test import RequestFactory

    from core import ratelimit

    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    allowed = []
    for n in range(15):
        request = factory.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.66")
        allowed.append(ratelimit.hit(request, "report:address").allowed)
    assert allowed.count(True) == 10  # "10/h/ip": the forged first entries change nothing
    refused = ratelimit.hit(factory.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66"),
                            "report:address")
    assert not refused.allowed and 3500 < refused.retry_after <= 3601
    other = factory.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert ratelimit.hit(other, "report:address").allowed
