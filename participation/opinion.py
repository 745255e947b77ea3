"""Opinion maps the Polis way: who agrees with whom, and what every group agrees on. Pure: no Django.

Participants vote agree (+1), disagree (−1) or pass (0) on short statements. The steps follow Polis's
published math (compdemocracy/polis, math/src/polismath/math: conversation.clj, pca.clj, clusters.clj,
repness.clj) as red-dwarf (polis-community) re-implements it; the code here is our own:

1. Statements a moderator took out are dropped before anything is computed.
2. Projection: PCA of the vote matrix with every missing vote filled by its statement's mean vote.
   After centring, a filled cell is exactly zero, so the centred matrix has one stored value per vote
   and the two principal axes come from a truncated SVD of that sparse matrix — the participants ×
   statements matrix is never made dense. Each participant's position is scaled by
   √(statements / their votes), Polis's "sparsity-aware" projection, so that people who voted on few
   statements are not all drawn in the middle. Every voter shapes the axes, as in Polis.
3. Only participants with at least min(7, statements) votes are placed on the map (Polis's in-conv rule).
4. Base clusters: k-means with k = 100 on their positions, from Polis's start (the first 100 distinct
   positions) and from k-means++ starts; the clustering with the lowest sum of squares is kept. Group
   clusters: on that one base clustering (as in Polis, so that every k's silhouette is measured on the
   same base clusters), k-means on the base clusters' centres weighted by their sizes, for k in
   2..min(5, 2 + base clusters / 12), again from Polis's start and k-means++ starts, the lowest weighted
   sum of squares kept; the k with the best silhouette (Polis's: the plain mean over base clusters)
   wins. Polis warm-starts each update from the previous clusters; a computation from scratch tries
   `STARTS` starts instead and keeps the k-means objective's best, all drawn from `seed`, so the same
   votes give the same groups.
5. k-smoothing: the group count shown changes only after a new k has won `k_buffer` (4) updates in a
   row. The state travels in `GroupCountSmoothing`: pass the previous map's `smoothing` to the next
   `build_map` to behave as Polis does across updates.
6. Representative statements: Polis's repness test — for each group and statement, the agree (and
   disagree) probability in the group with a +1/+2 prior and its one-proportion z-score, the ratio to
   everyone else's and a two-proportion z-score; a statement is representative when both z-scores pass
   90 % one-sided; the list starts with the group's best agreed statement and is ordered by
   ratio × ratio-z × probability × probability-z.
7. Group-informed consensus: for every statement, the product over groups of each group's agree
   (and disagree) probability; a statement is listed when every group leans that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_samples
from sklearn.utils.extmath import svd_flip
from threadpoolctl import threadpool_limits

AGREE, PASS, DISAGREE = 1, 0, -1
Z_90 = 1.2815515655446004  # one-sided 90 % (Polis's `z-90`)
# k-means stops in the local optimum its start leads to, and on real conversations the optima differ
# in who sits on a boundary. Polis warm-starts every update from the previous clusters, which over a
# conversation's life works like many starts; a computation from scratch makes the starts explicit and
# keeps the result with the lowest k-means objective, as scikit-learn's n_init does. Every start is
# Polis's own (the first k distinct points) or a k-means++ start from a seed derived from `seed`, so the
# same votes always give the same groups.
STARTS = 10  # base clusterings tried, and starts of each group k-means (Polis's start and 9 k-means++)
# The base k-means is the one costly step (k = 100 on every participant). Its start matters on a small
# conversation, where a base cluster holds a handful of people; with thousands of people each base
# cluster holds dozens and the starts differ by a few per cent of the objective, not in the groups built
# on top. So the base step gets at most this many participant-starts: all `STARTS` starts up to
# 2,000 participants on the map (every conversation measured in bench/opinion_map.py), one start from
# 20,000. The group k-means (on 100 weighted centres) always gets all of its starts.
BASE_START_BUDGET = 20_000
METHOD = ("Polis: sparse PCA (2 axes, mean-imputed), base k-means (100), group k-means 2..5 by silhouette; "
          f"each k-means the lowest sum of squares of {STARTS} starts (the base one fewer above 2,000 people)")


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
    probability: float  # in the group, with the +1/+2 prior (Polis's p-success)
    share: float  # plain share of the group's votes on it going that way (what people read)
    ratio: float  # probability in the group / probability among everyone else (Polis's repness)
    z: float  # two-proportion z-score of that ratio (Polis's repness-test)
    probability_z: float = 0.0  # one-proportion z-score of the probability (Polis's p-test)
    votes: int = 0  # group members who voted on it (Polis's n-trials)


@dataclass
class OpinionGroup:
    number: int
    members: list[str]
    representative: list[Representative] = field(default_factory=list)


@dataclass(frozen=True)
class Consensus:
    statement: int
    score: float  # product over groups of the group's probability (group-informed consensus)
    agree_share: float  # among everyone who voted on it
    direction: str = "agree"


@dataclass(frozen=True)
class GroupCountSmoothing:
    """Polis's group-k-smoother: the state that makes the group count stable across updates."""

    last_k: int | None = None  # the best k of the last update
    last_k_count: int = 0  # how many updates in a row it has been the best
    smoothed_k: int | None = None  # the k shown

    def update(self, best_k: int, buffer: int = 4) -> GroupCountSmoothing:
        count = self.last_k_count + 1 if self.last_k == best_k else 1
        shown = best_k if count >= buffer or self.smoothed_k is None else self.smoothed_k
        return GroupCountSmoothing(last_k=best_k, last_k_count=count, smoothed_k=shown)

    def as_dict(self) -> dict[str, int | None]:
        return {"last_k": self.last_k, "last_k_count": self.last_k_count, "smoothed_k": self.smoothed_k}

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> GroupCountSmoothing:
        if not data:
            return cls()

        def number(key: str) -> int | None:
            value = data.get(key)
            return int(value) if isinstance(value, int | float | str) and str(value).lstrip("-").isdigit() else None

        return cls(last_k=number("last_k"), last_k_count=number("last_k_count") or 0,
                   smoothed_k=number("smoothed_k"))


