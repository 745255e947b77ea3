"""Reading and checking a respondent's answers, field by field.

The same rules serve the HTML form (field names `q<id>`, `q<id>_o<option>` for ranks, `q<id>_r<row>` for
matrix rows) and the JSON API (`{"<question id>": value}`). A question whose condition is not met
is skipped: its answer is ignored and it cannot be required.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from participation.models import Option, Question

Kind = Question.Kind


@dataclass
class PreparedQuestion:
    """A question with its options split into choices and (matrix) rows, read once."""

    question: Question
    choices: list[Option]
    rows: list[Option]
    condition_option_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return f"q{self.question.pk}"

    @property
    def choice_ids(self) -> dict[int, Option]:
        return {o.pk: o for o in self.choices}


def prepare(questions: Sequence[Question]) -> list[PreparedQuestion]:
    """Questions must come with `options` and `condition_options` prefetched."""
    prepared = []
    for question in questions:
        options = list(question.options.all())
        prepared.append(PreparedQuestion(
            question=question,
            choices=[o for o in options if o.role == Option.Role.CHOICE],
            rows=[o for o in options if o.role == Option.Role.ROW],
            condition_option_ids=frozenset(o.pk for o in question.condition_options.all()),
        ))
    return prepared


def raw_from_post(prepared: Sequence[PreparedQuestion], data: Any) -> dict[int, Any]:
    """Turn HTML form data (a QueryDict) into the API's shape."""
    raw: dict[int, Any] = {}
    for item in prepared:
        q = item.question
        name = item.name
        if q.kind == Kind.MULTIPLE:
            raw[q.pk] = data.getlist(name)
        elif q.kind == Kind.RANKING:
            ranks: list[tuple[str, int]] = []
            bad = False
            for option in item.choices:
                value = (data.get(f"{name}_o{option.pk}") or "").strip()
                if not value:
                    continue
                if not value.isdigit():
                    bad = True
                    continue
                ranks.append((value, option.pk))
            if bad:
                raw[q.pk] = "invalid"
            else:
                positions = sorted((int(rank), option_id) for rank, option_id in ranks)
                if [p for p, _o in positions] != list(range(1, len(positions) + 1)):
                    raw[q.pk] = "invalid" if positions else []
                else:
                    raw[q.pk] = [option_id for _p, option_id in positions]
        elif q.kind == Kind.MATRIX:
            raw[q.pk] = {str(row.pk): data.get(f"{name}_r{row.pk}", "") for row in item.rows}
        else:
            raw[q.pk] = data.get(name, "")
    return raw


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not value
    if isinstance(value, dict):
        return not any(str(v).strip() for v in value.values() if v is not None)
    return False


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _clean_one(item: PreparedQuestion, value: Any) -> Any:
    """The cleaned value, or raise ValueError with a message naming what is wrong."""
    q = item.question
    choices = item.choice_ids
    if q.kind == Kind.SINGLE:
        option_id = _as_id(value)
        if option_id not in choices:
            raise ValueError(_("Choose one of the options."))
        return choices[option_id]
    if q.kind == Kind.MULTIPLE:
        values = value if isinstance(value, (list, tuple)) else [value]
        ids = [_as_id(v) for v in values]
        if any(i not in choices for i in ids):
            raise ValueError(_("Choose among the options shown."))
        unique = list(dict.fromkeys(ids))
        if q.max_choices and len(unique) > q.max_choices:
            raise ValueError(_("Choose at most %(n)d options.") % {"n": q.max_choices})
        return [choices[i] for i in unique if i is not None]
    if q.kind == Kind.SCALE:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        if number is None or not q.scale_min <= number <= q.scale_max:
            raise ValueError(_("Choose a value from %(low)d to %(high)d.") % {"low": q.scale_min, "high": q.scale_max})
        return number
    if q.kind == Kind.RANKING:
        if not isinstance(value, (list, tuple)):
            raise ValueError(_("Give each ranked option a different position, starting at 1."))
        ids = [_as_id(v) for v in value]
        if any(i not in choices for i in ids) or len(set(ids)) != len(ids):
            raise ValueError(_("Give each ranked option a different position, starting at 1."))
        if q.required and len(ids) != len(choices):
            raise ValueError(_("Rank every option."))
        return [choices[i] for i in ids if i is not None]
    if q.kind == Kind.MATRIX:
        if not isinstance(value, dict):
            raise ValueError(_("Choose one column in each row."))
        rows = {r.pk: r for r in item.rows}
        chosen: dict[Option, Option] = {}
        for row_key, column in value.items():
            row_id = _as_id(row_key)
            if row_id not in rows:
                raise ValueError(_("Unknown row."))
            if column is None or (isinstance(column, str) and not column.strip()):
                continue
            column_id = _as_id(column)
            if column_id not in choices:
                raise ValueError(_("Choose one column in each row."))
            chosen[rows[row_id]] = choices[column_id]
        if q.required and len(chosen) != len(rows):
            raise ValueError(_("Answer every row."))
        return chosen
    if q.kind == Kind.NUMBER:
        text = str(value).strip().replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
            raise ValueError(_("Enter a number."))
        if q.number_min is not None and amount < q.number_min:
            raise ValueError(_("Enter a number of at least %(low)s.") % {"low": q.number_min.normalize()})
        if q.number_max is not None and amount > q.number_max:
            raise ValueError(_("Enter a number of at most %(high)s.") % {"high": q.number_max.normalize()})
        return amount.quantize(Decimal("0.01"))
    # Text
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    text = value.replace("\x00", "").strip()
    limit = min(q.max_length, 300) if q.kind == Kind.SHORT_TEXT else q.max_length
    if len(text) > limit:
        raise ValueError(_("Write at most %(n)d characters (you wrote %(m)d).") % {"n": limit, "m": len(text)})
    return text


