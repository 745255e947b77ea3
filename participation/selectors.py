"""Read-side helpers: what a page or API response needs, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from participation.models import (
    Comment,
    Consultation,
    Event,
    Membership,
    Phase,
    Process,
    Proposal,
    Registration,
    WorkingGroup,
)


def published_processes() -> QuerySet[Process]:
    return Process.objects.filter(published=True).prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("order", "start")))


def process_state(process: Process, today: Any = None) -> str:
    """upcoming, active or past, from the phases (prefetched)."""
    day = today or timezone.localdate()
    phases = list(process.phases.all())
    if not phases:
        return "active" if process.co_design_activity_id is None else "past"
    if day < min(p.start for p in phases):
        return "upcoming"
    if day > max(p.end for p in phases):
        return "past"
    return "active"


def current_phase(process: Process, today: Any = None) -> Phase | None:
    day = today or timezone.localdate()
    return next((p for p in process.phases.all() if p.start <= day <= p.end), None)


def public_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.filter(published=True).select_related("process")


def public_events() -> QuerySet[Event]:
    return Event.objects.filter(published=True).select_related("process", "working_group").annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)))


def public_proposals() -> QuerySet[Proposal]:
    return Proposal.objects.filter(status=Proposal.Status.PUBLISHED).select_related(
        "ambition", "process", "organisation", "author")


def organisation_participation(organisation_id: int) -> dict[str, list[Any]]:
    """What an organisation does here, for the resources room's organisation page (the one page of an
    organisation): the working groups it is an accepted member of and its published proposals, newest
    first. Two queries."""
    groups = WorkingGroup.objects.filter(memberships__organisation_id=organisation_id,
                                         memberships__status=Membership.Status.ACCEPTED).distinct().order_by("name")
    return {"groups": list(groups),
            "proposals": list(public_proposals().filter(organisation_id=organisation_id)[:20])}


def groups_with_counts() -> QuerySet[WorkingGroup]:
    return WorkingGroup.objects.select_related("ambition", "project").annotate(
        members=Count("memberships", filter=Q(memberships__status=Membership.Status.ACCEPTED)))


def listed_members(group: WorkingGroup) -> list[Membership]:
    """Only members who consented to be listed; never their email."""
    return list(group.memberships.filter(status=Membership.Status.ACCEPTED, listed_publicly=True)
                .select_related("user", "organisation").order_by("created_at"))


@dataclass
class CommentNode:
    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)


def comment_tree(target: Any) -> tuple[list[CommentNode], int]:
    """Threaded comments of a page from one query; hidden ones keep their place with a notice."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(type(target))
    comments = list(Comment.objects.filter(target_type=content_type, target_id=target.pk)
                    .select_related("author").order_by("created_at", "id"))
    nodes = {c.pk: CommentNode(c) for c in comments}
    roots: list[CommentNode] = []
    for comment in comments:
        node = nodes[comment.pk]
        if comment.parent_id and comment.parent_id in nodes:
            nodes[comment.parent_id].replies.append(node)
        else:
            roots.append(node)
    visible = sum(1 for c in comments if c.status == Comment.Status.VISIBLE)
    return roots, visible


