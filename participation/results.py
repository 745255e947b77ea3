"""Consultation results: counts and shares per question, breakdowns by profile, CSV exports.

Everything is counted in SQL in a fixed number of queries, whatever the number of responses.
Breakdown groups with fewer than MIN_GROUP respondents are not shown (they could point at a person).
"""

from __future__ import annotations

import csv
import random
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.models import (
    ActorType,
    AgeGroup,
    Answer,
    Consultation,
    Option,
    Question,
    Response,
    Theme,
    ThemeAssignment,
)
from participation.redact import redact

MIN_GROUP = 5
BREAKDOWNS = {"age_group": gettext_lazy("age group"), "neighbourhood": gettext_lazy("neighbourhood"),
              "actor_type": gettext_lazy("respondent type")}
Kind = Question.Kind


@dataclass
class Bar:
    label: str
    count: int
    share: float  # 0..1 of the respondents to the question

    @property
    def percent(self) -> str:
        return f"{self.share * 100:.1f}"

    @property
    def width(self) -> float:
        return round(self.share * 100, 2)


@dataclass
class ThemeView:
    theme: Theme
    count: int
    share: float
    typical: list[str]

    @property
    def percent(self) -> str:
        return f"{self.share * 100:.1f}"


@dataclass
class Group:
    label: str
    respondents: int
    bars: list[Bar]
    suppressed: bool = False


@dataclass
class QuestionResult:
    question: Question
    respondents: int = 0
    bars: list[Bar] = field(default_factory=list)
    matrix: list[tuple[str, list[Bar]]] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Decimal | float | None] = field(default_factory=dict)
    themes: list[ThemeView] = field(default_factory=list)
    unthemed: int = 0
    groups: list[Group] = field(default_factory=list)

    @property
    def note(self) -> str:
        if self.question.kind == Kind.MULTIPLE:
            return _("Several answers were possible: shares add up to more than 100%.")
        return ""


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def submitted(consultation: Consultation) -> Any:
    return Answer.objects.filter(response__consultation=consultation, response__status=Response.Status.SUBMITTED)


def compute(consultation: Consultation, *, breakdown: str = "") -> tuple[int, list[QuestionResult]]:
    questions = list(consultation.questions.prefetch_related("options"))
    total = Response.objects.filter(consultation=consultation, status=Response.Status.SUBMITTED).count()
    answers = submitted(consultation)
    respondents = dict(answers.values_list("question_id").annotate(n=Count("response_id", distinct=True)))
    counts: dict[tuple[int, int | None, int | None], int] = {
        (q, o, r): n for q, o, r, n in answers.filter(option__isnull=False, rank__isnull=True)
        .values_list("question_id", "option_id", "row_id").annotate(n=Count("id"))}
    numbers: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
    for q, number, n in answers.filter(number__isnull=False).values_list("question_id", "number").annotate(
            n=Count("id")).order_by("question_id", "number"):
        numbers[q].append((number, n))
    ranks = {(q, o): (avg, first, n) for q, o, avg, first, n in answers.filter(rank__isnull=False).values_list(
        "question_id", "option_id").annotate(avg=Avg("rank"), first=Count("id", filter=Q(rank=1)), n=Count("id"))}
    theme_views = _themes(consultation, respondents)

    results = []
    for question in questions:
        options = list(question.options.all())
        choices = [o for o in options if o.role == Option.Role.CHOICE]
        rows = [o for o in options if o.role == Option.Role.ROW]
        result = QuestionResult(question=question, respondents=respondents.get(question.pk, 0))
        n = result.respondents
        if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
            result.bars = [Bar(o.text, counts.get((question.pk, o.pk, None), 0),
                               _share(counts.get((question.pk, o.pk, None), 0), n)) for o in choices]
        elif question.kind == Kind.MATRIX:
            result.matrix = [(row.text, [Bar(col.text, counts.get((question.pk, col.pk, row.pk), 0),
                                             _share(counts.get((question.pk, col.pk, row.pk), 0),
                                                    sum(counts.get((question.pk, c.pk, row.pk), 0) for c in choices)))
                                         for col in choices]) for row in rows]
        elif question.kind == Kind.RANKING:
            ranked = []
            for o in choices:
                avg, first, count = ranks.get((question.pk, o.pk), (None, 0, 0))
                ranked.append({"label": o.text, "mean_rank": round(float(avg), 2) if avg is not None else None,
                               "first": first, "ranked_by": count, "first_share": _share(first, n),
                               "first_percent": f"{_share(first, n) * 100:.1f}"})
            result.ranking = sorted(ranked, key=lambda r: (r["mean_rank"] is None, r["mean_rank"] or 0))
        elif question.kind == Kind.SCALE:
            by_value = {int(v): c for v, c in numbers.get(question.pk, [])}
            result.bars = [Bar(_scale_label(question, v), by_value.get(v, 0), _share(by_value.get(v, 0), n))
                           for v in question.scale_values]
            result.stats = _stats(numbers.get(question.pk, []))
        elif question.kind == Kind.NUMBER:
            result.stats = _stats(numbers.get(question.pk, []))
            result.bars = _histogram(numbers.get(question.pk, []), n)
        else:
            result.themes = theme_views.get(question.pk, [])
            result.unthemed = n - sum(t.count for t in result.themes)
        results.append(result)
    if breakdown in BREAKDOWNS:
        _add_breakdown(consultation, results, breakdown)
    return total, results


