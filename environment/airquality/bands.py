"""European Air Quality Index (EAQI) bands, levels, colours and labels — as data.

Current scale: `EAQI_2024`, the EEA's revision of the index bands.

Sources (read on 2026-11-25 through stored copies; the EEA pages themselves
could not be opened from the build environment, see "Confidence" below):

* EEA, European Air Quality Index viewer, "Legend explained" panel:
  https://airindex.eea.europa.eu/AQI/index.html
* ETC HE Report 2024/17, "EEA's revision of the European air quality index
  bands", Table 5.2 "Final agreed updated EEA European air quality index":
  https://www.eionet.europa.eu/etcs/etc-he/products/etc-he-products/etc-he-reports/etc-he-report-2024-17-eeas-revision-of-the-european-air-quality-index-bands

Confidence: the numbers below could not be read off the EEA page directly
(it is a JavaScript viewer and the search index only holds its introduction).
They are the table as transcribed, with identical figures, by several
independent public implementations that cite the two sources above (a
PostgreSQL schema quoting Table 5.2 "confirmed against the live index", a
Bulgarian sensor map quoting the viewer's legend, the iRingo weather module
citing the report). The same projects state that the revision moved PM2.5 and
PM10 from 24-hour running means onto hourly concentrations like the gases;
`EAQI_2024` follows that. Re-check both the numbers and the averaging periods
against the viewer's legend before publishing figures as "official".

Superseded scale: `EAQI_SUPERSEDED` is the six-level table in use before the
2024 revision (PM as 24-hour running means, gases hourly), kept only so figures
computed under it stay reproducible and so third-party feeds that still use it
(e.g. Open-Meteo's ``european_aqi``) can be compared like for like.

Band edges: the EEA prints ranges as "0-5, 5-15" or "0-5, 6-15" and does not
say where 5.5 goes. Here every band's upper bound is inclusive and bands are
contiguous on the real line: level = first band whose upper bound >= value.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from itertools import pairwise
from math import isfinite
from types import MappingProxyType
from typing import Final

from ._i18n import gettext_noop
from .quantities import Quantity


class Level(IntEnum):
    """EAQI index level, 1 (best) to 6 (worst), as numbered by the EEA."""

    GOOD = 1
    FAIR = 2
    MODERATE = 3
    POOR = 4
    VERY_POOR = 5
    EXTREMELY_POOR = 6


class Averaging(StrEnum):
    """The averaging period a band table expects its concentrations in."""

    HOURLY = "1h"
    RUNNING_24H = "24h-running"


# --- colour and contrast ---------------------------------------------------------


def _linear_channel(channel_8bit: int) -> float:
    # sRGB -> linear light, WCAG 2.1 definition of relative luminance.
    srgb = channel_8bit / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#RRGGBB`` colour (0 = black, 1 = white)."""
    if len(hex_colour) != 7 or hex_colour[0] != "#":
        raise ValueError(f"expected a colour like '#RRGGBB', got {hex_colour!r}")
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear_channel(red) + 0.7152 * _linear_channel(green) + 0.0722 * _linear_channel(blue)


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """WCAG 2.1 contrast ratio between two ``#RRGGBB`` colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(colour_a), relative_luminance(colour_b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


BLACK: Final = "#000000"
WHITE: Final = "#FFFFFF"


def best_text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background``."""
    if contrast_ratio(background, BLACK) >= contrast_ratio(background, WHITE):
        return BLACK
    return WHITE


@dataclass(frozen=True, slots=True)
class LevelStyle:
    """How a level is shown: stable code, translatable label, colours.

    ``label`` is an English msgid (marked with gettext_noop); the Django layer
    shows ``gettext(style.label)``. ``code`` never changes and is what APIs
    and CSS classes should use.
    """

    level: Level
    code: str
    label: str
    colour: str
    text_colour: str

    @property
    def text_contrast(self) -> float:
        return contrast_ratio(self.colour, self.text_colour)


# Colours of the EEA index viewer legend (same source as the bands). Text
# colours are derived, not hand-picked, so a palette change keeps WCAG AA
# (>= 4.5:1, checked by the tests). The light cyan and green have a contrast
# below 3:1 against a white page, so a swatch needs a visible border and must
# never carry the level on its own: always print the label too.
_EEA_COLOURS: Final = (
    (Level.GOOD, "good", gettext_noop("Good"), "#50F0E6"),
    (Level.FAIR, "fair", gettext_noop("Fair"), "#50CCAA"),
    (Level.MODERATE, "moderate", gettext_noop("Moderate"), "#F0E641"),
    (Level.POOR, "poor", gettext_noop("Poor"), "#FF5050"),
    (Level.VERY_POOR, "very_poor", gettext_noop("Very poor"), "#960032"),
    (Level.EXTREMELY_POOR, "extremely_poor", gettext_noop("Extremely poor"), "#7D2181"),
)

