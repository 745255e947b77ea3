"""One person, one voice in participation (issue 16): verified consultation answers and proposal supports are
keyed to the person's key, so a second account of the same person cannot answer or support again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Verification
from accounts.roles import Role
from accounts.verification import revoke, verify_in_person
from participation import services
from participation.models import Process, Proposal, Response, Support
from tests.participation.conftest import build_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(make_user: Any) -> Any:
    return make_user(Role.DEPARTMENT_STAFF)


def _same_person_on_a_second_account(office: Any, first: Any, second: Any, document: str) -> None:
    """The person's verification moves from the first account to the second (the first one is revoked)."""
    revoke(office, Verification.objects.get(user=first, revoked_at__isnull=True))
    verify_in_person(office, second, document=document, birth_date="1975-07-07")


def test_a_resident_consultation_takes_one_answer_per_person(strategy_data: None, make_verified: Any,
                                                              office: Any) -> None:
    consultation = build_consultation("resident-only")
    consultation.verification_level = "resident"
    consultation.save()
    first, second = make_verified(), make_verified()
    with pytest.raises(PermissionDenied, match="verified residents"):
        services.start_response(first, consultation)
    verify_in_person(office, first, document="TM 700700", birth_date="1975-07-07")
    response = services.start_response(first, consultation)
    assert response.person_key and len(response.person_key) == 64
    assert services.start_response(first, consultation) == response  # the same account resumes its response
    _same_person_on_a_second_account(office, first, second, "TM700700")
    with pytest.raises(PermissionDenied, match="already answered this consultation with another account"):
        services.start_response(second, consultation)
    assert Response.objects.filter(consultation=consultation).count() == 1


def test_an_email_level_consultation_keys_verified_residents_by_person(strategy_data: None, make_verified: Any,
                                                                       office: Any) -> None:
    consultation = build_consultation("email-level")
    first, second, other = make_verified(), make_verified(), make_verified()
    verify_in_person(office, first, document="TM 710710", birth_date="1975-07-07")
    services.start_response(first, consultation)
    services.start_response(other, consultation)  # an unverified-resident account answers under its own key
    _same_person_on_a_second_account(office, first, second, "TM710710")
    with pytest.raises(PermissionDenied):
        services.start_response(second, consultation)


def test_a_person_supports_a_proposal_once_whatever_the_account(strategy_data: None, make_verified: Any,
                                                                office: Any) -> None:
    from strategy.models import Ambition

    author, first, second = make_verified(), make_verified(), make_verified()
    process = Process.objects.create(slug="ideas", title_en="Ideas", proposals_open=True, support_threshold=100)
    proposal = services.create_proposal(author, title="Shade trees on Bulevardul Eroilor",
                                        body="More trees along the boulevard for shade in summer.",
                                        ambition=Ambition.objects.first(), process=process)
    verify_in_person(office, first, document="TM 720720", birth_date="1975-07-07")
    services.support_proposal(first, proposal)
    _same_person_on_a_second_account(office, first, second, "TM720720")
    with pytest.raises(ValidationError, match="with another account"):
        services.support_proposal(second, proposal)
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1
