"""A project's status and progress as of a moment, from its dated updates (pure; no Django).

The annual report for a past year shows what was true at its end, not today's values: every status or
progress change publishes a dated ProjectUpdate (strategy.services.update_project), so folding the
updates made before the moment gives the state then. A project with no update by then is "not recorded".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    project: int
    at: dt.datetime
    status: str  # "" when the update did not record a status
    progress: int | None  # None when it did not record a progress


@dataclass(frozen=True)
class RecordedState:
    status: str | None  # None: no status recorded by then
    progress: int | None  # None: no progress recorded by then


def state_as_of(changes: Iterable[Change], moment: dt.datetime) -> dict[int, RecordedState]:
    """The latest status and progress each project had recorded strictly before `moment`.

    `changes` may come in any order; changes at the same instant keep their given order (pass them
    ordered by id as a tie-breaker)."""
    status: dict[int, str] = {}
    progress: dict[int, int] = {}
    for change in sorted((c for c in changes if c.at < moment), key=lambda c: c.at):
        if change.status:
            status[change.project] = change.status
        if change.progress is not None:
            progress[change.project] = change.progress
    return {project: RecordedState(status=status.get(project), progress=progress.get(project))
            for project in status.keys() | progress.keys()}


def with_recorded_descendant(children: Mapping[int, Sequence[int]], recorded: set[int]) -> set[int]:
    """Projects that recorded something themselves or through any sub-project (a parent whose sub-projects
    recorded nothing has no progress to show either)."""
    memo: dict[int, bool] = {}

    def visit(project: int, path: frozenset[int]) -> bool:
        if project in memo:
            return memo[project]
        if project in path:
            raise ValueError(f"project hierarchy has a cycle at {project}")
        found = project in recorded
        for child in children.get(project, ()):
            found = visit(child, path | {project}) or found
        memo[project] = found
        return found

    for project in set(children) | recorded:
        visit(project, frozenset())
    return {project for project, found in memo.items() if found}
