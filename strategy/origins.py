"""Where a strategic project comes from — an accepted proposal, a consultation's outcome, a
participatory-budgeting project selected for funding — and what else the rooms show on its page,
without the strategy importing a room (as Decidim's accountability traces proposals to results).

Rooms register in their AppConfig.ready():

* an *origin provider*: given project ids, it returns `Origin` links in a constant number of queries,
  so a page listing any number of projects stays constant too;
* a *project section*: a template and a function giving its context for one project (e.g.
  participation's "participation behind this project").

The strategy reads the registry; nothing here knows which rooms exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Origin:
    """One link from a strategic project back to what it carries out."""

    project_id: int
    kind: str | Promise  # e.g. "Accepted proposal", translated by the room
    title: str
    url: str
    detail: str = ""  # e.g. "142 supports", "selected with 1,203 votes"


OriginProvider = Callable[[Sequence[int]], Iterable[Origin]]


@dataclass(frozen=True)
class ProjectSection:
    key: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]  # None: nothing to show for this project


_providers: dict[str, OriginProvider] = {}
_sections: dict[str, ProjectSection] = {}


def register(key: str, provider: OriginProvider) -> OriginProvider:
    """Register (or replace, on a code reload) the origin provider `key`."""
    _providers[key] = provider
    return provider


def register_section(key: str, template: str, context: Callable[[Any], dict[str, Any] | None]) -> None:
    _sections[key] = ProjectSection(key=key, template=template, context=context)


def providers() -> list[str]:
    return sorted(_providers)


def for_projects(project_ids: Iterable[int]) -> dict[int, list[Origin]]:
    """The origins of each project, grouped by project id (each provider called once)."""
    ids = sorted(set(project_ids))
    found: dict[int, list[Origin]] = defaultdict(list)
    if not ids:
        return found
    for key in sorted(_providers):
        for origin in _providers[key](ids):
            found[origin.project_id].append(origin)
    return found


def sections() -> list[ProjectSection]:
    return [_sections[key] for key in sorted(_sections)]
