"""Fixtures of the open-data tests: every room's demo data loaded, and helpers to read every distribution."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_everywhere(strategy_data: None) -> None:
    """The demo of every room (`load_demo_data`): finished budgeting editions, reports, sensors with readings,
    consultations, events, working groups, demo people."""
    call_command("load_demo_data", stdout=StringIO())


def media_type(response: Any) -> str:
    return str(response["Content-Type"]).split(";")[0].strip()
