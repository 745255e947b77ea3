"""Participatory budgeting core: Pabulib files and outcome rules, pure Python (no Django).

    from budgeting.pb import parse_pabulib, compute_outcome
    outcome = compute_outcome(parse_pabulib("Poland_Swiecie_2023.pb"), "mes-add1")
    outcome.selected                      # ids in the order the rule chose them
    outcome.explanations["c1"].message    # why, with numbers

See docs/budgeting-rules.md.
"""

from budgeting.pb.outcome import Explanation, Outcome, Reason
from budgeting.pb.pabulib import (
    Ballots,
    Instance,
    PabulibError,
    Project,
    VoteType,
    make_instance,
    parse_pabulib,
    parse_pabulib_text,
    write_pabulib,
    write_pabulib_text,
)
from budgeting.pb.profile import RuleError, Satisfaction
from budgeting.pb.rules import RULES, compute_outcome

__all__ = [
    "RULES",
    "Ballots",
    "Explanation",
    "Instance",
    "Outcome",
    "PabulibError",
    "Project",
    "Reason",
    "RuleError",
    "Satisfaction",
    "VoteType",
    "compute_outcome",
    "make_instance",
    "parse_pabulib",
    "parse_pabulib_text",
    "write_pabulib",
    "write_pabulib_text",
]
