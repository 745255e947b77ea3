"""Shared fixtures: users per role, the real Timișoara dataset, API tokens, Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from accounts.roles import Role

REPO = Path(__file__).resolve().parent.parent
DATASET = REPO / "data" / "timisoara" / "strategy.yaml"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config: Any) -> None:
    # With CI=true a database that cannot be reached is a failure, never a silent fall-back.
    if IN_CI and os.environ.get("DATABASE_URL"):
        import psycopg

        try:
            psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=5).close()
        except psycopg.OperationalError as error:
            raise pytest.UsageError(f"CI=true and PostgreSQL at DATABASE_URL is unreachable: {error}") from error


def load_real_dataset() -> None:
    from strategy.dataset import read
    from strategy.loading import load_dataset
    from strategy.models import Strategy

    if not Strategy.objects.exists():
        load_dataset(read(DATASET), actor="tests")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the real strategy once; each test rolls back its own changes."""
    with django_db_blocker.unblock():
        load_real_dataset()


@pytest.fixture
def strategy_data(db: Any) -> None:
    """The real dataset (reloaded if a transactional test flushed it)."""
    load_real_dataset()


@pytest.fixture
def make_user(db: Any) -> Any:
    from accounts.models import User
    from accounts.services import assign_role

    counter = {"n": 0}

    def make(*roles: Role, email: str | None = None, password: str = "correct horse battery") -> User:
        counter["n"] += 1
        user = User.objects.create_user(email=email or f"user{counter['n']}@example.org", password=password)
        for role in roles:
            assign_role("tests", user, role)
        user.refresh_from_db()
        return user

    return make


@pytest.fixture
def editor(make_user: Any) -> Any:
    return make_user(Role.STRATEGY_EDITOR)


@pytest.fixture
def citizen(make_user: Any) -> Any:
    return make_user(Role.CITIZEN)


@pytest.fixture
def api_token(editor: Any) -> str:
    from core.models import ApiToken

    key = ApiToken.new_key()
    ApiToken.objects.create(name="feed", owner=editor, prefix=key[3:11], key_hash=ApiToken.hash_key(key),
                            scopes=["kpi:write"])
    return key


def chromium_path() -> str | None:
    for candidate in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("CI=true but Chromium is not installed (.ci/run installs it)")
        pytest.skip("Chromium not installed: apt-get install chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ro-RO")
    page = context.new_page()
    yield page
    context.close()


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # Every test that drives Chromium carries the `browser` mark, whether or not its module says so, so
    # that `-m "not browser"` (CI's PostgreSQL pass, .ci/run) leaves out exactly the browser tests.
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


class RecordingSMTPHandler:
    """Keeps every envelope the test SMTP server accepted (aiosmtpd's handler protocol)."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session", autouse=True)
def smtp_server(django_test_environment: None) -> Iterator[RecordingSMTPHandler]:
    """A real SMTP server on 127.0.0.1 for the whole run: every e-mail the tests send goes to it over SMTP.

    Depends on django_test_environment because Django's setup_test_environment() swaps in the locmem backend.
    """
    import logging
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port; aiosmtpd's Controller cannot report the port 0 gave it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    previous = settings.EMAIL_BACKEND, getattr(settings, "EMAIL_PORT", 25)
    settings.EMAIL_BACKEND = "smartcity.test_mail.SMTPThenOutboxBackend"
    settings.EMAIL_PORT = port
    try:
        yield handler
    finally:
        settings.EMAIL_BACKEND, settings.EMAIL_PORT = previous
        controller.stop()


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Uploads go to a real FileSystemStorage (as in production) in this run's temporary directory."""
    from django.test import override_settings

    root = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=str(root)):  # sends setting_changed: the storage forgets its old root
        yield root


@pytest.fixture(autouse=True)
def fresh_open_data_snapshot() -> None:
    """A test's database is rolled back without a signal: the open-data catalogue's snapshot
    (opendata/registry.py) is dropped, so that no test reads one built from another test's rows."""
    from opendata import registry

    registry.forget_snapshot()
