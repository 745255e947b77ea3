"""Properties of the rules on small random elections (hypothesis).

Small integer costs and few voters make exact ties frequent, which is where a float implementation
would go wrong: every MES and Phragmén outcome is compared with a plain reference written with
Fractions straight from the definitions, and with pabutools itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgeting.pb import Instance, VoteType, compute_outcome, make_instance, mes, write_pabulib_text
from budgeting.pb.greedy import display_score
from budgeting.pb.profile import Satisfaction, build_profile, default_satisfaction
from tests.budgeting.make_golden import pabutools_rule

PROJECT_IDS = ["1", "2", "9", "10", "11", "a", "b"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw: st.DrawFn, vote_types: tuple[VoteType, ...] = tuple(VoteType), nonempty: bool = False) -> Instance:
    vote_type = draw(st.sampled_from(vote_types))
    ids = draw(st.lists(st.sampled_from(PROJECT_IDS), min_size=1, max_size=6, unique=True))
    costs = {p: draw(st.one_of(st.integers(0, 12), st.sampled_from([Fraction(5, 2), Fraction(15, 4)]))) for p in ids}
    budget = draw(st.one_of(st.integers(0, 30), st.sampled_from([Fraction(35, 2), Fraction(101, 4)])))
    votes: list[Sequence[str] | Mapping[str, Fraction | int]] = []
    for _ in range(draw(st.integers(1 if nonempty else 0, 7))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1 if nonempty else 0, max_size=len(ids)))
        if vote_type == VoteType.CHOOSE_1:
            chosen = chosen[:1]
        if vote_type.has_points:
            votes.append({p: draw(st.integers(1, 4)) for p in chosen})
        else:
            votes.append(chosen)
    return make_instance(budget, costs, votes, vote_type)


def satisfactions(instance: Instance, satisfaction: Satisfaction) -> list[dict[str, Fraction]]:
    """Each voter's satisfaction per project, straight from the ballots (no grouping)."""
    ballots = instance.ballots
    result = []
    for voter in range(len(ballots)):
        chosen = [instance.projects[int(p)] for p in ballots.ballot(voter)]
        points = ballots.points_of(voter)
        sats: dict[str, Fraction] = {}
        for position, project in enumerate(chosen):
            if satisfaction == Satisfaction.COST:
                value = project.cost
            elif satisfaction == Satisfaction.CARDINALITY:
                value = Fraction(1)
            elif satisfaction == Satisfaction.POINTS:
                value = points[position]
            else:
                value = Fraction(len(chosen) - position - 1)
            if value > 0:
                sats[project.id] = value
        result.append(sats)
    return result


def reference_mes(instance: Instance, satisfaction: Satisfaction, voter_budget: Fraction) -> list[str]:
    """MES from its definition, one voter at a time, in Fractions."""
    sats = satisfactions(instance, satisfaction)
    costs = {p.id: p.cost for p in instance.projects}
    supported = {p for s in sats for p in s}
    selected = sorted(p for p in supported if costs[p] == 0)
    remaining = {p for p in supported if costs[p] > 0}
    budgets = [voter_budget] * len(sats)
    while True:
        best: tuple[Fraction, str] | None = None
        for project in sorted(remaining):
            supporters = [i for i, s in enumerate(sats) if project in s]
            if sum((budgets[i] for i in supporters), Fraction(0)) < costs[project]:
                continue
            # Smallest alpha with sum_i min(budget_i, alpha * sat_i) >= cost: the poorest pay all.
            order = sorted(supporters, key=lambda i: budgets[i] / sats[i][project])
            paid, sat_left = Fraction(0), sum((sats[i][project] for i in supporters), Fraction(0))
            for i in order:
                alpha = (costs[project] - paid) / sat_left
                if alpha * sats[i][project] <= budgets[i]:
                    break
                paid += budgets[i]
                sat_left -= sats[i][project]
            if best is None or alpha < best[0]:
                best = (alpha, project)
        if best is None:
            return selected
        alpha, project = best
        for i, s in enumerate(sats):
            if project in s:
                budgets[i] -= min(budgets[i], alpha * s[project])
        selected.append(project)
        remaining.discard(project)


