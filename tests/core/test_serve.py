"""`make serve` does the whole job: its worker delivers queued e-mails, links in e-mails carry the served
host and port, and it ends by printing where to go. Real components: SQLite Huey, the real server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from huey import SqliteHuey

import core.huey_app as huey_app
from core import embedded_worker, sites
from notifications.events import Event, publish
from notifications.subscriptions import subscribe_email

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sqlite_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqliteHuey]:
    """The queue `make serve` uses: Huey in an SQLite file, not the tests' immediate mode."""
    queue = SqliteHuey("serve-test", filename=str(tmp_path / "huey.sqlite3"))
    monkeypatch.setattr(huey_app, "get_huey", lambda: queue)
    monkeypatch.setattr(huey_app, "_registered", {})
    import core.tasks_backend as backend

    monkeypatch.setattr(backend, "get_huey", lambda: queue)
    yield queue


def _answered(subject: str) -> Event:
    return Event(kind="participation.proposal_answered", room="participation", subject=subject,
                 title={"ro": "O propunere pe care o urmăriți a primit răspuns",
                        "en": "A proposal you follow was answered"},
                 body={"ro": "Răspunsul primăriei este publicat.", "en": "The city hall's answer is published."},
                 url="/participation/proposals/1/")


def test_the_embedded_worker_delivers_a_queued_email_with_the_served_address(
        transactional_db: Any, sqlite_queue: SqliteHuey) -> None:
    sites.set_domain("127.0.0.1:8765")
    subscribe_email("follower@example.org", "participation.proposal:1", "ro", confirmed=True)
    delivered = threading.Event()
    sent: list[Any] = []

    from smartcity.test_mail import SMTPThenOutboxBackend as EmailBackend  # SMTP to the tests' aiosmtpd server

    original = EmailBackend.send_messages

    def record(self: Any, messages: Any) -> int:
        count = original(self, messages)
        sent.extend(messages)
        delivered.set()
        return count

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", record)
        publish(_answered("participation.proposal:1"))  # autocommit: the fan-out is queued at once
        assert sqlite_queue.pending_count() >= 1  # queued, not run at once
        assert not sent
        consumer = embedded_worker.start(sqlite_queue)
        try:
            assert delivered.wait(60), "the worker did not deliver the e-mail"
        finally:
            consumer.stop(graceful=True)
    # (The queue may hold recurring jobs the scheduler enqueued at start: it is not asserted empty.)
    sent = [m for m in sent if m.to == ["follower@example.org"]]
    assert len(sent) == 1
    assert "http://127.0.0.1:8765/ro/participare/propuneri/1/" in sent[0].body
    mail.outbox.clear()


