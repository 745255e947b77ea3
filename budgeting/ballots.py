"""Checking a ballot against an edition's ballot rules (no Django import).

A ballot is a mapping {project number: value}: 1 for approval, the points for cumulative ballots,
the rank (1 = first) for ranked ballots. Each budget pool is its own election, so limits apply per
pool; a ballot may span pools (the city-wide budget plus one district, or every category).

Problems come back as codes with numbers, so that the caller can word them in the reader's
language and attach them to the right form field.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

KNAPSACK, APPROVAL, CUMULATIVE, RANKED = "knapsack", "approval", "cumulative", "ranked"
BALLOT_TYPES = (KNAPSACK, APPROVAL, CUMULATIVE, RANKED)


@dataclass(frozen=True)
class BallotRules:
    ballot_type: str
    min_choices: int = 1
    max_choices: int | None = None
    max_total_points: int | None = None
    max_points_per_project: int | None = None
    one_district_per_ballot: bool = True

    def __post_init__(self) -> None:
        if self.ballot_type not in BALLOT_TYPES:
            raise ValueError(f"unknown ballot type {self.ballot_type!r}")
        if self.ballot_type == CUMULATIVE and not self.max_total_points:
            raise ValueError("a cumulative ballot needs max_total_points")


@dataclass(frozen=True)
class PoolInfo:
    key: str
    budget: Decimal
    is_district: bool = False


@dataclass(frozen=True)
class ProjectInfo:
    number: int
    pool: str
    cost: Decimal


@dataclass(frozen=True)
class BallotProblem:
    """code: empty, unknown_project, pool_not_allowed, several_districts, too_few, too_many,
    over_budget, approval_value, points_too_low, points_over_project_limit, points_over_total,
    ranks_not_consecutive."""

    code: str
    pool: str | None = None
    numbers: dict[str, object] = field(default_factory=dict)


def check_ballot(rules: BallotRules, pools: Mapping[str, PoolInfo], projects: Mapping[int, ProjectInfo],
                 choices: Mapping[int, int], allowed_pools: Collection[str] | None = None) -> list[BallotProblem]:
    """All the ways the ballot breaks the rules (an empty list means it is valid)."""
    if not choices:
        return [BallotProblem("empty")]
    unknown = sorted(number for number in choices if number not in projects)
    if unknown:
        return [BallotProblem("unknown_project", numbers={"projects": unknown})]
    problems: list[BallotProblem] = []
    by_pool: dict[str, dict[int, int]] = {}
    for number, value in choices.items():
        by_pool.setdefault(projects[number].pool, {})[number] = value
    if allowed_pools is not None:
        for key in sorted(set(by_pool) - set(allowed_pools)):
            problems.append(BallotProblem("pool_not_allowed", key))
    districts = sorted(key for key in by_pool if pools[key].is_district)
    if rules.one_district_per_ballot and len(districts) > 1:
        problems.append(BallotProblem("several_districts", numbers={"pools": districts}))
    for key in sorted(by_pool):
        problems.extend(_check_pool(rules, pools[key], projects, by_pool[key]))
    return problems


def _check_pool(rules: BallotRules, pool: PoolInfo, projects: Mapping[int, ProjectInfo],
                chosen: dict[int, int]) -> list[BallotProblem]:
    problems: list[BallotProblem] = []
    count = len(chosen)
    if count < rules.min_choices:
        problems.append(BallotProblem("too_few", pool.key, {"chosen": count, "minimum": rules.min_choices}))
    if rules.max_choices is not None and count > rules.max_choices:
        problems.append(BallotProblem("too_many", pool.key, {"chosen": count, "maximum": rules.max_choices}))
    values = list(chosen.values())
    if rules.ballot_type in (KNAPSACK, APPROVAL):
        if any(value != 1 for value in values):
            problems.append(BallotProblem("approval_value", pool.key))
        if rules.ballot_type == KNAPSACK:
            total = sum((projects[number].cost for number in chosen), Decimal(0))
            if total > pool.budget:
                problems.append(BallotProblem("over_budget", pool.key, {"total": total, "budget": pool.budget}))
    elif rules.ballot_type == CUMULATIVE:
        if any(value < 1 for value in values):
            problems.append(BallotProblem("points_too_low", pool.key))
        limit = rules.max_points_per_project
        if limit is not None and any(value > limit for value in values):
            problems.append(BallotProblem("points_over_project_limit", pool.key,
                                          {"maximum": limit, "given": max(values)}))
        total_points = sum(values)
        if rules.max_total_points is not None and total_points > rules.max_total_points:
            problems.append(BallotProblem("points_over_total", pool.key,
                                          {"total": total_points, "maximum": rules.max_total_points}))
    elif sorted(values) != list(range(1, count + 1)):
        problems.append(BallotProblem("ranks_not_consecutive", pool.key, {"chosen": count}))
    return problems