@dataclass
class OpinionMap:
    participants: list[str]  # those placed on the map
    coordinates: list[tuple[float, float]]
    groups: list[OpinionGroup]
    consensus: list[Consensus]  # group-informed consensus, agree side
    statements: dict[int, StatementStats]  # every statement analysed (moderated-out ones are not)
    explained_variance: tuple[float, float]
    left_out: int  # participants with too few votes
    consensus_disagree: list[Consensus] = field(default_factory=list)
    silhouette: float | None = None  # of the groups shown, over base clusters weighted by size
    silhouettes: dict[int, float] = field(default_factory=dict)  # every k tried
    best_k: int | None = None  # the k with the best silhouette in this update
    smoothing: GroupCountSmoothing = field(default_factory=GroupCountSmoothing)
    vote_threshold: int = 0
    base_clusters: int = 0
    moderated_out: int = 0  # statements left out because a moderator took them out
    within_groups: float | None = None  # the groups' k-means objective (squared distances to their centres)
    starts: int = STARTS
    base_starts: int = STARTS  # starts of the base k-means (fewer on large maps: BASE_START_BUDGET)
    method: str = METHOD

    def group_of(self) -> dict[str, int]:
        return {member: group.number for group in self.groups for member in group.members}

    def parameters(self) -> dict[str, object]:
        """What staff need to explain the map in public: the method, its parameters and its quality."""
        return {"method": self.method, "vote_threshold": self.vote_threshold, "base_clusters": self.base_clusters,
                "groups": len(self.groups), "best_k": self.best_k, "silhouette": self.silhouette,
                "silhouettes": {str(k): v for k, v in self.silhouettes.items()},
                "smoothing": self.smoothing.as_dict(), "participants_on_map": len(self.participants),
                "left_out": self.left_out, "moderated_out": self.moderated_out,
                "starts": self.starts, "base_starts": self.base_starts, "within_groups": self.within_groups,
                "explained_variance": list(self.explained_variance)}


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


# --- Vote matrix and projection ---------------------------------------------------------------


@dataclass(frozen=True)
class Votes:
    """Latest votes as columns, one entry per (participant, statement): the fast input of `build_map`
    (a database gives these columns directly; a Python dict of millions of votes is slow to walk)."""

    participants: np.ndarray  # participant id of each vote (integers, or strings as an object array)
    statements: np.ndarray  # statement id of each vote (integers)
    values: np.ndarray  # −1, 0 or +1

    @classmethod
    def from_mapping(cls, votes: Mapping[tuple[str, int], int]) -> Votes:
        keys = list(votes)
        participants = np.empty(len(keys), dtype=object)
        participants[:] = [p for p, _s in keys]
        return cls(participants, np.fromiter((s for _p, s in keys), dtype=np.int64, count=len(keys)),
                   np.fromiter(votes.values(), dtype=np.int64, count=len(keys)))


