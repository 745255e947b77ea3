"""The staff page that uploads the hashed residents register: administrators only, audited, all or nothing,
a 400 naming the line and the column of a malformed file; in Chromium it passes axe-core in ro and en and
fits 390 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import person_key
from accounts.models import RegisterEntry, ResidentsRegister
from accounts.roles import Role
from core.models import AuditEntry

SALT = "tests-only-register-salt"
URL = "/en/accounts/verification/register-upload/"


def _digest(document: str, birth_date: str) -> str:
    return person_key.register_digest(SALT, document, birth_date)


def _file(text: str, name: str = "hashed.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_only_administrators_reach_the_page(make_user: Any) -> None:
    assert Client().get(URL).status_code == 302  # to the sign-in page
    for role in (Role.CITIZEN, Role.MODERATOR, Role.DEPARTMENT_STAFF):
        assert _client(make_user(role)).get(URL).status_code == 403
        assert _client(make_user(role)).post(URL, {"file": _file(_digest("TM 100001", "2000-01-01") + ",\n")}
                                             ).status_code == 403
    assert not ResidentsRegister.objects.exists()
    assert _client(make_user(Role.ADMINISTRATOR)).get(URL).status_code == 200


@pytest.mark.django_db
def test_an_administrator_replaces_the_register_and_it_is_audited(make_user: Any) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    client = _client(admin)
    first = _digest("TM 111111", "1980-01-01")
    content = f"digest,neighbourhood\n{first},\n{_digest('TZ 222222', '02.02.1990')},\n{first},\n"
    response = client.post(URL, {"file": _file(content)})
    assert response.status_code == 302 and response["Location"] == URL
    register = ResidentsRegister.objects.get()
    assert register.rows == 2 and register.uploaded_by == admin and register.file_name == "hashed.csv"
    assert RegisterEntry.objects.filter(register=register, digest=first).exists()
    entry = AuditEntry.objects.get(action="accounts.register.uploaded")
    assert entry.actor == admin and entry.changes == {"rows": 2}
    page = client.get(URL).content.decode()
    assert "2 residents" in page and "hashed.csv" in page
    # A second upload replaces the first one.
    assert client.post(URL, {"file": _file(f"{_digest('TM 333333', '1970-07-07')},\n", "new.csv")}
                       ).status_code == 302
    assert ResidentsRegister.objects.get().file_name == "new.csv"
    assert RegisterEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "expected"), [
    ("digest,neighbourhood\n{good},\nTM123456,\n", "Line 3, column “digest”"),
    ("document_number,birth_date\nTM 123456,1980-01-01\n", "Line 1, column “digest”"),
    ("{good},\n{good},,extra\n", "Line 2: a hashed register line has two columns"),
    ("{good},\n{good},no-such-area\n", "Line 2, column “neighbourhood”: unknown neighbourhood “no-such-area”"),
    ("{good},\n\"{good},unclosed\n", "Line 2"),
    ("digest,neighbourhood\n", "The file has no residents."),
])
def test_a_malformed_file_is_refused_naming_the_line_and_nothing_changes(make_user: Any, content: str,
                                                                         expected: str) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    client = _client(admin)
    previous = _digest("TM 999999", "1999-09-09")
    assert client.post(URL, {"file": _file(previous + ",\n")}).status_code == 302
    before = AuditEntry.objects.count()
    with translation.override("en"):
        response = client.post(URL, {"file": _file(content.format(good=_digest("TM 100002", "2001-01-01")))})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and expected in errors["file"][0], errors
    assert expected in response.content.decode().replace("&quot;", "\"")
    # All or nothing: the previous register is untouched, no audit record for the refused upload.
    assert list(RegisterEntry.objects.values_list("digest", flat=True)) == [previous]
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_binary_and_missing_files_get_a_400_naming_the_field(make_user: Any) -> None:
    client = _client(make_user(Role.ADMINISTRATOR))
    response = client.post(URL, {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x01")})
    assert response.status_code == 400 and "UTF-8" in response.context["form"].errors["file"][0]
    response = client.post(URL, {})
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not ResidentsRegister.objects.exists()


@pytest.mark.django_db
def test_the_romanian_page_and_error_are_in_romanian(make_user: Any) -> None:
    client = _client(make_user(Role.ADMINISTRATOR))
    page = client.get(reverse("accounts_register_upload").replace("/en/", "/ro/")).content.decode()
    assert "Încărcați registrul locuitorilor" in page
    response = client.post("/ro/accounts/verification/register-upload/", {"file": _file("TM123456,\n")})
    assert response.status_code == 400 and "Linia 1, coloana „digest”" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_the_upload_page_is_accessible_and_fits(browser: Any, live_server: Any, settings: Any, tmp_path: Path,
                                                width: int) -> None:
    from allauth.account.models import EmailAddress
    from axe_playwright_python.sync_playwright import Axe

    from accounts.models import User
    from accounts.services import assign_role
    from tests.a11y import WCAG_TAGS, assert_accessible, describe
    from tests.accounts.test_verification_browser import PASSWORD, fits, shoot, sign_in

    settings.STAFF_MFA_REQUIRED = False
    admin = User.objects.create_user(email="admin@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    assign_role("tests", admin, Role.ADMINISTRATOR)
    context = browser.new_context(locale="ro-RO", viewport={"width": width, "height": 900})
    page = context.new_page()
    base = str(live_server.url)
    sign_in(page, base, "admin@example.org")
    bad = tmp_path / "plain.csv"
    bad.write_text("document_number,birth_date\nTM 123456,1985-03-14\n")
    for lang in ("ro", "en"):
        assert_accessible(page, f"{base}/{lang}/accounts/verification/register-upload/")
        assert fits(page), (lang, width)
        page.set_input_files("input[name=file]", str(bad))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "1" in page.inner_text("[data-field=file]")
        violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert not violations.response["violations"], describe(violations.response["violations"])
        assert fits(page), (lang, width)
    shoot(page, f"identity-register-upload-en-error-{width}", tmp_path)
    page.goto(base + "/ro/accounts/verification/register-upload/")
    shoot(page, f"identity-register-upload-ro-{width}", tmp_path)
    context.close()
