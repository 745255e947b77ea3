"""The city's visual identity from settings: name, logo and a generated stylesheet of CSS custom
properties (served from a file-like URL so pages need no inline style and stay CSP-friendly)."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from core.branding import palette

# Characters that could end the declaration or the rule they are written into.
_UNSAFE_IN_CSS = re.compile(r"[;{}<>\\]")


def logo_url() -> str:
    """BRAND_LOGO as a URL: absolute URLs and root-relative paths as given, anything else is static."""
    logo = settings.BRAND_LOGO.strip()
    if not logo:
        return ""
    if logo.startswith(("https://", "http://", "/")):
        return logo
    return static(logo)


def _identity() -> tuple[str, str, str]:
    return settings.BRAND_PRIMARY_COLOR, settings.BRAND_ACCENT_COLOR, settings.BRAND_FONT_FAMILY


@lru_cache(maxsize=4)
def _stylesheet(primary: str, accent: str, font_family: str) -> str:
    colours = palette(primary, accent)
    font = _UNSAFE_IN_CSS.sub("", font_family).strip() or "sans-serif"
    return (
        "/* Generated from the platform's identity settings (docs/design.md). */\n"
        ":root {\n"
        f"  --brand-primary: {colours.primary};\n"
        f"  --brand-primary-dark: {colours.primary_dark};\n"
        f"  --brand-primary-tint: {colours.primary_tint};\n"
        f"  --brand-accent: {colours.accent};\n"
        f"  --brand-accent-tint: {colours.accent_tint};\n"
        f"  --brand-font: {font};\n"
        "}\n"
    )


def stylesheet() -> str:
    return _stylesheet(*_identity())


def stylesheet_version() -> str:
    """Changes whenever the identity changes, so browsers may keep the stylesheet for a year."""
    return hashlib.sha256(stylesheet().encode()).hexdigest()[:12]


@require_GET
def brand_css(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(stylesheet(), content_type="text/css; charset=utf-8")
    if request.GET.get("v") == stylesheet_version():
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=300"
    return response
