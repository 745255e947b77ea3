"""SMS: phone numbers in E.164, and a gateway interface with one generic HTTP adapter.

The adapter is configured from the environment, so any HTTP SMS gateway (an operator's API, a
self-hosted modem gateway, a provider's REST endpoint) is reached without code:

- SMS_GATEWAY_URL       where to send (the operator's own gateway: http is allowed, private addresses
                        too — the operator chose it; it is still not followed through redirects)
- SMS_GATEWAY_TOKEN     sent as `Authorization: Bearer <token>` (or in the template as $token)
- SMS_GATEWAY_METHOD    POST (default) or GET
- SMS_GATEWAY_TEMPLATE  the request body (POST) or query string (GET) with $to, $sender, $text,
                        $reference, $token placeholders; default a JSON object
- SMS_GATEWAY_CONTENT_TYPE  default application/json; values are JSON-escaped for JSON, URL-encoded
                        otherwise
- SMS_SENDER            the sender name or number the gateway shows

A 2xx answer is success; 408, 425, 429 and 5xx (and connection errors) are retried by the pipeline;
another 4xx is a permanent failure (the pipeline counts it towards disabling the endpoint).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Mapping
from dataclasses import dataclass
from string import Template
from typing import Any, Protocol
from urllib.parse import quote

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import safe_http
from notifications.channels.base import DeliveryFailed, OutgoingMessage

DEFAULT_TEMPLATE = '{"to": "$to", "from": "$sender", "text": "$text", "reference": "$reference"}'
DEFAULT_REGION = "RO"  # a number written without +40 is read as Romanian
SMS_MAX_CHARACTERS = 459  # three concatenated GSM-7 parts; longer texts end with the link only
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def normalise_phone(raw: str, *, field: str = "phone", region: str = DEFAULT_REGION) -> str:
    """The number in E.164 (+40722123456); ValidationError naming `field` when it is not a valid
    number that can receive SMS (fixed lines cannot)."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise ValidationError({field: _("Enter a mobile phone number, e.g. 0722 123 456 or +40 722 123 456.")})
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError({field: _("“%(value)s” is not a phone number.") % {"value": text[:32]}}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({field: _("“%(value)s” is not a valid phone number.") % {"value": text[:32]}})
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise ValidationError({field: _("This number cannot receive text messages; give a mobile number.")})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class SmsGateway(Protocol):
    """Sends one text; raises DeliveryFailed (retryable or not) when the gateway does not take it."""

    def send(self, to: str, text: str, *, reference: str) -> None: ...


@dataclass(frozen=True)
class HttpGatewayConfig:
    url: str
    token: str = ""
    method: str = "POST"
    template: str = DEFAULT_TEMPLATE
    content_type: str = "application/json"
    sender: str = ""
    timeout: float = 10.0

    @classmethod
    def from_settings(cls) -> HttpGatewayConfig | None:
        url = str(getattr(settings, "SMS_GATEWAY_URL", "") or "")
        if not url:
            return None
        return cls(url=url, token=str(getattr(settings, "SMS_GATEWAY_TOKEN", "") or ""),
                   method=str(getattr(settings, "SMS_GATEWAY_METHOD", "") or "POST").upper(),
                   template=str(getattr(settings, "SMS_GATEWAY_TEMPLATE", "") or DEFAULT_TEMPLATE),
                   content_type=str(getattr(settings, "SMS_GATEWAY_CONTENT_TYPE", "") or "application/json"),
                   sender=str(getattr(settings, "SMS_SENDER", "") or ""))


class HttpSmsGateway:
    """The generic adapter: fills the template, sends it, reads the status."""

    def __init__(self, config: HttpGatewayConfig) -> None:
        if config.method not in ("POST", "GET"):
            raise ValueError("SMS_GATEWAY_METHOD must be POST or GET")
        self.config = config

    def render(self, to: str, text: str, reference: str) -> str:
        values = {"to": to, "sender": self.config.sender, "text": text, "reference": reference,
                  "token": self.config.token}
        as_json = self.config.method == "POST" and "json" in self.config.content_type
        escaped: Mapping[str, str] = (
            {key: json.dumps(value, ensure_ascii=False)[1:-1] for key, value in values.items()} if as_json
            else {key: quote(value, safe="") for key, value in values.items()})
        return Template(self.config.template).safe_substitute(escaped)

    def send(self, to: str, text: str, *, reference: str) -> None:
        rendered = self.render(to, text, reference)
        headers = {"User-Agent": "timisoara-smartcity-notifications/1", "Accept": "application/json"}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token}"
        url, body = self.config.url, None
        if self.config.method == "GET":
            url += ("&" if "?" in url else "?") + rendered
        else:
            body = rendered.encode()
            headers["Content-Type"] = self.config.content_type
        try:
            answer = safe_http.request(self.config.method, url, body, headers, field="SMS_GATEWAY_URL",
                                       trusted=True, timeout=self.config.timeout, max_answer=1024)
        except ValidationError as refused:
            raise DeliveryFailed("SMS gateway: " + "; ".join(refused.messages), retryable=False) from None
        except (OSError, http.client.HTTPException) as failure:
            raise DeliveryFailed(f"SMS gateway unreachable: {type(failure).__name__}: {failure}") from None
        if 200 <= answer.status < 300:
            return
        excerpt = answer.body[:200].decode("utf-8", "replace")
        retryable = answer.status >= 500 or answer.status in RETRYABLE_STATUSES
        raise DeliveryFailed(f"SMS gateway answered HTTP {answer.status}: {excerpt}", retryable=retryable)


def configured_gateway() -> SmsGateway | None:
    config = HttpGatewayConfig.from_settings()
    return HttpSmsGateway(config) if config is not None else None


def sms_text(message: OutgoingMessage) -> str:
    """The event's title and body (as published, in the recipient's language) and its link, cut to
    three SMS parts; the link always survives. Not the e-mail text: no footer, no unsubscribe link
    (an SMS recipient manages their number on the preferences page the link leads to)."""
    link = message.url or ""
    room = SMS_MAX_CHARACTERS - len(link) - 1
    bodies = (message.payload or {}).get("body") or {}
    body = bodies.get(message.language, "") if isinstance(bodies, dict) else ""
    text = " ".join(" ".join(part for part in (message.subject, body) if part).split())
    if len(text) > room:
        text = text[: max(room - 1, 0)].rstrip() + "…"
    return f"{text}\n{link}".strip()


class SmsChannel:
    name = "sms"

    def __init__(self, gateway: SmsGateway | None = None) -> None:
        self._gateway = gateway

    def send(self, endpoint: Any, message: OutgoingMessage) -> None:
        gateway = self._gateway or configured_gateway()
        if gateway is None:
            raise DeliveryFailed("SMS is not configured (SMS_GATEWAY_URL is empty)", retryable=False)
        gateway.send(endpoint.address, sms_text(message), reference=str(message.delivery_id))
