"""What a channel is: something that sends one OutgoingMessage to one Endpoint, or raises DeliveryFailed.

Interface (stable; fields may be added, never renamed or removed):

    @dataclass(frozen=True)
    class OutgoingMessage: delivery_id, kind, language, subject, text, html, url (absolute),
                           unsubscribe_url (absolute, one-click), payload, event_id, occurred_at
    class DeliveryFailed(Exception): DeliveryFailed(reason, *, retryable=True)
    class Channel(Protocol): name: str; def send(self, endpoint, message) -> None
    register_channel(channel)      # by name: "email", "push", "sms", "webhook", "inbox"

A channel never touches the Delivery row: the pipeline records the outcome, retries with exponential
backoff when `retryable`, and disables the endpoint after repeated failures. A digest is one
OutgoingMessage whose `delivery_id` is the first of the gathered deliveries and whose `payload`
holds {"events": [...]} .
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from notifications.models import Endpoint


@dataclass(frozen=True)
class OutgoingMessage:
    delivery_id: int
    kind: str
    language: str
    subject: str
    text: str
    html: str | None
    url: str
    unsubscribe_url: str
    payload: Mapping[str, Any]
    event_id: str
    occurred_at: dt.datetime
    severity: str = "info"
    delivery_ids: tuple[int, ...] = field(default=())  # every delivery a digest gathers


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Channel(Protocol):
    name: str

    def send(self, endpoint: Endpoint, message: OutgoingMessage) -> None: ...


_channels: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    """Register (or replace) the channel that delivers to endpoints of kind `channel.name`."""
    _channels[channel.name] = channel


def get_channel(name: str) -> Channel | None:
    return _channels.get(name)


def channel_names() -> list[str]:
    return sorted(_channels)
