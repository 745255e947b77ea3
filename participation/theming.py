"""Running the theme analysis on a question's open answers, and the staff's curation of it.

Staff edits survive a re-run:
- an answer staff moved (`pinned`) stays where staff put it;
- each new cluster is matched to the existing theme that already holds most of its answers (at
  least half of those previously classified), one cluster per theme (the one sharing most answers with
  it), so that a run finding more themes than the last one does not fold them back together; a renamed
  theme keeps its label;
- a merged theme's answers live in the target theme, so a cluster that finds them again lands there.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core import audit
from participation.models import Answer, Question, Response, Theme, ThemeAssignment, ThemeRun
from participation.themes import (
    EMPTY,
    NO_CONTENT_WORDS,
    NOT_RECOGNISED,
    NOT_SUPPORTED,
    TOO_FEW_IN_LANGUAGE,
    find_themes,
)


@dataclass(frozen=True)
class RunSummary:
    answers: int
    themes: int
    unclassified: int
    method: str


def _require_staff(actor: Any) -> None:
    if actor is not None and not isinstance(actor, str) and not actor.has_perm("participation.manage"):
        raise PermissionDenied("participation.manage")


def _final(theme_id: int, merged: dict[int, int | None]) -> int:
    seen = set()
    while merged.get(theme_id) and theme_id not in seen:
        seen.add(theme_id)
        theme_id = merged[theme_id]  # type: ignore[assignment]
    return theme_id


@transaction.atomic
def analyse_question(actor: Any, question: Question, *, max_themes: int = 12, seed: int = 0) -> RunSummary:
    _require_staff(actor)
    if question.kind not in Question.TEXT_KINDS:
        raise ValidationError({"question": _("Only open (text) questions can be grouped into themes.")})
    started = time.perf_counter()
    answers = list(Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED)
                   .exclude(text="").order_by("id").values_list("id", "text"))
    texts = [text for _id, text in answers]
    analysis = find_themes(texts, max_themes=max_themes, seed=seed)

    themes = {t.pk: t for t in Theme.objects.select_for_update(of=("self",)).filter(question=question)}
    merged = {pk: t.merged_into_id for pk, t in themes.items()}
    previous = {a: _final(t, merged) for a, t in ThemeAssignment.objects.filter(
        theme__question=question).values_list("answer_id", "theme_id")}
    pinned = {a: _final(t, merged) for a, t in ThemeAssignment.objects.filter(
        theme__question=question, pinned=True).values_list("answer_id", "theme_id")}

    # Each new cluster to the existing theme holding at least half of its previously classified answers.
    # An existing theme takes one cluster (the one with most of its answers), so that themes found apart
    # stay apart; only a theme staff merged others into takes every cluster that lands there (the staff's
    # decision that they are one theme).
    merge_targets = {target for target in merged.values() if target}
    matches: list[tuple[int, int, int]] = []  # (answers in common, cluster, theme)
    for number, found in enumerate(analysis.themes):
        before = Counter(previous[answers[i][0]] for i in found.members if answers[i][0] in previous)
        if before:
            theme_id, count = before.most_common(1)[0]
            if count * 2 >= sum(before.values()) and theme_id in themes:
                matches.append((count, number, theme_id))
    matched: dict[int, int] = {}
    claimed: set[int] = set()
    for _count, number, theme_id in sorted(matches, key=lambda match: (-match[0], match[1])):
        if theme_id not in claimed or theme_id in merge_targets:
            matched[number] = theme_id
            claimed.add(theme_id)

    new_assignments: dict[int, tuple[int, float]] = {}
    kept_theme_ids: set[int] = set(pinned.values())
    theme_languages: dict[str, str] = {}  # theme id → the language of the answers it was found in
    for order, found in enumerate(analysis.themes):
        member_ids = [answers[i][0] for i in found.members]
        target: Theme | None = themes[matched[order]] if order in matched else None
        if target is None:
            target = Theme.objects.create(question=question, label=found.label[:200], keywords=found.keywords,
                                          order=order)
            themes[target.pk] = target
        elif not target.label_edited:
            target.label, target.keywords = found.label[:200], found.keywords
        target.order = order
        target.updated_at = timezone.now()
        target.save()
        kept_theme_ids.add(target.pk)
        theme_languages[str(target.pk)] = found.language
        for answer_id, closeness in zip(member_ids, found.typicality, strict=True):
            if answer_id not in pinned:
                new_assignments[answer_id] = (target.pk, closeness)

    ThemeAssignment.objects.filter(theme__question=question, pinned=False).delete()
    ThemeAssignment.objects.bulk_create([
        ThemeAssignment(answer_id=a, theme_id=t, typicality=c) for a, (t, c) in new_assignments.items()])
    # Themes that nobody edited and that the new run did not find again are dropped.
    stale = [pk for pk, t in themes.items() if pk not in kept_theme_ids and t.merged_into_id is None
             and not t.label_edited]
    Theme.objects.filter(pk__in=stale).delete()
    seconds = time.perf_counter() - started
    quality = analysis.quality()
    ThemeRun.objects.create(question=question, answers=len(answers), themes=len(kept_theme_ids),
                            method=analysis.method[:120], seconds=round(seconds, 3),
                            coverage=quality["coverage"], silhouette=analysis.silhouette,
                            details={"method": analysis.method, "parameters": analysis.parameters, **quality,
                                     # Which answers were left out and why, for the staff page's answer list.
                                     "not_analysed_answers": {str(answers[i][0]): analysis.not_analysed_reason(i)
                                                              for i in analysis.not_analysed},
                                     "theme_languages": theme_languages})
    audit.record(actor, "participation.themes.analysed", question,
                 {"answers": len(answers), "themes": len(kept_theme_ids), "method": analysis.method,
                  "pinned_kept": len(pinned)})
    return RunSummary(answers=len(answers), themes=len(kept_theme_ids), unclassified=len(analysis.unclassified),
                      method=analysis.method)


# How a run is explained to staff, in their language. The pure module stores its reasons and parameter
# names in English; these are the words staff read.
NOT_ANALYSED_REASONS = {
    EMPTY: gettext_lazy("no words"),
    NOT_RECOGNISED: gettext_lazy("language not recognised"),
    NOT_SUPPORTED: gettext_lazy("a language the analysis does not cover"),
    TOO_FEW_IN_LANGUAGE: gettext_lazy("too few answers in its language"),
    NO_CONTENT_WORDS: gettext_lazy("only words that carry no theme"),
}
PARAMETER_NAMES = {
    "max_themes": gettext_lazy("Most themes per language (a bound: below it the answers decide)"),
    "merge_similarity": gettext_lazy("Small clusters become one theme from a cosine similarity of"),
    "min_similarity": gettext_lazy("An answer joins a theme from a cosine similarity to its centre of"),
    "min_language_confidence": gettext_lazy("A detected language is trusted from a confidence of"),
    "min_answers": gettext_lazy("Fewest answers for a language to be analysed"),
    "seed": gettext_lazy("Random seed (the same answers and seed give the same themes)"),
}


LANGUAGE_NAMES = {
    "ro": pgettext_lazy("language", "Romanian"), "hu": pgettext_lazy("language", "Hungarian"),
    "de": pgettext_lazy("language", "German"), "sr": pgettext_lazy("language", "Serbian"),
    "en": pgettext_lazy("language", "English"), "fr": pgettext_lazy("language", "French"),
    "it": pgettext_lazy("language", "Italian"), "es": pgettext_lazy("language", "Spanish"),
    "uk": pgettext_lazy("language", "Ukrainian"),
}


def language_name(code: str) -> str:
    """The language's name in the current interface language ("română", "maghiară"), or the code."""
    if code in LANGUAGE_NAMES:
        return str(LANGUAGE_NAMES[code])
    from django.utils.translation import get_language_info

    try:
        return str(get_language_info(code)["name_translated"]).lower()
    except KeyError:
        return code