@dataclass(frozen=True)
class VoteMatrix:
    participants: list[str]  # every voter, in Polis's order (numeric ids numerically)
    statements: list[int]  # the statements kept (moderated-out ones dropped)
    values: sparse.csr_matrix  # votes as stored values (+1, 0, −1); a pass is an explicit 0
    voted: sparse.csr_matrix  # 1 where a vote exists
    cast: np.ndarray  # votes each participant cast, moderated-out statements included
    moderated_out: int  # moderated-out statements that received votes


def vote_matrix(votes: Votes | Mapping[tuple[str, int], int], moderated_out: Iterable[int] = ()) -> VoteMatrix:
    """The sparse participants × statements matrix, without the moderated-out statements."""
    columns = votes if isinstance(votes, Votes) else Votes.from_mapping(votes)
    values = np.asarray(columns.values)
    if values.size and not np.isin(values, (AGREE, PASS, DISAGREE)).all():
        bad = values[~np.isin(values, (AGREE, PASS, DISAGREE))][0]
        raise ValueError(f"vote must be -1, 0 or 1, got {bad!r}")
    unique, inverse = _factorise(np.asarray(columns.participants))
    # Polis's participant order seeds its k-means start: numeric ids in numeric order.
    if unique.dtype.kind in "iu":
        ordered: list[int] | np.ndarray = np.arange(len(unique))  # already in numeric order
    else:
        ordered = sorted(range(len(unique)), key=lambda i: _natural(unique[i]))
    position = np.empty(len(unique), dtype=np.int64)
    position[ordered] = np.arange(len(unique))
    rows = position[inverse.ravel()]
    statement_ids = np.asarray(columns.statements, dtype=np.int64)
    dropped = np.isin(statement_ids, np.fromiter(set(moderated_out), dtype=np.int64))
    cast = np.bincount(rows, minlength=len(unique)).astype(np.float64)
    kept_statements, column = _factorise(statement_ids[~dropped])
    shape = (len(unique), len(kept_statements))
    kept_rows = rows[~dropped]
    matrix = sparse.csr_matrix((values[~dropped].astype(np.float64), (kept_rows, column.ravel())), shape=shape)
    # One stored value per vote (a pass is an explicit zero), so `voted` shares the structure.
    voted = sparse.csr_matrix((np.ones(matrix.nnz), matrix.indices, matrix.indptr), shape=shape)
    return VoteMatrix([_label(unique[i]) for i in ordered], [int(s) for s in kept_statements], matrix, voted,
                      cast, len(np.unique(statement_ids[dropped])))


