"""The in-site notice list: the Delivery row itself is the notice, so sending only marks it sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifications.channels.base import OutgoingMessage

if TYPE_CHECKING:
    from notifications.models import Endpoint


class InboxChannel:
    name = "inbox"

    def send(self, endpoint: Endpoint, message: OutgoingMessage) -> None:
        return None
