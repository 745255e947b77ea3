"""European Air Quality Index for one concentration, one station, or a series.

How the EEA combines pollutants (index viewer, "Legend explained",
https://airindex.eea.europa.eu/AQI/index.html): each pollutant gets its own
level from its band table, and the station's index is the *worst* of those
levels, driven by the pollutant(s) that reached it. It is never an average.

This module does not decide *which* pollutants a station must measure before
an index is shown (the EEA requires NO2 plus PM at traffic stations, and NO2,
O3 and PM elsewhere, because it merges in modelled data for gaps). A citizen
sensor typically measures PM only, so `StationIndex.missing` says what the
figure rests on and the caller decides what to show: a partial index is a
floor, since a missing pollutant can only make the true value worse.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import isfinite

from .bands import CURRENT_SCALE, IndexScale, Level, LevelStyle, style_for
from .quantities import Quantity


def sub_index(quantity: Quantity | str, concentration: float, scale: IndexScale = CURRENT_SCALE) -> Level:
    """Index level of one pollutant concentration (µg/m³).

    The concentration must already be averaged the way the scale expects
    (``scale.bands_for(quantity).averaging``); see `running_means` for the
    24-hour running mean.
    """
    return scale.bands_for(quantity).level_of(concentration)


@dataclass(frozen=True, slots=True)
class StationIndex:
    """The index of a station at one moment.

    ``drivers`` are the pollutants whose level equals the index (several when
    they tie), in the scale's order; ``driver`` is the first of them.
    ``missing`` lists the scale's pollutants that were not measured.
    """

    level: Level
    drivers: tuple[Quantity, ...]
    sub_indices: Mapping[Quantity, Level]
    missing: tuple[Quantity, ...]
    scale_code: str

    @property
    def driver(self) -> Quantity:
        return self.drivers[0]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def style(self) -> LevelStyle:
        return style_for(self.level)


def station_index(
    concentrations: Mapping[Quantity, float] | Mapping[str, float],
    scale: IndexScale = CURRENT_SCALE,
) -> StationIndex:
    """Worst sub-index over the pollutants given, and which pollutant drives it.

    Keys outside the scale (e.g. temperature, CO) are ignored. Raises
    ValueError when none of the scale's pollutants is present or a
    concentration is negative / not finite.
    """
    sub_indices: dict[Quantity, Level] = {}
    for bands in scale.pollutants:
        value = concentrations.get(bands.quantity)
        if value is not None:
            sub_indices[bands.quantity] = bands.level_of(value)
    if not sub_indices:
        raise ValueError(f"no concentration for any of {', '.join(scale.quantities)}; cannot compute an index")
    worst = max(sub_indices.values())
    return StationIndex(
        level=worst,
        drivers=tuple(q for q, level in sub_indices.items() if level == worst),
        sub_indices=sub_indices,
        missing=tuple(q for q in scale.quantities if q not in sub_indices),
        scale_code=scale.code,
    )


def sub_index_series(
    quantity: Quantity | str,
    concentrations: Iterable[float | None],
    scale: IndexScale = CURRENT_SCALE,
) -> list[int | None]:
    """Levels (as ints 1-6) for a series; None stays None (no data that hour).

    The fast path for a year of hourly data: one bisect per value and no
    objects per hour. Values must be finite and >= 0 (validated readings).
    """
    bounds = scale.bands_for(quantity).upper_bounds
    levels: list[int | None] = []
    append = levels.append
    for value in concentrations:
        if value is None:
            append(None)
        elif value >= 0 and isfinite(value):
            append(bisect_left(bounds, value) + 1)
        else:
            raise ValueError(f"{quantity}: concentration must be finite and >= 0, got {value!r}")
    return levels


def station_index_series(
    series: Mapping[Quantity, Sequence[float | None]],
    scale: IndexScale = CURRENT_SCALE,
) -> tuple[list[int | None], list[Quantity | None]]:
    """Hour-by-hour station index and its (first) driving pollutant.

    All series must have the same length (one slot per hour). An hour with no
    data for any pollutant yields (None, None).
    """
    lengths = {len(values) for values in series.values()}
    if len(lengths) > 1:
        raise ValueError(f"series lengths differ: {sorted(lengths)}")
    length = lengths.pop() if lengths else 0
    levels: list[int | None] = [None] * length
    drivers: list[Quantity | None] = [None] * length
    # Iterate in the scale's order so ties go to the same pollutant as in
    # `station_index` (strictly-greater comparison keeps the first one).
    for quantity in scale.quantities:
        values = series.get(quantity)
        if values is None:
            continue
        for hour, level in enumerate(sub_index_series(quantity, values, scale)):
            if level is not None:
                current = levels[hour]
                if current is None or level > current:
                    levels[hour] = level
                    drivers[hour] = quantity
    return levels, drivers


def running_means(values: Sequence[float | None], window: int = 24, min_values: int = 18) -> list[float | None]:
    """Trailing running means over ``window`` slots (e.g. 24 hourly values).

    Slot i averages values[i-window+1 .. i]; it is None unless at least
    ``min_values`` of them are present. 18 of 24 is the 75 % data-coverage
    rule the EU applies to daily values (Directive 2008/50/EC Annex XI,
    note on aggregation), used here for the running 24-hour PM mean of the
    superseded EAQI scale.
    """
    if window < 1 or not 1 <= min_values <= window:
        raise ValueError("need window >= 1 and 1 <= min_values <= window")
    result: list[float | None] = []
    in_window: deque[float | None] = deque()
    total = 0.0
    present = 0
    for value in values:
        in_window.append(value)
        if value is not None:
            total += value
            present += 1
        if len(in_window) > window:
            dropped = in_window.popleft()
            if dropped is not None:
                total -= dropped
                present -= 1
        if present == 0:
            total = 0.0  # drop accumulated rounding drift whenever the window empties
        # A sliding sum drifts by rounding; over a year of hourly steps that is
        # around 1e-10 µg/m³, far below any reporting precision.
        result.append(total / present if present >= min_values else None)
    return result
