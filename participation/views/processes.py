"""The participation home page and participatory processes."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from participation import selectors
from participation.models import Conversation, Process, Proposal


def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    processes = list(selectors.published_processes().order_by("-created_at"))
    for process in processes:
        process.state = selectors.process_state(process)  # type: ignore[attr-defined]
    active = [p for p in processes if p.state != "past"]  # type: ignore[attr-defined]
    consultations = list(selectors.public_consultations().filter(opens_at__lte=now, closes_at__gt=now)
                         .order_by("closes_at")[:6])
    events = list(selectors.public_events().filter(ends_at__gte=now, cancelled=False).order_by("starts_at")[:5])
    proposals = list(selectors.public_proposals().order_by("-created_at")[:5])
    conversations = list(Conversation.objects.filter(published=True, opens_at__lte=now, closes_at__gt=now)
                         .order_by("closes_at")[:5])
    return render(request, "participation/index.html", {
        "conversations": conversations,
        "active_processes": active, "past_count": len(processes) - len(active), "consultations": consultations,
        "events": events, "proposals": proposals,
    })


def process_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    processes = list(selectors.published_processes().select_related("co_design_activity").order_by(
        "-created_at", "-id"))
    for process in processes:
        process.state = selectors.process_state(process)  # type: ignore[attr-defined]
        phases = list(process.phases.all())
        process.first_day = min((p.start for p in phases), default=None)  # type: ignore[attr-defined]
        process.last_day = max((p.end for p in phases), default=None)  # type: ignore[attr-defined]
    if state in {"active", "upcoming", "past"}:
        processes = [p for p in processes if p.state == state]  # type: ignore[attr-defined]
    processes.sort(key=lambda p: (p.first_day is None, p.first_day), reverse=True)  # type: ignore[attr-defined]
    return render(request, "participation/processes.html", {"processes": processes, "state": state})


def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_object_or_404(
        selectors.published_processes().select_related("co_design_activity").prefetch_related(
            "ambitions", "objectives__ambition", "projects"), slug=slug)
    phases = list(process.phases.all())
    today = timezone.localdate()
    for phase in phases:
        phase.current_state = phase.state(today)  # type: ignore[attr-defined]
    consultations = list(selectors.public_consultations().filter(process=process).order_by("opens_at"))
    events = list(selectors.public_events().filter(process=process).order_by("starts_at"))
    proposal_stats = Proposal.objects.filter(process=process, status=Proposal.Status.PUBLISHED).aggregate(
        total=Count("id"), answered=Count("id", filter=~Q(official_answer="")))
    proposals = list(selectors.public_proposals().filter(process=process).order_by("-support_count", "-id")[:5])
    comments, comment_count = selectors.comment_tree(process)
    return render(request, "participation/process.html", {
        "conversations": list(Conversation.objects.filter(process=process, published=True).order_by("-opens_at")),
        "process": process, "phases": phases, "state": selectors.process_state(process, today),
        "consultations": consultations, "events": events, "proposals": proposals, "proposal_stats": proposal_stats,
        "comments": comments, "comment_count": comment_count, "target": process, "target_kind": "process",
        "following": selectors.is_following(request.user, process),
    })


def process_by_pk(pk: int) -> Process:
    return get_object_or_404(Process, pk=pk, published=True)