def not_analysed_reason(key: str) -> str:
    """'language not analysed (fr)' as staff read it: 'a language the analysis does not cover (French)'."""
    reason, _sep, language = key.partition(" (")
    label = str(NOT_ANALYSED_REASONS.get(reason, reason))
    return f"{label} ({language_name(language.rstrip(')'))})" if language else label


def explain_run(run: ThemeRun | None) -> dict[str, Any]:
    """What the staff page shows about a run: languages by name, the figures per language, the
    parameters in words, the answers not analysed per reason."""
    details = run.details if run else {}
    per_language = details.get("per_language") or {}
    languages = [{"code": code, "name": language_name(code), "answers": n, **per_language.get(code, {})}
                 for code, n in (details.get("languages") or {}).items()]
    parameters = [(str(PARAMETER_NAMES.get(name, name)), value)
                  for name, value in (details.get("parameters") or {}).items()]
    not_analysed = [(not_analysed_reason(key), int(n)) for key, n in (details.get("not_analysed") or {}).items()]
    coverage = run.coverage if run else None
    return {"languages": languages, "parameters": parameters, "not_analysed": not_analysed,
            "coverage_percent": None if coverage is None else round(coverage * 100),
            "not_analysed_total": sum(n for _reason, n in not_analysed),
            "no_clear_theme": details.get("no_clear_theme") or 0,
            "bound_reached": [row["name"] for row in languages if row.get("bound_reached")],
            "answer_reasons": details.get("not_analysed_answers") or {},
            "theme_languages": {int(pk): {"code": code, "name": language_name(code)}
                                for pk, code in (details.get("theme_languages") or {}).items() if code}}


