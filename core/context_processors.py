from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from core import identity


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: str  # "page" on the item's own page, "true" inside its section, "" elsewhere


def _nav(path: str) -> list[NavItem]:
    """Header links: every room (strategy included) sets `nav_items = [(label, url_name), ...]` on its
    AppConfig. The item whose URL is the longest prefix of the current path is marked current."""
    links = []
    for config in apps.get_app_configs():
        for label, url_name in getattr(config, "nav_items", ()):
            try:
                links.append((str(label), reverse(url_name)))
            except NoReverseMatch:
                continue
    matching = [url for _label, url in links if path.startswith(url)]
    section = max(matching, key=len, default=None)
    return [NavItem(label, url, ("page" if path == url else "true") if url == section else "")
            for label, url in links]


def platform(request: HttpRequest) -> dict[str, Any]:
    nav = _nav(request.path)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "BRAND_LOGO_URL": identity.logo_url(),
        "BRAND_CSS_URL": f"{reverse('brand_css')}?v={identity.stylesheet_version()}",
        "LANGUAGES": settings.LANGUAGES,
        "NAV": nav,
    }
