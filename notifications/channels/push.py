"""Web Push (RFC 8030 / 8291 / 8292): payload encrypted for the subscription's keys (aes128gcm), the
request signed with the server's VAPID key. pywebpush does both."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from notifications.channels.base import DeliveryFailed, OutgoingMessage

if TYPE_CHECKING:
    from notifications.models import Endpoint


class PushChannel:
    name = "push"

    def send(self, endpoint: Endpoint, message: OutgoingMessage) -> None:
        from notifications.push import send_push

        payload = json.dumps({"title": message.subject, "body": message.text[:400], "url": message.url,
                              "id": message.event_id, "severity": message.severity}, ensure_ascii=False)
        try:
            send_push(endpoint, payload)
        except DeliveryFailed:
            raise
