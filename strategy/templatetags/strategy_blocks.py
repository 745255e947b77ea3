"""Blocks any strategy page can show: `{% load strategy_blocks %}{% city_figures %}`."""

from __future__ import annotations

from typing import Any

from django import template

from strategy import selectors

register = template.Library()


@register.inclusion_tag("strategy/_city_figures.html")
def city_figures() -> dict[str, Any]:
    """The seed's context figures that belong to no ambition ("Timișoara in figures"), one query."""
    return {"figures": selectors.city_figures()}
