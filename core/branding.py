"""Colour arithmetic for the configurable visual identity (no Django import).

A city sets its primary and accent colours in the environment; the platform derives the
shades it needs (hover, tint) and checks that text stays readable (WCAG 2.1 contrast).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

# WCAG 2.1 AA: 4.5:1 for normal text (white text on the header, links on white).
MIN_TEXT_CONTRAST = 4.5


@dataclass(frozen=True)
class Rgb:
    red: int
    green: int
    blue: int

    def hex(self) -> str:
        return f"#{self.red:02x}{self.green:02x}{self.blue:02x}"


WHITE = Rgb(255, 255, 255)
BLACK = Rgb(0, 0, 0)


def is_hex_colour(value: str) -> bool:
    return bool(_HEX.match(value))


def parse_hex(value: str) -> Rgb:
    """'#0b4f8a' or '#fff' → Rgb; ValueError for anything else (the caller names the setting)."""
    if not is_hex_colour(value):
        raise ValueError(f"{value!r} is not a colour like #0b4f8a")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return Rgb(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: Rgb) -> float:
    return 0.2126 * _channel(colour.red) + 0.7152 * _channel(colour.green) + 0.0722 * _channel(colour.blue)


def contrast_ratio(first: Rgb, second: Rgb) -> float:
    """WCAG 2.1 contrast ratio, from 1 (same) to 21 (black on white)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(colour: Rgb, other: Rgb, share_of_other: float) -> Rgb:
    """Blend two colours; share_of_other 0 keeps `colour`, 1 gives `other`."""
    share = min(max(share_of_other, 0.0), 1.0)

    def blend(a: int, b: int) -> int:
        return round(a + (b - a) * share)

    return Rgb(blend(colour.red, other.red), blend(colour.green, other.green), blend(colour.blue, other.blue))


@dataclass(frozen=True)
class Palette:
    """Every colour the stylesheet reads from the identity, as #rrggbb strings."""

    primary: str
    primary_dark: str
    primary_tint: str
    accent: str
    accent_tint: str


def palette(primary: str, accent: str) -> Palette:
    base = parse_hex(primary)
    second = parse_hex(accent)
    return Palette(
        primary=base.hex(),
        primary_dark=mix(base, BLACK, 0.25).hex(),  # hover and pressed states
        primary_tint=mix(base, WHITE, 0.92).hex(),  # panel backgrounds: black text stays readable
        accent=second.hex(),
        accent_tint=mix(second, WHITE, 0.88).hex(),
    )


def identity_problems(primary: str, accent: str) -> list[str]:
    """What is wrong with a pair of brand colours, in words; empty when both are usable."""
    problems = []
    for name, value in (("BRAND_PRIMARY_COLOR", primary), ("BRAND_ACCENT_COLOR", accent)):
        if not is_hex_colour(value):
            problems.append(f"{name}={value!r} is not a colour like #0b4f8a")
    if problems:
        return problems
    # The primary colour carries white text (header, buttons) and is the link colour on white.
    ratio = contrast_ratio(parse_hex(primary), WHITE)
    if ratio < MIN_TEXT_CONTRAST:
        problems.append(f"BRAND_PRIMARY_COLOR={primary} has a contrast of {ratio:.2f}:1 with white; "
                        f"WCAG 2.1 AA needs {MIN_TEXT_CONTRAST}:1 (choose a darker colour)")
    # The accent colour draws the focus ring and highlights on white (3:1 for non-text elements).
    ratio = contrast_ratio(parse_hex(accent), WHITE)
    if ratio < 3:
        problems.append(f"BRAND_ACCENT_COLOR={accent} has a contrast of {ratio:.2f}:1 with white; "
                        "focus rings and highlights need 3:1 (choose a darker colour)")
    return problems
