"""Greedy rules: pabutools' utilitarian greedy, and the Timișoara Decide! variant.

Both order projects by a score and fund them one after another; only exact integers and fractions
are compared, so no tie can flip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from budgeting.pb.outcome import Explanation, Outcome, Reason
from budgeting.pb.profile import Satisfaction, SupportProfile

SCORE_UNITS = {
    Satisfaction.COST: "votes",
    Satisfaction.CARDINALITY: "votes",
    Satisfaction.POINTS: "points",
    Satisfaction.BORDA: "Borda points",
}


def display_score(profile: SupportProfile, project: int) -> Fraction:
    """What citizens would call the project's votes: approvals, points, or Borda points."""
    if profile.satisfaction in (Satisfaction.COST, Satisfaction.CARDINALITY):
        return Fraction(profile.vote_counts[project])
    return profile.total_satisfaction(project)


def _density_key(profile: SupportProfile, project: int) -> tuple[int, Fraction, int]:
    """pabutools' order: total satisfaction per unit of cost, highest first, then id as a string.

    A free project with satisfaction comes first (density infinity); one without satisfaction has
    density 0 whatever it costs.
    """
    total = profile.total_satisfaction(project)
    cost = profile.costs[project]
    if total > 0 and cost == 0:
        return (0, Fraction(0), profile.id_rank[project])
    density = total / cost if total > 0 else Fraction(0)
    return (1, -density, profile.id_rank[project])


def greedy_order(profile: SupportProfile, projects: Iterable[int] | None = None) -> list[int]:
    candidates = range(profile.num_projects) if projects is None else projects
    return sorted(candidates, key=lambda project: _density_key(profile, project))


def greedy_select(
    profile: SupportProfile,
    already_selected: Sequence[int] = (),
    reason: Reason = Reason.SELECTED_IN_ORDER,
) -> tuple[list[int], dict[int, Explanation]]:
    """pabutools ``greedy_utilitarian_welfare`` (additive satisfaction, resolute, lexicographic ties).

    Goes through the projects not yet selected in order and takes each one that still fits; a
    project that does not fit is skipped and the next one is tried.
    """
    taken = set(already_selected)
    remaining = profile.budget - sum((profile.costs[p] for p in taken), Fraction(0))
    unit = SCORE_UNITS[profile.satisfaction]
    selected: list[int] = []
    explanations: dict[int, Explanation] = {}
    order = greedy_order(profile, (p for p in range(profile.num_projects) if p not in taken))
    for position, project in enumerate(order, start=1):
        cost = profile.costs[project]
        values: dict[str, Fraction | int | str] = {
            "position": position, "score": display_score(profile, project), "score_unit": unit,
            "cost": cost, "remaining": remaining,
        }
        if cost <= remaining:
            selected.append(project)
            remaining -= cost
            explanations[project] = Explanation(profile.ids[project], True, reason, values)
        else:
            explanations[project] = Explanation(profile.ids[project], False, Reason.NOT_ENOUGH_BUDGET, values)
    return selected, explanations


def greedy(profile: SupportProfile) -> Outcome:
    selected, explanations = greedy_select(profile)
    return _outcome("greedy", profile, selected, explanations, profile.budget)


def timisoara(
    profile: SupportProfile,
    max_projects: int = 15,
    top_up_tolerance: Fraction | int = 100_000,
) -> Outcome:
    """Timișoara Decide!: fund projects in order of votes until the money runs out.

    Interpretation (see docs/budgeting-rules.md):

    * projects are taken by decreasing score (approvals, points or Borda points), ties by id as a
      string; projects without a single vote are never funded;
    * a project that fits in the remaining budget is funded;
    * the first project that does not fit ends the funding. If its shortfall (cost minus the
      remaining budget) is at most ``top_up_tolerance``, the budget is topped up by exactly the
      shortfall and that project is funded too; the top-up happens at most once;
    * at most ``max_projects`` projects are funded.
    """
    if max_projects < 0:
        raise ValueError("max_projects must not be negative")
    tolerance = Fraction(top_up_tolerance)
    if tolerance < 0:
        raise ValueError("top_up_tolerance must not be negative")
    unit = SCORE_UNITS[profile.satisfaction]
    scores = [display_score(profile, project) for project in range(profile.num_projects)]
    order = sorted(range(profile.num_projects), key=lambda p: (-scores[p], profile.id_rank[p]))
    remaining = profile.budget
    budget = profile.budget
    selected: list[int] = []
    explanations: dict[int, Explanation] = {}
    stopper: int | None = None
    for position, project in enumerate(order, start=1):
        cost = profile.costs[project]
        values: dict[str, Fraction | int | str] = {
            "position": position, "score": scores[project], "score_unit": unit, "cost": cost,
            "remaining": remaining,
        }
        project_id = profile.ids[project]
        if scores[project] <= 0:
            explanations[project] = Explanation(project_id, False, Reason.NO_SUPPORT, values)
        elif stopper is not None:
            values.update(stopper=profile.ids[stopper], stopper_score=scores[stopper])
            explanations[project] = Explanation(project_id, False, Reason.FUNDING_STOPPED, values)
        elif len(selected) >= max_projects:
            values["max_projects"] = max_projects
            explanations[project] = Explanation(project_id, False, Reason.PROJECT_LIMIT_REACHED, values)
        elif cost <= remaining:
            selected.append(project)
            remaining -= cost
            explanations[project] = Explanation(project_id, True, Reason.SELECTED_IN_ORDER, values)
        else:
            shortfall = cost - remaining
            values.update(shortfall=shortfall, tolerance=tolerance)
            stopper = project
            if shortfall <= tolerance:
                selected.append(project)
                budget += shortfall
                remaining = Fraction(0)
                explanations[project] = Explanation(project_id, True, Reason.TOPPED_UP, values)
            else:
                explanations[project] = Explanation(project_id, False, Reason.SHORTFALL_TOO_LARGE, values)
    outcome = _outcome("timisoara", profile, selected, explanations, budget)
    return Outcome(
        rule=outcome.rule, selected=outcome.selected, explanations=outcome.explanations, budget=budget,
        total_cost=outcome.total_cost,
        details={"max_projects": max_projects, "top_up_tolerance": tolerance, "top_up": budget - profile.budget},
    )


def _outcome(
    rule: str, profile: SupportProfile, selected: list[int], explanations: dict[int, Explanation], budget: Fraction,
) -> Outcome:
    return Outcome(
        rule=rule,
        selected=tuple(profile.ids[p] for p in selected),
        explanations={profile.ids[p]: explanations[p] for p in range(profile.num_projects)},
        budget=budget,
        total_cost=sum((profile.costs[p] for p in selected), Fraction(0)),
    )
