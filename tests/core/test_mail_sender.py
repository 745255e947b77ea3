"""The e-mail sender's name follows the platform's name (SITE_NAME) unless DEFAULT_FROM_EMAIL is set: another
city's messages must not arrive signed 'Timișoara Smart City'."""

from __future__ import annotations

from pathlib import Path

from tests.accounts.test_pepper_setting import _django

SHOW = "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL); print(settings.SERVER_EMAIL)"


def test_the_sender_is_named_after_the_site(tmp_path: Path) -> None:
    result = _django(SHOW, tmp_path, DEBUG="1", SITE_NAME="Cluj Oraș Deschis")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["Cluj Oraș Deschis <noreply@localhost>"] * 2


def test_an_explicit_sender_wins(tmp_path: Path) -> None:
    result = _django(SHOW, tmp_path, DEBUG="1", SITE_NAME="Cluj", DEFAULT_FROM_EMAIL="Primăria <date@example.ro>")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "Primăria <date@example.ro>"
