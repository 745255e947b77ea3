"""Alert hysteresis: dead band, dwell time, late readings, persistence."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from environment.airquality.alerting import (
    AlertConfig,
    AlertState,
    Direction,
    config_for_bands,
    levels_config,
    run,
    step,
)
from environment.airquality.bands import EAQI_2024
from environment.airquality.quantities import Quantity

T0 = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def series(values: Sequence[float], every: timedelta = MINUTE) -> list[tuple[datetime, float]]:
    return [(T0 + i * every, v) for i, v in enumerate(values)]


def test_crossing_up_and_back_down():
    config = AlertConfig(boundaries=(50.0,), margin=5.0)
    state, events = run(config, series([10, 49, 51, 48, 44, 30]))
    assert [(e.direction, e.from_level, e.to_level, e.value) for e in events] == [
        (Direction.UP, 0, 1, 51),
        (Direction.DOWN, 1, 0, 44),
    ]
    assert state.level == 0


def test_exactly_at_the_limit_is_not_above_it():
    config = AlertConfig(boundaries=(50.0,))
    assert run(config, series([50.0, 50.0]))[1] == []


def test_a_value_hovering_at_the_boundary_alerts_once():
    config = AlertConfig(boundaries=(50.0,), margin=2.0)
    hovering = [49.5, 50.5, 49.0, 50.2, 48.5, 51.0, 49.9, 50.1] * 20
    _, events = run(config, series(hovering))
    assert [e.direction for e in events] == [Direction.UP]


def test_without_a_margin_hovering_would_flood():
    config = AlertConfig(boundaries=(50.0,))
    _, events = run(config, series([49.5, 50.5] * 10))
    assert len(events) == 19  # every step after the first: what margin and dwell prevent


def test_dwell_swallows_short_spikes():
    config = AlertConfig(boundaries=(50.0,), min_dwell=timedelta(minutes=10))
    spikes = [10, 80, 10, 80, 80, 10] + [10] * 5
    assert run(config, series(spikes))[1] == []
    sustained = [10] + [80] * 11
    _, events = run(config, series(sustained))
    assert [(e.direction, e.time) for e in events] == [(Direction.UP, T0 + 11 * MINUTE)]


def test_pending_change_is_cancelled_by_a_reading_that_disagrees():
    config = AlertConfig(boundaries=(50.0,), min_dwell=timedelta(minutes=5))
    state, events = run(config, series([80, 80, 80, 40, 80, 80, 80, 80, 80, 80]))
    assert [e.time for e in events] == [T0 + 9 * MINUTE]  # dwell restarted at minute 4
    assert state.pending_level is None


def test_late_readings_are_ignored():
    config = AlertConfig(boundaries=(50.0,))
    state, event = step(config, AlertState(), T0 + 10 * MINUTE, 80)
    assert event is not None and state.level == 1
    later_state, late_event = step(config, state, T0, 0)
    assert late_event is None and later_state == state


def test_multi_level_bands_with_relative_margin():
    config = config_for_bands(EAQI_2024.bands_for(Quantity.PM2_5), margin_fraction=0.1, min_dwell=timedelta(0))
    # Edges 5, 15, 50, 90, 140: level 0 = good ... 5 = extremely poor.
    _, events = run(config, series([3, 60, 48, 46, 44.9, 200, 13.6, 13.4]))
    assert [(e.direction, e.from_level, e.to_level) for e in events] == [
        (Direction.UP, 0, 3),  # 60 > 50: poor
        (Direction.DOWN, 3, 2),  # 44.9 <= 50 - 10 %
        (Direction.UP, 2, 5),
        (Direction.DOWN, 5, 2),  # 13.6 is below 50 - 10 % but not below 15 - 10 %
        (Direction.DOWN, 2, 1),  # 13.4 <= 13.5, still far above 5 - 10 %
    ]


def test_level_streams_use_dwell_only():
    config = levels_config(range(1, 7), min_dwell=timedelta(minutes=2))
    _, events = run(config, series([1, 3, 3, 3, 2, 3, 3, 3]))
    assert [(e.from_level, e.to_level) for e in events] == [(0, 2)]
    with pytest.raises(ValueError):
        levels_config([1])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"boundaries": ()},
        {"boundaries": (5.0, 5.0)},
        {"boundaries": (5.0, 1.0)},
        {"boundaries": (float("nan"),)},
        {"boundaries": (5.0,), "margin": -1.0},
        {"boundaries": (5.0,), "min_dwell": timedelta(seconds=-1)},
    ],
)
def test_bad_configurations_are_refused(kwargs):
    with pytest.raises(ValueError):
        AlertConfig(**kwargs)


def test_step_refuses_naive_time_nan_and_foreign_state():
    config = AlertConfig(boundaries=(50.0,))
    with pytest.raises(ValueError):
        step(config, AlertState(), datetime(2026, 1, 1), 1.0)
    with pytest.raises(ValueError):
        step(config, AlertState(), T0, float("nan"))
    with pytest.raises(ValueError):
        step(config, AlertState(level=4), T0, 1.0)


def test_state_survives_a_json_round_trip_mid_dwell():
    config = AlertConfig(boundaries=(50.0,), min_dwell=timedelta(minutes=5))
    state, _ = run(config, series([80, 80]))
    assert state.pending_level == 1
    restored = AlertState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    _, events = run(config, [(T0 + 5 * MINUTE, 80.0)], restored)
    assert [e.direction for e in events] == [Direction.UP]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version": 2, "level": 0},
        {"version": 1, "level": -1},
        {"version": 1, "level": True},
        {"version": 1, "level": 0, "pending_level": 1},
        {"version": 1, "level": 0, "pending_since": "2026-11-25T00:00:00"},
        {"version": 1, "level": 0, "last_time": 5},
        {"version": 1, "level": 0, "last_time": "not a time"},
    ],
)
def test_corrupt_saved_state_is_refused(data):
    with pytest.raises(ValueError):
        AlertState.from_dict(data)


values = st.floats(min_value=0, max_value=200, allow_nan=False)
steps = st.lists(st.tuples(st.integers(min_value=0, max_value=600), values), max_size=120)


def _feed(config: AlertConfig, raw_steps: list[tuple[int, float]]):
    moment = T0
    readings = []
    for gap_seconds, value in raw_steps:
        moment += timedelta(seconds=gap_seconds)
        readings.append((moment, value))
    return run(config, readings)


@given(
    steps,
    st.floats(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=1800),
)
def test_single_threshold_never_sends_two_alerts_of_the_same_direction_in_a_row(raw_steps, margin, dwell):
    config = AlertConfig(boundaries=(100.0,), margin=margin, min_dwell=timedelta(seconds=dwell))
    state, events = _feed(config, raw_steps)
    directions = [e.direction for e in events]
    assert all(a is not b for a, b in itertools.pairwise(directions))
    if events:
        assert directions[0] is Direction.UP
        assert state.level == (1 if directions[-1] is Direction.UP else 0)
    gaps = [b.time - a.time for a, b in itertools.pairwise(events)]
    assert all(gap >= timedelta(seconds=dwell) for gap in gaps)


@given(steps, st.floats(min_value=0, max_value=0.5), st.integers(min_value=0, max_value=1800))
def test_every_band_edge_alternates_between_up_and_down(raw_steps, margin_fraction, dwell):
    config = config_for_bands(
        EAQI_2024.bands_for(Quantity.PM10), margin_fraction=margin_fraction, min_dwell=timedelta(seconds=dwell)
    )
    state, events = _feed(config, raw_steps)
    level = 0
    last_crossing: dict[int, Direction] = {}
    for event in events:
        assert event.from_level == level and event.from_level != event.to_level
        low, high = sorted((event.from_level, event.to_level))
        for edge in range(low, high):
            assert last_crossing.get(edge) is not event.direction
            last_crossing[edge] = event.direction
        level = event.to_level
    assert state.level == level


@given(st.lists(st.floats(min_value=98.0, max_value=100.5), max_size=100))
def test_hovering_inside_the_dead_band_alerts_at_most_once(hovering):
    config = AlertConfig(boundaries=(100.0,), margin=2.5)
    _, events = run(config, series(hovering))
    assert len(events) <= 1
