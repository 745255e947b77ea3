"""Outcomes of the rules with a reason, in numbers, for every project.

The app shows these to citizens. A reason is a stable code plus the numbers it mentions; the
English sentence is built from ``TEMPLATES`` here, and the Django layer can translate the same
templates (they are plain ``str.format`` strings keyed by the code) without this module importing
Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from budgeting.pb.numbers import format_amount

Value = Fraction | int | str


class Reason(StrEnum):
    SELECTED_IN_ORDER = "selected_in_order"
    NOT_ENOUGH_BUDGET = "not_enough_budget"
    TOPPED_UP = "topped_up"
    SHORTFALL_TOO_LARGE = "shortfall_too_large"
    PROJECT_LIMIT_REACHED = "project_limit_reached"
    FUNDING_STOPPED = "funding_stopped"
    NO_SUPPORT = "no_support"
    FREE_AND_SUPPORTED = "free_and_supported"
    EQUAL_SHARES_ROUND = "equal_shares_round"
    SHARES_RAN_OUT = "shares_ran_out"
    COMPLETION = "completion"
    PHRAGMEN_ROUND = "phragmen_round"
    PHRAGMEN_STOPPED = "phragmen_stopped"
    EXCEEDS_BUDGET = "exceeds_budget"


TEMPLATES: Mapping[Reason, str] = {
    Reason.SELECTED_IN_ORDER: "selected as number {position} in the order ({score} {score_unit}): "
    "cost {cost} <= remaining {remaining}",
    Reason.NOT_ENOUGH_BUDGET: "not enough budget left: cost {cost} > remaining {remaining}",
    Reason.TOPPED_UP: "selected with a top-up: cost {cost} > remaining {remaining}, "
    "so the budget was topped up by {shortfall} (tolerance {tolerance})",
    Reason.SHORTFALL_TOO_LARGE: "not enough budget left: cost {cost} > remaining {remaining}; "
    "the shortfall {shortfall} is more than the top-up tolerance {tolerance}",
    Reason.PROJECT_LIMIT_REACHED: "the limit of {max_projects} funded projects had been reached",
    Reason.FUNDING_STOPPED: "funding stopped at project {stopper}, which had more {score_unit} ({stopper_score} "
    "against {score})",
    Reason.NO_SUPPORT: "no voter supported it",
    Reason.FREE_AND_SUPPORTED: "it costs nothing and has supporters, so it is selected first",
    Reason.EQUAL_SHARES_ROUND: "selected in round {round}: its {supporters} supporters paid the cost {cost} "
    "from their shares ({paid_in_full} of them with all they had left)",
    Reason.SHARES_RAN_OUT: "its supporters' shares ran out: they had {available} left in total, cost {cost}",
    Reason.COMPLETION: "added by the greedy completion ({score} {score_unit}): cost {cost} <= remaining {remaining}",
    Reason.PHRAGMEN_ROUND: "selected in round {round}: each supporter's load became {load}",
    Reason.PHRAGMEN_STOPPED: "the rule stopped when project {stopper} (cost {stopper_cost}) did not fit in the "
    "remaining {remaining}",
    Reason.EXCEEDS_BUDGET: "cost {cost} is more than the whole budget {budget}",
}


@dataclass(frozen=True)
class Explanation:
    project_id: str
    selected: bool
    reason: Reason
    values: Mapping[str, Value] = field(default_factory=dict)

    @property
    def message(self) -> str:
        shown = {key: format_amount(value) if isinstance(value, Fraction | int) else value
                 for key, value in self.values.items()}
        return TEMPLATES[self.reason].format(**shown)


@dataclass(frozen=True)
class Outcome:
    """Selected project ids in the order the rule chose them, and a reason for every project."""

    rule: str
    selected: tuple[str, ...]
    explanations: Mapping[str, Explanation]
    budget: Fraction
    total_cost: Fraction
    details: Mapping[str, Value] = field(default_factory=dict)

    def explanation(self, project_id: str) -> Explanation:
        return self.explanations[project_id]
