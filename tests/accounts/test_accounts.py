"""Sign-up with email verification, password reset, roles (django-allauth)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.roles import Role, role_codes
from accounts.services import assign_role, remove_role
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_signup_requires_email_verification(client: Client) -> None:
    response = client.post("/en/accounts/signup/", {"email": "ana@example.org", "password1": "a long pass phrase 42",
                                                    "password2": "a long pass phrase 42", "accept_terms": "on"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", mail.outbox[0].body)
    assert link is not None
    # Not verified yet: signing in is refused until the address is confirmed.
    client.logout()
    login = client.post("/en/accounts/login/", {"login": "ana@example.org", "password": "a long pass phrase 42"})
    assert "/accounts/confirm-email/" in login["Location"]
    path = link.group(0).split("testserver", 1)[-1]
    client.post(path)
    login = client.post("/en/accounts/login/", {"login": "ana@example.org", "password": "a long pass phrase 42"})
    assert login.status_code == 302 and "confirm-email" not in login["Location"]


def test_signup_rejects_bad_input_field_by_field(client: Client) -> None:
    response = client.post("/en/accounts/signup/", {"email": "not-an-email", "password1": "123",
                                                    "password2": "456"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert not User.objects.filter(email="not-an-email").exists()


def test_password_reset_sends_a_link(client: Client, make_user: Any) -> None:
    make_user(email="ion@example.org")
    response = client.post("/en/accounts/password/reset/", {"email": "ion@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body


def test_roles_are_audited_and_give_back_office_access_only_to_staff_roles(make_user: Any) -> None:
    user = make_user()
    assign_role("tests", user, Role.MODERATOR)
    user.refresh_from_db()
    assert user.is_staff and Role.MODERATOR.value in role_codes(user)
    remove_role("tests", user, Role.MODERATOR)
    user.refresh_from_db()
    assert not user.is_staff
    citizen = make_user(Role.CITIZEN)
    assert not citizen.is_staff
    actions = list(AuditEntry.objects.filter(target_id=str(user.pk)).values_list("action", flat=True))
    assert "accounts.role_assigned" in actions and "accounts.role_removed" in actions


def test_public_pages_never_show_emails(client: Client, strategy_data: None, editor: Any) -> None:
    from strategy.models import Project
    from strategy.services import change_project_status

    change_project_status(editor, Project.objects.get(code="A2.O2.P5"), "planned", note="Scheduled.")
    for url in ("/en/projects/A2.O2.P5/", "/api/v1/projects/A2.O2.P5", "/api/v1/strategy"):
        assert editor.email not in client.get(url).content.decode()
