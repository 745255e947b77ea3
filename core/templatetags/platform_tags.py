"""Template helpers shared by the rooms."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def lang_of(instance: Any, field: str) -> SafeString | str:
    """` lang="en"` when a translated field shows its fallback (WCAG 3.1.2, language of parts).

    Content not yet translated into the page's language falls back to another language; screen
    readers must be told so they pronounce it correctly.
    """
    current = (get_language() or "ro").split("-")[0]
    if getattr(instance, f"{field}_{current}", None):
        return ""
    for language in ("en", "ro"):
        if language != current and getattr(instance, f"{field}_{language}", None):
            return format_html(' lang="{}"', language)
    return ""
