"""Tests only: e-mail goes over SMTP to the aiosmtpd server the tests start (tests/conftest.py), as in production.

After the SMTP server has accepted the messages they are also appended to ``django.core.mail.outbox``, so tests
keep reading what was sent there; a message the server refused is not in the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend


class SMTPThenOutboxBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        if sent:
            if not hasattr(mail, "outbox"):
                mail.outbox = []  # type: ignore[attr-defined]
            mail.outbox.extend(list(email_messages)[:sent])  # type: ignore[attr-defined]
        return sent
