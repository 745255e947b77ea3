"""iCalendar (RFC 5545) export of events: the platform's writer (core.ical) with participation's PRODID."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.ical import CalendarEvent, escape, fold

__all__ = ["PRODID", "CalendarEvent", "calendar", "escape", "fold"]

PRODID = "-//Timisoara Smart City//Participation//EN"


def calendar(events: Iterable[CalendarEvent], *, name: str, now: dt.datetime) -> str:
    from core import ical

    return ical.calendar(events, name=name, now=now, prodid=PRODID)
