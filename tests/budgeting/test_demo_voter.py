"""The demo resident: loaded with the demo, signs in with its published password, votes once in the demo
edition, never in a real one, and goes with remove_demo_data."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from budgeting import demo, services
from budgeting.models import Edition, ProjectStatus, VoteRecord
from core.models import AuditEntry
from tests.budgeting.conftest import make_edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded(strategy_data: Any) -> None:
    demo.load_demo_data(io.StringIO(), ballots=5)
    demo.load_demo_data(io.StringIO(), ballots=5)  # idempotent: one account, one active verification


def test_the_demo_resident_signs_in_and_votes_in_the_demo_edition(demo_loaded: None) -> None:
    from accounts.models import Verification
    from accounts.verification import active_resident

    voter = get_user_model().objects.get(email=demo.DEMO_VOTER_EMAIL)
    assert Verification.objects.filter(user=voter, level="resident", revoked_at__isnull=True).count() == 1
    assert active_resident(voter) is not None
    client = Client()
    assert client.login(email=demo.DEMO_VOTER_EMAIL, password=demo.DEMO_VOTER_PASSWORD)
    edition = Edition.objects.get(slug=demo.DEMO_SLUG)
    assert services.account_may_vote(voter, edition) == (True, "")
    number = edition.projects.filter(status=ProjectStatus.FEASIBLE).order_by("number")[0].number
    response = client.post(f"/en/budgeting/{demo.DEMO_SLUG}/vote/", {f"project_{number}": "1"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert VoteRecord.objects.filter(user=voter, edition=edition).count() == 1


def test_the_demo_resident_never_votes_in_a_real_edition(demo_loaded: None) -> None:
    voter = get_user_model().objects.get(email=demo.DEMO_VOTER_EMAIL)
    real = make_edition(slug="real-edition")
    allowed, reason = services.account_may_vote(voter, real)
    assert not allowed and "demonstration" in reason


def test_remove_demo_data_removes_the_demo_resident(demo_loaded: None) -> None:
    from accounts.models import Verification

    call_command("remove_demo_data", stdout=io.StringIO())
    assert not get_user_model().objects.filter(email=demo.DEMO_VOTER_EMAIL).exists()
    assert not Verification.objects.filter(user__email=demo.DEMO_VOTER_EMAIL).exists()
    assert AuditEntry.objects.filter(action="accounts.user.demo_removed").exists()


def test_only_demo_accounts_get_a_demo_verification(make_user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from accounts.verification import verify_demo_resident

    with pytest.raises(PermissionDenied):
        verify_demo_resident(make_user(email="someone@example.org"))
