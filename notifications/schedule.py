"""When a delivery may go out: quiet hours, digest times, retry backoff. Pure (no Django); times are
aware datetimes in the person's local zone."""

from __future__ import annotations

import datetime as dt


def quiet_until(now: dt.datetime, start: dt.time | None, end: dt.time | None) -> dt.datetime | None:
    """The end of the quiet window `now` falls in, or None when `now` is outside it (or there is none).

    A window may cross midnight (22:00–07:00)."""
    if start is None or end is None or start == end:
        return None
    moment = now.timetz().replace(tzinfo=None)
    today_end = dt.datetime.combine(now.date(), end, tzinfo=now.tzinfo)
    if start < end:
        return today_end if start <= moment < end else None
    if moment >= start:
        return today_end + dt.timedelta(days=1)
    if moment < end:
        return today_end
    return None


def next_digest_at(now: dt.datetime, digest: str, *, hour: int = 7, weekday: int = 0) -> dt.datetime:
    """The next daily (at `hour`) or weekly (on `weekday`, 0 = Monday, at `hour`) digest after `now`."""
    candidate = dt.datetime.combine(now.date(), dt.time(hour), tzinfo=now.tzinfo)
    if digest == "weekly":
        candidate += dt.timedelta(days=(weekday - now.weekday()) % 7)
        return candidate if candidate > now else candidate + dt.timedelta(days=7)
    return candidate if candidate > now else candidate + dt.timedelta(days=1)


def backoff_seconds(attempts: int, *, base: int = 60, cap: int = 6 * 3600) -> int:
    """Exponential backoff after the `attempts`-th failed attempt: base, 2·base, 4·base … capped."""
    return int(min(cap, base * 2 ** max(attempts - 1, 0)))
