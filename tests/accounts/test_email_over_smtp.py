"""Sign-up's confirmation e-mail really goes over SMTP: the aiosmtpd server tests/conftest.py starts receives it."""

from __future__ import annotations

import email
import email.policy
import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_signup_confirmation_reaches_the_smtp_server(client: Client, smtp_server: Any) -> None:
    assert settings.EMAIL_BACKEND == "smartcity.test_mail.SMTPThenOutboxBackend"
    already = len(smtp_server.envelopes)
    response = client.post("/ro/accounts/signup/", {"email": "ioana@example.org", "password1": "o frază lungă 42",
                                                    "password2": "o frază lungă 42", "accept_terms": "on"})
    assert response.status_code == 302
    received = smtp_server.envelopes[already:]
    assert len(received) == 1
    envelope = received[0]
    assert envelope.rcpt_tos == ["ioana@example.org"]
    assert envelope.mail_from == "noreply@localhost"
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["To"] == "ioana@example.org"
    assert message["From"] == "Timișoara Smart City <noreply@localhost>"  # non-ASCII headers survive encoding
    # (Django folds the encoded subject onto a continuation line; decoding keeps the fold's space.)
    assert message["Subject"].strip() == "[Timișoara Smart City] Te rugăm să confirmi adresa de e-mail"
    assert message["Message-ID"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
    assert link is not None
    # The outbox the other tests read holds the same message, added only after the server accepted it.
    assert mail.outbox[-1].to == ["ioana@example.org"] and link.group(0) in mail.outbox[-1].body
    # No message of ours sets List-Unsubscribe yet; if one is added, it must survive the trip.
    if "List-Unsubscribe" in mail.outbox[-1].extra_headers:
        assert message["List-Unsubscribe"] == mail.outbox[-1].extra_headers["List-Unsubscribe"]


def test_a_message_the_server_refuses_is_not_in_the_outbox(smtp_server: Any) -> None:
    from smartcity.test_mail import SMTPThenOutboxBackend

    before = len(mail.outbox)
    backend = SMTPThenOutboxBackend(port=1, fail_silently=True)  # nothing listens on port 1
    assert backend.send_messages([mail.EmailMessage("s", "b", to=["x@example.org"])]) == 0
    assert len(mail.outbox) == before
