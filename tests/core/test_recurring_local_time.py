"""Recurring jobs run at the city's time (core.huey_app.local_schedule): a job registered for 07:00 runs at
07:00 in Timișoara in winter (05:00 UTC) and in summer (04:00 UTC), never an hour off."""

from __future__ import annotations

import datetime as dt

from core.huey_app import local_schedule
from core.recurring import RecurringJob

DIGEST = RecurringJob("participation.tasks.send_daily_digests", minute="0", hour="7")


def test_seven_in_the_morning_in_winter_and_in_summer() -> None:
    due = local_schedule(DIGEST, "Europe/Bucharest")
    assert due(dt.datetime(2026, 12, 7, 5, 0))  # UTC+2
    assert not due(dt.datetime(2026, 12, 7, 7, 0))
    assert due(dt.datetime(2026, 7, 1, 4, 0))  # UTC+3
    assert not due(dt.datetime(2026, 7, 1, 5, 0))


def test_every_five_minutes_is_the_same_in_any_zone() -> None:
    due = local_schedule(RecurringJob("budgeting.tasks.close_due_editions", minute="*/5"), "Europe/Bucharest")
    assert due(dt.datetime(2026, 3, 29, 0, 55)) and not due(dt.datetime(2026, 3, 29, 0, 56))


def test_the_day_of_the_week_is_the_city_s() -> None:
    """Monday 00:30 in Timișoara is still Sunday in UTC."""
    due = local_schedule(RecurringJob("x.tasks.weekly", minute="30", hour="0", day_of_week="1"), "Europe/Bucharest")
    assert due(dt.datetime(2026, 12, 6, 22, 30))  # Sunday 22:30 UTC = Monday 00:30 local
