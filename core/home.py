"""The home page's "what is happening now" panels, filled by the rooms.

The home page belongs to no room and imports none: each room registers its panels from its
AppConfig.ready() (usually by importing its `home.py`). A panel is a function of the request that
returns the template and context to render, or None when the room has nothing to show now (the
panel is then left out). Each panel must run a constant number of queries, whatever the data size;
tests/core/test_home.py checks the whole page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class PanelContent:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[HttpRequest], PanelContent | None]


@dataclass(frozen=True)
class HomePanel:
    key: str
    order: int
    provider: PanelProvider


_panels: dict[str, HomePanel] = {}


def register_home_panel(key: str, order: int, provider: PanelProvider) -> None:
    """Add (or replace, by key) a panel; lower `order` comes first on the page."""
    _panels[key] = HomePanel(key=key, order=order, provider=provider)


def unregister_home_panel(key: str) -> None:
    _panels.pop(key, None)


def registered_panels() -> list[HomePanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.key))


@dataclass(frozen=True)
class ActivePanel:
    key: str
    template: str
    context: dict[str, Any]


def active_panels(request: HttpRequest) -> list[ActivePanel]:
    """The panels that have something to show now, in page order (rendered by {% home_panel %})."""
    active = []
    for panel in registered_panels():
        content = panel.provider(request)
        if content is not None:
            active.append(ActivePanel(panel.key, content.template, content.context))
    return active
