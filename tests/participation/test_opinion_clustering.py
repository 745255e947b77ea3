"""The opinion map's k-means starts (participation/opinion.py): the lowest k-means objective wins, and the
same votes always give the same groups. Pure: no database."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans

from participation.opinion import (
    STARTS,
    _first_distinct,
    _kmeans,
    _sum_of_squares,
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
