"""`{% load numbers %}{{ value|number }}`: a number in running text, as the page's language writes it.

"325.522" and "22,04" in Romanian, "325,522" and "22.04" in English; no trailing zeros
("19.10" is "19,1"). For text only: numbers drawn into SVG, CSS or data attributes are
machine-formatted (core.charts.svg_number).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def number(value: Any) -> Any:
    if value is None or value == "":
        return value
    try:
        exact = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    exact = exact.normalize()
    if exact == exact.to_integral_value():
        exact = exact.quantize(Decimal(1))  # 1E+3 → 1000
    return number_format(exact, force_grouping=True)
