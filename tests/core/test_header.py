"""The header's menu (core/context_processors.py, templates/base.html): a few groups of the rooms'
links; a signed-in person's own pages, "My notifications" among them, only for signed-in people."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def _header(client: Client, path: str = "/ro/") -> str:
    html = client.get(path).content.decode()
    return html[html.index("<header"):html.index("</header>")]


def test_anonymous_visitors_see_the_groups_and_no_notifications_link(client: Client) -> None:
    header = _header(client)
    for label in ("Strategie", "Participare", "Oraș", "Date deschise"):
        assert label in header
    with translation.override("ro"):
        preferences = reverse("notifications:preferences")
    assert preferences not in header and "Notificările mele" not in header
    assert "Contul meu" not in header and reverse("account_login") in header


def test_signed_in_people_find_their_notifications_under_my_account(client: Client, make_user: Any) -> None:
    client.force_login(make_user())
    header = _header(client)
    with translation.override("ro"):
        preferences = reverse("notifications:preferences")
    account = header[header.index("account-menu"):]
    assert "Contul meu" in account and f'href="{preferences}"' in account and "Notificările mele" in account


def test_the_current_page_marks_its_link_and_group(client: Client) -> None:
    header = _header(client, "/ro/proiecte/")
    assert 'class="nav-top is-current">Strategie' in header
    assert 'aria-current="page">Proiecte</a>' in header
