"""Ballots turned into what the rules compute on: who supports which project, and how much.

Each voter's satisfaction from a project is ``scale[p] * units`` with ``units`` a positive integer:

=============  ==========================  =========  ===================================
satisfaction   pabutools class             units      scale
=============  ==========================  =========  ===================================
cost           ``Cost_Sat``                1          the project's cost
cardinality    ``Cardinality_Sat``         1          1
points         ``Additive_Cardinal_Sat``   points     1 / points_scale (points are scaled)
borda          ``Additive_Borda_Sat``      k-1 .. 0   1 (a ballot ranking k projects)
=============  ==========================  =========  ===================================

Integer units keep every sum exact. A voter whose satisfaction from a project is 0 does not support
it (the last project of a ranking under Borda, a project given 0 points, any project costing 0
under cost satisfaction): pabutools ignores such voters as well.

Voters with identical ballots are merged into one *group* with a weight. All the rules treat
identical voters identically (same budget, same load), so this changes no outcome and makes the
work proportional to the number of distinct ballots.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from budgeting.pb.pabulib import Instance, VoteType

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class RuleError(ValueError):
    """The rule cannot be applied to this election (e.g. negative scores)."""


class Satisfaction(StrEnum):
    COST = "cost"
    CARDINALITY = "cardinality"
    POINTS = "points"
    BORDA = "borda"


def default_satisfaction(vote_type: VoteType) -> Satisfaction:
    """Cost satisfaction for approval ballots, points for cumulative/scoring, Borda for rankings."""
    if vote_type.is_approval:
        return Satisfaction.COST
    if vote_type.has_points:
        return Satisfaction.POINTS
    return Satisfaction.BORDA


@dataclass(frozen=True, eq=False)
class SupportProfile:
    """Grouped supporters per project (CSC) and projects per group (CSR), with exact units."""

    ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    budget: Fraction
    num_voters: int
    satisfaction: Satisfaction
    scale: tuple[Fraction, ...]
    weights: IntArray
    project_offsets: IntArray
    project_groups: IntArray
    project_units: IntArray
    group_offsets: IntArray
    group_projects: IntArray
    group_units: IntArray
    # Derived, exact: sum over supporters of weight * units, and the number of supporting voters.
    unit_totals: tuple[int, ...]
    supporter_counts: tuple[int, ...]
    # Voters naming the project on their ballot, whatever their satisfaction from it.
    vote_counts: tuple[int, ...]
    # Position of each project id in string order: pabutools breaks ties lexicographically on the
    # id as a string ("10" < "9").
    id_rank: tuple[int, ...]

    @property
    def num_projects(self) -> int:
        return len(self.ids)

    @property
    def num_groups(self) -> int:
        return len(self.weights)

    def supporters(self, project: int) -> tuple[IntArray, IntArray]:
        start, end = self.project_offsets[project], self.project_offsets[project + 1]
        return self.project_groups[start:end], self.project_units[start:end]

    def total_satisfaction(self, project: int) -> Fraction:
        return self.scale[project] * self.unit_totals[project]


def build_profile(instance: Instance, satisfaction: Satisfaction | None = None) -> SupportProfile:
    satisfaction = satisfaction or default_satisfaction(instance.vote_type)
    ballots = instance.ballots
    num_projects = len(instance.projects)
    costs = tuple(project.cost for project in instance.projects)
    lengths = ballots.lengths()

    units: IntArray
    if satisfaction in (Satisfaction.COST, Satisfaction.CARDINALITY):
        units = np.ones(len(ballots.projects), dtype=np.int64)
        if satisfaction == Satisfaction.COST:
            free = np.array([cost == 0 for cost in costs], dtype=bool)
            if free.any():
                units = np.where(free[ballots.projects], 0, units)
        scale = costs if satisfaction == Satisfaction.COST else tuple(Fraction(1) for _ in costs)
    elif satisfaction == Satisfaction.POINTS:
        if ballots.points is None:
            raise RuleError(f"points satisfaction needs cumulative or scoring ballots, not {instance.vote_type}")
        units = ballots.points.astype(np.int64)
        if (units < 0).any():
            raise RuleError("the rules need non-negative points")
        scale = tuple(Fraction(1, ballots.points_scale) for _ in costs)
    elif satisfaction == Satisfaction.BORDA:
        if instance.vote_type != VoteType.ORDINAL:
            raise RuleError(f"Borda satisfaction needs ordinal ballots, not {instance.vote_type}")
        position = np.arange(len(ballots.projects), dtype=np.int64) - np.repeat(ballots.offsets[:-1], lengths)
        units = np.repeat(lengths, lengths) - position - 1
        scale = tuple(Fraction(1) for _ in costs)
    else:  # pragma: no cover - exhaustive enum
        raise RuleError(f"unknown satisfaction {satisfaction}")

    # Merge identical ballots. The key lists (project, units) sorted by project, so that two approval
    # ballots naming the same projects in another order are the same group.
    voter_of_entry = np.repeat(np.arange(len(ballots), dtype=np.int64), lengths)
    keep = units > 0
    entry_projects, entry_units, entry_voters = ballots.projects[keep], units[keep], voter_of_entry[keep]
    order = np.lexsort((entry_projects, entry_voters))
    entry_projects, entry_units, entry_voters = entry_projects[order], entry_units[order], entry_voters[order]
    voter_starts = np.searchsorted(entry_voters, np.arange(len(ballots) + 1))
    projects_list = entry_projects.tolist()
    units_list = entry_units.tolist()
    starts = voter_starts.tolist()
    group_of_key: dict[tuple[int, ...], int] = {}
    group_weights: list[int] = []
    group_keys: list[tuple[int, ...]] = []
    for voter in range(len(ballots)):
        start, end = starts[voter], starts[voter + 1]
        if start == end:
            continue
        key = tuple(projects_list[start:end]) + tuple(units_list[start:end])
        group = group_of_key.get(key)
        if group is None:
            group_of_key[key] = len(group_weights)
            group_weights.append(1)
            group_keys.append(key)
        else:
            group_weights[group] += 1

    group_offsets = [0]
    flat_projects: list[int] = []
    flat_units: list[int] = []
    for key in group_keys:
        half = len(key) // 2
        flat_projects.extend(key[:half])
        flat_units.extend(key[half:])
        group_offsets.append(len(flat_projects))
    g_offsets = np.asarray(group_offsets, dtype=np.int64)
    g_projects = np.asarray(flat_projects, dtype=np.int64)
    g_units = np.asarray(flat_units, dtype=np.int64)
    weights = np.asarray(group_weights, dtype=np.int64)

    group_of_entry = np.repeat(np.arange(len(weights), dtype=np.int64), np.diff(g_offsets))
    by_project = np.argsort(g_projects, kind="stable")
    p_groups = group_of_entry[by_project]
    p_units = g_units[by_project]
    p_offsets = np.searchsorted(g_projects[by_project], np.arange(num_projects + 1)).astype(np.int64)

    unit_totals = []
    supporter_counts = []
    for project in range(num_projects):
        start, end = p_offsets[project], p_offsets[project + 1]
        member_weights = weights[p_groups[start:end]].tolist()
        # Python ints: scaled points times large weights must not overflow int64.
        unit_totals.append(sum(w * u for w, u in zip(member_weights, p_units[start:end].tolist(), strict=True)))
        supporter_counts.append(sum(member_weights))

    ids = tuple(project.id for project in instance.projects)
    id_rank = [0] * num_projects
    for rank, project in enumerate(sorted(range(num_projects), key=lambda p: ids[p])):
        id_rank[project] = rank

    return SupportProfile(
        ids=ids,
        costs=costs,
        budget=instance.budget,
        num_voters=len(ballots),
        satisfaction=satisfaction,
        scale=tuple(scale),
        weights=weights,
        project_offsets=p_offsets,
        project_groups=p_groups,
        project_units=p_units,
        group_offsets=g_offsets,
        group_projects=g_projects,
        group_units=g_units,
        unit_totals=tuple(unit_totals),
        supporter_counts=tuple(supporter_counts),
        vote_counts=tuple(np.bincount(ballots.projects, minlength=num_projects).tolist()),
        id_rank=tuple(id_rank),
    )
