"""Participation API (read-only, public): processes, consultations and their results, proposals,
events, working groups and organisations. No personal data: no accounts, no individual answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from participation import results, selectors
from participation.models import Consultation, Proposal

router = Router(tags=["participation"])


class PhaseOut(Schema):
    title: str
    start: dt.date
    end: dt.date


class ProcessOut(Schema):
    slug: str
    title: str
    summary: str
    state: str = Field(description="upcoming, active or past")
    respondents: int | None
    phases: list[PhaseOut]
    ambitions: list[int]
    projects: list[str]
    demo: bool = Field(description="demonstration data, deleted by manage.py remove_demo_data")
    url: str


class ConsultationOut(Schema):
    slug: str
    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    audience: str
    results_public: bool
    process: str | None
    demo: bool = Field(description="demonstration data, deleted by manage.py remove_demo_data")
    url: str


class BarOut(Schema):
    label: str
    count: int
    share: float


class ThemeOut(Schema):
    label: str
    count: int
    share: float
    typical_answers: list[str]


class QuestionResultOut(Schema):
    number: int
    text: str
    kind: str
    respondents: int
    answers: list[BarOut]
    matrix: dict[str, list[BarOut]]
    ranking: list[dict[str, Any]]
    stats: dict[str, Any]
    themes: list[ThemeOut]


class ResultsOut(Schema):
    consultation: str
    submitted_responses: int
    questions: list[QuestionResultOut]


class ProposalOut(Schema):
    id: int
    title: str
    body: str
    ambition: int
    process: str | None
    organisation: str | None
    supports: int
    threshold: int
    official_answer: str
    official_answer_text: str
    created_at: dt.datetime
    demo: bool = Field(description="demonstration data, deleted by manage.py remove_demo_data")
    url: str


class EventOut(Schema):
    slug: str
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    capacity: int | None
    confirmed: int
    waiting: int
    cancelled: bool
    demo: bool = Field(description="demonstration data, deleted by manage.py remove_demo_data")
    url: str


class GroupOut(Schema):
    slug: str
    name: str
    kind: str
    ambition: int | None
    project: str | None
    members: int
    demo: bool = Field(description="demonstration data, deleted by manage.py remove_demo_data")
    url: str


@router.get("participation/processes", response=list[ProcessOut], summary="Participatory processes")
@paginate(LimitOffsetPagination)
def processes(request: HttpRequest) -> Any:
    rows = selectors.published_processes().prefetch_related("ambitions", "projects").order_by("-created_at", "-id")
    return [{"slug": p.slug, "title": p.title, "summary": p.summary, "state": selectors.process_state(p),
             "respondents": p.respondents, "phases": list(p.phases.all()),
             "ambitions": [a.number for a in p.ambitions.all()], "projects": [x.code for x in p.projects.all()],
             "demo": p.is_demo, "url": p.get_absolute_url()} for p in rows]


@router.get("participation/consultations", response=list[ConsultationOut], summary="Published consultations")
@paginate(LimitOffsetPagination)
def consultations(request: HttpRequest) -> Any:
    now = timezone.now()
    return [{"slug": c.slug, "title": c.title, "opens_at": c.opens_at, "closes_at": c.closes_at,
             "audience": c.audience, "results_public": c.results_public(now),
             "process": c.process.slug if c.process else None, "demo": c.is_demo, "url": c.get_absolute_url()}
            for c in selectors.public_consultations().order_by("-opens_at")]


@router.get("participation/consultations/{slug}/results", response=ResultsOut,
            summary="Aggregated results (403 while they are hidden until the close)")
def consultation_results(request: HttpRequest, slug: str) -> Any:
    consultation = get_object_or_404(Consultation, slug=slug, published=True)
    if not request.user.has_perm("participation.view_results", consultation):
        raise HttpError(403, "results: published when the consultation closes")
    total, question_results = results.compute(consultation)
    return {"consultation": consultation.slug, "submitted_responses": total, "questions": [{
        "number": n, "text": r.question.text, "kind": r.question.kind, "respondents": r.respondents,
        "answers": [{"label": b.label, "count": b.count, "share": round(b.share, 4)} for b in r.bars],
        "matrix": {row: [{"label": b.label, "count": b.count, "share": round(b.share, 4)} for b in bars]
                   for row, bars in r.matrix},
        "ranking": r.ranking, "stats": {k: (float(v) if v is not None else None) for k, v in r.stats.items()},
        "themes": [{"label": t.theme.label, "count": t.count, "share": round(t.share, 4),
                    "typical_answers": t.typical} for t in r.themes],
    } for n, r in enumerate(question_results, 1)]}


@router.get("participation/proposals", response=list[ProposalOut], summary="Published proposals")
@paginate(LimitOffsetPagination)
def proposals(request: HttpRequest, ambition: int | None = None, answer: str | None = None) -> Any:
    rows = selectors.public_proposals().order_by("-support_count", "-id")
    if ambition is not None:
        rows = rows.filter(ambition__number=ambition)
    if answer:
        if answer not in Proposal.OfficialAnswer.values:
            raise HttpError(400, "answer: must be one of evaluating, accepted, rejected")
        rows = rows.filter(official_answer=answer)
    return [{"id": p.pk, "title": p.title, "body": p.body, "ambition": p.ambition.number,
             "process": p.process.slug if p.process else None,
             "organisation": p.organisation.name if p.organisation else None, "supports": p.support_count,
             "threshold": p.threshold, "official_answer": p.official_answer,
             "official_answer_text": p.official_answer_text, "created_at": p.created_at,
             "demo": p.is_demo, "url": p.get_absolute_url()} for p in rows]


@router.get("participation/events", response=list[EventOut], summary="Published events")
@paginate(LimitOffsetPagination)
def events(request: HttpRequest) -> Any:
    return [{"slug": e.slug, "title": e.title, "kind": e.kind, "starts_at": e.starts_at, "ends_at": e.ends_at,
             "location": e.location, "capacity": e.capacity, "confirmed": e.confirmed,  # type: ignore[attr-defined]
             "waiting": e.waiting, "cancelled": e.cancelled,  # type: ignore[attr-defined]
             "demo": e.is_demo, "url": e.get_absolute_url()} for e in selectors.public_events().order_by("-starts_at")]


@router.get("participation/groups", response=list[GroupOut], summary="Working groups (member counts only)")
def groups(request: HttpRequest) -> Any:
    return [{"slug": g.slug, "name": g.name, "kind": g.kind, "ambition": g.ambition.number if g.ambition else None,
             "project": g.project.code if g.project else None, "members": g.members,  # type: ignore[attr-defined]
             "demo": g.is_demo, "url": g.get_absolute_url()} for g in selectors.groups_with_counts()]


class OpinionGroupOut(Schema):
    number: int
    size: int
    representative: list[dict[str, Any]]


class OpinionMapOut(Schema):
    conversation: str
    participants_on_map: int
    groups: list[OpinionGroupOut]
    consensus: list[dict[str, Any]]


@router.get("participation/opinion/{slug}", response=OpinionMapOut,
            summary="Opinion map: group sizes, what sets each group apart, common ground (no individual votes)")
def opinion_map(request: HttpRequest, slug: str) -> Any:
    from participation.models import Conversation, Statement

    conversation = get_object_or_404(Conversation, slug=slug, published=True)
    view = selectors.opinion_map(conversation)
    texts = dict(conversation.statements.filter(status=Statement.Status.ACCEPTED).values_list("id", "text"))
    return {"conversation": conversation.slug, "participants_on_map": len(view.points),
            "groups": [{"number": g.number, "size": view.sizes.get(g.number, 0),
                        "representative": [{"statement": texts.get(r.statement, ""), "direction": r.direction,
                                            "share": r.share} for r in g.representative]}
                       for g in view.groups],
            "consensus": [{"statement": texts.get(c.statement, ""), "score": c.score, "agree_share": c.agree_share}
                          for c in view.consensus]}
