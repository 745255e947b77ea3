"""Page lists in tests are written once with English paths ("/{lang}/air/city/"); a room whose paths are
translated serves the Romanian page elsewhere (/ro/aer/oras/). `localized` gives the page's own address in
the language of its prefix (what reverse() gives in that language), so one list serves both languages."""

from __future__ import annotations

from django.urls import translate_url
from django.utils import translation


def localized(path: str) -> str:
    language = path.split("/")[1]
    address, _, query = path.partition("?")
    english = f"/en/{address.split('/', 2)[2]}"
    with translation.override("en"):
        translated = translate_url(english, language)
    if translated == english:  # no page there: leave the path as written (the test expects a 404)
        return path
    return translated + (f"?{query}" if query else "")
