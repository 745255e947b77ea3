"""The back office in Romanian names every model properly, singular and plural."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.contrib import admin
from django.utils import translation

pytestmark = pytest.mark.django_db

# Names that are the same in both languages (none today); listed here if one ever is, with the reason.
SAME_IN_BOTH_LANGUAGES: set[str] = set()


def _names(language: str) -> dict[str, tuple[str, str]]:
    with translation.override(language):
        return {model._meta.label: (str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
                for model in admin.site._registry}


def test_every_model_has_a_romanian_singular_and_plural() -> None:
    romanian, english = _names("ro"), _names("en")
    problems = []
    for label, (singular, plural) in romanian.items():
        if plural == singular + "s" or plural.endswith(("us", "es", "ts", "ăs", "ies")):
            problems.append(f"{label}: plural {plural!r} is the singular with an English 's'")
        if plural == english[label][1] and plural not in SAME_IN_BOTH_LANGUAGES:
            problems.append(f"{label}: plural {plural!r} is not translated")
        if singular == english[label][0] and singular not in SAME_IN_BOTH_LANGUAGES:
            problems.append(f"{label}: singular {singular!r} is not translated")
    assert not problems, "\n".join(problems)


def test_admin_index_reads_in_romanian(client: Any, make_user: Any) -> None:
    from accounts.models import User

    user = User.objects.create_superuser(email="root@example.org", password="correct horse battery")
    client.force_login(user)
    body = unescape(client.get("/ro/admin/").content.decode())
    shown = [name.strip() for name in re.findall(r'<th scope="row"[^>]*>\s*<a href="[^"]*"[^>]*>([^<]+)</a>', body)]
    assert len(shown) >= len(admin.site._registry) - 2, shown
    for name in ("Proiecte", "Propuneri", "Comentarii", "Ambiții", "Consultări", "Abonamente"):
        assert name in shown, (name, shown)
    for wrong in ("Proiects", "Propuneres", "Comentarius", "Ambițies", "Notifications"):
        assert wrong not in body