@transaction.atomic
def rename_theme(actor: Any, theme: Theme, label: str) -> Theme:
    _require_staff(actor)
    label = label.strip()
    if not label or len(label) > 200:
        raise ValidationError({"label": _("Give the theme a label of 1 to 200 characters.")})
    changes = {"label": [theme.label, label]}
    theme.label, theme.label_edited, theme.updated_at = label, True, timezone.now()
    theme.save(update_fields=["label", "label_edited", "updated_at"])
    audit.record(actor, "participation.theme.renamed", theme, changes)
    return theme


@transaction.atomic
def merge_themes(actor: Any, source: Theme, target: Theme) -> Theme:
    _require_staff(actor)
    if source.pk == target.pk or source.question_id != target.question_id:
        raise ValidationError({"target": _("Choose another theme of the same question.")})
    if target.merged_into_id is not None:
        raise ValidationError({"target": _("This theme was itself merged; choose the theme it was merged into.")})
    ThemeAssignment.objects.filter(theme=source).update(theme=target)
    Theme.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    audit.record(actor, "participation.theme.merged", target, {"merged": source.label, "into": target.label})
    return target


@transaction.atomic
def move_answer(actor: Any, answer: Answer, target: Theme) -> ThemeAssignment:
    _require_staff(actor)
    if target.question_id != answer.question_id or target.merged_into_id is not None:
        raise ValidationError({"theme": _("Choose a current theme of the same question.")})
    assignment, _created = ThemeAssignment.objects.update_or_create(
        answer=answer, defaults={"theme": target, "pinned": True})
    audit.record(actor, "participation.theme.answer_moved", target, {"answer": answer.pk})
    return assignment


@transaction.atomic
def create_theme(actor: Any, question: Question, label: str) -> Theme:
    _require_staff(actor)
    label = label.strip()
    if not label or len(label) > 200:
        raise ValidationError({"label": _("Give the theme a label of 1 to 200 characters.")})
    order = Theme.objects.filter(question=question).count()
    theme = Theme.objects.create(question=question, label=label, label_edited=True, order=order)
    audit.record(actor, "participation.theme.created", theme)
    return theme
