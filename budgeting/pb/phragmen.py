"""Sequential Phragmén for approval ballots, as pabutools 1.2.3 ``sequential_phragmen``.

Voters earn virtual money continuously; a project is bought as soon as its supporters together can
pay its cost, which raises each supporter's *load* to the same new value
``(sum of the supporters' loads + cost) / number of supporters``. Each round buys the project with
the smallest new load (ties: smallest id as a string; a project nobody approves has load
infinity). The rule stops as soon as a project with the smallest new load (any of them, if tied)
no longer fits in the budget.

Loads only ever take the values of the rounds' new loads, so each voter group stores the round
whose load it carries. Float sums pick the candidates; any two within the error bound are
compared with exact fractions from those per-round loads.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from budgeting.pb.outcome import Explanation, Outcome, Reason
from budgeting.pb.profile import SupportProfile

RELATIVE_SLACK = 1e-11


def sequential_phragmen(profile: SupportProfile) -> Outcome:
    num_projects = profile.num_projects
    costs = profile.costs
    budget = profile.budget
    scores = profile.supporter_counts
    weights_f = profile.weights.astype(np.float64)
    entry_project = np.repeat(np.arange(num_projects), np.diff(profile.project_offsets))
    entry_weight = weights_f[profile.project_groups]

    loads: list[Fraction] = [Fraction(0)]
    loads_f = [0.0]
    level = np.zeros(profile.num_groups, dtype=np.int64)
    remaining = [p for p in range(num_projects) if costs[p] <= budget]
    explanations: dict[int, Explanation] = {
        p: Explanation(profile.ids[p], False, Reason.EXCEEDS_BUDGET, {"cost": costs[p], "budget": budget})
        for p in range(num_projects)
        if costs[p] > budget
    }
    spent = Fraction(0)
    selected: list[int] = []
    stopper: int | None = None

    def exact_load(project: int) -> Fraction:
        groups, _ = profile.supporters(project)
        per_level = np.bincount(level[groups], weights=weights_f[groups]).tolist()
        total = sum((int(count) * loads[index] for index, count in enumerate(per_level) if count), Fraction(0))
        return (total + costs[project]) / scores[project]

    while remaining:
        load_f = np.asarray(loads_f)[level[profile.project_groups]]
        carried = np.bincount(entry_project, weights=entry_weight * load_f, minlength=num_projects)
        new_load = {
            p: (float(carried[p]) + float(costs[p])) / scores[p] if scores[p] else math.inf for p in remaining
        }
        best = min(new_load.values())
        if math.isinf(best):
            tied = [p for p in remaining if math.isinf(new_load[p])]
            best_exact: Fraction | None = None
        else:
            near = [p for p in remaining if new_load[p] <= best * (1 + 4 * RELATIVE_SLACK)]
            exact = {p: exact_load(p) for p in near} if len(near) > 1 else {near[0]: exact_load(near[0])}
            best_exact = min(exact.values())
            tied = [p for p in near if exact[p] == best_exact]
        tied.sort(key=lambda p: profile.id_rank[p])
        too_expensive = [p for p in tied if spent + costs[p] > budget]
        if too_expensive:
            stopper = too_expensive[0]
            break
        chosen = tied[0]
        selected.append(chosen)
        spent += costs[chosen]
        remaining.remove(chosen)
        values: dict[str, Fraction | int | str] = {"round": len(selected), "cost": costs[chosen]}
        if best_exact is not None:
            loads.append(best_exact)
            loads_f.append(float(best_exact))
            groups, _ = profile.supporters(chosen)
            level[groups] = len(loads) - 1
            values["load"] = best_exact
        else:
            values["load"] = "infinity"
        explanations[chosen] = Explanation(profile.ids[chosen], True, Reason.PHRAGMEN_ROUND, values)

    for project in remaining:
        assert stopper is not None
        explanations[project] = Explanation(
            profile.ids[project], False, Reason.PHRAGMEN_STOPPED,
            {"stopper": profile.ids[stopper], "stopper_cost": costs[stopper], "remaining": budget - spent,
             "cost": costs[project]},
        )
    return Outcome(
        rule="phragmen",
        selected=tuple(profile.ids[p] for p in selected),
        explanations={profile.ids[p]: explanations[p] for p in range(num_projects)},
        budget=budget,
        total_cost=spent,
    )
