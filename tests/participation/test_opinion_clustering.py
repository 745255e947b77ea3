"""The opinion map's k-means starts (participation/opinion.py): the lowest k-means objective wins, and the
same votes always give the same groups. Pure: no database."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from participation import opinion
from participation.opinion import (
    BASE_START_BUDGET,
    STARTS,
    _first_distinct,
    _GroupStats,
    _kmeans,
    _one_proportion_z,
    _representative,
    _sum_of_squares,
    _two_proportion_z,
    base_clusterings,
    build_map,
    group_clusterings,
    tightest,
)


def trap() -> np.ndarray:
    """Three blobs, listed so that Polis's start (the first three distinct points) lies in the first blob:
    from there k-means splits that blob and merges the other two, a worse local optimum."""
    rng = np.random.default_rng(7)
    blobs = [rng.normal(centre, 0.3, size=(40, 2)) for centre in ((0, 0), (10, 0), (10, 4))]
    return np.concatenate(blobs)


def test_polis_start_alone_stops_in_a_worse_optimum_and_the_starts_find_the_lowest_objective() -> None:
    points = trap()
    polis_only, polis_objective = _kmeans(points, 3, seed=0, starts=1)
    labels, objective = _kmeans(points, 3, seed=0)
    assert objective < 0.5 * polis_objective
    assert len(set(labels[:40].tolist())) == 1 and len(set(labels.tolist())) == 3  # the three blobs
    assert len(set(polis_only[:40].tolist())) == 2  # the first blob split in two
    # Nothing any of the starts reaches is lower than what is kept.
    single = [KMeans(3, init=_first_distinct(points, 3), n_init=1).fit(points)]
    single += [KMeans(3, n_init=1, random_state=s).fit(points) for s in range(STARTS)]
    assert objective <= min(_sum_of_squares(points, np.asarray(f.labels_), 3) for f in single) + 1e-9


def test_tightest_base_clustering_is_kept_and_its_objective_is_the_participants_sum_of_squares() -> None:
    rng = np.random.default_rng(3)
    points = np.concatenate([rng.normal((-2, 0), 1.0, (300, 2)), rng.normal((2, 0.5), 1.0, (200, 2))])
    found = base_clusterings(points, k=20, seed=0)
    assert len(found) == STARTS
    best = tightest(found)
    assert best.within == min(b.within for b in found)
    assert best.sizes.sum() == len(points)
    groupings = group_clusterings(best, max_groups=3, seed=0)
    assert set(groupings) == {2, 3}
    for k, grouping in groupings.items():
        # Weighted k-means on the base centres + the base clusters' own spread = the participants' objective.
        assert np.isclose(grouping.objective, _sum_of_squares(points, grouping.labels, k))


def test_few_distinct_positions_are_each_their_own_base_cluster() -> None:
    points = np.repeat(np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]]), 4, axis=0)
    (only,) = base_clusterings(points, k=100)
    assert len(only.centres) == 3 and only.within == 0.0 and sorted(only.sizes.tolist()) == [4.0, 4.0, 4.0]


def camps(seed: int = 11) -> dict[tuple[str, int], int]:
    """Three camps of 150 people voting on 40 statements, with noise and gaps."""
    rng = np.random.default_rng(seed)
    lean = rng.choice([-1, 1], size=(3, 40))
    votes: dict[tuple[str, int], int] = {}
    for person in range(450):
        camp = person % 3
        for statement in rng.choice(40, size=25, replace=False):
            vote = int(lean[camp, statement]) if rng.random() < 0.75 else int(rng.choice([-1, 0, 1]))
            votes[(str(person), int(statement))] = vote
    return votes


def test_same_votes_give_the_same_groups_in_any_order() -> None:
    votes = camps()
    first = build_map(votes)
    again = build_map(votes)
    shuffled_keys = list(votes)
    np.random.default_rng(5).shuffle(shuffled_keys)
    shuffled = build_map({key: votes[key] for key in shuffled_keys})
    for other in (again, shuffled):
        assert [g.members for g in other.groups] == [g.members for g in first.groups]
        assert other.within_groups == first.within_groups and other.silhouettes == first.silhouettes
    assert len(first.groups) == 3 and first.base_clusters == 100
    assert first.parameters()["starts"] == STARTS and first.parameters()["within_groups"] == first.within_groups


def test_base_starts_shrink_on_large_maps_and_the_groups_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of people on the map: the costly base k-means gets fewer starts (BASE_START_BUDGET
    participant-starts), the group k-means all of them; the groups are those of every base start."""
    rng = np.random.default_rng(11)
    people, statements = 6_000, 60
    camp = rng.integers(0, 3, people)
    lean = rng.choice([-1, 1], size=(3, statements))
    votes = {}
    for person in range(people):
        for statement in rng.choice(statements, size=30, replace=False):
            vote = int(lean[camp[person], statement])
            votes[(str(person), int(statement))] = -vote if rng.random() < 0.05 else vote
    opinion_map = build_map(votes)
    assert opinion_map.base_starts == BASE_START_BUDGET // people < STARTS
    assert opinion_map.parameters()["base_starts"] == opinion_map.base_starts
    assert opinion_map.starts == STARTS
    monkeypatch.setattr(opinion, "BASE_START_BUDGET", STARTS * people)
    every_start = build_map(votes)
    assert every_start.base_starts == STARTS
    ours, full = opinion_map.group_of(), every_start.group_of()
    assert adjusted_rand_score([full[p] for p in full], [ours[p] for p in full]) > 0.99


def test_small_maps_keep_every_base_start() -> None:
    assert BASE_START_BUDGET // 2_000 >= STARTS


def test_representatives_are_the_best_ranked_even_when_thousands_pass_the_test() -> None:
    """Only the candidates that can reach the list are built (a large conversation has thousands); the list is
    the one a full ranking of every significant statement gives."""
    rng = np.random.default_rng(5)
    n = 3_000
    in_n = rng.integers(20, 200, n).astype(float)
    out_n = rng.integers(200, 2_000, n).astype(float)
    agree, out_agree = np.floor(in_n * rng.uniform(0.5, 1.0, n)), np.floor(out_n * rng.uniform(0.0, 0.5, n))
    disagree, out_disagree = in_n - agree, out_n - out_agree
    p_agree, p_disagree = (agree + 1) / (in_n + 2), (disagree + 1) / (in_n + 2)
    stats = _GroupStats(
        n=in_n, agree=agree, disagree=disagree, p_agree=p_agree, p_disagree=p_disagree,
        p_agree_z=_one_proportion_z(agree, in_n), p_disagree_z=_one_proportion_z(disagree, in_n),
        r_agree=p_agree / ((out_agree + 1) / (out_n + 2)), r_disagree=p_disagree / ((out_disagree + 1) / (out_n + 2)),
        r_agree_z=_two_proportion_z(agree, out_agree, in_n, out_n),
        r_disagree_z=_two_proportion_z(disagree, out_disagree, in_n, out_n))
    statements = list(range(n))
    shown = _representative(stats, statements, pick=5)
    everything = _representative(stats, statements, pick=n)  # no preselection: every candidate ranked
    head = everything[:1] if everything and everything[0].direction == "agree" else []
    assert len(everything) > 1_000
    best = sorted(everything, key=lambda r: (-r.ratio * r.z * r.probability * r.probability_z, r.statement))
    assert {r.statement for r in shown} <= {r.statement for r in best[:5] + head}
    assert len(shown) == 5