def is_visible(item: PreparedQuestion, cleaned: Mapping[int, Any]) -> bool:
    """A conditional question shows when the earlier answer includes one of its trigger options."""
    q = item.question
    if q.condition_question_id is None:
        return True
    earlier = cleaned.get(q.condition_question_id)
    if earlier is None:
        return False
    chosen: set[int] = set()
    if isinstance(earlier, Option):
        chosen = {earlier.pk}
    elif isinstance(earlier, list):
        chosen = {o.pk for o in earlier if isinstance(o, Option)}
    elif isinstance(earlier, dict):
        chosen = {o.pk for o in earlier.values()}
    return bool(chosen & item.condition_option_ids) if item.condition_option_ids else bool(chosen)


def validate(prepared: Sequence[PreparedQuestion], raw: Mapping[Any, Any], *, final: bool
             ) -> tuple[dict[int, Any], dict[str, str]]:
    """Cleaned answers per question id, and errors per field name. `final`: required questions must be answered."""
    by_key = {str(k): v for k, v in raw.items()}
    known = {str(item.question.pk) for item in prepared}
    errors: dict[str, str] = {}
    for key in by_key:
        if key not in known:
            errors[f"q{key}"] = _("This question is not part of the consultation.")
    cleaned: dict[int, Any] = {}
    for item in prepared:
        q = item.question
        if not is_visible(item, cleaned):
            continue
        value = by_key.get(str(q.pk))
        if value == "invalid":
            errors[item.name] = _("Give each ranked option a different position, starting at 1.")
            continue
        if _empty(value):
            if final and q.required:
                errors[item.name] = _("This question is required.")
            continue
        try:
            cleaned[q.pk] = _clean_one(item, value)
        except ValueError as error:
            errors[item.name] = str(error)
    return cleaned, errors


def initial_from_answers(answers: Sequence[Any]) -> dict[int, Any]:
    """Rebuild form values (by question id) from stored Answer rows, to resume a draft or edit."""
    values: dict[int, Any] = {}
    ranked: dict[int, list[tuple[int, int]]] = {}
    for answer in answers:
        q = answer.question
        if q.kind == Kind.SINGLE:
            values[q.pk] = answer.option_id
        elif q.kind == Kind.MULTIPLE:
            values.setdefault(q.pk, []).append(answer.option_id)
        elif q.kind == Kind.RANKING:
            ranked.setdefault(q.pk, []).append((answer.rank or 0, answer.option_id))
        elif q.kind == Kind.MATRIX:
            values.setdefault(q.pk, {})[answer.row_id] = answer.option_id
        elif q.kind == Kind.SCALE:
            values[q.pk] = int(answer.number) if answer.number is not None else None
        elif q.kind == Kind.NUMBER:
            values[q.pk] = answer.number.normalize() if answer.number is not None else None
        else:
            values[q.pk] = answer.text
    for question_id, pairs in ranked.items():
        values[question_id] = {option_id: rank for rank, option_id in sorted(pairs)}
    return values
