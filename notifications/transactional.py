"""Transactional e-mail: messages a person gets because of something that happened to them or that they did
(confirm your report, confirm your subscription, an invitation, a department's notice of a new report, the
outcome of a project's review). They are not subscription notices: no subscription, no digest, no quiet
hours, no rate limit and no unsubscribe link (they are mandatory); but they go out through the same e-mail
transport as the notices (notifications/channels/email.py: connection, sender, headers), as a background
task retried with the pipeline's backoff, and are listed in the staff delivery log with masked addresses.

Interface for rooms (stable: arguments may be added, never renamed or removed):

    send_transactional(to, subject, body, *, language, kind, reply_to="", context=None) -> TransactionalMessage
        # subject / body: a str, a lazy translation (gettext_lazy), a {language: str} mapping, or
        # Template("room/emails/x.txt") rendered with `context` (plus site_name), all in `language`.
        # Rendered NOW, in the caller's transaction: the message carries the state at the moment of the
        # call; it is sent after commit (nothing if rolled back).
    recipient_language(user=None) -> str
        # the account's language, else the language of the current request, else the site's default
    absolute_url(path) -> str   # links in messages (NOTIFICATIONS_BASE_URL or the site's domain)

No module outside notifications/ sends e-mail itself (tests/notifications/test_transactional.py checks it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from notifications import schedule
from notifications.channels.base import DeliveryFailed, get_channel
from notifications.channels.email import EmailChannel
from notifications.models import TransactionalMessage, mask_email
from notifications.pipeline import CLAIM, absolute_url

__all__ = ["Template", "absolute_url", "recipient_language", "send_due", "send_message", "send_transactional"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Template:
    """A template name, rendered with the message's context in the recipient's language."""

    name: str


Text = str | Promise | Mapping[str, str] | Template  # a lazy translation is rendered in the recipient's language

_fallback_channel = EmailChannel()


def _language(code: str | None) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


def recipient_language(user: Any = None) -> str:
    """The account's language; for a person without one, the language of the request that is running
    (the page they used); else the site's default (Romanian)."""
    preferred = getattr(user, "preferred_language", "") if user is not None else ""
    return _language(preferred or translation.get_language())


def _render(text: Text, language: str, context: Mapping[str, Any]) -> str:
    if isinstance(text, Template):
        return render_to_string(text.name, dict(context))
    if isinstance(text, Mapping):
        return str(text.get(language) or text.get(settings.LANGUAGE_CODE) or next(iter(text.values()), ""))
    return str(text)  # a Promise (gettext_lazy) is translated here, inside the recipient's language


def send_transactional(to: str, subject: Text, body: Text, *, language: str, kind: str, reply_to: str = "",
                       context: Mapping[str, Any] | None = None) -> TransactionalMessage:
    """Render the message now in `language`, record it, and send it after the caller's transaction commits."""
    if "." not in kind:
        raise ValueError("kind must be '<room>.<what>'")
    address = (to or "").strip()
    if "@" not in address:
        raise ValueError("to must be an e-mail address")
    language = _language(language)
    with translation.override(language):
        full_context = {"site_name": settings.SITE_NAME, **(context or {})}
        rendered_subject = " ".join(_render(subject, language, full_context).split())[:200]
        text = render_to_string("notifications/transactional.txt", {
            "body": _render(body, language, full_context).strip(), "site_name": settings.SITE_NAME,
            "site_url": absolute_url(f"/{language}/")})
    message = TransactionalMessage.objects.create(
        kind=kind[:80], to=address, to_masked=mask_email(address), reply_to=reply_to, language=language,
        subject=rendered_subject, body=text)
    message_id = message.pk

    def enqueue() -> None:
        from notifications.tasks import send_transactional as send_task

        send_task.enqueue(message_id)

    transaction.on_commit(enqueue)
    return message


def _email_channel() -> EmailChannel:
    channel = get_channel("email")
    return channel if isinstance(channel, EmailChannel) else _fallback_channel


def _send_one(message_id: int, channel: EmailChannel, now: dt.datetime) -> bool:
    claimed = TransactionalMessage.objects.filter(
        pk=message_id, status=TransactionalMessage.Status.QUEUED, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM)  # as deliveries are claimed: never sent twice by two workers
    if not claimed:
        return False
    message = TransactionalMessage.objects.get(pk=message_id)
    attempts = message.attempts + 1
    try:
        channel.send_email(message.to, message.subject, message.body, reply_to=message.reply_to,
                           headers={"X-Smartcity-Message": f"{message.kind} {message.pk}"})
    except DeliveryFailed as error:
        logger.info("transactional message %s failed: %s", message_id, error.reason)
        final = not error.retryable or attempts >= int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 6))
        updates: dict[str, Any] = {"attempts": attempts, "last_error": error.reason[:500]}
        if final:
            updates.update(status=TransactionalMessage.Status.FAILED, to="", body="")
        else:
            updates["next_attempt_at"] = now + dt.timedelta(seconds=schedule.backoff_seconds(
                attempts, base=int(getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 60))))
        TransactionalMessage.objects.filter(pk=message_id).update(**updates)
        return False
    # Sent: the address and the text (which may carry a one-time link) are not kept.
    TransactionalMessage.objects.filter(pk=message_id).update(
        status=TransactionalMessage.Status.SENT, sent_at=now, attempts=attempts, last_error="", to="", body="")
    return True


def send_message(message_id: int) -> bool:
    """Send one queued message (the task enqueued on commit). False when it was not due or failed."""
    channel = _email_channel()
    try:
        return _send_one(message_id, channel, timezone.now())
    finally:
        channel.close()


def send_due() -> int:
    """Retries whose time has come, over one connection (run by the recurring job with the deliveries')."""
    now = timezone.now()
    due = list(TransactionalMessage.objects.filter(status=TransactionalMessage.Status.QUEUED,
                                                   next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:1000])
    if not due:
        return 0
    channel = _email_channel()
    try:
        return sum(1 for pk in due if _send_one(pk, channel, now))
    finally:
        channel.close()
