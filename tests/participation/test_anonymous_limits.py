"""Findings 3 and 4: "anyone may answer" consultations limit new anonymous answers per client address
(a cleared cookie resets nothing), with a proof-of-work challenge that lets a shared address take
part; a rejected submission writes nothing, not even an empty draft."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from core import proof_of_work
from participation.models import Answer, Response
from tests.participation.conftest import build_consultation, full_post

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _fresh_limits(settings: Any) -> Iterator[None]:
    settings.PROOF_OF_WORK_BITS = 8  # the mechanism, cheaply; the browser's default is 16 bits
    cache.clear()
    yield
    cache.clear()


def url(consultation: Any) -> str:
    return f"/en/participation/consultations/{consultation.slug}/"


def _proved(client: Client, consultation: Any, data: dict[str, Any]) -> dict[str, Any]:
    """What the browser's static/js/proof-of-work.js adds: the page's challenge and a nonce that meets it."""
    page = client.get(url(consultation)).content.decode()
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', page)
    assert challenge is not None
    return {**data, "pow_challenge": challenge.group(1), "pow_nonce": proof_of_work.solve(challenge.group(1))}


def test_twenty_invalid_anonymous_submissions_write_nothing(strategy_data: None) -> None:
    consultation = build_consultation("open-invalid", audience="anyone")
    invalid = full_post(consultation)
    single = next(key for key in invalid if key.startswith("q"))
    invalid[single] = ""  # a required question left unanswered
    for n in range(20):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")  # each from its own address: all reach validation
        assert client.post(url(consultation), _proved(client, consultation, invalid)).status_code == 400
        assert not client.cookies.get(f"pc_resume_{consultation.pk}")
    assert Response.objects.filter(consultation=consultation).count() == 0
    assert Answer.objects.filter(response__consultation=consultation).count() == 0


def test_an_invalid_save_of_a_new_draft_writes_nothing_either(strategy_data: None) -> None:
    consultation = build_consultation("open-draft", audience="anyone")
    bad_number = dict(full_post(consultation, action="save").items())
    number_key = next(key for key, value in bad_number.items() if value == "25")
    bad_number[number_key] = "-5"  # below the question's minimum
    client = Client()
    assert client.post(url(consultation), _proved(client, consultation, bad_number)).status_code == 400
    assert Response.objects.filter(consultation=consultation).count() == 0


def test_clearing_the_cookie_does_not_reset_the_limit(strategy_data: None) -> None:
    consultation = build_consultation("open-cookies", audience="anyone")
    statuses = []
    for _ in range(25):
        client = Client()  # a fresh browser each time: no cookie
        statuses.append(client.post(url(consultation), _proved(client, consultation, full_post(consultation)))
                        .status_code)
    assert statuses.count(302) == 10 and statuses[10:] == [429] * 15  # "10/h/ip" with the proof of work
    assert Response.objects.filter(consultation=consultation).count() == 10


def test_without_the_proof_of_work_the_limit_is_tighter(strategy_data: None) -> None:
    consultation = build_consultation("open-nojs", audience="anyone")
    statuses = [Client().post(url(consultation), full_post(consultation)).status_code for _ in range(6)]
    assert statuses == [302, 302, 302, 429, 429, 429]
    refused = Client().post(url(consultation), full_post(consultation))
    assert "Too many answers" in refused.content.decode()
    assert Response.objects.filter(consultation=consultation).count() == 3


def test_a_challenge_is_accepted_once_and_only_for_its_consultation(strategy_data: None) -> None:
    first = build_consultation("open-a", audience="anyone")
    second = build_consultation("open-b", audience="anyone")
    client = Client()
    data = _proved(client, first, {})
    assert proof_of_work.verify(data["pow_challenge"], data["pow_nonce"], f"consultation:{second.pk}") is False
    assert proof_of_work.verify(data["pow_challenge"], data["pow_nonce"], f"consultation:{first.pk}") is True
    assert proof_of_work.verify(data["pow_challenge"], data["pow_nonce"], f"consultation:{first.pk}") is False
    tampered = data["pow_challenge"].replace(":", ";", 1)
    assert proof_of_work.verify(tampered, data["pow_nonce"], f"consultation:{first.pk}") is False


def test_behind_the_proxy_one_client_does_not_use_up_anothers_allowance(strategy_data: None, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    consultation = build_consultation("open-proxy", audience="anyone")
    for _ in range(4):
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66").post(url(consultation), full_post(consultation))
    neighbour = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert neighbour.post(url(consultation), full_post(consultation)).status_code == 302


def test_a_resumed_draft_and_signed_in_answers_are_not_limited_per_address(strategy_data: None,
                                                                          make_verified: Any) -> None:
    consultation = build_consultation("open-resume", audience="anyone")
    client = Client()
    assert client.post(url(consultation), full_post(consultation, action="save")).status_code == 302
    for _ in range(5):  # editing the same response again and again
        assert client.post(url(consultation), full_post(consultation)).status_code == 302
    for n in range(4):
        member = Client()
        member.force_login(make_verified(email=f"member{n}@example.org"))
        assert member.post(url(consultation), full_post(consultation)).status_code == 302
    assert Response.objects.filter(consultation=consultation).count() == 5


def test_the_page_offers_the_challenge_to_anonymous_visitors_only(strategy_data: None, make_verified: Any) -> None:
    consultation = build_consultation("open-page", audience="anyone")
    page = Client().get(url(consultation)).content.decode()
    assert 'data-pow-challenge="' in page and "js/proof-of-work" in page and "<script>" not in page
    member = Client()
    member.force_login(make_verified(email="member@example.org"))
    assert "data-pow-challenge" not in member.get(url(consultation)).content.decode()


def test_the_default_difficulty_is_what_the_browser_solves(settings: Any) -> None:
    settings.PROOF_OF_WORK_BITS = 16
    challenge = proof_of_work.new_challenge("tests")
    nonce = proof_of_work.solve(challenge)
    assert proof_of_work.verify(challenge, nonce, "tests")
    assert not proof_of_work.meets(challenge, str(int(nonce) + 1), 16) or int(nonce) >= 0