def _factorise(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct ids, index of each id among them), like np.unique(return_inverse=True) but in
    linear time for the usual case of non-negative integer ids (database keys)."""
    if ids.dtype.kind in "iu" and ids.size and ids.min() >= 0 and ids.max() < 4 * ids.size + 1_000_000:
        present = np.zeros(int(ids.max()) + 1, dtype=bool)
        present[ids] = True
        distinct = np.flatnonzero(present)
        index_of = np.cumsum(present) - 1
        return distinct.astype(ids.dtype), index_of[ids]
    distinct, inverse = np.unique(ids, return_inverse=True)
    return distinct, inverse.ravel()


def _label(participant: object) -> str:
    return participant if isinstance(participant, str) else str(participant)


def _natural(participant: object) -> tuple[int, int, str]:
    """Numeric ids in numeric order (Polis's participant order, which seeds its k-means), others after."""
    if isinstance(participant, int | np.integer):
        return (0, int(participant), "")
    text = str(participant)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def sparse_pca(values: sparse.csr_matrix, voted: sparse.csr_matrix, n_components: int = 2, seed: int = 0,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, ...]]:
    """PCA of the mean-imputed vote matrix without densifying it.

    Returns (projection of every row, components, column means, explained variance ratios). The
    projection is the plain one (no sparsity scaling), so that it equals a dense PCA's `transform`.
    """
    votes_per_column = np.asarray(voted.sum(axis=0)).ravel()
    sums = np.asarray(values.sum(axis=0)).ravel()
    means = np.divide(sums, votes_per_column, out=np.zeros_like(sums), where=votes_per_column > 0)
    # Subtract each stored vote's column mean; a missing cell stays zero, which is exactly the
    # mean-imputed, centred value. `values` stores passes as explicit zeros, so it has one stored value
    # per vote, like `voted`; if a caller's matrix lost them, rebuild from `voted`'s structure.
    if _same_structure(values, voted):
        centred = sparse.csr_matrix((values.data - means[values.indices], values.indices.copy(),
                                     values.indptr.copy()), shape=values.shape)
    else:
        centred = _centre_slow(values, voted, means)
    total = float((centred.data**2).sum())
    n_rows, n_columns = centred.shape
    k = min(n_components, n_rows, n_columns)
    if k == 0 or total == 0.0:
        return np.zeros((n_rows, n_components)), np.zeros((n_components, n_columns)), means, (0.0,) * n_components
    if min(n_rows, n_columns) <= 60:
        # Small: an exact SVD of the small dense copy is cheaper than iterating.
        u, singular, vt = np.linalg.svd(centred.toarray(), full_matrices=False)
        u, singular, vt = u[:, :k], singular[:k], vt[:k]
    else:
        # ARPACK (Lanczos) on the sparse matrix: converges to machine precision, so the positions do
        # not depend on a random start the way a randomised SVD's do. A fixed start vector keeps it
        # deterministic.
        start = np.random.default_rng(seed).standard_normal(min(centred.shape))
        u, singular, vt = svds(centred, k=k, v0=start, random_state=seed)
        order = np.argsort(singular)[::-1]
        u, singular, vt = u[:, order], singular[order], vt[order]
    u, vt = svd_flip(u, vt, u_based_decision=False)
    projection = np.zeros((n_rows, n_components))
    projection[:, :k] = u * singular
    components = np.zeros((n_components, n_columns))
    components[:k] = vt
    explained = tuple(float(s**2 / total) for s in singular) + (0.0,) * (n_components - k)
    return projection, components, means, explained


def _same_structure(a: sparse.csr_matrix, b: sparse.csr_matrix) -> bool:
    return bool(a.nnz == b.nnz and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices))


def _centre_slow(values: sparse.csr_matrix, voted: sparse.csr_matrix, means: np.ndarray) -> sparse.csr_matrix:
    coo = voted.tocoo()
    dense_values = np.asarray(values[coo.row, coo.col]).ravel()
    return sparse.csr_matrix((dense_values - means[coo.col], (coo.row, coo.col)), shape=values.shape)


# --- Clustering -------------------------------------------------------------------------------


def _first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    """The first k distinct points in order: Polis's deterministic k-means start (clusters.clj)."""
    _values, first = np.unique(points.round(9), axis=0, return_index=True)
    return points[np.sort(first)[:k]]


def _seed_of(seed: int, *path: int) -> int:
    """A deterministic seed for one start, different for every (seed, path)."""
    return int(np.random.default_rng([seed, *path]).integers(2**31 - 1))


