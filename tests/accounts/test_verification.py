"""Verification levels: the residents register (hashed file, the person's check with attempt limits), in
person at an office, the eID address claim, the "My verification" page; and one person, one voice."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts import person_key
from accounts.models import Verification
from accounts.roles import Role
from accounts.verification import (
    RESIDENT,
    eligibility,
    parse_register_file,
    revoke,
    upload_register,
    verify_by_register,
    verify_in_person,
)
from core.models import AuditEntry

pytestmark = pytest.mark.django_db
SALT = "tests-only-register-salt"


def _confirmed(make_user: Any, *roles: Role) -> Any:
    from allauth.account.models import EmailAddress

    user = make_user(*roles)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()  # attempt counters of earlier tests (account ids are reused after a rollback)
    with translation.override("en"):  # the services' messages, read in English below
        yield


@pytest.fixture
def register(make_user: Any, tmp_path: Path, monkeypatch: Any) -> Any:
    """The city's plain export hashed by the command, uploaded by an administrator."""
    plain, hashed = tmp_path / "export.csv", tmp_path / "hashed.csv"
    with plain.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document_number", "birth_date", "neighbourhood"])
        writer.writerow(["TM 123456", "1985-03-14", ""])
        writer.writerow(["tz-654321", "02.11.1990", ""])
    monkeypatch.setenv("RESIDENTS_REGISTER_SALT", SALT)
    call_command("hash_residents_register", str(plain), str(hashed))
    content = hashed.read_bytes()
    assert b"123456" not in content and b"1985" not in content
    admin = make_user(Role.ADMINISTRATOR)
    return upload_register(admin, content, file_name="hashed.csv")


def test_the_hashed_register_holds_only_digests(register: Any) -> None:
    assert register.rows == 2
    digest = person_key.register_digest(SALT, "TM123456", "14.03.1985")
    assert register.entries.filter(digest=digest).exists()


def test_a_plain_register_file_is_refused_naming_the_line() -> None:
    with pytest.raises(ValidationError, match="Line 2"):
        parse_register_file(b"digest,neighbourhood\nTM123456,\n")


def test_a_person_proves_residence_with_the_register(register: Any, make_user: Any) -> None:
    user = _confirmed(make_user)
    verification = verify_by_register(user, document="tm123456", birth_date="14.03.1985")
    assert verification.level == RESIDENT and verification.method == Verification.Method.REGISTER
    assert verification.expires_at is not None and verification.expires_at > timezone.now()
    assert eligibility(user, RESIDENT, "x").allowed
    entry = AuditEntry.objects.get(action="accounts.verification.granted")
    assert entry.changes["method"] == "register" and "123456" not in str(entry.changes)
    with pytest.raises(ValidationError, match="not in the city's residents register"):
        verify_by_register(_confirmed(make_user), document="TM999999", birth_date="1985-03-14")


def test_the_register_check_page_limits_attempts(register: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(_confirmed(make_user))
    url = "/en/accounts/verification/register/"
    for _attempt in range(5):
        wrong = client.post(url, {"document_number": "TM000000", "birth_date": "01.01.1970"})
        assert wrong.status_code == 400 and b'data-field="document_number"' in wrong.content
    refused = client.post(url, {"document_number": "TM123456", "birth_date": "14.03.1985"})
    assert refused.status_code == 429 and b"Too many attempts" in refused.content


def test_the_register_check_page_verifies_and_the_page_shows_it(register: Any, make_user: Any) -> None:
    client = Client()
    user = _confirmed(make_user)
    client.force_login(user)
    response = client.post("/ro/accounts/verification/register/",
                           {"document_number": "TZ 654321", "birth_date": "02.11.1990"})
    assert response.status_code == 302
    page = client.get("/en/accounts/verification/")
    text = page.content.decode()
    assert "Verified resident" in text and "City&#x27;s residents register" in text and "valid until" in text


def test_one_identity_verifies_one_account_at_a_time(register: Any, make_user: Any) -> None:
    first, second = _confirmed(make_user), _confirmed(make_user)
    verification = verify_by_register(first, document="TM123456", birth_date="1985-03-14")
    with pytest.raises(ValidationError, match="already verifies another account"):
        verify_by_register(second, document="TM 123 456", birth_date="14.03.1985")
    revoke(first, verification)
    assert verify_by_register(second, document="TM123456", birth_date="1985-03-14").user == second


def test_staff_verify_in_person_and_citizens_cannot(make_user: Any) -> None:
    staff, citizen, person = make_user(Role.DEPARTMENT_STAFF), make_user(Role.CITIZEN), _confirmed(make_user)
    verification = verify_in_person(staff, person, document="AR 111222", birth_date="1970-05-05")
    assert verification.method == Verification.Method.IN_PERSON and verification.verified_by == staff
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        verify_in_person(citizen, person, document="AR 111222", birth_date="1970-05-05")
    # The office and the register hash one identity alike: the same person key.
    assert verification.person_key == person_key.person_key(
        "tests-only-pepper-" + "p" * 40, "register", person_key.register_digest(SALT, "AR111222", "1970-05-05"))


def test_scoped_keys_are_the_same_for_one_person_and_differ_between_votes(make_user: Any) -> None:
    staff, first, second = make_user(Role.ADMINISTRATOR), _confirmed(make_user), _confirmed(make_user)
    verification = verify_in_person(staff, first, document="TM555555", birth_date="1966-06-06")
    key_a = eligibility(first, RESIDENT, "budgeting:edition:1").key
    assert key_a != eligibility(first, RESIDENT, "budgeting:edition:2").key
    revoke(staff, verification)
    verify_in_person(staff, second, document="TM555555", birth_date="1966-06-06")
    assert eligibility(second, RESIDENT, "budgeting:edition:1").key == key_a
    assert not eligibility(first, RESIDENT, "budgeting:edition:1").allowed


def test_the_register_is_loaded_by_an_administrator_only(make_user: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    hashed = tmp_path / "hashed.csv"
    hashed.write_text("digest,neighbourhood\n" + person_key.register_digest(SALT, "TM1234", "2000-01-01") + ",\n")
    make_user(Role.ADMINISTRATOR, email="admin@example.org")
    make_user(Role.MODERATOR, email="mod@example.org")
    with pytest.raises(CommandError, match="not an administrator"):
        call_command("load_residents_register", str(hashed), "--by", "mod@example.org")
    call_command("load_residents_register", str(hashed), "--by", "admin@example.org")
    from accounts.models import ResidentsRegister

    assert ResidentsRegister.objects.get().rows == 1


def test_the_office_lists_and_revokes_verifications_in_the_back_office(make_user: Any) -> None:
    office, person = make_user(Role.DEPARTMENT_STAFF), _confirmed(make_user)
    verification = verify_in_person(office, person, document="TM 909090", birth_date="1980-02-02")
    client = Client()
    client.force_login(office)
    page = client.get("/en/admin/accounts/verification/")
    assert page.status_code == 200 and person.email in page.content.decode()
    assert verification.person_key not in page.content.decode()
    response = client.post("/en/admin/accounts/verification/", {
        "action": "revoke_selected", "_selected_action": [verification.pk]})
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.revoked_at is not None
    assert AuditEntry.objects.filter(action="accounts.verification.revoked").exists()
    citizen = Client()
    citizen.force_login(make_user(Role.MODERATOR))
    assert citizen.get("/en/admin/accounts/verification/").status_code == 403
