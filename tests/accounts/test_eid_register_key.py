"""An eID provider that sends the identity document number and the full birth date gives the register's
person key, so one person verified by eID on one account and in person (or by the register) on another has
one key and one voice; without those claims the key comes from the eID subject."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from accounts.verification import RESIDENT, eligibility, verify_by_eid, verify_in_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):  # the services' messages, read in English below
        yield


ADDRESS = {"street_address": "Bulevardul Revoluției din 1989 1", "locality": "Timișoara", "country": "RO"}


def _eid(user: Any, subject: str, **claims: Any) -> Any:
    return verify_by_eid(user, provider_id="eid", issuer="https://eid.example.org", subject=subject,
                         claims={"address": ADDRESS, **claims})


def test_document_and_birthdate_claims_give_the_register_key(make_user: Any) -> None:
    office = make_user(Role.DEPARTMENT_STAFF)
    by_eid, at_office = make_user(), make_user()
    assert _eid(by_eid, "subject-1", document_number="TM 123456", birthdate="1985-03-14") is not None
    with pytest.raises(ValidationError, match="already verifies another account"):
        verify_in_person(office, at_office, document="tm123456", birth_date="14.03.1985")


def test_without_those_claims_the_key_comes_from_the_eid_subject(make_user: Any) -> None:
    office = make_user(Role.DEPARTMENT_STAFF)
    by_eid, at_office = make_user(), make_user()
    _eid(by_eid, "subject-2", birthdate="0000-03-14", document_number="TM 123456")  # no year: not usable
    verify_in_person(office, at_office, document="TM 123456", birth_date="1985-03-14")  # a different key
    scope = "budgeting:edition:1"
    assert eligibility(by_eid, RESIDENT, scope).key != eligibility(at_office, RESIDENT, scope).key


def test_the_claim_name_is_configurable(make_user: Any, settings: Any) -> None:
    settings.OIDC_DOCUMENT_NUMBER_CLAIM = "ro_id_document"
    office = make_user(Role.DEPARTMENT_STAFF)
    by_eid, at_office = make_user(), make_user()
    _eid(by_eid, "subject-3", ro_id_document="TZ 654321", birthdate="1990-11-02")
    with pytest.raises(ValidationError):
        verify_in_person(office, at_office, document="TZ654321", birth_date="1990-11-02")
