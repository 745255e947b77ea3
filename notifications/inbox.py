"""The in-site notice list: the inbox channel's deliveries, read by the rooms' notice pages.

A notice is a Delivery on the person's inbox endpoint; its text is the event's title (and body) in the
language the delivery was made in, as written when the event was published."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.legacy_urls import address_in_language
from notifications.models import Delivery, Endpoint


@dataclass(frozen=True)
class Notice:
    pk: int
    kind: str
    message: str
    body: str
    url: str
    created_at: Any
    read_at: Any


def _inbox(user: Any, room: str | None = None) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(user=user, channel=Endpoint.Kind.INBOX,
                                         status__in=[Delivery.Status.SENT, Delivery.Status.QUEUED])
    return deliveries.filter(event__room=room) if room else deliveries


def notices(user: Any, room: str | None = None) -> QuerySet[Delivery]:
    """Newest first; turn each row into a Notice with `as_notice` (after paginating)."""
    return _inbox(user, room).select_related("event").order_by("-created_at", "-id")


def as_notice(delivery: Delivery) -> Notice:
    event = delivery.event
    # A link on our own site: the event's language-free path, as the page's address in the notice's language.
    url = address_in_language(event.url, delivery.language) if event.url.startswith("/") else event.url
    return Notice(pk=delivery.pk, kind=event.kind, message=event.text("title", delivery.language),
                  body=event.text("body", delivery.language), url=url, created_at=delivery.created_at,
                  read_at=delivery.read_at)


def unread_count(user: Any, room: str | None = None) -> int:
    return _inbox(user, room).filter(read_at__isnull=True).count()


def mark_read(user: Any, room: str | None = None) -> int:
    return _inbox(user, room).filter(read_at__isnull=True).update(read_at=timezone.now())
