"""Running the theme analysis on a question's open answers, and the staff's curation of it.

Staff edits survive a re-run:
- an answer staff moved (`pinned`) stays where staff put it;
- each new cluster is matched to the existing theme that already holds most of its answers (at
  least half of those previously classified); a renamed theme keeps its label;
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

from core import audit
from participation.models import Answer, Question, Response, Theme, ThemeAssignment, ThemeRun
from participation.themes import find_themes


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

    new_assignments: dict[int, tuple[int, float]] = {}
    kept_theme_ids: set[int] = set(pinned.values())
    for order, found in enumerate(analysis.themes):
        member_ids = [answers[i][0] for i in found.members]
        before = Counter(previous[a] for a in member_ids if a in previous)
        target: Theme | None = None
        if before:
            theme_id, count = before.most_common(1)[0]
            if count * 2 >= sum(before.values()) and theme_id in themes:
                target = themes[theme_id]
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
                            details={"method": analysis.method, "parameters": analysis.parameters, **quality})
    audit.record(actor, "participation.themes.analysed", question,
                 {"answers": len(answers), "themes": len(kept_theme_ids), "method": analysis.method,
                  "pinned_kept": len(pinned)})
    return RunSummary(answers=len(answers), themes=len(kept_theme_ids), unclassified=len(analysis.unclassified),
                      method=analysis.method)


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
