"""The outcome rules by name: ``greedy``, ``timisoara``, ``mes``, ``mes-add1``, ``phragmen``.

``compute_outcome(instance, rule)`` is the one entry point the app, the management command and the
benchmarks use. Satisfaction defaults to the natural one for the ballots (cost for approval,
points for cumulative/scoring, Borda for rankings); ``satisfaction="cardinality"`` switches
greedy and the MES rules to counting projects instead (pabutools' ``Cardinality_Sat``).
``greedy_completion=False`` stops ``mes-add1`` after the add-one stage, without the utilitarian
greedy completion (Assen 2024 published that outcome).
Phragmén only reads approvals: for cumulative or ordinal ballots every project named on a ballot
counts as approved.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from budgeting.pb.greedy import greedy, timisoara
from budgeting.pb.mes import mes_add1, method_of_equal_shares
from budgeting.pb.outcome import Outcome
from budgeting.pb.pabulib import Instance
from budgeting.pb.phragmen import sequential_phragmen
from budgeting.pb.profile import Satisfaction, SupportProfile, build_profile

RULES: dict[str, Callable[[SupportProfile], Outcome]] = {
    "greedy": greedy,
    "timisoara": timisoara,
    "mes": method_of_equal_shares,
    "mes-add1": mes_add1,
    "phragmen": sequential_phragmen,
}


def compute_outcome(
    instance: Instance,
    rule: str,
    satisfaction: Satisfaction | str | None = None,
    max_projects: int = 15,
    top_up_tolerance: Fraction | int = 100_000,
    greedy_completion: bool = True,
) -> Outcome:
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    chosen = Satisfaction(satisfaction) if satisfaction is not None else None
    if rule == "phragmen":
        if chosen not in (None, Satisfaction.CARDINALITY):
            raise ValueError("phragmen reads approvals only; it takes no satisfaction")
        return sequential_phragmen(build_profile(instance, Satisfaction.CARDINALITY))
    profile = build_profile(instance, chosen)
    if rule == "timisoara":
        return timisoara(profile, max_projects=max_projects, top_up_tolerance=top_up_tolerance)
    if rule == "mes-add1":
        return mes_add1(profile, greedy_completion=greedy_completion)
    return RULES[rule](profile)
