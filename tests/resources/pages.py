"""Addresses of the resources room's pages in a language (/ro/resurse/..., /en/resources/...)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation


def page_url(name: str, *args: object, lang: str = "ro") -> str:
    with translation.override(lang):
        return reverse(f"resources:{name}", args=args)