def _scale_label(question: Question, value: int) -> str:
    if value == question.scale_min and question.scale_min_label:
        return f"{value} – {question.scale_min_label}"
    if value == question.scale_max and question.scale_max_label:
        return f"{value} – {question.scale_max_label}"
    return str(value)


def _histogram(pairs: list[tuple[Decimal, int]], respondents: int, bins: int = 8) -> list[Bar]:
    """Counts per value when there are few distinct values, otherwise per equal-width interval."""
    if not pairs:
        return []
    if len(pairs) <= 10:
        return [Bar(str(value.normalize()), count, _share(count, respondents)) for value, count in pairs]
    low, high = float(pairs[0][0]), float(pairs[-1][0])
    width = (high - low) / bins
    counts = [0] * bins
    for value, count in pairs:
        counts[min(int((float(value) - low) / width), bins - 1)] += count
    return [Bar(f"{low + i * width:g} – {low + (i + 1) * width:g}", c, _share(c, respondents))
            for i, c in enumerate(counts)]


def _stats(pairs: list[tuple[Decimal, int]]) -> dict[str, Decimal | float | None]:
    if not pairs:
        return {"count": 0, "mean": None, "median": None, "min": None, "max": None}
    values: list[float] = []
    for value, count in pairs:
        values.extend([float(value)] * count)
    return {"count": len(values), "mean": round(statistics.fmean(values), 2),
            "median": round(statistics.median(values), 2), "min": min(values), "max": max(values)}


def _themes(consultation: Consultation, respondents: dict[int, int]) -> dict[int, list[ThemeView]]:
    themes = list(Theme.objects.filter(question__consultation=consultation, merged_into__isnull=True).annotate(
        n=Count("assignments", filter=Q(assignments__answer__response__status=Response.Status.SUBMITTED)))
        .order_by("question_id", "-n", "order"))
    typical: dict[int, list[str]] = defaultdict(list)
    top = (ThemeAssignment.objects.filter(theme__question__consultation=consultation,
                                          answer__response__status=Response.Status.SUBMITTED)
           .annotate(position=Window(RowNumber(), partition_by=[F("theme_id")],
                                     order_by=[F("pinned").asc(), F("typicality").desc(), F("id").asc()]))
           .filter(position__lte=3).values_list("theme_id", "answer__text"))
    for theme_id, text in top:
        typical[theme_id].append(redact(text))
    views: dict[int, list[ThemeView]] = defaultdict(list)
    for theme in themes:
        count = theme.n  # type: ignore[attr-defined]
        views[theme.question_id].append(ThemeView(theme, count, _share(count, respondents.get(theme.question_id, 0)),
                                                  typical.get(theme.pk, [])))
    return views


def _group_labels(dimension: str) -> dict[Any, str]:
    if dimension == "age_group":
        return {k: str(v) for k, v in AgeGroup.choices}
    if dimension == "actor_type":
        return {k: str(v) for k, v in ActorType.choices}
    from core.models import Neighbourhood

    return dict(Neighbourhood.objects.values_list("pk", "name"))


def _add_breakdown(consultation: Consultation, results: list[QuestionResult], dimension: str) -> None:
    field_name = f"response__{dimension}"
    answers = submitted(consultation)
    group_sizes: dict[tuple[int, Any], int] = {
        (q, g): n for q, g, n in answers.values_list("question_id", field_name).annotate(
            n=Count("response_id", distinct=True))}
    option_counts: dict[tuple[int, Any, Any], int] = {}
    for q, g, option, number, n in answers.filter(row__isnull=True, rank__isnull=True).values_list(
            "question_id", field_name, "option_id", "number").annotate(n=Count("id")):
        option_counts[(q, g, option if option is not None else (int(number) if number is not None else None))] = n
    labels = _group_labels(dimension)
    for result in results:
        question = result.question
        if question.kind not in (Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE):
            continue
        if question.kind == Kind.SCALE:
            keys: list[tuple[Any, str]] = [(v, _scale_label(question, v)) for v in question.scale_values]
        else:
            keys = [(o.pk, o.text) for o in question.options.all() if o.role == Option.Role.CHOICE]
        groups = []
        present = sorted({g for (q, g) in group_sizes if q == question.pk},
                         key=lambda g: (g is None or g == "", labels.get(g, str(g))))
        for group in present:
            size = group_sizes[(question.pk, group)]
            label = labels.get(group, "") if group not in (None, "") else _("not stated")
            if size < MIN_GROUP:
                groups.append(Group(label, size, [], suppressed=True))
                continue
            groups.append(Group(label, size, [Bar(text, option_counts.get((question.pk, group, key), 0),
                                                  _share(option_counts.get((question.pk, group, key), 0), size))
                                              for key, text in keys]))
        result.groups = groups


