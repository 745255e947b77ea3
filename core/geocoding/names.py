"""How Romanian street names are written and typed (no Django import).

OpenStreetMap writes names in full with diacritics ("Bulevardul Revoluției din 1989"); people type
"bd revolutiei din 1989", "B-dul Revoluției", "Str. Gh. Lazăr nr. 2". Both sides go through the same
normalisation: case and diacritics folded (ș and ş, ț and ţ alike), punctuation and hyphens to spaces,
abbreviations of street types and titles expanded. A street name then splits into its type
("strada", "bulevardul", …) and its core ("revolutiei din 1989"), which is what people remember.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Street types as folded words; the first word of a name that is one of these is its type.
STREET_TYPES = frozenset({
    "strada", "bulevardul", "calea", "piata", "aleea", "intrarea", "splaiul", "soseaua", "podul", "drumul",
    "pasajul", "centura", "inelul", "fundatura", "prelungirea", "ulita", "pietonala",
})

# Abbreviations people type, as folded tokens → the folded full word.
ABBREVIATIONS = {
    "str": "strada", "stra": "strada", "strd": "strada",
    "bd": "bulevardul", "bdul": "bulevardul", "bld": "bulevardul", "blvd": "bulevardul", "bul": "bulevardul",
    "bulev": "bulevardul", "bulevard": "bulevardul", "bulevardu": "bulevardul",
    "cal": "calea", "pta": "piata", "pt": "piata", "piatza": "piata",
    "al": "aleea", "ale": "aleea", "alee": "aleea",
    "int": "intrarea", "intr": "intrarea", "intrare": "intrarea",
    "spl": "splaiul", "splai": "splaiul", "sos": "soseaua", "sosea": "soseaua", "prel": "prelungirea",
    # titles inside names
    "sf": "sfantul", "sfant": "sfantul", "dr": "doctor", "gen": "general", "gral": "general", "prof": "profesor",
    "ing": "inginer", "cpt": "capitan", "lt": "locotenent", "mr": "maior", "av": "aviator",
    "numarul": "nr", "numar": "nr", "no": "nr",
}
# Initials ("Gh. Lazăr", "C.D. Loga") need no expansion: the index matches a typed word as the prefix
# of a word of the name.

# Written forms with a hyphen or dot inside a word ("B-dul", "P-ța", "Nr.12") are joined before splitting.
_JOINED_FORMS = (
    (re.compile(r"\bb\s*[-.]?\s*dul\b"), " bulevardul "),
    (re.compile(r"\bp\s*[-.]\s*ta\b"), " piata "),
    (re.compile(r"\bnr\s*\.?\s*(?=\d)"), " nr "),
)
_SPLIT = re.compile(r"[^0-9a-z]+")
HOUSE_NUMBER = re.compile(r"^\d{1,4}[a-z]?$")
CITY_WORDS = frozenset({"timisoara", "timis", "jud", "judetul", "jude", "romania", "ro", "tm", "municipiul", "mun"})


def fold(text: str) -> str:
    """Lower case without diacritics: "Piața Unirii" → "piata unirii", "Ştefan" → "stefan"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded words with abbreviations expanded: "B-dul C.D. Loga" → ["bulevardul", "c", "d", "loga"]."""
    folded = fold(text)
    for pattern, replacement in _JOINED_FORMS:
        folded = pattern.sub(replacement, folded)
    return [ABBREVIATIONS.get(word, word) for word in _SPLIT.split(folded) if word]


@dataclass(frozen=True)
class StreetKey:
    """A street name split into its type (None when the name has none) and its core."""

    type: str | None
    core: str


def street_key(name: str) -> StreetKey:
    words = tokens(name)
    if len(words) > 1 and words[0] in STREET_TYPES:
        return StreetKey(words[0], " ".join(words[1:]))
    return StreetKey(None, " ".join(words))


def house_number_key(number: str) -> str:
    """Comparable form of a house number: "12 A" → "12a", "7-9" → "7-9"."""
    return re.sub(r"\s+", "", fold(number))


def slug(text: str) -> str:
    return "-".join(word for word in _SPLIT.split(fold(text)) if word)


@dataclass(frozen=True)
class QueryVariant:
    """One reading of a typed address: the street part and the house number, if any."""

    type: str | None
    core: str
    number: str | None
    explicit_number: bool  # the number was announced ("nr. 2" or after a comma)


def read_query(text: str) -> list[QueryVariant]:
    """The readings of a typed address, most likely first.

    A trailing number is ambiguous in Romanian street names ("Strada 16 Decembrie 1989"), so both
    readings are returned when it is not announced by "nr" or a comma; the index decides.
    """
    parts = [part for part in text.split(",") if part.strip()]
    explicit: str | None = None
    street_parts: list[list[str]] = []
    for position, part in enumerate(parts):
        all_words = [word for word in tokens(part) if not re.fullmatch(r"\d{6}", word)]  # postcodes
        words = [word for word in all_words if word not in CITY_WORDS]
        if not any(word not in STREET_TYPES and not word[:1].isdigit() and word != "nr" for word in words):
            words = all_words  # "Strada Timiș": the city's words are the street's name here
        if not words:
            continue
        if position and explicit is None and len(words) <= 3 and (
                HOUSE_NUMBER.match(words[0]) or (words[0] == "nr" and len(words) > 1)):
            explicit = _number_from(words[1:] if words[0] == "nr" else words)
            continue
        if position and street_parts:
            continue  # later parts name a district, a block, a city: not the street
        street_parts.append(words)
    words = [word for part in street_parts for word in part]
    if "nr" in words:
        at = words.index("nr")
        number = _number_from(words[at + 1:])
        words = words[:at]
        explicit = explicit or number
    variants: list[QueryVariant] = []

    def add(street_words: list[str], number: str | None, announced: bool) -> None:
        if not street_words:
            return
        if len(street_words) > 1 and street_words[0] in STREET_TYPES:
            variant = QueryVariant(street_words[0], " ".join(street_words[1:]), number, announced)
        elif len(street_words) == 1 and street_words[0] in STREET_TYPES:
            return  # "strada" alone names nothing
        else:
            variant = QueryVariant(None, " ".join(street_words), number, announced)
        if variant not in variants:
            variants.append(variant)

    if explicit is not None:
        add(words, explicit, True)
        return variants
    if len(words) >= 3 and len(words[-1]) == 1 and words[-1].isalpha() and words[-2].isdigit():
        add(words[:-2], words[-2] + words[-1], False)  # "12 a"
    elif len(words) >= 2 and HOUSE_NUMBER.match(words[-1]):
        add(words[:-1], words[-1], False)
    add(words, None, False)
    return variants


def _number_from(words: list[str]) -> str | None:
    if not words or not words[0][:1].isdigit():
        return None
    number = words[0]
    if len(words) > 1 and len(words[1]) == 1 and words[1].isalpha() and number.isdigit():
        number += words[1]
    return number if HOUSE_NUMBER.match(number) else None
