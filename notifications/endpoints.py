"""A person's own SMS numbers and webhooks: add, verify, re-enable, remove (each audited).

- A phone number is normalised to E.164 and verified with a six-digit code sent by SMS before anything
  else is sent to it (a number typed by mistake belongs to someone else).
- A webhook URL is checked against private address ranges (core.safe_http) and verified at once (the
  owner is signed in and the URL cannot reach the city's own network); its signing secret is shown to
  the owner once, when it is created.
- An endpoint the pipeline disabled after repeated failures is re-enabled only by its owner.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core import audit
from notifications.channels import sms, webhook
from notifications.channels.base import DeliveryFailed
from notifications.models import Endpoint

MAX_PER_KIND = 5
MAX_CODE_ATTEMPTS = 5


def _own(user: Any, endpoint_id: Any) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first() if str(
        endpoint_id).isdigit() else None
    if endpoint is None or endpoint.user_id != getattr(user, "pk", None):
        raise PermissionDenied
    return endpoint


def _check_room(user: Any, kind: str, field: str) -> None:
    if Endpoint.objects.filter(user=user, kind=kind).count() >= MAX_PER_KIND:
        raise ValidationError({field: _("You can have at most %(n)d of these; remove one first.") % {
            "n": MAX_PER_KIND}})


def verification_code(endpoint: Endpoint) -> str:
    """Six digits derived from the endpoint (no code stored): a new endpoint gets a new code."""
    digest = salted_hmac("notifications.sms-code", f"{endpoint.pk}:{endpoint.address}:{endpoint.created_at}")
    return f"{int(digest.hexdigest()[:12], 16) % 1_000_000:06d}"


@transaction.atomic
def add_phone(user: Any, phone: str, language: str = "") -> Endpoint:
    number = sms.normalise_phone(phone, field="phone")
    if Endpoint.objects.filter(user=user, kind=Endpoint.Kind.SMS, address=number).exists():
        raise ValidationError({"phone": _("This number is already on your list.")})
    _check_room(user, Endpoint.Kind.SMS, "phone")
    endpoint = Endpoint.objects.create(user=user, kind=Endpoint.Kind.SMS, address=number,
                                       language=language or getattr(user, "preferred_language", "") or "ro")
    audit.record(user, "notifications.endpoint.added", endpoint, {"kind": "sms"})
    endpoint_id = endpoint.pk
    transaction.on_commit(lambda: send_verification_code(endpoint_id))
    return endpoint


def send_verification_code(endpoint_id: int) -> bool:
    """Send the code straight through the gateway (not the pipeline: the endpoint is not verified yet)."""
    from django.utils import translation

    endpoint = Endpoint.objects.filter(pk=endpoint_id, kind=Endpoint.Kind.SMS).first()
    gateway = sms.configured_gateway()
    if endpoint is None or gateway is None:
        return False
    with translation.override(endpoint.language):
        text = _("Your Timișoara Smart City code is %(code)s.") % {"code": verification_code(endpoint)}
    try:
        gateway.send(endpoint.address, text, reference=f"verify-{endpoint.pk}")
    except DeliveryFailed:
        return False
    return True


@transaction.atomic
def verify_phone(user: Any, endpoint_id: Any, code: str) -> Endpoint:
    endpoint = _own(user, endpoint_id)
    if endpoint.kind != Endpoint.Kind.SMS:
        raise ValidationError({"endpoint": _("Only phone numbers are verified with a code.")})
    if endpoint.verified_at is not None:
        return endpoint
    if endpoint.consecutive_failures >= MAX_CODE_ATTEMPTS:
        raise ValidationError({"code": _("Too many wrong codes: remove the number and add it again.")})
    if not hmac.compare_digest((code or "").strip(), verification_code(endpoint)):
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=endpoint.consecutive_failures + 1)
        raise ValidationError({"code": _("This code is not the one we sent.")})
    endpoint.verified_at, endpoint.consecutive_failures = timezone.now(), 0
    endpoint.save(update_fields=["verified_at", "consecutive_failures"])
    audit.record(user, "notifications.endpoint.verified", endpoint, {"kind": "sms"})
    return endpoint


@transaction.atomic
def add_webhook(user: Any, url: str, language: str = "") -> tuple[Endpoint, str]:
    """The endpoint and its signing secret (whsec_…), which is shown once."""
    address = webhook.validate_webhook_url(url)
    _check_room(user, Endpoint.Kind.WEBHOOK, "webhook_url")
    secret = webhook.new_secret()
    endpoint = Endpoint.objects.create(user=user, kind=Endpoint.Kind.WEBHOOK, address=address, secret=secret,
                                       language=language or getattr(user, "preferred_language", "") or "ro",
                                       verified_at=timezone.now())
    audit.record(user, "notifications.endpoint.added", endpoint, {"kind": "webhook"})
    return endpoint, secret


@transaction.atomic
def reenable(user: Any, endpoint_id: Any) -> Endpoint:
    """The owner turns a disabled endpoint back on (a webhook's URL is checked again first)."""
    endpoint = _own(user, endpoint_id)
    if endpoint.kind == Endpoint.Kind.WEBHOOK:
        webhook.validate_webhook_url(endpoint.address)
    was = endpoint.disabled_reason
    endpoint.disabled_at, endpoint.disabled_reason, endpoint.consecutive_failures = None, "", 0
    endpoint.save(update_fields=["disabled_at", "disabled_reason", "consecutive_failures"])
    audit.record(user, "notifications.endpoint.reenabled", endpoint, {"was": was})
    return endpoint


@transaction.atomic
def remove(user: Any, endpoint_id: Any) -> None:
    endpoint = _own(user, endpoint_id)
    if endpoint.kind not in (Endpoint.Kind.SMS, Endpoint.Kind.WEBHOOK):
        raise ValidationError({"endpoint": _("This channel is managed elsewhere on this page.")})
    audit.record(user, "notifications.endpoint.removed", endpoint, {"kind": endpoint.kind})
    endpoint.delete()