def reference_phragmen(instance: Instance) -> list[str]:
    """Sequential Phragmén from its definition (approval projection), in Fractions."""
    approvals = [{instance.projects[int(p)].id for p in instance.ballots.ballot(v)} for v in range(instance.num_voters)]
    costs = {p.id: p.cost for p in instance.projects}
    loads = [Fraction(0)] * len(approvals)
    remaining = sorted(p for p in costs if costs[p] <= instance.budget)
    spent, selected = Fraction(0), []
    while remaining:
        def new_load(project: str) -> Fraction | float:
            supporters = [i for i, a in enumerate(approvals) if project in a]
            if not supporters:
                return math.inf
            return (sum((loads[i] for i in supporters), Fraction(0)) + costs[project]) / len(supporters)

        values = {p: new_load(p) for p in remaining}
        lowest = min(values.values())
        tied = [p for p in remaining if values[p] == lowest]
        if any(spent + costs[p] > instance.budget for p in tied):
            break
        chosen = tied[0]
        for i, a in enumerate(approvals):
            if chosen in a:
                loads[i] = lowest  # type: ignore[assignment]
        spent += costs[chosen]
        selected.append(chosen)
        remaining.remove(chosen)
    return selected


def satisfaction_options(instance: Instance) -> list[Satisfaction]:
    return [default_satisfaction(instance.vote_type), Satisfaction.CARDINALITY]


# ----------------------------------------------------------------------------- feasibility


@SETTINGS
@given(elections())
def test_every_outcome_is_within_budget(instance: Instance) -> None:
    for rule in ("greedy", "mes", "mes-add1", "phragmen"):
        outcome = compute_outcome(instance, rule)
        assert outcome.total_cost <= instance.budget, rule
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert outcome.total_cost == sum(p.cost for p in instance.projects if p.id in outcome.selected)
    timisoara = compute_outcome(instance, "timisoara", top_up_tolerance=3)
    assert timisoara.total_cost <= instance.budget + 3
    assert timisoara.total_cost <= timisoara.budget


# ----------------------------------------------------------------------------- greedy


@SETTINGS
@given(elections())
def test_greedy_takes_projects_in_its_order_and_is_exhaustive(instance: Instance) -> None:
    profile = build_profile(instance)
    outcome = compute_outcome(instance, "greedy")

    def key(project: int) -> tuple[int, Fraction, str]:
        total = profile.total_satisfaction(project)
        cost = profile.costs[project]
        if total > 0 and cost == 0:
            return (0, Fraction(0), profile.ids[project])
        return (1, -(total / cost) if total > 0 else Fraction(0), profile.ids[project])

    remaining = instance.budget
    expected = []
    for project in sorted(range(len(instance.projects)), key=key):
        if profile.costs[project] <= remaining:
            expected.append(profile.ids[project])
            remaining -= profile.costs[project]
    assert list(outcome.selected) == expected
    # Exhaustive: nothing left out would still fit.
    left = instance.budget - outcome.total_cost
    assert all(p.cost > left for p in instance.projects if p.id not in outcome.selected)


@SETTINGS
@given(elections())
def test_timisoara_follows_the_order_of_votes(instance: Instance) -> None:
    profile = build_profile(instance)
    outcome = compute_outcome(instance, "timisoara", max_projects=3, top_up_tolerance=2)
    scores = {profile.ids[p]: display_score(profile, p) for p in range(profile.num_projects)}
    chosen = list(outcome.selected)
    assert len(chosen) <= 3
    assert all(scores[p] > 0 for p in chosen)
    assert chosen == sorted(chosen, key=lambda p: (-scores[p], p))
    assert 0 <= outcome.budget - instance.budget <= 2


# ----------------------------------------------------------------------------- MES and Phragmén


