"""Server-rendered SVG line charts (pure; no Django).

Charts are drawn on the server so they work without JavaScript and print well; every chart is
shown next to a data table with the same numbers (WCAG 1.1.1), and the SVG itself carries a
title and a description.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Point:
    x: float  # e.g. a year fraction
    y: float
    label: str


@dataclass
class Series:
    name: str
    points: list[Point]
    css_class: str
    dashed: bool = False


@dataclass
class Chart:
    width: int
    height: int
    series: list[Series] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)


PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 64, 16, 16, 36


def svg_number(value: float) -> str:
    """A coordinate as SVG reads it: a '.' decimal point in every language, at most one decimal.

    Returned as a string so that a template never localizes it (Romanian would write
    "244,0", which SVG parses as two numbers).
    """
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if high <= low:
        high = low + 1
    raw_step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(magnitude * m for m in (1, 2, 2.5, 5, 10) if magnitude * m >= raw_step)
    value = math.floor(low / step) * step
    ticks: list[float] = []
    while value < high + step * 0.999 and len(ticks) < 12:
        ticks.append(round(value, 10))
        value += step
    return ticks


def line_chart(series: list[Series], *, width: int = 640, height: int = 280) -> dict[str, object]:
    """Scale the series into an SVG viewport. Returns coordinates ready for a template.

    Coordinates are strings made by svg_number (machine-formatted in every language).
    """
    points = [p for s in series for p in s.points]
    if not points:
        return {"empty": True, "width": width, "height": height}
    xs = [p.x for p in points]
    ys = [p.y for p in points]
    x_low, x_high = min(xs), max(xs)
    if x_high == x_low:
        x_low, x_high = x_low - 0.5, x_high + 0.5
    y_ticks = nice_ticks(min(0.0, min(ys)), max(ys))
    y_low, y_high = min(y_ticks), max(y_ticks)
    if y_high == y_low:
        y_high = y_low + 1
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM

    def sx(x: float) -> str:
        return svg_number(PAD_LEFT + (x - x_low) / (x_high - x_low) * plot_w)

    def sy(y: float) -> str:
        return svg_number(PAD_TOP + plot_h - (y - y_low) / (y_high - y_low) * plot_h)

    years = sorted({int(x) for x in xs})
    return {
        "empty": False,
        "width": width,
        "height": height,
        "plot_left": PAD_LEFT,
        "plot_right": width - PAD_RIGHT,
        "plot_bottom": PAD_TOP + plot_h,
        # Where the axis labels go, computed here so that templates do no arithmetic on coordinates.
        "y_label_x": PAD_LEFT - 6,
        "x_label_y": PAD_TOP + plot_h + 20,
        "x_ticks": [{"x": sx(year), "label": str(year)} for year in years if x_low <= year <= x_high],
        "y_ticks": [{"y": sy(value), "label": f"{value:g}"} for value in y_ticks],
        "series": [
            {
                "name": s.name,
                "css_class": s.css_class,
                "dashed": s.dashed,
                "path": " ".join(f"{sx(p.x)},{sy(p.y)}" for p in s.points),
                "points": [{"x": sx(p.x), "y": sy(p.y), "label": p.label} for p in s.points],
            }
            for s in series
            if s.points
        ],
    }