# --- CSV exports -----------------------------------------------------------------------------


def write_results_csv(out: Any, consultation: Consultation) -> None:
    """Aggregates only: one row per question and option (public once the results are)."""
    total, results = compute(consultation)
    writer = csv.writer(out)
    writer.writerow(["consultation", "submitted_responses", "question_no", "question", "type", "respondents",
                     "item", "count", "share_percent", "mean", "median"])
    for number, result in enumerate(results, 1):
        q = result.question
        base = [consultation.slug, total, number, q.text, q.kind, result.respondents]
        for bar in result.bars:
            writer.writerow([*base, bar.label, bar.count, bar.percent, "", ""])
        for row_label, bars in result.matrix:
            for bar in bars:
                writer.writerow([*base, f"{row_label} / {bar.label}", bar.count, bar.percent, "", ""])
        for item in result.ranking:
            writer.writerow([*base, item["label"], item["first"], f"{item['first_share'] * 100:.1f}",
                             item["mean_rank"] if item["mean_rank"] is not None else "", ""])
        for theme in result.themes:
            writer.writerow([*base, theme.theme.label, theme.count, theme.percent, "", ""])
        if result.stats:
            writer.writerow([*base, "", result.stats.get("count", 0), "", result.stats.get("mean") or "",
                             result.stats.get("median") or ""])


def write_responses_csv(out: Any, consultation: Consultation, *, seed: int | None = None) -> None:
    """One row per submitted response, anonymised: no account, no dates, rows shuffled, contact details
    removed from open answers, and a neighbourhood shown only when at least MIN_GROUP respondents share it."""
    questions = list(consultation.questions.prefetch_related("options"))
    responses = list(Response.objects.filter(consultation=consultation, status=Response.Status.SUBMITTED)
                     .values_list("id", "age_group", "neighbourhood__name", "actor_type"))
    neighbourhood_sizes: dict[str | None, int] = defaultdict(int)
    for _id, _age, neighbourhood, _actor in responses:
        neighbourhood_sizes[neighbourhood] += 1
    cells: dict[int, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    options = {o.pk: o.text for q in questions for o in q.options.all()}
    for response_id, question_id, option_id, row_id, rank, number, text in submitted(consultation).values_list(
            "response_id", "question_id", "option_id", "row_id", "rank", "number", "text"):
        key = f"{question_id}:{row_id}" if row_id else str(question_id)
        if option_id is not None:
            cells[response_id][key].append((rank or 0, options.get(option_id, "")))
        elif number is not None:
            cells[response_id][key].append((0, str(number.normalize())))
        else:
            cells[response_id][key].append((0, redact(text)))
    columns: list[tuple[str, str]] = []
    for number, q in enumerate(questions, 1):
        if q.kind == Kind.MATRIX:
            columns += [(f"{q.pk}:{row.pk}", f"Q{number} {q.text} [{row.text}]")
                        for row in q.options.all() if row.role == Option.Role.ROW]
        else:
            columns.append((str(q.pk), f"Q{number} {q.text}"))
    rng = random.Random(seed)
    rng.shuffle(responses)
    writer = csv.writer(out)
    writer.writerow(["row", "age_group", "neighbourhood", "respondent_type", *[label for _key, label in columns]])
    for row_number, (response_id, age, neighbourhood, actor) in enumerate(responses, 1):
        shown_neighbourhood = neighbourhood if neighbourhood and neighbourhood_sizes[neighbourhood] >= MIN_GROUP else (
            "" if not neighbourhood else _("(fewer than %(n)d respondents)") % {"n": MIN_GROUP})
        values = []
        for key, _label in columns:
            parts = sorted(cells[response_id].get(key, []))
            separator = " > " if parts and parts[0][0] else "; "
            values.append(separator.join(text for _rank, text in parts))
        writer.writerow([row_number, age, shown_neighbourhood, actor, *values])


def iter_text_answers(question: Question) -> Iterable[str]:
    for text in submitted(question.consultation).filter(question=question).exclude(text="").values_list(
            "text", flat=True):
        yield redact(text)
