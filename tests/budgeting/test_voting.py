"""Voting: eligibility, ballot rules per type, changing a ballot, codes, paper ballots, the close,
and what stays of the link between voters and ballots (nothing, after the close)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from budgeting import services
from budgeting.models import (
    Ballot,
    BallotChoice,
    BallotType,
    Edition,
    Eligibility,
    Phase,
    Pool,
    Project,
    SplitBy,
    VoteRecord,
    VotingCode,
)
from core.models import AuditEntry, Neighbourhood
from tests.budgeting.conftest import make_edition

pytestmark = pytest.mark.django_db


def test_resident_votes_and_changes_the_ballot_until_close(voting_edition: Edition, resident: Any) -> None:
    assert services.cast_account_ballot(resident, voting_edition, {1: 1, 2: 1}) is False
    assert services.current_choices(resident, voting_edition) == {1: 1, 2: 1}
    assert services.cast_account_ballot(resident, voting_edition, {3: 1}) is True
    assert services.current_choices(resident, voting_edition) == {3: 1}
    # Replacing leaves one ballot, not two.
    assert Ballot.objects.filter(edition=voting_edition).count() == 1
    assert VoteRecord.objects.filter(edition=voting_edition, user=resident).count() == 1


def test_closing_destroys_every_link_between_voters_and_ballots(voting_edition: Edition, make_resident: Any,
                                                                admin_user: Any) -> None:
    voters = [make_resident() for _ in range(3)]
    for voter in voters:
        services.cast_account_ballot(voter, voting_edition, {1: 1})
    services.close_voting(admin_user, voting_edition)
    assert not VoteRecord.objects.filter(edition=voting_edition).exclude(token="").exists()
    assert not Ballot.objects.filter(edition=voting_edition, replacement_digest__isnull=False).exists()
    assert services.current_choices(voters[0], voting_edition) is None
    # A ballot row has no field that could point at a person or a moment.
    ballot_fields = {field.name for field in Ballot._meta.get_fields()}
    assert ballot_fields == {"id", "edition", "channel", "replacement_digest", "choices"}
    # The audit trail says who voted (like the vote records) but never which ballot.
    for entry in AuditEntry.objects.filter(action__startswith="budgeting.ballot"):
        assert entry.target_label == str(voting_edition)
        assert not any(str(ballot.pk) in str(entry.changes) for ballot in Ballot.objects.all())


def test_double_voting_is_impossible_even_after_close(voting_edition: Edition, resident: Any,
                                                      admin_user: Any) -> None:
    services.cast_account_ballot(resident, voting_edition, {1: 1})
    services.close_voting(admin_user, voting_edition)
    with pytest.raises(ValidationError) as error:
        services.cast_account_ballot(resident, voting_edition, {2: 1})
    assert "edition" in error.value.message_dict
    assert Ballot.objects.filter(edition=voting_edition).count() == 1


def test_ballot_after_the_closing_time_is_refused_even_before_the_close_job(voting_edition: Edition,
                                                                            resident: Any) -> None:
    Edition.objects.filter(pk=voting_edition.pk).update(voting_end=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as error:
        services.cast_account_ballot(resident, voting_edition, {1: 1})
    assert "edition" in error.value.message_dict
    assert services.close_due_editions() == [voting_edition.slug]


def test_only_verified_residents_vote_with_an_account(voting_edition: Edition, citizen: Any, unverified: Any,
                                                      admin_user: Any) -> None:
    from accounts.verification import verify_in_person

    with pytest.raises(PermissionDenied):
        services.cast_account_ballot(citizen, voting_edition, {1: 1})  # a confirmed e-mail is not enough
    verify_in_person(admin_user, citizen, document="TM 808080", birth_date="1990-01-01")
    services.cast_account_ballot(citizen, voting_edition, {1: 1})
    with pytest.raises(PermissionDenied):  # neither e-mail confirmed nor verified
        services.cast_account_ballot(unverified, voting_edition, {1: 1})


def test_knapsack_ballot_over_the_budget_is_refused(db: Any, resident: Any) -> None:
    edition = make_edition(ballot_type=BallotType.KNAPSACK, budget=1000, costs=(400, 300, 300, 500))
    with pytest.raises(ValidationError) as error:
        services.cast_account_ballot(resident, edition, {1: 1, 2: 1, 4: 1})  # 1200 > 1000
    assert "choices" in error.value.message_dict
    assert "1" in " ".join(error.value.message_dict["choices"])
    services.cast_account_ballot(resident, edition, {1: 1, 2: 1, 3: 1})  # exactly 1000


def test_too_many_approvals_are_refused(db: Any, resident: Any) -> None:
    edition = make_edition(max_choices=2)
    with pytest.raises(ValidationError) as error:
        services.cast_account_ballot(resident, edition, {1: 1, 2: 1, 3: 1})
    assert "choices" in error.value.message_dict
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("choices", [{}, {99: 1}, {1: 2}])
def test_empty_unknown_or_weighted_approval_ballots_are_refused(voting_edition: Edition, resident: Any,
                                                                choices: dict[int, int]) -> None:
    with pytest.raises(ValidationError) as error:
        services.cast_account_ballot(resident, voting_edition, choices)
    assert "choices" in error.value.message_dict


def test_cumulative_points_over_the_limit_are_refused(db: Any, resident: Any) -> None:
    edition = make_edition(ballot_type=BallotType.CUMULATIVE, max_total_points=10, max_points_per_project=6)
    for bad in ({1: 6, 2: 5}, {1: 7}):
        with pytest.raises(ValidationError):
            services.cast_account_ballot(resident, edition, bad)
    services.cast_account_ballot(resident, edition, {1: 6, 2: 4})
    assert dict(BallotChoice.objects.values_list("project__number", "value")) == {1: 6, 2: 4}


def test_ranked_ballots_need_consecutive_ranks(db: Any, resident: Any) -> None:
    edition = make_edition(ballot_type=BallotType.RANKED, max_choices=3)
    for bad in ({1: 1, 2: 3}, {1: 1, 2: 1}, {1: 1, 2: 2, 3: 3, 4: 4}):
        with pytest.raises(ValidationError):
            services.cast_account_ballot(resident, edition, bad)
    services.cast_account_ballot(resident, edition, {3: 1, 1: 2})


def test_voting_code_is_single_use_and_replay_is_refused(voting_edition: Edition, admin_user: Any) -> None:
    [code] = services.generate_codes(admin_user, voting_edition, 1)
    services.cast_code_ballot(voting_edition, code, {1: 1})
    with pytest.raises(ValidationError) as error:
        services.cast_code_ballot(voting_edition, code, {2: 1})
    assert "code" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.cast_code_ballot(voting_edition, code.lower().replace("-", " "), {2: 1})  # same code, retyped
    assert Ballot.objects.filter(edition=voting_edition).count() == 1
    assert Ballot.objects.get().channel == Ballot.Channel.CODE


def test_codes_are_stored_only_as_hashes(voting_edition: Edition, admin_user: Any) -> None:
    codes = services.generate_codes(admin_user, voting_edition, 5, batch="Primăria, ghișeul 3")
    assert len(set(codes)) == 5
    stored = list(VotingCode.objects.values_list("code_hash", flat=True))
    for code in codes:
        assert services.normalise_code(code) not in " ".join(stored)
        assert services.hash_code(code) in stored
    # A code of another edition is not valid here.
    other = make_edition(slug="other-edition")
    with pytest.raises(ValidationError):
        services.cast_code_ballot(other, codes[0], {1: 1})


def test_wrong_code_and_bad_ballot_leave_the_code_unused(voting_edition: Edition, admin_user: Any) -> None:
    [code] = services.generate_codes(admin_user, voting_edition, 1)
    with pytest.raises(ValidationError):
        services.cast_code_ballot(voting_edition, "AAAA-BBBB-CCCC-DDDD", {1: 1})
    with pytest.raises(ValidationError):
        services.cast_code_ballot(voting_edition, code, {})
    assert VotingCode.objects.get().used_at is None
    services.cast_code_ballot(voting_edition, code, {1: 1})


def test_paper_ballots_need_staff_and_spend_the_code(voting_edition: Edition, admin_user: Any, reviewer: Any,
                                                     citizen: Any) -> None:
    first, second = services.generate_codes(admin_user, voting_edition, 2)
    with pytest.raises(PermissionDenied):
        services.cast_code_ballot(voting_edition, first, {1: 1}, entered_by=citizen)
    services.cast_code_ballot(voting_edition, first, {1: 1}, entered_by=reviewer)
    assert Ballot.objects.get().channel == Ballot.Channel.PAPER
    with pytest.raises(ValidationError):  # the same paper entered twice
        services.cast_code_ballot(voting_edition, first, {1: 1}, entered_by=reviewer)
    services.cast_code_ballot(voting_edition, second, {2: 1})
    assert AuditEntry.objects.filter(action="budgeting.paper_ballot.entered", actor=reviewer).count() == 1


def test_codes_only_edition_refuses_accounts_and_accounts_only_refuses_codes(db: Any, resident: Any,
                                                                            admin_user: Any) -> None:
    codes_only = make_edition(slug="codes-only", eligibility=Eligibility.CODES)
    with pytest.raises(PermissionDenied):
        services.cast_account_ballot(resident, codes_only, {1: 1})
    accounts_only = make_edition(slug="accounts-only", eligibility=Eligibility.ACCOUNTS)
    with pytest.raises(ValidationError):
        services.generate_codes(admin_user, accounts_only, 3)


def test_district_budgets_one_district_per_ballot_and_own_district(db: Any, make_resident: Any) -> None:
    box = {"geometry": {}, "min_lon": 0, "min_lat": 0, "max_lon": 0, "max_lat": 0}
    fabric, _ = Neighbourhood.objects.get_or_create(slug="fabric", defaults={"name": "Fabric", **box})
    iosefin, _ = Neighbourhood.objects.get_or_create(slug="iosefin", defaults={"name": "Iosefin", **box})
    edition = make_edition(phase=Phase.DRAFT, split_by=SplitBy.DISTRICT)
    services.add_pool("tests", edition, slug="fabric", name="Fabric", budget=300, kind=Pool.Kind.DISTRICT,
                      neighbourhood=fabric)
    services.add_pool("tests", edition, slug="iosefin", name="Iosefin", budget=300, kind=Pool.Kind.DISTRICT,
                      neighbourhood=iosefin)
    services.set_phase("tests", edition, Phase.SUBMISSION)
    for title, district in (("City park", None), ("Fabric bench", fabric), ("Iosefin tree", iosefin)):
        services.submit_project("tests", edition, services.ProjectInput(
            title=title, description="Long enough description text.", cost_estimate=100, neighbourhood=district))
    pools = dict(Project.objects.filter(edition=edition).values_list("title", "pool__slug"))
    assert pools == {"City park": "city", "Fabric bench": "fabric", "Iosefin tree": "iosefin"}
    services.set_phase("tests", edition, Phase.REVIEW)
    for project in edition.projects.all():
        services.review_project("tests", project, feasible=True)
    services.set_phase("tests", edition, Phase.VOTING)
    voter = make_resident(fabric)
    with pytest.raises(ValidationError):
        services.cast_account_ballot(voter, edition, {2: 1, 3: 1})  # two districts
    services.cast_account_ballot(voter, edition, {1: 1, 3: 1})  # city + another district: allowed by default
    Edition.objects.filter(pk=edition.pk).update(vote_in_own_district=True)
    edition.refresh_from_db()
    with pytest.raises(ValidationError):
        services.cast_account_ballot(voter, edition, {3: 1})
    services.cast_account_ballot(voter, edition, {1: 1, 2: 1})


def test_two_accounts_of_one_person_cannot_both_vote(voting_edition: Edition, make_resident: Any,
                                                     admin_user: Any) -> None:
    """One person, one voice (issue 16): the vote is keyed to the person's key, not the account."""
    from accounts.models import Verification
    from accounts.verification import revoke

    first = make_resident(document="TM 424242")
    services.cast_account_ballot(first, voting_edition, {1: 1})
    # The person's verification moves to a second account (the first is revoked at the office).
    revoke(admin_user, Verification.objects.get(user=first, revoked_at__isnull=True))
    second = make_resident(document="tm424242")
    may, reason = services.account_may_vote(second, voting_edition)
    assert not may and ("already voted" in str(reason) or "votat deja" in str(reason))
    with pytest.raises(PermissionDenied):
        services.cast_account_ballot(second, voting_edition, {2: 1})
    assert voting_edition.ballots.count() == 1


def test_the_person_key_is_gone_after_the_close(voting_edition: Edition, make_resident: Any,
                                                admin_user: Any) -> None:
    from budgeting.models import VoteRecord

    services.cast_account_ballot(make_resident(), voting_edition, {1: 1})
    assert VoteRecord.objects.filter(edition=voting_edition, person_key__isnull=False).count() == 1
    services.close_voting(admin_user, voting_edition)
    assert not VoteRecord.objects.filter(edition=voting_edition, person_key__isnull=False).exists()
