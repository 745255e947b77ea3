"""Web Push subscriptions: checking what a browser hands us, storing it as an Endpoint, sending to it.

A browser's PushSubscription JSON is `{"endpoint": "https://…", "keys": {"p256dh": "…", "auth": "…"}}`.
Each part is checked (a malformed one is a ValidationError naming the field): the endpoint is an https URL
that resolves to public addresses (core.safe_http, checked again at each send and the request pinned to
the address checked: it is a URL a user chose), p256dh a point on P-256 (65 bytes, uncompressed), auth 16 bytes.
"""

from __future__ import annotations

import binascii
import http.client
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit, safe_http
from notifications.channels.base import DeliveryFailed
from notifications.models import Endpoint
from notifications.vapid import b64url_decode, keys

MAX_PUSH_ENDPOINTS = 10
TTL_SECONDS = 24 * 3600


def parse_subscription(data: Any) -> tuple[str, dict[str, str]]:
    """(endpoint URL, {"p256dh", "auth"}) from a browser's PushSubscription JSON, or ValidationError."""
    if not isinstance(data, Mapping):
        raise ValidationError({"subscription": "must be a PushSubscription JSON object"})
    url = data.get("endpoint")
    if not isinstance(url, str) or not url:
        raise ValidationError({"endpoint": "is missing or not a string"})
    safe_http.validate_url(url, field="endpoint")
    raw_keys = data.get("keys")
    if not isinstance(raw_keys, Mapping):
        raise ValidationError({"keys": "must be an object with p256dh and auth"})
    p256dh, auth = raw_keys.get("p256dh"), raw_keys.get("auth")
    try:
        point = b64url_decode(p256dh) if isinstance(p256dh, str) and len(p256dh) <= 100 else b""
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65:
            raise ValueError
    except (ValueError, binascii.Error):
        raise ValidationError({"keys.p256dh": "must be a base64url P-256 public key (65 bytes)"}) from None
    try:
        secret = b64url_decode(auth) if isinstance(auth, str) and len(auth) <= 40 else b""
    except (ValueError, binascii.Error):
        secret = b""
    if len(secret) != 16:
        raise ValidationError({"keys.auth": "must be a base64url 16-byte secret"})
    return url, {"p256dh": p256dh, "auth": auth}  # type: ignore[dict-item]


@transaction.atomic
def add_push_endpoint(user: Any, data: Any, language: str = "") -> Endpoint:
    url, push_keys = parse_subscription(data)
    existing = Endpoint.objects.filter(user=user, kind=Endpoint.Kind.PUSH, address=url).first()
    if existing is not None:
        existing.secret, existing.disabled_at, existing.disabled_reason = json.dumps(push_keys), None, ""
        existing.consecutive_failures = 0
        existing.save(update_fields=["secret", "disabled_at", "disabled_reason", "consecutive_failures"])
        return existing
    if Endpoint.objects.filter(user=user, kind=Endpoint.Kind.PUSH).count() >= MAX_PUSH_ENDPOINTS:
        raise ValidationError({"endpoint": f"at most {MAX_PUSH_ENDPOINTS} devices; remove one first"})
    endpoint = Endpoint.objects.create(
        user=user, kind=Endpoint.Kind.PUSH, address=url, secret=json.dumps(push_keys),
        language=language or getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE,
        # The browser produced the subscription for this signed-in person: nothing more to verify.
        verified_at=timezone.now())
    audit.record(user, "notifications.endpoint.added", endpoint, {"kind": "push"})
    return endpoint


@transaction.atomic
def remove_push_endpoint(user: Any, url: str) -> bool:
    deleted, _ = Endpoint.objects.filter(user=user, kind=Endpoint.Kind.PUSH, address=url).delete()
    if deleted:
        audit.record(user, "notifications.endpoint.removed", None, {"kind": "push"})
    return bool(deleted)


def send_push(endpoint: Endpoint, payload: str) -> None:
    """Encrypt and send one payload; DeliveryFailed (not retryable, reason "gone") when the push
    service says the subscription no longer exists."""
    from py_vapid import Vapid
    from pywebpush import WebPushException, webpush

    pair = keys()
    if pair is None:
        raise DeliveryFailed("Web Push is not configured (VAPID keys)", retryable=False)
    try:
        push_keys = json.loads(endpoint.secret)
    except ValueError:
        raise DeliveryFailed("stored push keys are unreadable", retryable=False) from None
    # pywebpush encrypts and signs; the request itself goes through core.safe_http, which checks the
    # endpoint's addresses now and connects to the very address it checked (no DNS rebinding between
    # the check and the connection).
    session: Any = safe_http.PinnedSession(field="endpoint")
    try:
        webpush({"endpoint": endpoint.address, "keys": push_keys}, data=payload,
                vapid_private_key=Vapid.from_raw(pair.private_key.encode()),
                vapid_claims={"sub": settings.VAPID_SUBJECT}, ttl=TTL_SECONDS, timeout=10, requests_session=session)
    except ValidationError as error:
        raise DeliveryFailed(f"push endpoint refused: {error.messages[0]}"[:300], retryable=False) from None
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            raise DeliveryFailed("gone", retryable=False) from None
        raise DeliveryFailed(f"push service answered {status}", retryable=status is None or status == 429
                             or status >= 500) from None
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryFailed(f"push service unreachable: {type(error).__name__}") from None
