"""Translated page paths (core/legacy_urls.py): the old English addresses under /ro/ answer 301, and a
language-free path stored in a notification becomes the page's address in the recipient's language."""

from __future__ import annotations

import pytest
from django.test import Client

from core.legacy_urls import address_in_language


@pytest.mark.parametrize(("path", "language", "expected"), [
    ("/resurse/finantare/apel/", "en", "/en/resources/funding/apel/"),  # stored from a Romanian address
    ("/resurse/finantare/apel/", "ro", "/ro/resurse/finantare/apel/"),
    ("/announcements/5/", "ro", "/ro/anunturi/5/"),  # stored from an English address
    ("/air/sensors/s-1/?day=2", "ro", "/ro/aer/senzori/s-1/?day=2"),
    ("/reports/42/", "ro", "/ro/sesizari/42/"),  # stored from an old English address
    ("/nowhere/", "en", "/en/nowhere/"),
])
def test_a_language_free_path_becomes_the_page_address_in_a_language(path: str, language: str,
                                                                      expected: str) -> None:
    assert address_in_language(path, language) == expected


@pytest.mark.django_db
def test_old_english_addresses_redirect_permanently_in_romanian_only(client: Client) -> None:
    response = client.get("/ro/resources/funding/?who=ngo")
    assert response.status_code == 301 and response["Location"] == "/ro/resurse/finantare/?who=ngo"
    assert client.get("/ro/budgeting/").status_code == 301
    assert client.get("/en/resources/nowhere/").status_code == 404  # English keeps its paths, no loop
