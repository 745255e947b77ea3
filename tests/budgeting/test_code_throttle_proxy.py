"""Finding 2: behind the reverse proxy, 20 wrong voting codes from one client lock out only that client."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.test import Client

from budgeting.models import Edition
from tests.budgeting.test_views import url

PROXY = "10.0.0.2"
WRONG = {"code": "AAAA-AAAA-AAAA-AAAA"}


def test_wrong_codes_from_one_client_do_not_lock_out_others(voting_edition: Edition, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    cache.clear()
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(20):
        assert guesser.post(url("vote_code", voting_edition), WRONG).status_code == 400
    assert guesser.post(url("vote_code", voting_edition), WRONG).status_code == 429
    # A forged first entry does not give the guesser a fresh allowance.
    forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.66")
    assert forged.post(url("vote_code", voting_edition), WRONG).status_code == 429
    # Another citizen behind the same proxy is still heard (a wrong code is a 400, not a 429).
    neighbour = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert neighbour.post(url("vote_code", voting_edition), WRONG).status_code == 400
    cache.clear()
