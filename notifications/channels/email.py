"""E-mail: plain text and HTML, with RFC 8058 one-click unsubscribe headers. The platform's one e-mail
transport: subscription notices (`send`) and transactional messages (`send_email`, used by
notifications/transactional.py) share the connection handling, the sender (DEFAULT_FROM_EMAIL) and the
`Auto-Submitted` header.

`List-Unsubscribe` carries the signed https link (a POST to it unsubscribes without login or CSRF) and,
when NOTIFICATIONS_UNSUBSCRIBE_MAILTO is set, a mailto: alternative; `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` tells mail clients the link may be POSTed to directly.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from notifications.channels.base import DeliveryFailed, OutgoingMessage

if TYPE_CHECKING:
    from notifications.models import Endpoint


def list_unsubscribe(message: OutgoingMessage) -> str:
    value = f"<{message.unsubscribe_url}>"
    mailto = getattr(settings, "NOTIFICATIONS_UNSUBSCRIBE_MAILTO", "")
    if mailto:
        token = message.unsubscribe_url.rstrip("/").rsplit("/", 1)[-1]
        value += f", <mailto:{mailto}?subject=unsubscribe%20{token}>"
    return value


class EmailChannel:
    """Sends over one SMTP connection per batch of deliveries (per thread): `send_deliveries` calls
    `close()` when its batch is done. A connection the server dropped is reopened once."""

    name = "email"

    def __init__(self) -> None:
        self._local = threading.local()

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = get_connection()
            connection.open()
            self._local.connection = connection
        return connection

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()

    def send(self, endpoint: Endpoint, message: OutgoingMessage) -> None:
        self.send_email(endpoint.address, message.subject, message.text, html=message.html,
                        headers={"List-Unsubscribe": list_unsubscribe(message),
                                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                                 "X-Smartcity-Event": message.event_id})

    def send_email(self, to: str, subject: str, text: str, *, html: str | None = None,
                   headers: dict[str, str] | None = None, reply_to: str = "") -> None:
        """Send one message over the batch's connection; DeliveryFailed (retryable unless the server refused
        the recipient) when it cannot."""
        email = EmailMultiAlternatives(
            subject=" ".join(subject.split())[:200], body=text, to=[to], reply_to=[reply_to] if reply_to else None,
            headers={**(headers or {}), "Auto-Submitted": "auto-generated"})
        if html:
            email.attach_alternative(html, "text/html")
        try:
            try:
                email.connection = self._connection()
                email.send()
            except smtplib.SMTPServerDisconnected:
                self.close()  # the server closed an idle connection: one new one
                email.connection = self._connection()
                email.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed(f"recipient refused: {error.recipients}"[:300], retryable=False) from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryFailed(f"SMTP: {error}"[:300]) from error
