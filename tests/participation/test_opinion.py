"""Polis-style opinion maps: the pure PCA + k-means module on real Polis conversations, and voting,
statements, moderation and the anonymous map pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from sklearn.metrics import adjusted_rand_score

from participation import services
from participation.models import Conversation, Statement, StatementVote
from participation.opinion import build_map, latest_votes
from tests.participation import polis_data


def polis_votes(name: str) -> tuple[dict[tuple[str, int], int], dict[str, str], frozenset[int]]:
    conversation = polis_data.load(name)
    return latest_votes(conversation.votes), conversation.polis_groups, conversation.moderated_out


@pytest.mark.parametrize(("name", "minimum_agreement"), [
    ("15-per-hour-seattle", 0.8), ("canadian-electoral-reform", 0.8), ("brexit-consensus", 0.5),
])
def test_groups_match_polis_on_real_conversations(name: str, minimum_agreement: float) -> None:
    votes, polis_groups, moderated_out = polis_votes(name)
    opinion_map = build_map(votes, moderated_out=moderated_out)
    assert 2 <= len(opinion_map.groups) <= 5
    ours = opinion_map.group_of()
    common = [p for p in ours if p in polis_groups]
    assert len(common) >= 0.8 * len(polis_groups)
    assert adjusted_rand_score([polis_groups[p] for p in common], [ours[p] for p in common]) >= minimum_agreement


def test_consensus_and_representative_statements_on_brexit() -> None:
    votes, _groups, _moderated_out = polis_votes("brexit-consensus")
    opinion_map = build_map(votes)
    assert opinion_map.consensus, "the brexit-consensus conversation was built to find common ground"
    top = opinion_map.consensus[0]
    assert top.agree_share > 0.6
    assert all(group.representative for group in opinion_map.groups)
    for group in opinion_map.groups:
        for item in group.representative:
            assert item.probability > 0.5 and item.direction in {"agree", "disagree"}


def test_latest_vote_wins_and_bad_votes_are_refused() -> None:
    votes = latest_votes([("a", 1, 1, 10.0), ("a", 1, -1, 20.0), ("a", 1, 0, 15.0)])
    assert votes == {("a", 1): -1}
    with pytest.raises(ValueError):
        latest_votes([("a", 1, 2, 1.0)])


def test_too_few_participants_gives_an_empty_map() -> None:
    votes = {(p, s): 1 for p in ("a", "b") for s in range(10)}
    opinion_map = build_map(votes)
    assert opinion_map.groups == [] and opinion_map.statements[0].agree == 2


def test_two_clear_camps_are_found() -> None:
    votes = {}
    for p in range(20):
        for s in range(10):
            votes[(f"p{p}", s)] = (1 if s < 5 else -1) if p < 10 else (-1 if s < 5 else 1)
    for p in range(20):
        votes[(f"p{p}", 99)] = 1  # everyone agrees on this one
    opinion_map = build_map(votes)
    assert sorted(len(g.members) for g in opinion_map.groups) == [10, 10]
    assert opinion_map.consensus[0].statement == 99


# --- The pages --------------------------------------------------------------------------------


@pytest.fixture
def conversation(strategy_data: None) -> Conversation:
    now = timezone.now()
    conversation = Conversation.objects.create(
        slug="mobility-map", title_en="How should Timișoara move?", opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9), published=True, min_votes=3)
    for text in ("More tram lines", "Fewer cars in the centre", "Cheaper parking", "More bike lanes",
                 "Free public transport for students"):
        Statement.objects.create(conversation=conversation, text=text, status=Statement.Status.ACCEPTED)
    return conversation


@pytest.mark.django_db
def test_verified_accounts_vote_and_change_their_vote(client: Client, conversation: Conversation,
                                                      verified: Any, unverified: Any) -> None:
    statement = conversation.statements.get(text="More tram lines")
    url = f"/en/participation/opinion/{conversation.slug}/vote/"
    client.force_login(unverified)
    assert client.post(url, {"statement": statement.pk, "value": "1"}).status_code == 403
    client.force_login(verified)
    assert client.post(url, {"statement": statement.pk, "value": "1"}).status_code == 302
    assert client.post(url, {"statement": statement.pk, "value": "-1"}).status_code == 302
    assert StatementVote.objects.get(user=verified).value == -1
    client.post(url, {"statement": statement.pk, "value": "5"})
    client.post(url, {"statement": "abc", "value": "1"})
    assert StatementVote.objects.count() == 1
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "Your vote:" in page and 'aria-pressed="true"' in page


@pytest.mark.django_db
def test_statements_are_moderated_before_they_appear(client: Client, conversation: Conversation, verified: Any,
                                                     moderator: Any) -> None:
    client.force_login(verified)
    bad = client.post(conversation.get_absolute_url(), {"text": "short"})
    assert bad.status_code == 400 and "at least 10 characters" in bad.content.decode()
    assert client.post(conversation.get_absolute_url(), {"text": "Plant trees at every tram stop"}).status_code == 302
    statement = Statement.objects.get(text="Plant trees at every tram stop")
    assert statement.status == Statement.Status.PENDING
    with pytest.raises(ValidationError):
        services.submit_statement(verified, conversation, "plant   trees at every tram stop")
    with pytest.raises(ValidationError):
        services.vote_on_statement(verified, statement, 1)
    with pytest.raises(PermissionDenied):
        services.moderate_statement(verified, statement, accept=True)
    assert "Plant trees" not in client.get(conversation.get_absolute_url()).content.decode()
    client.force_login(moderator)
    assert "Plant trees" in client.get(conversation.get_absolute_url()).content.decode()
    client.post(f"/en/participation/opinion/{conversation.slug}/statements/{statement.pk}/moderate/",
                {"action": "accept"})
    statement.refresh_from_db()
    assert statement.status == Statement.Status.ACCEPTED


@pytest.mark.django_db
def test_map_page_and_api_are_anonymous(client: Client, conversation: Conversation, make_verified: Any) -> None:
    statements = list(conversation.statements.all())
    voters = [make_verified(email=f"voter{i}@example.org") for i in range(12)]
    for i, voter in enumerate(voters):
        for j, statement in enumerate(statements):
            value = 1 if (j < 2) == (i < 6) else -1
            if j == 4:
                value = 1
            services.vote_on_statement(voter, statement, value)
    body = client.get(f"/en/participation/opinion/{conversation.slug}/map/").content.decode()
    assert "Group 1" in body and "Group 2" in body and "Common ground" in body
    assert "Free public transport for students" in body
    assert "@example.org" not in body and f"user{voters[0].pk}" not in body
    data = client.get(f"/api/v1/participation/opinion/{conversation.slug}").json()
    assert data["participants_on_map"] == 12 and len(data["groups"]) == 2
    assert data["consensus"][0]["statement"] == "Free public transport for students"
    assert "example.org" not in str(data)


@pytest.mark.django_db
def test_closed_conversation_refuses_votes(conversation: Conversation, verified: Any) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        services.vote_on_statement(verified, Statement.objects.get(text="More tram lines"), 1)
