"""Participation's panels on the home page (core.home): consultations open now and upcoming events.
Each runs a fixed number of queries (LIMITed lists), whatever the number of consultations or events."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from modeltranslation.settings import AVAILABLE_LANGUAGES

from core.home import PanelContent, register_home_panel
from participation.models import Consultation, Conversation, Event

SHOWN = 3
# What the panels show, in every content language (a list needs no other column).
_LISTED = ("slug", "closes_at", *(f"title_{language}" for language in AVAILABLE_LANGUAGES))


def consultations_panel(request: HttpRequest) -> PanelContent:
    now = timezone.now()
    open_now = Consultation.objects.filter(published=True, opens_at__lte=now, closes_at__gt=now)
    consultations = list(open_now.only(*_LISTED).order_by("closes_at", "id")[: SHOWN + 1])
    conversations = list(Conversation.objects.filter(published=True, opens_at__lte=now, closes_at__gt=now)
                         .only(*_LISTED).order_by("closes_at", "id")[:2])
    return PanelContent("participation/panels/consultations.html", {
        "consultations": consultations[:SHOWN], "more_consultations": len(consultations) > SHOWN,
        "conversations": conversations,
    })


def events_panel(request: HttpRequest) -> PanelContent:
    events = list(Event.objects.filter(published=True, cancelled=False, ends_at__gte=timezone.now())
                  .order_by("starts_at", "id")[:SHOWN])
    return PanelContent("participation/panels/events.html", {"events": events})


def register() -> None:
    register_home_panel("consultations", 10, consultations_panel)
    register_home_panel("events", 50, events_panel)