LEVEL_STYLES: Final[Mapping[Level, LevelStyle]] = MappingProxyType(
    {
        level: LevelStyle(level, code, label, colour, best_text_colour(colour))
        for level, code, label, colour in _EEA_COLOURS
    }
)


def style_for(level: Level | int) -> LevelStyle:
    return LEVEL_STYLES[Level(level)]


# --- band tables ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollutantBands:
    """Band edges of one pollutant: inclusive upper bounds of levels 1 to 5.

    Level 6 (extremely poor) is open-ended. Concentrations are in µg/m³ and
    must be averaged over ``averaging``.
    """

    quantity: Quantity
    averaging: Averaging
    upper_bounds: tuple[float, float, float, float, float]

    def __post_init__(self) -> None:
        bounds = self.upper_bounds
        if len(bounds) != 5 or bounds[0] <= 0 or any(b <= a for a, b in pairwise(bounds)):
            raise ValueError(f"{self.quantity}: band bounds must be 5 increasing positive numbers")

    def level_of(self, concentration: float) -> Level:
        """The index level of one concentration (µg/m³, right averaging period)."""
        if not isfinite(concentration) or concentration < 0:
            raise ValueError(f"{self.quantity}: concentration must be a finite number >= 0, got {concentration!r}")
        return Level(bisect_left(self.upper_bounds, concentration) + 1)

    def range_of(self, level: Level | int) -> tuple[float, float | None]:
        """(exclusive lower, inclusive upper) edge of a level; None = open-ended."""
        index = Level(level) - 1
        lower = 0.0 if index == 0 else self.upper_bounds[index - 1]
        upper = self.upper_bounds[index] if index < 5 else None
        return lower, upper


@dataclass(frozen=True, slots=True)
class IndexScale:
    """A versioned EAQI band table. Revisions add a scale, never edit one."""

    code: str
    name: str
    superseded: bool
    sources: tuple[str, ...]
    pollutants: tuple[PollutantBands, ...]

    def bands_for(self, quantity: Quantity | str) -> PollutantBands:
        for bands in self.pollutants:
            if bands.quantity == quantity:
                return bands
        raise KeyError(f"{self.code} has no bands for {quantity!r}")

    @property
    def quantities(self) -> tuple[Quantity, ...]:
        return tuple(bands.quantity for bands in self.pollutants)


EAQI_2024: Final = IndexScale(
    code="eaqi-2024",
    name=gettext_noop("European Air Quality Index (EEA, 2024 revision)"),
    superseded=False,
    sources=(
        "https://airindex.eea.europa.eu/AQI/index.html",
        "https://www.eionet.europa.eu/etcs/etc-he/products/etc-he-products/etc-he-reports/"
        "etc-he-report-2024-17-eeas-revision-of-the-european-air-quality-index-bands",
    ),
    pollutants=(
        PollutantBands(Quantity.PM2_5, Averaging.HOURLY, (5, 15, 50, 90, 140)),
        PollutantBands(Quantity.PM10, Averaging.HOURLY, (15, 45, 120, 195, 270)),
        PollutantBands(Quantity.NO2, Averaging.HOURLY, (10, 25, 60, 100, 150)),
        PollutantBands(Quantity.O3, Averaging.HOURLY, (60, 100, 120, 160, 180)),
        PollutantBands(Quantity.SO2, Averaging.HOURLY, (20, 40, 125, 190, 275)),
    ),
)

# Pre-2024 six-level table (PM as 24-hour running means). Source: the EEA index
# page before the revision, https://www.eea.europa.eu/themes/air/air-quality-index
# (archived), as still used by Open-Meteo's "european_aqi" and Copernicus/CAMS
# products derived from it.
EAQI_SUPERSEDED: Final = IndexScale(
    code="eaqi-superseded",
    name=gettext_noop("European Air Quality Index (EEA, superseded bands)"),
    superseded=True,
    sources=("https://www.eea.europa.eu/themes/air/air-quality-index",),
    pollutants=(
        PollutantBands(Quantity.PM2_5, Averaging.RUNNING_24H, (10, 20, 25, 50, 75)),
        PollutantBands(Quantity.PM10, Averaging.RUNNING_24H, (20, 40, 50, 100, 150)),
        PollutantBands(Quantity.NO2, Averaging.HOURLY, (40, 90, 120, 230, 340)),
        PollutantBands(Quantity.O3, Averaging.HOURLY, (50, 100, 130, 240, 380)),
        PollutantBands(Quantity.SO2, Averaging.HOURLY, (100, 200, 350, 500, 750)),
    ),
)

CURRENT_SCALE: Final = EAQI_2024
SCALES: Final[Mapping[str, IndexScale]] = MappingProxyType(
    {scale.code: scale for scale in (EAQI_2024, EAQI_SUPERSEDED)}
)
