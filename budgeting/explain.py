"""Why each project was or was not selected, in the reader's language.

budgeting.pb gives every project a reason code and the numbers it mentions
(budgeting.pb.outcome.Explanation). We store those (exact numbers as text) in PoolResult and
word them here with gettext, using the same placeholders as budgeting.pb.outcome.TEMPLATES.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgeting.models import PoolResult, Project

# Placeholders that are amounts of money (shown with the currency).
MONEY_KEYS = {"cost", "remaining", "shortfall", "tolerance", "available", "budget", "stopper_cost", "spent"}

REASON_TEMPLATES = {
    "selected_in_order": gettext_lazy(
        "Selected as number {position} in the order ({score} {score_unit}): its cost {cost} fitted in the "
        "remaining {remaining}."),
    "not_enough_budget": gettext_lazy(
        "Not enough budget left: its cost {cost} is more than the remaining {remaining}."),
    "topped_up": gettext_lazy(
        "Selected with a top-up: its cost {cost} was more than the remaining {remaining}, so the budget was "
        "topped up by {shortfall} (allowed: up to {tolerance})."),
    "shortfall_too_large": gettext_lazy(
        "Not enough budget left: its cost {cost} is more than the remaining {remaining}, and the shortfall of "
        "{shortfall} is more than the allowed top-up of {tolerance}."),
    "project_limit_reached": gettext_lazy("The limit of {max_projects} funded projects had been reached."),
    "funding_stopped": gettext_lazy(
        "Funding stopped at project {stopper}, which had more {score_unit} ({stopper_score} against {score})."),
    "no_support": gettext_lazy("No voter supported it."),
    "free_and_supported": gettext_lazy("It costs nothing and has supporters, so it was selected first."),
    "equal_shares_round": gettext_lazy(
        "Selected in round {round}: its {supporters} supporters paid its cost {cost} from their equal shares "
        "({paid_in_full} of them with all they had left)."),
    "shares_ran_out": gettext_lazy(
        "Its supporters' shares ran out: together they had {available} left, and it costs {cost}."),
    "completion": gettext_lazy(
        "Added when completing the outcome ({score} {score_unit}): its cost {cost} fitted in the remaining "
        "{remaining}."),
    "phragmen_round": gettext_lazy("Selected in round {round}: each supporter's load became {load}."),
    "phragmen_stopped": gettext_lazy(
        "The rule stopped when project {stopper} (cost {stopper_cost}) did not fit in the remaining {remaining}."),
    "exceeds_budget": gettext_lazy("Its cost {cost} is more than the whole budget {budget}."),
}

SCORE_UNITS = {
    "votes": gettext_lazy("votes"),
    "vote": gettext_lazy("votes"),
    "approvals": gettext_lazy("votes"),
    "points": gettext_lazy("points"),
    "score": gettext_lazy("points"),
    "borda points": gettext_lazy("Borda points"),
    "borda": gettext_lazy("Borda points"),
    "votes per unit of cost": gettext_lazy("votes per unit of cost"),
}


def stored_value(value: Any) -> Any:
    """An Explanation value as JSON: exact numbers as text ("1234.5" or "7/3"), text as is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Fraction | int):
        from budgeting.pb.numbers import format_number

        return format_number(Fraction(value))
    return str(value)


def _number(text: Any) -> Decimal | None:
    if isinstance(text, Decimal):
        return text
    if isinstance(text, Fraction):
        return Decimal(text.numerator) / Decimal(text.denominator)
    if isinstance(text, int | float):
        return Decimal(str(text))
    if not isinstance(text, str):
        return None
    try:
        if "/" in text:
            fraction = Fraction(text)
            return Decimal(fraction.numerator) / Decimal(fraction.denominator)
        return Decimal(text)
    except (InvalidOperation, ValueError, ZeroDivisionError):
        return None


CURRENCY_LABELS = {"RON": "lei"}


def format_money(value: Any, currency: str = "") -> str:
    """An amount grouped for the active language, with the currency ("lei" for RON)."""
    currency = CURRENCY_LABELS.get(currency, currency)
    number = _number(value)
    if number is None:
        return str(value)
    places = 0 if number == number.to_integral_value() else 2
    text = number_format(number.quantize(Decimal(1) if not places else Decimal("0.01")), places, force_grouping=True)
    return f"{text} {currency}".strip()


def format_plain(value: Any) -> str:
    number = _number(value)
    if number is None:
        return str(SCORE_UNITS.get(str(value).lower(), value))
    if number == number.to_integral_value():
        return number_format(number.quantize(Decimal(1)), 0, force_grouping=True)
    return number_format(number.quantize(Decimal("0.0001")).normalize(), None, force_grouping=True)


def explanation_text(entry: Mapping[str, Any], *, currency: str, project_labels: Mapping[str, str]) -> str:
    """One stored explanation, worded in the active language."""
    reason = str(entry.get("reason", ""))
    values: dict[str, Any] = dict(entry.get("values") or {})
    template = REASON_TEMPLATES.get(reason)
    if template is None:
        return str(entry.get("message", reason))
    shown: dict[str, str] = {}
    for key, value in values.items():
        if key == "stopper":
            shown[key] = project_labels.get(str(value), str(value))
        elif key in MONEY_KEYS:
            shown[key] = format_money(value, currency)
        else:
            shown[key] = format_plain(value)
    try:
        return str(template).format(**shown)
    except (KeyError, IndexError):
        # A placeholder budgeting.pb did not give: fall back to its own English sentence.
        return str(entry.get("message", reason))


def result_rows(result: PoolResult | None, projects: Iterable[Project], currency: str = "") -> list[dict[str, Any]]:
    """A row per project of the pool: votes, selected, position and the explanation, most votes first."""
    if result is None:
        return []
    project_list = list(projects)
    labels = {p.pabulib_id or str(p.number): f"#{p.number} {p.title}" for p in project_list}
    positions = {number: position for position, number in enumerate(result.selected, start=1)}
    rows: list[dict[str, Any]] = []
    for project in project_list:
        entry = result.explanations.get(str(project.number))
        rows.append({
            "project": project,
            "votes": project.votes,
            "score": project.score,
            "selected": project.number in positions,
            "position": positions.get(project.number),
            "reason": entry.get("reason") if entry else "",
            "text": explanation_text(entry, currency=currency, project_labels=labels) if entry else _(
                "No explanation recorded."),
        })
    rows.sort(key=lambda row: (not row["selected"], row["position"] or 0, -(row["votes"] or 0),
                               row["project"].number))
    return rows
