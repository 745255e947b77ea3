"""Exact numbers for budgets, costs and points.

Pabulib writes money as decimal text (``2532645.83``). Every rule compares sums of such amounts,
so they are kept as :class:`fractions.Fraction`: a float would round ``0.1 + 0.2`` and could flip a
tie that the city's own count (and pabutools, which uses exact rationals) resolves differently.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

# A plain decimal or integer, optionally signed, or a ratio "p/q" (what format_number writes for
# amounts that have no finite decimal expansion). Exponents and "nan"/"inf" are refused on purpose.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(/\d+)?")


def parse_number(text: str) -> Fraction:
    """Read a Pabulib number exactly; raises ValueError for anything else.

    A decimal comma is accepted like pabutools does (``1234,5`` == ``1234.5``) as long as the
    text has no dot as well.
    """
    cleaned = text.strip()
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not a number")
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError) as error:
        raise ValueError(f"{text!r} is not a number") from error


def format_number(value: Fraction | int) -> str:
    """Write an exact number so that :func:`parse_number` reads it back unchanged.

    Integers are written without a decimal point, terminating fractions as the shortest exact
    decimal, and anything else as ``p/q``.
    """
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = abs(value) * 10**digits
    assert scaled.denominator == 1
    whole, fraction = divmod(scaled.numerator, 10**digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{fraction:0{digits}d}".rstrip("0")


def format_amount(value: Fraction | int | float) -> str:
    """Human-readable amount for explanations: exact when whole, else two decimals."""
    if isinstance(value, float):
        if math.isinf(value):
            return "infinity"
        value = Fraction(value)
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}"
