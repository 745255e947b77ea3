"""Budgeting's part of a person's data: secret ballots and deleting an account (budgeting/personal_data.py)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts import personal_data
from accounts.services import delete_account
from budgeting import services
from budgeting.models import Ballot, Edition, VoteRecord

pytestmark = pytest.mark.django_db


def test_the_export_says_where_the_person_voted_never_how(resident: Any, voting_edition: Edition) -> None:
    services.cast_account_ballot(resident, voting_edition, {1: 1, 2: 1})
    votes = personal_data.export_json(resident)["rooms"]["budgeting"]["sections"]["votes"]
    assert votes["records"] == [{"edition__title": voting_edition.title,
                                 "created_at": votes["records"][0]["created_at"]}]
    assert "secret" in votes["note"]


def test_deleting_the_account_while_the_vote_is_open_withdraws_the_ballot(resident: Any, make_resident: Any,
                                                                          voting_edition: Edition) -> None:
    services.cast_account_ballot(resident, voting_edition, {1: 1, 2: 1})
    services.cast_account_ballot(make_resident(), voting_edition, {3: 1})
    counts = delete_account(resident)
    assert counts["budgeting"]["open_ballots_withdrawn"] == 1
    assert Ballot.objects.filter(edition=voting_edition).count() == 1  # the other voter's stays
    assert VoteRecord.objects.filter(edition=voting_edition).count() == 1


def test_after_the_close_the_ballot_stays_counted(resident: Any, voting_edition: Edition) -> None:
    services.cast_account_ballot(resident, voting_edition, {1: 1, 2: 1})
    services.close_voting("tests", voting_edition)
    counts = delete_account(resident)
    assert counts["budgeting"]["open_ballots_withdrawn"] == 0
    assert Ballot.objects.filter(edition=voting_edition).count() == 1
    assert not VoteRecord.objects.filter(edition=voting_edition).exists()