def is_following(user: Any, target: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from participation.notifications import is_following as following

    return following(user, target)


# --- The participation behind a strategic project -------------------------------------------


@dataclass
class ProjectParticipation:
    processes: list[Process]
    consultations: list[Consultation]
    events: list[Event]
    working_groups: list[WorkingGroup]

    def __bool__(self) -> bool:
        return bool(self.processes or self.consultations or self.events or self.working_groups)


def for_project(project: Any) -> ProjectParticipation:
    """Processes linked to the project or its objective, their consultations and events, and the
    project's working groups. Five queries whatever the data."""
    link = Q(projects=project)
    if getattr(project, "objective_id", None):
        link |= Q(objectives=project.objective_id)
    processes = list(published_processes().filter(link).distinct().order_by("-created_at"))
    process_ids = [p.pk for p in processes]
    consultations = list(public_consultations().filter(process_id__in=process_ids).order_by("-opens_at"))
    groups = list(groups_with_counts().filter(project=project))
    events = list(public_events().filter(Q(process_id__in=process_ids) | Q(working_group__in=[g.pk for g in groups]))
                  .order_by("-starts_at")[:10])
    for process in processes:
        process.state = process_state(process)  # type: ignore[attr-defined]
    return ProjectParticipation(processes=processes, consultations=consultations, events=events,
                                working_groups=groups)


def action_group_bodies() -> QuerySet[Any]:
    """PartnerTeaM's action groups. The dataset marks them `consultative` under `partnerteam` (one per
    ambition); a later dataset may mark them `action_group`: both are recognised."""
    from strategy.models import GovernanceBody

    return GovernanceBody.objects.filter(
        Q(kind=GovernanceBody.Kind.ACTION_GROUP) | Q(parent__code="partnerteam", ambition__isnull=False)
    ).select_related("ambition").order_by("order", "code")


@dataclass
class MapPoint:
    x: float  # 0..100 (percent of the plot), screen coordinates
    y: float
    group: int


@dataclass
class OpinionMapView:
    points: list[MapPoint]
    groups: list[Any]  # opinion.OpinionGroup with members replaced by their count
    sizes: dict[int, int]
    consensus: list[Any]
    statements: dict[int, Any]
    explained_variance: tuple[float, float]
    left_out: int
    parameters: dict[str, Any] = field(default_factory=dict)  # method, parameters, quality (for staff)


def opinion_map(conversation: Any) -> OpinionMapView:
    """The conversation's opinion map, recomputed only when votes changed (cached). Anonymous: the
    result holds positions and group sizes, never account ids."""
    from django.core.cache import cache
    from django.db.models import Max

    from participation import services
    from participation.models import Statement, StatementVote
    from participation.opinion import GroupCountSmoothing, Votes, build_map

    # Votes on statements a moderator rejected count towards the vote threshold, as in Polis; the
    # statements themselves are left out of the map (moderated_out).
    votes = StatementVote.objects.filter(statement__conversation=conversation, statement__status__in=[
        Statement.Status.ACCEPTED, Statement.Status.REJECTED])
    state = votes.aggregate(n=Count("id"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    rejected = sorted(Statement.objects.filter(conversation=conversation, status=Statement.Status.REJECTED)
                      .values_list("id", flat=True))
    key = (f"participation-opinion-{conversation.pk}-{state['n']}-{last}-{conversation.min_votes}-"
           f"{hash(tuple(rejected))}")
    view = cache.get(key)
    if view is None:
        import numpy as np

        columns = list(zip(*votes.values_list("user_id", "statement_id", "value"), strict=True)) or [(), (), ()]
        rows = Votes(np.array(columns[0], dtype=np.int64), np.array(columns[1], dtype=np.int64),
                     np.array(columns[2], dtype=np.int64))
        previous = GroupCountSmoothing.from_dict((conversation.map_state or {}).get("smoothing"))
        found = build_map(rows, moderated_out=rejected, min_votes=conversation.min_votes, smoothing=previous)
        parameters = found.parameters()
        services.record_opinion_map(conversation, parameters)
        group_of = found.group_of()
        xs = [x for x, _y in found.coordinates] or [0.0]
        ys = [y for _x, y in found.coordinates] or [0.0]
        def scale(value: float, low: float, high: float) -> float:
            # An axis without spread (everyone in the same place) is drawn in the middle.
            return 50.0 if high - low < 1e-9 else round(5 + 90 * (value - low) / (high - low), 2)

        points = [MapPoint(scale(x, min(xs), max(xs)), 100 - scale(y, min(ys), max(ys)), group_of.get(p, 0))
                  for p, (x, y) in zip(found.participants, found.coordinates, strict=True)]
        sizes = {g.number: len(g.members) for g in found.groups}
        for group in found.groups:
            group.members = []
        view = OpinionMapView(points=points, groups=found.groups, sizes=sizes, consensus=found.consensus,
                              statements=found.statements, explained_variance=found.explained_variance,
                              left_out=found.left_out, parameters=parameters)
        cache.set(key, view, 600)
    return view