@contextmanager
def project_kernels(small: bool) -> Iterator[None]:
    """MES prices small projects with Python loops and large ones with numpy: test both."""
    saved = mes.SMALL_PROJECT
    mes.SMALL_PROJECT = saved if small else -1
    try:
        yield
    finally:
        mes.SMALL_PROJECT = saved


@pytest.mark.parametrize("small", [True, False], ids=["python-kernels", "numpy-kernels"])
@SETTINGS
@given(instance=elections())
def test_mes_matches_the_definition(small: bool, instance: Instance) -> None:
    for satisfaction in satisfaction_options(instance):
        with project_kernels(small):
            outcome = compute_outcome(instance, "mes", satisfaction=satisfaction)
        if instance.num_voters == 0:
            assert outcome.selected == ()
            continue
        expected = reference_mes(instance, satisfaction, instance.budget / instance.num_voters)
        assert list(outcome.selected) == expected, satisfaction


@pytest.mark.parametrize("small", [True, False], ids=["python-kernels", "numpy-kernels"])
@SETTINGS
@given(instance=elections())
def test_mes_add1_stage_matches_the_definition(small: bool, instance: Instance) -> None:
    with project_kernels(small):
        outcome = compute_outcome(instance, "mes-add1", greedy_completion=False)
    if instance.num_voters == 0:
        return
    satisfaction = default_satisfaction(instance.vote_type)
    costs = {p.id: p.cost for p in instance.projects}
    candidates = {p for s in satisfactions(instance, satisfaction) for p in s if costs[p] > 0}
    beta = instance.budget / instance.num_voters
    previous = sorted(p for s in satisfactions(instance, satisfaction) for p in s if costs[p] == 0)
    while True:
        current = reference_mes(instance, satisfaction, beta)
        spent = sum((costs[p] for p in current), Fraction(0))
        if spent > instance.budget:
            expected = previous
            break
        if all(p in current or spent + costs[p] > instance.budget for p in candidates):
            expected = current
            break
        previous, beta = current, beta + 1
    assert sorted(outcome.selected) == sorted(expected)


@SETTINGS
@given(elections())
def test_phragmen_matches_the_definition(instance: Instance) -> None:
    assert list(compute_outcome(instance, "phragmen").selected) == reference_phragmen(instance)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(nonempty=True))
def test_every_rule_matches_pabutools(instance: Instance) -> None:
    from pabutools.election.pabulib import parse_pabulib_from_string

    text = write_pabulib_text(instance)
    for rule in ("greedy", "greedy:cardinality", "timisoara", "mes", "mes:cardinality", "mes-add1", "phragmen"):
        reference_instance, reference_profile = parse_pabulib_from_string(text)
        expected = pabutools_rule(reference_instance, reference_profile, rule)
        base, _, variant = rule.partition(":")
        assert sorted(compute_outcome(instance, base, satisfaction=variant or None).selected) == expected, rule


def test_ties_between_equal_projects_go_to_the_smaller_id_as_text() -> None:
    # Ten identical projects, budget for five: pabutools takes "1", "10", "2", "3", "4".
    ids = [str(i) for i in range(1, 11)]
    instance = make_instance(5, dict.fromkeys(ids, 1), [ids, ids])
    for rule in ("greedy", "mes", "mes-add1", "phragmen"):
        assert sorted(compute_outcome(instance, rule).selected) == ["1", "10", "2", "3", "4"], rule


def test_mes_exact_tie_after_partial_payments() -> None:
    # Budget 9 for 3 voters (3 each). "x" costs 6 for voters 0,1 -> each pays 3 and runs dry.
    # Then "y" (voters 1,2) and "z" (voters 0,2) both cost 3 and can only be paid by voter 2: a tie
    # broken by id, which floats computed two ways might not see.
    votes = [["x", "z"], ["x", "y"], ["y", "z"]]
    instance = make_instance(9, {"x": 6, "y": 3, "z": 3}, votes)
    assert compute_outcome(instance, "mes").selected == ("x", "y")
