"""Text folding for search: lower case, no diacritics (no Django import).

Both search back ends index and query folded text, so "Timișoara", "Timisoara" and "TIMIŞOARA" (with
the cedilla letters older keyboards type) find the same rows.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[0-9a-z]+")
MAX_TOKENS = 8


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(query: str) -> list[str]:
    """The query's words, folded, letters and digits only, at most MAX_TOKENS (no operator injection)."""
    return _TOKEN.findall(fold(query))[:MAX_TOKENS]