def _means(points: np.ndarray, labels: np.ndarray, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """The (weighted) mean of each cluster's points: Polis's cluster centres."""
    w = np.ones(len(points)) if weights is None else weights
    totals = np.bincount(labels, weights=w, minlength=k)
    sums = np.stack([np.bincount(labels, weights=w * points[:, d], minlength=k) for d in range(points.shape[1])],
                    axis=1)
    return np.divide(sums, totals[:, None], out=np.zeros_like(sums), where=totals[:, None] > 0)


def _sum_of_squares(points: np.ndarray, labels: np.ndarray, k: int, weights: np.ndarray | None = None) -> float:
    """The k-means objective of a partition: (weighted) squared distances to the clusters' own means."""
    centres = _means(points, labels, k, weights)
    squared = ((points - centres[labels]) ** 2).sum(axis=1)
    return float(squared.sum() if weights is None else (weights * squared).sum())


def _kmeans(points: np.ndarray, k: int, seed: int, weights: np.ndarray | None = None, starts: int = STARTS,
            ) -> tuple[np.ndarray, float]:
    """(labels, objective): k-means from Polis's start and from `starts` − 1 k-means++ starts; the lowest
    (weighted) sum of squares wins, the earlier start on a tie."""
    found = KMeans(n_clusters=k, init=_first_distinct(points, k), n_init=1).fit(points, sample_weight=weights)
    best = np.asarray(found.labels_)
    best_objective = _sum_of_squares(points, best, k, weights)
    if starts > 1:
        other = KMeans(n_clusters=k, n_init=starts - 1, random_state=_seed_of(seed, k)).fit(
            points, sample_weight=weights)
        labels = np.asarray(other.labels_)
        objective = _sum_of_squares(points, labels, k, weights)
        if objective < best_objective - 1e-9 * max(1.0, best_objective):
            best, best_objective = labels, objective
    return best, best_objective


@dataclass(frozen=True)
class BaseClustering:
    labels: np.ndarray  # base cluster of each point
    centres: np.ndarray  # each base cluster's mean
    sizes: np.ndarray  # members of each base cluster (the group k-means' weights)
    within: float  # squared distances of the points to their base cluster's centre


def base_clusterings(points: np.ndarray, k: int = 100, seed: int = 0, starts: int = STARTS) -> list[BaseClustering]:
    """Polis's fine-grained first step (k-means, at most `k` clusters) from each start: Polis's start first,
    then k-means++ starts. With no more distinct positions than `k`, each distinct position is its own base
    cluster (as in Polis) and there is one clustering."""
    distinct, inverse = np.unique(points.round(9), axis=0, return_inverse=True)
    if len(distinct) <= k:
        labels = inverse.ravel()
        return [_base(points, labels, len(distinct))]
    found = []
    for start in range(starts):
        init = _first_distinct(points, k) if start == 0 else "k-means++"
        fitted = KMeans(n_clusters=k, init=init, n_init=1, random_state=_seed_of(seed, 0, start)).fit(points)
        labels = np.asarray(fitted.labels_)
        used = np.unique(labels)  # k-means can leave a cluster empty: number the used ones 0..n-1
        found.append(_base(points, np.searchsorted(used, labels), len(used)))
    return found


def tightest(clusterings: list[BaseClustering]) -> BaseClustering:
    """The base clustering with the lowest k-means objective (the earliest start on a tie)."""
    best = clusterings[0]
    for candidate in clusterings[1:]:
        if candidate.within < best.within - 1e-9 * max(1.0, best.within):
            best = candidate
    return best


def _base(points: np.ndarray, labels: np.ndarray, k: int) -> BaseClustering:
    centres = _means(points, labels, k)
    return BaseClustering(labels=labels, centres=centres, sizes=np.bincount(labels, minlength=k).astype(float),
                          within=_sum_of_squares(points, labels, k))


@dataclass(frozen=True)
class GroupClustering:
    k: int
    base: BaseClustering
    of_base: np.ndarray  # the group of each base cluster
    silhouette: float  # Polis's: plain mean over base clusters
    objective: float  # squared distances of the participants to their group's centre

    @property
    def labels(self) -> np.ndarray:
        """The group of each participant: the group of their base cluster, as in Polis."""
        return self.of_base[self.base.labels]


def group_clusterings(base: BaseClustering, max_groups: int = 5, seed: int = 0, starts: int = STARTS,
                      ) -> dict[int, GroupClustering]:
    """For every k Polis tries (2 … min(max_groups, 2 + base clusters ÷ 12)), on one base clustering as in
    Polis (so that every k's silhouette is measured on the same base clusters): k-means of the base
    clusters' centres weighted by their sizes, the lowest objective of `starts` starts.

    For a given base clustering, that weighted objective plus the base clusters' own spread is exactly
    the participants' within-group sum of squares, which `objective` reports."""
    found: dict[int, GroupClustering] = {}
    top = min(max_groups, 2 + len(base.centres) // 12, len(base.centres))
    for k in range(2, top + 1):
        of_base, between = _kmeans(base.centres, k, _seed_of(seed, 1), weights=base.sizes, starts=starts)
        if len(np.unique(of_base)) < k:
            continue
        found[k] = GroupClustering(k=k, base=base, of_base=of_base,
                                   silhouette=round(_silhouette(base.centres, of_base), 4),
                                   objective=base.within + between)
    return found


def _silhouette(centres: np.ndarray, labels: np.ndarray) -> float:
    """Polis's silhouette of a group clustering: the plain mean over base clusters (clusters.clj), a
    base cluster alone in its group counting 0."""
    groups = len(set(labels.tolist()))
    if groups < 2:
        return -1.0
    if groups >= len(centres):
        return 0.0  # every base cluster alone in its group
    return float(silhouette_samples(centres, labels).mean())


# --- Statement statistics ---------------------------------------------------------------------


def _one_proportion_z(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    successes, trials = successes + 1.0, trials + 1.0
    return np.asarray(2 * np.sqrt(trials) * (successes / trials - 0.5))


def _two_proportion_z(in_successes: np.ndarray, out_successes: np.ndarray, in_trials: np.ndarray,
                      out_trials: np.ndarray) -> np.ndarray:
    s1, s2, n1, n2 = in_successes + 1.0, out_successes + 1.0, in_trials + 1.0, out_trials + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / spread
    return np.asarray(np.where((pooled >= 1) | (spread == 0), 0.0, z))


@dataclass(frozen=True)
class _GroupStats:
    n: np.ndarray  # votes (agree, disagree or pass) per statement
    agree: np.ndarray
    disagree: np.ndarray
    p_agree: np.ndarray
    p_disagree: np.ndarray
    p_agree_z: np.ndarray
    p_disagree_z: np.ndarray
    r_agree: np.ndarray
    r_disagree: np.ndarray
    r_agree_z: np.ndarray
    r_disagree_z: np.ndarray


def _group_stats(values: sparse.csr_matrix, voted: sparse.csr_matrix, labels: np.ndarray,
                 n_groups: int) -> list[_GroupStats]:
    membership = sparse.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))),
                                   shape=(n_groups, len(labels)))
    agreed = values.copy()
    agreed.data = (agreed.data == AGREE).astype(float)
    disagreed = values.copy()
    disagreed.data = (disagreed.data == DISAGREE).astype(float)
    n = np.asarray((membership @ voted).todense())
    agree = np.asarray((membership @ agreed).todense())
    disagree = np.asarray((membership @ disagreed).todense())
    stats = []
    for g in range(n_groups):
        out_n, out_agree, out_disagree = n.sum(0) - n[g], agree.sum(0) - agree[g], disagree.sum(0) - disagree[g]
        p_agree, p_disagree = (agree[g] + 1) / (n[g] + 2), (disagree[g] + 1) / (n[g] + 2)
        stats.append(_GroupStats(
            n=n[g], agree=agree[g], disagree=disagree[g], p_agree=p_agree, p_disagree=p_disagree,
            p_agree_z=_one_proportion_z(agree[g], n[g]), p_disagree_z=_one_proportion_z(disagree[g], n[g]),
            r_agree=p_agree / ((out_agree + 1) / (out_n + 2)),
            r_disagree=p_disagree / ((out_disagree + 1) / (out_n + 2)),
            r_agree_z=_two_proportion_z(agree[g], out_agree, n[g], out_n),
            r_disagree_z=_two_proportion_z(disagree[g], out_disagree, n[g], out_n)))
    return stats


