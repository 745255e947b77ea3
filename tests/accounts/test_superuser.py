"""An account made with `createsuperuser` (as the README says) signs in on the public site at once;
citizens still confirm their address by e-mail before they can sign in."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_createsuperuser_account_signs_in_through_the_public_login(client: Client,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long admin pass phrase 7")
    call_command("createsuperuser", "--noinput", email="Admin@Example.org", verbosity=0)
    response = client.post("/ro/accounts/login/", {"login": "admin@example.org",
                                                    "password": "a long admin pass phrase 7"})
    assert response.status_code == 302
    assert "confirm-email" not in response["Location"]
    assert client.session.get("_auth_user_id") == str(User.objects.get(email="admin@example.org").pk)
    assert client.get("/ro/admin/").status_code == 200


def test_a_citizen_account_still_needs_its_address_confirmed(client: Client, make_user: Any) -> None:
    make_user(email="citizen@example.org", password="a long pass phrase 42")
    response = client.post("/ro/accounts/login/", {"login": "citizen@example.org",
                                                    "password": "a long pass phrase 42"})
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session
