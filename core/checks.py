"""System checks: a city's visual identity must be valid and readable before the site serves it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from core.branding import identity_problems, is_hex_colour


@checks.register()
def visual_identity(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    primary = settings.BRAND_PRIMARY_COLOR
    accent = settings.BRAND_ACCENT_COLOR
    messages: list[checks.CheckMessage] = []
    for problem in identity_problems(primary, accent):
        malformed = not (is_hex_colour(primary) and is_hex_colour(accent))
        if malformed:
            messages.append(checks.Error(problem, hint="Set it in the environment, e.g. #0b4f8a.",
                                         id="core.E001"))
        else:
            messages.append(checks.Warning(problem, id="core.W001"))
    return messages