def _representative(stats: _GroupStats, statements: list[int], pick: int) -> list[Representative]:
    """Polis's select-rep-comments for one group."""

    def item(j: int, agree_side: bool | None = None) -> Representative:
        if agree_side is None:
            agree_side = bool(stats.r_agree_z[j] > stats.r_disagree_z[j])
        count = stats.agree[j] if agree_side else stats.disagree[j]
        return Representative(
            statement=statements[j], direction="agree" if agree_side else "disagree",
            probability=round(float(stats.p_agree[j] if agree_side else stats.p_disagree[j]), 3),
            share=round(float(count / stats.n[j]), 3) if stats.n[j] else 0.0,
            ratio=round(float(stats.r_agree[j] if agree_side else stats.r_disagree[j]), 3),
            z=round(float(stats.r_agree_z[j] if agree_side else stats.r_disagree_z[j]), 3),
            probability_z=round(float(stats.p_agree_z[j] if agree_side else stats.p_disagree_z[j]), 3),
            votes=int(stats.n[j]))

    # The best agreed statement heads the list, so that each group shows something it agrees on.
    best_agree: int | None = None
    for j in range(len(statements)):
        if stats.agree[j] == 0 and stats.disagree[j] == 0:
            continue
        if best_agree is None:
            if stats.p_agree_z[j] > Z_90 or (stats.r_agree[j] > 1 and stats.p_agree[j] > 0.5):
                best_agree = j
        elif stats.r_agree[best_agree] > 1:
            def metric(i: int) -> float:
                return float(stats.r_agree[i] * stats.r_agree_z[i] * stats.p_agree[i] * stats.p_agree_z[i])
            if metric(j) > metric(best_agree):
                best_agree = j
        elif stats.p_agree[j] * stats.p_agree_z[j] > stats.p_agree[best_agree] * stats.p_agree_z[best_agree]:
            best_agree = j
    significant = [j for j in range(len(statements))
                   if (stats.p_agree_z[j] > Z_90 and stats.r_agree_z[j] > Z_90)
                   or (stats.p_disagree_z[j] > Z_90 and stats.r_disagree_z[j] > Z_90)]
    head: list[int] = []
    chosen: list[Representative] = []
    if best_agree is not None:
        head = [best_agree]
        chosen = [item(best_agree, agree_side=True)]
    elif not significant and len(statements):
        head = [max(range(len(statements)), key=lambda j: (max(stats.r_agree_z[j], stats.r_disagree_z[j]), -j))]
        chosen = [item(head[0])]
    # Rank on the rounded figures people read (as before), but build them only for the statements that
    # can reach the list: on a large conversation thousands pass the test and only `pick` are shown.
    # Rounding to three decimals moves a product of four figures by far less than the 5 % margin kept.
    candidates = np.array([j for j in significant if j not in head], dtype=np.int64)
    if pick > 0 and len(candidates) > 4 * pick:
        agree_side = stats.r_agree_z[candidates] > stats.r_disagree_z[candidates]
        strength = np.where(agree_side,
                          stats.r_agree[candidates] * stats.r_agree_z[candidates] * stats.p_agree[candidates]
                          * stats.p_agree_z[candidates],
                          stats.r_disagree[candidates] * stats.r_disagree_z[candidates]
                          * stats.p_disagree[candidates] * stats.p_disagree_z[candidates])
        cut = float(np.partition(strength, -pick)[-pick])
        candidates = candidates[strength >= cut - 0.05 * abs(cut) - 1e-9]
    ranked = sorted((item(int(j)) for j in candidates),
                    key=lambda r: (-r.ratio * r.z * r.probability * r.probability_z, r.statement))
    chosen += ranked
    chosen = chosen[:pick]
    return sorted(chosen, key=lambda r: r.direction)  # agree before disagree, stable otherwise


