"""strategy/history.py: a project's state as of a moment, from its dated updates (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from strategy.history import Change, RecordedState, state_as_of, with_recorded_descendant

UTC = dt.UTC


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=UTC)


def test_state_as_of_takes_the_latest_change_before_the_moment_in_any_order() -> None:
    changes = [
        Change(project=1, at=at(2024, 3, 1), status="completed", progress=100),  # after the moment
        Change(project=1, at=at(2023, 2, 1), status="planned", progress=0),
        Change(project=1, at=at(2023, 6, 1), status="", progress=40),  # a progress-only update
        Change(project=2, at=at(2023, 12, 31), status="in_progress", progress=None),
    ]
    states = state_as_of(changes, dt.datetime(2024, 1, 1, tzinfo=UTC))
    assert states == {1: RecordedState(status="planned", progress=40),
                      2: RecordedState(status="in_progress", progress=None)}
    assert state_as_of(changes, dt.datetime(2023, 1, 1, tzinfo=UTC)) == {}  # nothing recorded yet


def test_a_change_exactly_at_the_moment_is_not_yet_part_of_it() -> None:
    moment = dt.datetime(2024, 1, 1, tzinfo=UTC)
    assert state_as_of([Change(project=1, at=moment, status="completed", progress=100)], moment) == {}


def test_parents_count_as_recorded_only_through_a_recorded_descendant() -> None:
    children = {1: [2, 3], 3: [4], 5: [6]}
    assert with_recorded_descendant(children, {4}) == {1, 3, 4}
    assert with_recorded_descendant(children, set()) == set()
    with pytest.raises(ValueError, match="cycle"):
        with_recorded_descendant({1: [2], 2: [1]}, {1})
