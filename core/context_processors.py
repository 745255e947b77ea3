from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy

from core import identity

# The header's top-level groups, in order (the platform's "rooms" as a visitor thinks of them). A room
# puts its links in one with `nav_group` on its AppConfig; "city" when it says nothing. "account" links
# are a signed-in person's own pages: shown beside "Sign out", never to anonymous visitors.
NAV_GROUPS = (("strategy", pgettext_lazy("header menu", "Strategy")),
              ("participation", pgettext_lazy("header menu", "Participation")),
              ("city", pgettext_lazy("header menu", "City")),
              ("data", pgettext_lazy("header menu", "Open data")))
ACCOUNT_GROUP = "account"


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: str  # "page" on the item's own page, "true" inside its section, "" elsewhere


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    items: list[NavItem]

    @property
    def current(self) -> bool:
        return any(item.current for item in self.items)


def _links() -> list[tuple[str, str, str]]:
    """(group, label, url) of every room's `nav_items = [(label, url_name), ...]`, in app order."""
    links = []
    for config in apps.get_app_configs():
        group = getattr(config, "nav_group", "city")
        for label, url_name in getattr(config, "nav_items", ()):
            try:
                links.append((group, str(label), reverse(url_name)))
            except NoReverseMatch:
                continue
    return links


def _nav(path: str, *, signed_in: bool) -> tuple[list[NavGroup], list[NavItem]]:
    """The header's groups and the signed-in person's own links. The item whose URL is the longest
    prefix of the current path is marked current (and so is its group)."""
    links = [link for link in _links() if signed_in or link[0] != ACCOUNT_GROUP]
    matching = [url for _group, _label, url in links if path.startswith(url)]
    section = max(matching, key=len, default=None)
    items = [(group, NavItem(label, url, ("page" if path == url else "true") if url == section else ""))
             for group, label, url in links]
    known = [key for key, _label in NAV_GROUPS]
    groups = [NavGroup(key, str(label), [item for group, item in items if group == key]) for key, label in NAV_GROUPS]
    # A room naming a group the header does not know still gets its links shown, in "City".
    groups[known.index("city")].items.extend(
        item for group, item in items if group not in known and group != ACCOUNT_GROUP)
    return [group for group in groups if group.items], [item for group, item in items if group == ACCOUNT_GROUP]


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    groups, account = _nav(request.path, signed_in=bool(user and user.is_authenticated))
    return {
        "SITE_NAME": settings.SITE_NAME,
        "BRAND_LOGO_URL": identity.logo_url(),
        "BRAND_CSS_URL": f"{reverse('brand_css')}?v={identity.stylesheet_version()}",
        "LANGUAGES": settings.LANGUAGES,
        "NAV": groups,
        "ACCOUNT_NAV": account,
    }
