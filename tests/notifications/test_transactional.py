"""Transactional e-mail (notifications/transactional.py), over real SMTP to the tests' aiosmtpd server: rendered
in the recipient's language at the moment of the call, sent after commit through the e-mail channel's
transport, without an unsubscribe header but with a footer naming the site, retried with backoff, logged
with masked addresses. And the guard: no module outside notifications/ sends e-mail itself."""

from __future__ import annotations

import ast
import datetime as dt
import email
import email.policy
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from notifications import transactional
from notifications.models import TransactionalMessage
from notifications.transactional import Template, send_transactional

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _received(smtp: Any, since: int) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(envelope.original_content, policy=email.policy.default)  # type: ignore[misc]
            for envelope in smtp.envelopes[since:]]


def test_rendered_at_the_moment_in_the_recipients_language_and_sent_after_commit(
        smtp_server: Any, make_user: Any, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    from accounts.roles import Role

    state = {"status": "în lucru"}
    before = len(smtp_server.envelopes)
    with django_capture_on_commit_callbacks(execute=False) as delayed:
        message = send_transactional(
            "Ana.Pop@Example.org", gettext_lazy("Confirm your subscription"),
            {"ro": f"Starea: {state['status']}", "en": f"Status: {state['status']}"},
            language="en", kind="tests.confirmation", reply_to="office@primariatm.example")
        confirm = send_transactional("ion@example.org", "Subiect", Template("notifications/confirm_email.txt"),
                                     language="ro", kind="tests.template", context={"url": "https://x.example/c/"})
    state["status"] = "rezolvat"  # the workers run only now: the messages still say what was true then
    assert len(smtp_server.envelopes) == before and message.status == "queued"
    for callback in delayed:
        callback()
    english, romanian = _received(smtp_server, before)
    assert english["Subject"] == "Confirm your subscription" and english["To"] == "Ana.Pop@Example.org"
    assert english["From"] == settings.DEFAULT_FROM_EMAIL and english["Reply-To"] == "office@primariatm.example"
    assert english["List-Unsubscribe"] is None and english["Auto-Submitted"] == "auto-generated"
    text = english.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.startswith("Status: în lucru") and "rezolvat" not in text
    assert settings.SITE_NAME in text and "It is not a subscription" in text  # the footer, in English
    body = romanian.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://x.example/c/" in body and "Nu este un abonament" in body and settings.SITE_NAME in body
    message.refresh_from_db()
    # Sent: only the masked address is kept, and not the text (it may carry a one-time link).
    assert (message.status, message.attempts, message.to, message.body) == ("sent", 1, "", "")
    assert message.to_masked == "An…@Example.org" and message.sent_at is not None
    client.force_login(make_user(Role.MODERATOR))
    with translation.override("en"):
        page = client.get(reverse("notifications:delivery_log")).content.decode()
    assert "An…@Example.org" in page and "tests.confirmation" in page and "Ana.Pop" not in page
    assert confirm.pk != message.pk


def test_a_rolled_back_transaction_sends_nothing(smtp_server: Any) -> None:
    before = len(smtp_server.envelopes)
    with pytest.raises(RuntimeError), transaction.atomic():
        send_transactional("ana@example.org", "S", "B", language="ro", kind="tests.rolled_back")
        raise RuntimeError
    assert not TransactionalMessage.objects.exists() and len(smtp_server.envelopes) == before
    with pytest.raises(ValueError, match="to"):
        send_transactional("not an address", "S", "B", language="ro", kind="tests.bad")
    with pytest.raises(ValueError, match="kind"):
        send_transactional("ana@example.org", "S", "B", language="ro", kind="nokind")


def test_a_refused_connection_is_retried_with_the_pipelines_backoff(
        smtp_server: Any, django_capture_on_commit_callbacks: Any) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with override_settings(EMAIL_PORT=closed_port), django_capture_on_commit_callbacks(execute=True):
        message = send_transactional("ana@example.org", "S", "B", language="xx", kind="tests.retry")
    message.refresh_from_db()
    assert message.language == settings.LANGUAGE_CODE  # an unknown language falls back to the site's
    assert message.status == "queued" and message.attempts == 1 and "SMTP" in message.last_error
    assert dt.timedelta(seconds=50) < message.next_attempt_at - timezone.now() <= dt.timedelta(seconds=60)
    assert transactional.send_due() == 0  # not due yet
    TransactionalMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    before = len(smtp_server.envelopes)
    assert transactional.send_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, len(smtp_server.envelopes) - before) == ("sent", 2, 1)
    assert transactional.send_message(message.pk) is False  # never twice


def test_the_recipients_language_is_the_accounts_else_the_requests(make_user: Any) -> None:
    user = make_user()
    user.preferred_language = "en"
    with translation.override("ro"):
        assert transactional.recipient_language(user) == "en"
        assert transactional.recipient_language() == "ro"
    with translation.override("en"):
        assert transactional.recipient_language(None) == "en"


MAIL_NAMES = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "EmailMessage",
              "EmailMultiAlternatives", "get_connection"}
ALLOWED_FILES = {"smartcity/test_mail.py"}  # the tests' SMTP backend
SKIPPED_DIRECTORIES = {"notifications", "bench", "tests", "migrations", "node_modules", "static", "media", "var"}


def _python_files() -> list[Path]:
    files: list[Path] = []
    for directory, subdirectories, names in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories
                             if name not in SKIPPED_DIRECTORIES and not name.startswith(".")]
        files.extend(Path(directory) / name for name in names if name.endswith(".py"))
    return sorted(files)


def test_no_module_outside_notifications_sends_email_itself() -> None:
    """Every e-mail goes through notifications (channels/email.py): the guard of issue 15's "no room keeps
    delivery code of its own"."""
    offenders = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
                names = {alias.name for alias in node.names}
                if names & MAIL_NAMES or node.module != "django.core.mail" or "*" in names:
                    offenders.append(f"{relative}:{node.lineno} from {node.module} import {', '.join(sorted(names))}")
            elif isinstance(node, ast.ImportFrom) and node.module == "django.core" and any(
                    alias.name == "mail" for alias in node.names):
                offenders.append(f"{relative}:{node.lineno} from django.core import mail")
            elif isinstance(node, ast.Import) and any(alias.name.startswith("django.core.mail")
                                                      for alias in node.names):
                offenders.append(f"{relative}:{node.lineno} import django.core.mail")
    assert offenders == [], "send e-mail through notifications.transactional instead:\n" + "\n".join(offenders)


def test_erasing_an_account_erases_its_unsent_transactional_emails(make_user: Any) -> None:
    from notifications import personal_data

    user = make_user(email="sters@example.org")
    with transaction.atomic():  # not committed in this test: the messages stay queued
        send_transactional("Sters@Example.org", "S", "B", language="ro", kind="tests.erased")
        send_transactional("other@example.org", "S", "B", language="ro", kind="tests.kept")
    assert personal_data.erase(user)["transactional_emails_erased"] == 1
    assert list(TransactionalMessage.objects.values_list("kind", flat=True)) == ["tests.kept"]
