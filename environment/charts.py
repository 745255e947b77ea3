"""Server-side SVG time-series charts (pure: no Django), drawn like core.charts.

core.charts labels its x axis with whole years; sensor series need hours and days, gaps
where a sensor was silent, and reference lines for limit values, hence this small variant.
Every chart is shown next to a data table with the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from core.charts import nice_ticks, svg_number

PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class TimePoint:
    time: dt.datetime
    value: float | None  # None: no data (the line breaks)


@dataclass(frozen=True)
class Reference:
    value: float
    label: str


def _x_ticks(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> list[tuple[dt.datetime, str]]:
    """Ticks on local time boundaries that suit the span: hours, days or months."""
    span = end - start
    local_start = start.astimezone(tz)
    ticks: list[tuple[dt.datetime, str]] = []
    if span <= dt.timedelta(hours=36):
        moment = local_start.replace(minute=0, second=0, microsecond=0)
        step = dt.timedelta(hours=3 if span > dt.timedelta(hours=12) else 1)
        while moment.hour % int(step.total_seconds() // 3600):
            moment += dt.timedelta(hours=1)
        while moment <= end:
            if moment >= start:
                ticks.append((moment, moment.strftime("%H:%M")))
            moment = (moment.astimezone(dt.UTC) + step).astimezone(tz)
    elif span <= dt.timedelta(days=40):
        day = local_start.date()
        every = 1 if span <= dt.timedelta(days=10) else 7
        while True:
            moment = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
            if moment > end:
                break
            if moment >= start:
                ticks.append((moment, day.strftime("%d.%m")))
            day += dt.timedelta(days=every)
    else:
        year, month = local_start.year, local_start.month
        while True:
            moment = dt.datetime(year, month, 1, tzinfo=tz)
            if moment > end:
                break
            if moment >= start:
                ticks.append((moment, moment.strftime("%m.%Y") if month == 1 else moment.strftime("%m")))
            month += 1
            if month == 13:
                year, month = year + 1, 1
    return ticks


def time_chart(points: Sequence[TimePoint], *, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo,
               references: Sequence[Reference] = (), width: int = 640, height: int = 240) -> dict[str, object]:
    """Scale one series into an SVG viewport; returns coordinates ready for a template.

    Coordinates are strings made by core.charts.svg_number (a '.' decimal point in every language).
    """
    values = [p.value for p in points if p.value is not None]
    if not values:
        return {"empty": True, "width": width, "height": height}
    top = max([*values, *(r.value for r in references)])
    y_ticks = nice_ticks(min(0.0, min(values)), top)
    y_low, y_high = min(y_ticks), max(y_ticks)
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    t0, t1 = start.timestamp(), max(end.timestamp(), start.timestamp() + 1)

    def sx(moment: dt.datetime) -> str:
        return svg_number(PAD_LEFT + (moment.timestamp() - t0) / (t1 - t0) * plot_w)

    def y_of(value: float) -> float:
        return PAD_TOP + plot_h - (value - y_low) / (y_high - y_low) * plot_h

    def sy(value: float) -> str:
        return svg_number(y_of(value))

    segments: list[str] = []
    current: list[str] = []
    for point in points:
        if point.value is None:
            if current:
                segments.append(" ".join(current))
                current = []
            continue
        current.append(f"{sx(point.time)},{sy(point.value)}")
    if current:
        segments.append(" ".join(current))
    lone = [{"x": sx(p.time), "y": sy(p.value)} for i, p in enumerate(points) if p.value is not None
            and (i == 0 or points[i - 1].value is None) and (i == len(points) - 1 or points[i + 1].value is None)]
    return {
        "empty": False, "width": width, "height": height, "plot_left": PAD_LEFT, "plot_right": width - PAD_RIGHT,
        "plot_top": PAD_TOP, "plot_bottom": PAD_TOP + plot_h,
        # Label positions computed here: templates do no arithmetic on coordinates.
        "y_label_x": PAD_LEFT - 6, "x_label_y": PAD_TOP + plot_h + 18,
        "x_ticks": [{"x": sx(moment), "label": label} for moment, label in _x_ticks(start, end, tz)],
        "y_ticks": [{"y": sy(value), "label": f"{value:g}"} for value in y_ticks],
        "segments": segments, "dots": lone,
        "references": [{"y": sy(r.value), "label_y": svg_number(y_of(r.value) - 4), "label": r.label}
                       for r in references],
    }
