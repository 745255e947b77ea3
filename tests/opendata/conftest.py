"""Fixtures of the open-data tests: every room's demo data loaded, and helpers to read every distribution."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest

ROOMS_WITH_DEMO = ("participation", "budgeting", "reports", "environment")


def load_room_demos() -> None:
    """The neighbourhoods and the demo of every room this catalogue publishes from (finished budgeting editions,
    reports, sensors with readings, consultations, events, working groups, demo people). Room by room rather
    than `load_demo_data`, so that a room being built elsewhere cannot hold these tests up; smaller where a
    room allows it (fewer ballots, fewer days of readings) — the pages and files look the same."""
    from django.conf import settings

    from budgeting import demo as budgeting_demo
    from core.geo import load_neighbourhoods
    from environment import demo as environment_demo
    from participation import demo as participation_demo
    from reports import demo as reports_demo

    out = StringIO()
    load_neighbourhoods(settings.BASE_DIR / "data" / "timisoara" / "neighbourhoods-osm.geojson")
    participation_demo.load_demo_data(out)
    budgeting_demo.load_demo_data(out, ballots=40)
    reports_demo.load_demo_data(out)
    environment_demo.load_demo_data(out, days=3)


@pytest.fixture
def demo_everywhere(strategy_data: None) -> None:
    load_room_demos()


def media_type(response: Any) -> str:
    return str(response["Content-Type"]).split(";")[0].strip()
