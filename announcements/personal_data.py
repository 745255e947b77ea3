"""Announcements' part of a person's data (accounts.personal_data; docs/identity.md, docs/announcements.md).

Only city-hall staff write announcements, and the room stores no other person. Exported: the announcements
the person wrote. On deletion the announcement stays public (it is the city's notice, never shown with its
author) without the author.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts import personal_data
from accounts.personal_data import Section, section
from announcements.models import Announcement


def export(user: Any) -> list[Section]:
    return [
        section("announcements", _("Announcements you wrote"),
                Announcement.objects.filter(author=user).order_by("published_at", "pk"),
                {"id": _("number"), "title": _("title"), "published_at": _("published")}),
    ]


def erase(user: Any) -> Mapping[str, int]:
    return {"announcements_anonymised": Announcement.objects.filter(author=user).update(author=None)}


def register() -> None:
    personal_data.register("announcements", _("City announcements"), export, erase, order=80)
