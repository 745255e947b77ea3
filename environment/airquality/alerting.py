"""Alert hysteresis: tell subscribers when a band or limit is crossed, without flooding.

A value hovering at a boundary would otherwise cross it on every reading. Two
independent brakes, both parameters of `AlertConfig`:

* ``margin`` — to come back *down* across a boundary the value must fall to
  ``boundary - margin`` or lower (a dead band). Going up needs only to
  exceed the boundary, as in the law: a limit is breached when exceeded.
* ``min_dwell`` — a change is only announced after every reading for at
  least this long agreed with it; a single spike or dip is swallowed.

The tracker is a pure state machine: ``step(state, time, value)`` returns the
next state and at most one event. `AlertState` round-trips through plain JSON
(`to_dict`/`from_dict`) so the app can persist it per subscriber and sensor.

Levels: with boundaries b1 < b2 < ... the level is the number of boundaries
the value exceeds (0 = below all). One boundary models a limit value; the
five upper bounds of an EAQI band table model the six index levels 1-6
(`config_for_bands` maps level 0..5 to `bands.Level` 1..6).

Readings older than the last one seen are ignored (they arrive late from
buffering devices and must not rewrite what subscribers were already told).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Final

from .bands import PollutantBands

STATE_VERSION: Final = 1


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """Boundaries (ascending) and the two anti-flood brakes.

    ``margin`` is in the value's unit; with ``relative_margin`` it is a
    fraction of each boundary instead (0.1 = fall 10 % below it), which suits
    band tables whose edges span two orders of magnitude.
    """

    boundaries: tuple[float, ...]
    margin: float = 0.0
    min_dwell: timedelta = timedelta(0)
    relative_margin: bool = False

    def __post_init__(self) -> None:
        if not self.boundaries:
            raise ValueError("need at least one boundary")
        if any(not math.isfinite(b) for b in self.boundaries):
            raise ValueError("boundaries must be finite")
        if any(b <= a for a, b in pairwise(self.boundaries)):
            raise ValueError("boundaries must be strictly increasing")
        if not math.isfinite(self.margin) or self.margin < 0:
            raise ValueError("margin must be a finite number >= 0")
        if self.min_dwell < timedelta(0):
            raise ValueError("min_dwell must not be negative")

    def release_point(self, boundary_index: int) -> float:
        """The value at or below which a level above this boundary is left."""
        boundary = self.boundaries[boundary_index]
        margin = abs(boundary) * self.margin if self.relative_margin else self.margin
        return boundary - margin

    def raw_level(self, value: float) -> int:
        """Level without hysteresis: how many boundaries the value exceeds."""
        return sum(1 for b in self.boundaries if value > b)

    def level_after(self, level: int, value: float) -> int:
        """Level with the dead band applied, starting from ``level``."""
        raw = self.raw_level(value)
        if raw >= level:
            return raw
        # Going down: drop only below the boundaries whose release point is passed.
        new_level = level
        while new_level > raw and value <= self.release_point(new_level - 1):
            new_level -= 1
        return new_level


def config_for_bands(
    bands: PollutantBands,
    *,
    margin_fraction: float = 0.1,
    min_dwell: timedelta = timedelta(hours=1),
) -> AlertConfig:
    """Hysteresis over an EAQI band table (levels 0..5 = `bands.Level` 1..6)."""
    return AlertConfig(
        boundaries=tuple(float(b) for b in bands.upper_bounds),
        margin=margin_fraction,
        min_dwell=min_dwell,
        relative_margin=True,
    )


@dataclass(frozen=True, slots=True)
class AlertEvent:
    direction: Direction
    from_level: int
    to_level: int
    time: datetime
    value: float


@dataclass(frozen=True, slots=True)
class AlertState:
    """What subscribers were last told, plus a change waiting out its dwell."""

    level: int = 0
    pending_level: int | None = None
    pending_since: datetime | None = None
    last_time: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "version": STATE_VERSION,
            "level": self.level,
            "pending_level": self.pending_level,
            "pending_since": self.pending_since.isoformat() if self.pending_since else None,
            "last_time": self.last_time.isoformat() if self.last_time else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> AlertState:
        """Rebuild a state saved with `to_dict`; ValueError on anything else."""
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported alert state version {data.get('version')!r}")
        level = data.get("level")
        pending_level = data.get("pending_level")
        if not _is_level(level):
            raise ValueError("alert state: level must be an integer >= 0")
        if pending_level is not None and not _is_level(pending_level):
            raise ValueError("alert state: pending_level must be an integer >= 0 or null")
        pending_since = _parse_moment(data.get("pending_since"), "pending_since")
        last_time = _parse_moment(data.get("last_time"), "last_time")
        if (pending_level is None) != (pending_since is None):
            raise ValueError("alert state: pending_level and pending_since go together")
        assert isinstance(level, int)
        assert pending_level is None or isinstance(pending_level, int)
        return cls(level, pending_level, pending_since, last_time)


def _is_level(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _parse_moment(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"alert state: {name} must be an ISO date-time string or null")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"alert state: {name} must carry a timezone")
    return moment


def step(config: AlertConfig, state: AlertState, time: datetime, value: float) -> tuple[AlertState, AlertEvent | None]:
    """Feed one reading; returns the new state and the event to send, if any."""
    if time.tzinfo is None:
        raise ValueError("time must be timezone-aware")
    if not math.isfinite(value):
        raise ValueError(f"value must be finite, got {value!r}")
    if state.level > len(config.boundaries):
        raise ValueError("state level does not fit this configuration")
    if state.last_time is not None and time < state.last_time:
        return state, None  # late reading: never rewrite what was announced
    target = config.level_after(state.level, value)
    if target == state.level:
        # Back inside the current level: any pending change is off.
        return AlertState(state.level, None, None, time), None
    direction_now = Direction.UP if target > state.level else Direction.DOWN
    pending_since = state.pending_since
    if (
        state.pending_level is None
        or pending_since is None
        or _direction(state.level, state.pending_level) is not direction_now
    ):
        pending_since = time  # a new candidate change starts its dwell now
    if time - pending_since >= config.min_dwell:
        event = AlertEvent(direction_now, state.level, target, time, value)
        return AlertState(target, None, None, time), event
    return AlertState(state.level, target, pending_since, time), None


def _direction(level: int, pending_level: int) -> Direction:
    return Direction.UP if pending_level > level else Direction.DOWN


def run(
    config: AlertConfig,
    readings: Iterable[tuple[datetime, float]],
    state: AlertState | None = None,
) -> tuple[AlertState, list[AlertEvent]]:
    """Feed many readings; convenience for batch processing and tests."""
    current = state or AlertState()
    events: list[AlertEvent] = []
    for time, value in readings:
        current, event = step(config, current, time, value)
        if event is not None:
            events.append(event)
    return current, events


def levels_config(levels: Sequence[int], min_dwell: timedelta = timedelta(0)) -> AlertConfig:
    """Hysteresis over an integer level stream (e.g. EAQI levels 1..6).

    Boundaries sit half-way between the given levels, so the tracked level
    equals the number of given levels below the input; margins make no sense
    for whole levels, only the dwell applies.
    """
    ordered = sorted(set(levels))
    if len(ordered) < 2:
        raise ValueError("need at least two distinct levels")
    return AlertConfig(boundaries=tuple((a + b) / 2 for a, b in pairwise(ordered)), min_dwell=min_dwell)


__all__ = [
    "AlertConfig",
    "AlertEvent",
    "AlertState",
    "Direction",
    "config_for_bands",
    "levels_config",
    "run",
    "step",
]
