"""Polis-style opinion maps: who agrees with whom, and what everyone agrees on. Pure: no Django.

Participants vote agree (+1), disagree (−1) or pass (0) on short statements. From the vote matrix:
1. Participants with at least `min_votes` votes are placed on the map (fewer votes say too little).
2. Missing votes are filled with the statement's mean vote, then principal component analysis (PCA)
   projects everyone onto two axes, as Polis does.
3. k-means on the projection forms opinion groups; k (2..max_groups) is chosen by the silhouette score.
4. Per group and statement: agreement probability with a +1/+2 (Laplace) prior; a statement is
   *representative* of a group when the group agrees (or disagrees) much more than everyone else
   (ratio and a two-proportion z-score), and *consensus* when every group tends to agree
   (the product of the groups' agreement probabilities, Polis's "group-informed consensus").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

AGREE, PASS, DISAGREE = 1, 0, -1


@dataclass(frozen=True)
class StatementStats:
    statement: int
    agree: int
    disagree: int
    passed: int

    @property
    def votes(self) -> int:
        return self.agree + self.disagree + self.passed


@dataclass(frozen=True)
class Representative:
    statement: int
    direction: str  # "agree" or "disagree"
    probability: float  # within the group, with the +1/+2 prior (what the tests use)
    share: float  # plain share of the group's votes on it going that way (what people read)
    ratio: float  # vs everyone else
    z: float


@dataclass
class OpinionGroup:
    number: int
    members: list[str]
    representative: list[Representative] = field(default_factory=list)


@dataclass(frozen=True)
class Consensus:
    statement: int
    score: float  # product of the groups' agreement probabilities
    agree_share: float  # among everyone who voted on it


@dataclass
class OpinionMap:
    participants: list[str]  # those placed on the map
    coordinates: list[tuple[float, float]]
    groups: list[OpinionGroup]
    consensus: list[Consensus]
    statements: dict[int, StatementStats]
    explained_variance: tuple[float, float]
    left_out: int  # participants with too few votes

    def group_of(self) -> dict[str, int]:
        return {member: group.number for group in self.groups for member in group.members}


def latest_votes(rows: Iterable[tuple[str, int, int, float]]) -> dict[tuple[str, int], int]:
    """(participant, statement, vote, timestamp) rows → the latest vote per participant and statement."""
    latest: dict[tuple[str, int], tuple[float, int]] = {}
    for participant, statement, vote, timestamp in rows:
        if vote not in (AGREE, PASS, DISAGREE):
            raise ValueError(f"vote must be -1, 0 or 1, got {vote!r}")
        key = (participant, statement)
        if key not in latest or timestamp >= latest[key][0]:
            latest[key] = (timestamp, vote)
    return {key: vote for key, (_t, vote) in latest.items()}


def _z(p1: float, n1: int, p2: float, n2: int) -> float:
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2) if n1 + n2 else 0.0
    spread = math.sqrt(pooled * (1 - pooled) * (1 / max(n1, 1) + 1 / max(n2, 1)))
    return (p1 - p2) / spread if spread else 0.0


def build_map(votes: dict[tuple[str, int], int], *, min_votes: int = 7, max_groups: int = 5, seed: int = 0,
              representative_per_group: int = 5, min_group_votes: int = 3) -> OpinionMap:
    statements = sorted({s for _p, s in votes})
    counts: dict[str, int] = {}
    for participant, _s in votes:
        counts[participant] = counts.get(participant, 0) + 1
    tallies = {s: [0, 0, 0] for s in statements}
    for (_p, s), value in votes.items():
        tallies[s][{AGREE: 0, DISAGREE: 1, PASS: 2}[value]] += 1
    stats = {s: StatementStats(s, a, d, p) for s, (a, d, p) in tallies.items()}
    placed = sorted(p for p, n in counts.items() if n >= min_votes)
    empty = OpinionMap(participants=[], coordinates=[], groups=[], consensus=[], statements=stats,
                       explained_variance=(0.0, 0.0), left_out=len(counts) - len(placed))
    if len(placed) < 4 or len(statements) < 2:
        return empty
    row = {p: i for i, p in enumerate(placed)}
    column = {s: j for j, s in enumerate(statements)}
    matrix = np.full((len(placed), len(statements)), np.nan)
    for (participant, statement), value in votes.items():
        if participant in row:
            matrix[row[participant], column[statement]] = value
    voted_cells = ~np.isnan(matrix)
    sums = np.where(voted_cells, matrix, 0.0).sum(axis=0)
    per_column = voted_cells.sum(axis=0)
    means = np.divide(sums, per_column, out=np.zeros_like(sums), where=per_column > 0)
    filled = np.where(voted_cells, matrix, means)
    centred = filled - filled.mean(axis=0)
    with threadpool_limits(limits=1):
        _u, singular, components = np.linalg.svd(centred, full_matrices=False)
        projection = centred @ components[:2].T
        variance = singular**2
        explained = (float(variance[0] / variance.sum()) if variance.sum() else 0.0,
                     float(variance[1] / variance.sum()) if variance.size > 1 and variance.sum() else 0.0)
        labels = _groups(projection, max_groups, seed)

    voted = ~np.isnan(matrix)
    agreed = np.nan_to_num(matrix) == AGREE
    disagreed = np.nan_to_num(matrix) == DISAGREE
    groups: list[OpinionGroup] = []
    group_agree: list[np.ndarray] = []
    group_voted: list[np.ndarray] = []
    for number in range(int(labels.max()) + 1):
        inside = labels == number
        n_in = voted[inside].sum(axis=0)
        n_out = voted[~inside].sum(axis=0)
        p_agree_in = (agreed[inside].sum(axis=0) + 1) / (n_in + 2)
        p_agree_out = (agreed[~inside].sum(axis=0) + 1) / (n_out + 2)
        p_dis_in = (disagreed[inside].sum(axis=0) + 1) / (n_in + 2)
        p_dis_out = (disagreed[~inside].sum(axis=0) + 1) / (n_out + 2)
        agree_count = agreed[inside].sum(axis=0)
        disagree_count = disagreed[inside].sum(axis=0)
        candidates: list[Representative] = []
        for j, statement in enumerate(statements):
            if n_in[j] < min_group_votes:
                continue
            for direction, p_in, p_out, count in (("agree", p_agree_in[j], p_agree_out[j], agree_count[j]),
                                                  ("disagree", p_dis_in[j], p_dis_out[j], disagree_count[j])):
                z = _z(float(p_in), int(n_in[j]), float(p_out), int(n_out[j]))
                if p_in > 0.5 and z > 1.2816:  # 90% one-sided, as in Polis's "repness" test
                    candidates.append(Representative(statement, direction, round(float(p_in), 3),
                                                     round(float(count / n_in[j]), 3),
                                                     round(float(p_in / p_out), 3), round(z, 3)))
        candidates.sort(key=lambda r: (-r.ratio * r.probability, r.statement))
        groups.append(OpinionGroup(number=number + 1, members=[placed[i] for i in np.flatnonzero(inside)],
                                   representative=candidates[:representative_per_group]))
        group_agree.append(p_agree_in)
        group_voted.append(n_in)

    consensus = []
    for j, statement in enumerate(statements):
        if any(v[j] < min_group_votes for v in group_voted):
            continue
        score = float(np.prod([a[j] for a in group_agree]))
        total = stats[statement].agree + stats[statement].disagree + stats[statement].passed
        share = stats[statement].agree / total if total else 0.0
        if all(a[j] > 0.5 for a in group_agree):
            consensus.append(Consensus(statement, round(score, 4), round(share, 3)))
    consensus.sort(key=lambda c: (-c.score, c.statement))
    groups.sort(key=lambda g: -len(g.members))
    for new_number, group in enumerate(groups, 1):
        group.number = new_number
    return OpinionMap(participants=placed, coordinates=[(round(float(x), 4), round(float(y), 4))
                                                        for x, y in projection],
                      groups=groups, consensus=consensus, statements=stats, explained_variance=explained,
                      left_out=len(counts) - len(placed))


def _groups(points: np.ndarray, max_groups: int, seed: int) -> np.ndarray:
    best_labels = np.zeros(points.shape[0], dtype=int)
    best_score = -2.0
    distinct = len(np.unique(points.round(6), axis=0))  # k-means cannot make more groups than positions
    for k in range(2, min(max_groups, points.shape[0] - 1, distinct) + 1):
        labels = KMeans(n_clusters=k, random_state=seed, n_init=10).fit_predict(points)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(points, labels))
        if score > best_score + 1e-9:
            best_score, best_labels = score, labels
    return np.asarray(best_labels)
