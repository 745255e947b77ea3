"""Webhooks signed per the Standard Webhooks specification (standardwebhooks.com).

Each delivery is a POST of a JSON body `{"type", "timestamp", "data"}` with three headers:

- `webhook-id`: the delivery's id, the same on every retry (receivers de-duplicate on it);
- `webhook-timestamp`: Unix seconds of this attempt (receivers refuse old ones: no replay);
- `webhook-signature`: `v1,<base64 HMAC-SHA256>` over `"<id>.<timestamp>.<body>"`, keyed with the
  endpoint's secret, shown to its owner once as `whsec_<base64>`.

The URL must be https and resolve to public addresses only (core.safe_http), checked when it is
registered and again at each delivery, and the connection goes to the address just checked (DNS
rebinding cannot move it to the intranet). The pipeline counts consecutive failures and disables the
endpoint after NOTIFICATIONS_MAX_CONSECUTIVE_FAILURES; its owner re-enables it from the preferences page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import secrets
import time
from typing import Any

from django.core.exceptions import ValidationError

from core import safe_http
from notifications.channels.base import DeliveryFailed, OutgoingMessage

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})


def new_secret() -> str:
    """A random 32-byte signing key as the specification writes it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    return base64.b64decode(raw + "==")


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def validate_webhook_url(url: str) -> str:
    """The URL as given when it may receive webhooks; ValidationError naming webhook_url otherwise."""
    url = (url or "").strip()
    safe_http.validate_url(url, field="webhook_url")
    return url


def payload(message: OutgoingMessage) -> dict[str, Any]:
    """The specification's envelope; `data` is the event as published (both languages, its geometry,
    the room's own data) plus the language the endpoint's owner chose."""
    return {"type": message.kind, "timestamp": message.occurred_at.isoformat(),
            "data": {**dict(message.payload or {}), "language": message.language}}


def signed_request(secret: str, message_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    moment = int(time.time()) if timestamp is None else timestamp
    return {"Content-Type": "application/json", "User-Agent": "timisoara-smartcity-webhooks/1",
            "webhook-id": message_id, "webhook-timestamp": str(moment),
            "webhook-signature": sign(secret, message_id, moment, body)}


class WebhookChannel:
    name = "webhook"

    def send(self, endpoint: Any, message: OutgoingMessage) -> None:
        body = json.dumps(payload(message), separators=(",", ":"), ensure_ascii=False, default=str).encode()
        headers = signed_request(endpoint.secret, f"msg_{message.delivery_id}", body)
        try:
            answer = safe_http.request("POST", endpoint.address, body, headers, field="webhook_url")
        except ValidationError as refused:
            # The address now resolves somewhere it may not (or is no longer https): not sent.
            raise DeliveryFailed("; ".join(refused.messages)[:300], retryable=False) from None
        except (OSError, http.client.HTTPException) as failure:
            raise DeliveryFailed(f"{type(failure).__name__}: {failure}"[:300]) from None
        if 200 <= answer.status < 300:
            return
        retryable = answer.status >= 500 or answer.status in RETRYABLE_STATUSES
        raise DeliveryFailed(f"webhook answered HTTP {answer.status}", retryable=retryable)