def _consensus(stats: list[_GroupStats], statements: list[int], overall: dict[int, StatementStats],
               direction: str) -> list[Consensus]:
    probabilities = np.array([s.p_agree if direction == "agree" else s.p_disagree for s in stats])
    score = probabilities.prod(axis=0)
    found = []
    for j, statement in enumerate(statements):
        if not all(p[j] > 0.5 for p in probabilities):
            continue
        total = overall[statement].votes
        found.append(Consensus(statement, round(float(score[j]), 4),
                               round(overall[statement].agree / total, 3) if total else 0.0, direction))
    found.sort(key=lambda c: (-c.score, c.statement))
    return found


# --- The map ----------------------------------------------------------------------------------


# Polis keeps at least this many people on the map: when fewer reach the vote threshold, the most active
# voters below it join them (conversation.clj, `in-conv`, "greedy-n"), so a young conversation shows a map.
MOST_ACTIVE = 15


def _with_most_active(on_map: np.ndarray, cast: np.ndarray, minimum: int) -> np.ndarray:
    """`on_map`, topped up to `minimum` people with the participants who cast the most votes (ties: first seen)."""
    missing = minimum - len(on_map)
    if missing <= 0:
        return on_map
    below = np.setdiff1d(np.flatnonzero(cast > 0), on_map)
    most_active = below[np.argsort(-cast[below], kind="stable")][:missing]
    return np.sort(np.concatenate([on_map, most_active]))


