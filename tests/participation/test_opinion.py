"""Polis-style opinion maps: the pure PCA + k-means module on real Polis conversations, and voting,
statements, moderation and the anonymous map pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score

from participation import services
from participation.models import Conversation, Statement, StatementVote
from participation.opinion import GroupCountSmoothing, Votes, build_map, latest_votes, sparse_pca, vote_matrix
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


def camps(n: int = 20, statements: int = 10) -> dict[tuple[str, int], int]:
    votes = {}
    for p in range(n):
        for s in range(statements):
            first_half = s < statements // 2
            votes[(f"p{p}", s)] = (1 if first_half else -1) if p < n // 2 else (-1 if first_half else 1)
    return votes


def test_moderated_out_statements_shape_nothing_and_are_never_reported() -> None:
    votes = camps()
    # Statement 50 splits people across the camps; statement 51 is one everyone agrees with.
    for p in range(20):
        votes[(f"p{p}", 50)] = 1 if p % 2 else -1
        votes[(f"p{p}", 51)] = 1
    kept = build_map(votes, moderated_out=[50, 51])
    assert 50 not in kept.statements and 51 not in kept.statements and kept.moderated_out == 2
    assert all(r.statement not in {50, 51} for g in kept.groups for r in g.representative)
    assert all(c.statement not in {50, 51} for c in kept.consensus + kept.consensus_disagree)
    without = build_map({k: v for k, v in votes.items() if k[1] < 50})
    assert sorted(map(sorted, (g.members for g in kept.groups))) == \
        sorted(map(sorted, (g.members for g in without.groups)))
    # Moderating out a statement nobody voted on changes nothing either.
    assert build_map(votes, moderated_out=[999]).moderated_out == 0


def test_vote_threshold_is_polis_min_7_or_statement_count() -> None:
    votes = camps(statements=10)
    for s in range(6):  # six votes: under Polis's threshold of 7
        votes[("newcomer", s)] = 1
    opinion_map = build_map(votes)
    assert opinion_map.vote_threshold == 7 and "newcomer" not in opinion_map.participants
    assert opinion_map.left_out == 1
    small = {(p, s): v for (p, s), v in camps(statements=4).items()}  # four statements: 4 votes suffice
    assert build_map(small).vote_threshold == 4 and len(build_map(small).participants) == 20


def test_fewer_than_15_over_the_threshold_are_topped_up_with_the_most_active_voters() -> None:
    """Polis's in-conv rule: at least 15 people on the map, the most active voters below the threshold
    joining those above it."""
    votes = camps(n=8, statements=10)
    for person, cast in enumerate([6, 6, 5, 5, 4, 4, 3, 2, 1, 1]):  # all under the threshold of 7
        for s in range(cast):
            votes[(f"light{person}", s)] = 1 if person % 2 else -1
    opinion_map = build_map(votes)
    assert opinion_map.vote_threshold == 7
    assert len(opinion_map.participants) == 15
    assert {f"light{i}" for i in range(7)} <= set(opinion_map.participants)  # the 6, 6, 5, 5, 4, 4, 3 votes
    assert not {"light7", "light8", "light9"} & set(opinion_map.participants)
    assert opinion_map.left_out == 3
    # Fifteen or more over the threshold: nobody under it joins.
    assert "newcomer" not in build_map({**camps(n=16), ("newcomer", 0): 1}).participants


def test_k_smoothing_keeps_the_group_count_until_a_new_k_wins_four_updates() -> None:
    state = GroupCountSmoothing()
    state = state.update(2)
    assert state.smoothed_k == 2
    for update in range(3):
        state = state.update(3)
        assert state.smoothed_k == 2, f"update {update}: three wins are not enough"
    state = state.update(3)
    assert state.smoothed_k == 3 and state.last_k_count == 4
    state = state.update(2)  # one win for 2 again: the shown k stays 3
    assert state.smoothed_k == 3 and state.last_k_count == 1
    assert GroupCountSmoothing.from_dict(state.as_dict()) == state
    assert GroupCountSmoothing.from_dict({"last_k": "x"}) == GroupCountSmoothing()


def three_camps() -> dict[tuple[str, int], int]:
    rng = np.random.default_rng(0)
    lean = rng.choice([-1, 1], size=(3, 12))
    return {(f"p{p}", s): int(lean[p % 3, s] if rng.random() < 0.85 else -lean[p % 3, s])
            for p in range(60) for s in range(12)}


def test_repeated_updates_carry_the_smoothing_state() -> None:
    votes = three_camps()
    fresh = build_map(votes)
    assert fresh.best_k == 3 and len(fresh.groups) == 3 and 2 in fresh.silhouettes
    # The map showed 2 groups until now: 3 must win four updates in a row before it is shown.
    state = GroupCountSmoothing(last_k=2, last_k_count=6, smoothed_k=2)
    shown = []
    for _update in range(5):
        update = build_map(votes, smoothing=state)
        state = update.smoothing
        shown.append(len(update.groups))
        assert update.best_k == 3 and update.silhouette == update.silhouettes[len(update.groups)]
    assert shown == [2, 2, 2, 3, 3]


def test_sparse_pca_equals_dense_pca_with_mean_imputation() -> None:
    rng = np.random.default_rng(3)
    votes = {(str(p), s): int(rng.choice([-1, 0, 1])) for p in range(80) for s in range(70) if rng.random() < 0.3}
    matrix = vote_matrix(votes)
    projection, components, means, explained = sparse_pca(matrix.values, matrix.voted)
    dense = matrix.values.toarray()
    voted = matrix.voted.toarray() > 0
    column_means = np.array([dense[voted[:, j], j].mean() for j in range(dense.shape[1])])
    imputed = np.where(voted, dense, column_means)
    reference = PCA(n_components=2, svd_solver="full").fit(imputed)
    assert np.allclose(means, column_means)
    assert np.allclose(np.abs(components), np.abs(reference.components_), atol=1e-8)
    assert np.allclose(np.abs(projection), np.abs(reference.transform(imputed)), atol=1e-8)
    assert np.allclose(explained, reference.explained_variance_ratio_, atol=1e-10)


def test_columnar_votes_give_the_same_map_as_the_mapping() -> None:
    votes = camps()
    for p in range(20):
        votes[(f"p{p}", 99)] = 1
    columns = Votes.from_mapping(votes)
    assert build_map(columns).group_of() == build_map(votes).group_of()
    numeric = Votes(np.array([int(p[1:]) for p, _s in votes]), np.array([s for _p, s in votes]),
                    np.array(list(votes.values())))
    assert len(build_map(numeric).groups) == 2


@pytest.mark.parametrize("votes", [
    {},
    {("a", 1): 1},
    {(p, s): 0 for p in "abcdefghij" for s in range(10)},  # every vote a pass
    {("only", s): 1 for s in range(30)},  # one participant
    {(p, 1): 1 for p in "abcdefghij"},  # one statement
    {(p, s): 1 for p in "abcdefghij" for s in range(10)},  # everyone agrees with everything
])
def test_hostile_input_gives_an_empty_or_trivial_map(votes: dict[tuple[str, int], int]) -> None:
    opinion_map = build_map(votes)
    assert len(opinion_map.groups) <= 1 or all(len(g.members) for g in opinion_map.groups)
    assert all(np.isfinite(x) and np.isfinite(y) for x, y in opinion_map.coordinates)
    assert sum(len(g.members) for g in opinion_map.groups) in {0, len(opinion_map.participants)}


def test_a_bad_vote_value_is_refused() -> None:
    with pytest.raises(ValueError, match="vote must be"):
        build_map({("a", 1): 2})


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
    assert "How this map was made" not in body
    conversation.refresh_from_db()
    assert conversation.map_state["groups"] == 2 and conversation.map_state["smoothing"]["smoothed_k"] == 2
    data = client.get(f"/api/v1/participation/opinion/{conversation.slug}").json()
    assert data["participants_on_map"] == 12 and len(data["groups"]) == 2
    assert data["consensus"][0]["statement"] == "Free public transport for students"
    assert "example.org" not in str(data)


@pytest.mark.django_db
def test_staff_see_how_the_map_was_made(client: Client, conversation: Conversation, make_verified: Any,
                                        moderator: Any) -> None:
    statements = list(conversation.statements.all())
    for i in range(12):
        voter = make_verified(email=f"camp{i}@example.org")
        for j, statement in enumerate(statements):
            services.vote_on_statement(voter, statement, 1 if (j < 2) == (i < 6) else -1)
    client.force_login(moderator)
    body = client.get(f"/en/participation/opinion/{conversation.slug}/map/").content.decode()
    assert "How this map was made (staff)" in body and "sparse PCA" in body
    assert "Placed: participants with at least 3 votes" in body and "k=2: " in body


@pytest.mark.django_db
def test_closed_conversation_refuses_votes(conversation: Conversation, verified: Any) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        services.vote_on_statement(verified, Statement.objects.get(text="More tram lines"), 1)