def test_site_domain_from_the_environment_is_applied_by_migrate(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.sites.models import Site

    monkeypatch.setenv("SITE_DOMAIN", "decide.example.org")
    sites.apply_configured_domain(using="default")
    assert Site.objects.get_current().domain == "decide.example.org"
    monkeypatch.delenv("SITE_DOMAIN")
    sites.apply_configured_domain(using="default")  # unset: the back office's value is kept
    assert Site.objects.get_current().domain == "decide.example.org"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_manage_py_serve_runs_the_worker_and_prints_where_to_go(tmp_path: Path) -> None:
    """The command `make serve` runs, as a user runs it: a fresh SQLite database, the SQLite queue, a port
    other than 8000. A second process queues an e-mail; the server's own worker sends it."""
    port = _free_port()
    outbox = tmp_path / "mail"
    env = {**os.environ, "SMARTCITY_VAR_DIR": str(tmp_path / "var"), "EMAIL_URL": f"file://{outbox}",
           "DJANGO_SETTINGS_MODULE": "smartcity.settings", "DEBUG": "1", "PYTHONUNBUFFERED": "1"}
    for name in ("DATABASE_URL", "REDIS_URL", "SITE_DOMAIN", "HUEY_IMMEDIATE"):
        env.pop(name, None)
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, cwd=REPO, check=True, capture_output=True)
    server = subprocess.Popen([*manage, "serve", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        banner = []
        for line in server.stdout:
            banner.append(line)
            if line.startswith("Links in e-mails point to"):
                break
        text = "".join(banner)
        for path in ("/ro/", "/en/", "/api/docs", "/ro/admin/", "/ro/accounts/signup/"):
            assert f"http://127.0.0.1:{port}{path}" in text
        assert "createsuperuser" in text and "run here" in text
        enqueue = (
            "from notifications.events import Event, publish; "
            "from notifications.subscriptions import subscribe_email; "
            "subscribe_email('f@example.org', 'participation.proposal:1', 'ro', confirmed=True); "
            "publish(Event(kind='participation.proposal_answered', room='participation', "
            "subject='participation.proposal:1', title={'ro': 'Răspuns', 'en': 'Answered'}, "
            "body={'ro': 'Răspuns', 'en': 'Answered'}, url='/participation/'))")
        subprocess.run([*manage, "shell", "-c", enqueue], env=env, cwd=REPO, check=True, capture_output=True)
        # Polled until the worker has written the e-mail (a generous ceiling; nothing is asserted on time).
        give_up = time.monotonic() + 120
        while time.monotonic() < give_up and not (outbox.exists() and any(outbox.iterdir())):
            assert server.poll() is None, "the server stopped"
            time.sleep(0.2)
        written = "".join(p.read_text() for p in outbox.iterdir())
        assert "f@example.org" in written
        assert re.search(rf"http://127\.0\.0\.1:{port}/ro/participare/", written)
    finally:
        server.terminate()
        server.wait(30)


def test_the_worker_runs_the_rooms_recurring_jobs(transactional_db: Any, sqlite_queue: SqliteHuey,
                                                  make_user: Any) -> None:
    """Digests, reminders, vote closing and the KPI refresh need no cron entry: the worker's scheduler
    enqueues them (core.recurring) and a worker runs them."""
    import datetime as dt

    huey_app.huey_task()
    due_at_five = {task.name for task in sqlite_queue.read_periodic(dt.datetime(2026, 3, 2, 5, 0))}
    assert {"recurring:notifications.tasks.send_due_digests", "recurring:notifications.tasks.send_due_deliveries",
            "recurring:budgeting.tasks.close_due_editions",
            "recurring:participation.tasks.send_event_reminders"} <= due_at_five
    assert "recurring:strategy.tasks.refresh_kpi_providers" not in due_at_five
    assert "recurring:strategy.tasks.refresh_kpi_providers" in {
        task.name for task in sqlite_queue.read_periodic(dt.datetime(2026, 3, 2, 4, 30))}

    from notifications.models import Delivery, Digest, Preferences
    from notifications.subscriptions import follow

    sites.set_domain("127.0.0.1:8766")
    user = make_user(email="digest@example.org")
    Preferences.objects.create(user=user, digest=Digest.DAILY)
    follow(user, "participation.consultation:7")
    publish(Event(kind="participation.consultation_closed", room="participation",
                  subject="participation.consultation:7",
                  title={"ro": "O consultare pe care o urmăriți s-a închis", "en": "A consultation you follow closed"},
                  body={"ro": "Rezultatele urmează.", "en": "Results follow."}, url="/participation/consultations/x/"))
    while sqlite_queue.pending_count():  # the fan-out the publication queued
        sqlite_queue.execute(sqlite_queue.dequeue())
    assert not [m for m in mail.outbox if "digest@example.org" in m.to]  # waits for the digest
    Delivery.objects.filter(endpoint__address="digest@example.org").update(
        next_attempt_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # the digest's time has come
    digest = next(task for task in sqlite_queue.read_periodic(dt.datetime(2026, 3, 2, 5, 0))
                  if task.name == "recurring:notifications.tasks.send_due_digests")
    sqlite_queue.execute(digest)
    assert any("digest@example.org" in m.to and "http://127.0.0.1:8766/ro/participare/consultari/x/" in m.body
               for m in mail.outbox)
    mail.outbox.clear()