def build_map(votes: Votes | Mapping[tuple[str, int], int], *, moderated_out: Iterable[int] = (), min_votes: int = 7,
              max_groups: int = 5, base_k: int = 100, k_buffer: int = 4,
              smoothing: GroupCountSmoothing | None = None, seed: int = 0,
              representative_per_group: int = 5, starts: int = STARTS) -> OpinionMap:
    """The opinion map of the latest votes: (participant, statement) → −1/0/+1, or `Votes` columns.

    `smoothing` is the previous update's `OpinionMap.smoothing` (None for the first update).
    """
    matrix = vote_matrix(votes, moderated_out)
    statements = matrix.statements
    data, columns = matrix.values.data, matrix.values.indices
    agree = np.bincount(columns[data == AGREE], minlength=len(statements))
    disagree = np.bincount(columns[data == DISAGREE], minlength=len(statements))
    voted_per_statement = np.bincount(columns, minlength=len(statements))
    stats = {s: StatementStats(s, int(agree[j]), int(disagree[j]),
                               int(voted_per_statement[j] - agree[j] - disagree[j]))
             for j, s in enumerate(statements)}
    votes_per_participant = np.diff(matrix.values.indptr).astype(np.float64)
    # As in Polis, a moderated-out statement counts as a statement everyone passed on: the vote threshold
    # counts every vote a participant cast and every statement of the conversation, and the sparsity
    # scaling below counts the moderated-out statements as voted by everyone. It keeps the map where it
    # was before the moderation; the statements themselves shape nothing and are never reported.
    taken_out = matrix.moderated_out
    threshold = min(min_votes, len(statements) + taken_out)
    on_map = np.flatnonzero(matrix.cast >= max(threshold, 1)) if statements else np.zeros(0, int)
    on_map = _with_most_active(on_map, matrix.cast, minimum=MOST_ACTIVE) if statements else on_map
    previous = smoothing or GroupCountSmoothing()
    empty = OpinionMap(participants=[], coordinates=[], groups=[], consensus=[], statements=stats,
                       explained_variance=(0.0, 0.0), left_out=len(matrix.participants) - len(on_map),
                       smoothing=previous, vote_threshold=threshold, moderated_out=taken_out)
    if len(on_map) < 4 or len(statements) < 2:
        return empty

    with threadpool_limits(limits=1):
        projection, _components, _means, explained = sparse_pca(matrix.values, matrix.voted, seed=seed)
        scale = np.sqrt((len(statements) + taken_out) / np.maximum(votes_per_participant + taken_out, 1))
        points = (projection * scale[:, None])[on_map]
        base_starts = max(1, min(starts, BASE_START_BUDGET // len(points)))
        base = tightest(base_clusterings(points, base_k, seed, base_starts))
        clusterings = group_clusterings(base, max_groups, seed, starts)
    if not clusterings:
        return replace(empty, participants=[matrix.participants[i] for i in on_map],
                       coordinates=[(round(float(x), 4), round(float(y), 4)) for x, y in points],
                       explained_variance=(explained[0], explained[1]), base_clusters=len(base.centres))
    best_k = max(clusterings, key=lambda k: (clusterings[k].silhouette, -k))
    smoothed = previous.update(best_k, k_buffer)
    shown = clusterings[smoothed.smoothed_k if smoothed.smoothed_k in clusterings else best_k]
    labels, silhouette = shown.labels, shown.silhouette
    in_conversation = matrix.values[on_map]
    voted = matrix.voted[on_map]
    n_groups = int(labels.max()) + 1
    group_stats = _group_stats(in_conversation, voted, labels, n_groups)
    placed = [matrix.participants[i] for i in on_map]
    groups = [OpinionGroup(number=g + 1, members=[placed[i] for i in np.flatnonzero(labels == g)],
                           representative=_representative(group_stats[g], statements, representative_per_group))
              for g in range(n_groups)]
    groups.sort(key=lambda g: (-len(g.members), g.members[:1]))
    for number, group in enumerate(groups, 1):
        group.number = number
    return OpinionMap(
        participants=placed, coordinates=[(x, y) for x, y in points.round(4).tolist()],
        groups=groups, consensus=_consensus(group_stats, statements, stats, "agree"),
        consensus_disagree=_consensus(group_stats, statements, stats, "disagree"),
        statements=stats, explained_variance=(round(explained[0], 4), round(explained[1], 4)),
        left_out=len(matrix.participants) - len(on_map), silhouette=silhouette,
        silhouettes={k: found.silhouette for k, found in sorted(clusterings.items())}, best_k=best_k,
        smoothing=smoothed, vote_threshold=threshold, base_clusters=len(shown.base.centres),
        moderated_out=empty.moderated_out, within_groups=round(shown.objective, 4), starts=starts,
        base_starts=base_starts)
