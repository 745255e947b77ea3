"""CKAN's package_search query language, evaluated in memory: `q`, `fq`, `sort`, paging and facets.

CKAN hands these to Solr; our catalogue has hundreds of datasets, not millions, so the same Lucene
subset is parsed here and run over plain documents (field → values). No Django import: the module is
tested on its own.

What is understood (what CKAN clients, the CKAN harvester and data.europa.eu's importer send):
- terms `word`, `"a phrase"`, `field:value`, `field:"a phrase"`, `field:pre*`, `field:*`, `*:*`;
- ranges `field:[low TO high]` and `field:{low TO high}` (`*` open), on dates with Solr's `NOW`,
  `NOW-7DAYS`, `NOW/DAY` and ISO 8601 instants (`2021-05-21T08:16:03.133135Z`);
- `AND`, `OR`, `NOT`, `&&`, `||`, `!`, `+term`, `-term`, parentheses, `field:(a OR b)`; terms side by side
  are ANDed (CKAN sets Solr's `q.op` to AND).
A query that cannot be parsed raises `SearchQueryError` (CKAN answers 400 "Search Query Error"); a sort
on a field that cannot be sorted raises `SearchError` (CKAN answers 409 "Search Error").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

Fields = Mapping[str, Sequence[str]]


class SearchQueryError(ValueError):
    """A q or fq that is not a valid query."""


class SearchError(ValueError):
    """A valid query that cannot be run (a sort on an unknown field)."""


# --- the syntax tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Term:
    field: str | None  # None: the default (full-text) field
    value: str
    phrase: bool = False


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None  # None: open (`*`)
    high: str | None
    include_low: bool
    include_high: bool


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = MatchAll | Term | Range | Not | And | Or

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_WORD_STOP = set(' \t\r\n()"[]{}')
_MAX_QUERY_LENGTH = 10_000
_MAX_DEPTH = 50


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.depth = 0

    def fail(self, message: str) -> SearchQueryError:
        return SearchQueryError(f"{message} at position {self.at} of {self.text!r}")

    def skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def take_keyword(self, keyword: str) -> bool:
        self.skip_space()
        end = self.at + len(keyword)
        if self.text.startswith(keyword, self.at) and (end == len(self.text) or self.text[end] in " \t\r\n("):
            self.at = end
            return True
        return False

    def take_symbol(self, symbol: str) -> bool:
        self.skip_space()
        if self.text.startswith(symbol, self.at):
            self.at += len(symbol)
            return True
        return False

    def parse(self) -> Node:
        self.skip_space()
        if self.at == len(self.text):
            return MatchAll()
        node = self.or_expression(None)
        self.skip_space()
        if self.at < len(self.text):
            raise self.fail(f"unexpected {self.peek()!r}")
        return node

    def or_expression(self, field_name: str | None) -> Node:
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise self.fail("query nested too deeply")
            nodes = [self.and_expression(field_name)]
            while self.take_keyword("OR") or self.take_symbol("||"):
                nodes.append(self.and_expression(field_name))
        finally:
            self.depth -= 1
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expression(self, field_name: str | None) -> Node:
        nodes = [self.unary(field_name)]
        while True:
            self.skip_space()
            if self.at == len(self.text) or self.peek() == ")":
                break
            saved = self.at
            if self.take_keyword("OR") or self.take_symbol("||"):
                self.at = saved
                break
            if not (self.take_keyword("AND") or self.take_symbol("&&")):
                self.at = saved
            nodes.append(self.unary(field_name))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self, field_name: str | None) -> Node:
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise self.fail("query nested too deeply")
            return self.unary_operand(field_name)
        finally:
            self.depth -= 1

    def unary_operand(self, field_name: str | None) -> Node:
        if self.take_keyword("NOT") or self.take_symbol("!"):
            return Not(self.unary(field_name))
        if self.peek() == "-":
            self.at += 1
            return Not(self.unary(field_name))
        if self.peek() == "+":
            self.at += 1
            return self.unary(field_name)
        return self.primary(field_name)

    def primary(self, field_name: str | None) -> Node:
        self.skip_space()
        char = self.peek()
        if not char:
            raise self.fail("missing term")
        if char == "(":
            self.at += 1
            node = self.or_expression(field_name)
            if not self.take_symbol(")"):
                raise self.fail("missing ')'")
            return node
        if char == ")":
            raise self.fail("unexpected ')'")
        if char == '"':
            return Term(field_name, self.phrase(), phrase=True)
        if char in "[{":
            if field_name is None:
                raise self.fail("a range needs a field (field:[low TO high])")
            return self.range(field_name)
        if char in "]}":
            raise self.fail(f"unexpected {char!r}")
        word, stopped_at_colon = self.word(allow_colon=field_name is None)
        if stopped_at_colon:
            if not (word == "*" or _FIELD_NAME.match(word)):
                raise self.fail(f"invalid field name {word!r}")
            self.at += 1  # the colon
            if not self.peek() or self.peek().isspace():
                raise self.fail(f"field {word!r} has no value")
            if word == "*":
                value = self.primary("*")
                if value != Term("*", "*"):
                    raise self.fail("only *:* may use the field '*'")
                return MatchAll()
            return self.primary(word)
        if not word:
            raise self.fail("missing term")
        return Term(field_name, word)

    def word(self, *, allow_colon: bool) -> tuple[str, bool]:
        chars: list[str] = []
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\":
                if self.at + 1 >= len(self.text):
                    raise self.fail("dangling backslash")
                chars.append(self.text[self.at + 1])
                self.at += 2
                continue
            if char in _WORD_STOP:
                break
            if char == ":" and allow_colon:
                return "".join(chars), True
            chars.append(char)
            self.at += 1
        return "".join(chars), False

    def phrase(self) -> str:
        self.at += 1  # the opening quote
        chars: list[str] = []
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == "\\" and self.at + 1 < len(self.text):
                chars.append(self.text[self.at + 1])
                self.at += 2
                continue
            if char == '"':
                self.at += 1
                return "".join(chars)
            chars.append(char)
            self.at += 1
        raise self.fail("unterminated quote")

    def range(self, field_name: str) -> Range:
        include_low = self.peek() == "["
        start = self.at + 1
        end = start
        while end < len(self.text) and self.text[end] not in "]}":
            end += 1
        if end == len(self.text):
            raise self.fail("unterminated range")
        include_high = self.text[end] == "]"
        parts = self.text[start:end].split()
        if len(parts) != 3 or parts[1] != "TO":
            raise self.fail("a range reads [low TO high]")
        self.at = end + 1
        low, high = (part.strip('"') for part in (parts[0], parts[2]))
        return Range(field_name, None if low == "*" else low, None if high == "*" else high, include_low, include_high)


def parse_query(text: str) -> Node:
    """Parse a Lucene/Solr query as CKAN accepts in `q` and `fq`; empty means everything."""
    if len(text) > _MAX_QUERY_LENGTH:
        raise SearchQueryError(f"query longer than {_MAX_QUERY_LENGTH} characters")
    return _Parser(text).parse()


# --- evaluation ------------------------------------------------------------------------------------

_SOLR_INSTANT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?(Z|[+-]\d{2}:?\d{2})?$")
_DATE_MATH = re.compile(r"([+-])(\d+)(YEAR|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?|/(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?")
_UNIT_SECONDS = {"WEEK": 604800, "DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}


def parse_instant(text: str, now: datetime) -> datetime:
    """A Solr date bound as a naive UTC datetime: ISO 8601 (Z or an offset) or `NOW` with date math."""
    if text.startswith("NOW"):
        moment = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
        rest = text[3:]
        position = 0
        for match in _DATE_MATH.finditer(rest):
            if match.start() != position:
                break
            position = match.end()
            if match.group(4):
                moment = _round_down(moment, match.group(4))
            else:
                amount = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
                moment = _shift(moment, match.group(3), amount)
        if position != len(rest):
            raise SearchQueryError(f"invalid date math {text!r}")
        return moment
    instant = _SOLR_INSTANT.match(text)
    if not instant:
        raise SearchQueryError(f"invalid date {text!r} (expected e.g. 2021-05-21T08:16:03Z or NOW-7DAYS)")
    day, time, zone = instant.groups()
    try:
        parsed = datetime.fromisoformat(f"{day}T{time or '00:00:00'}{'+00:00' if zone in (None, 'Z') else zone}")
    except ValueError as error:
        raise SearchQueryError(f"invalid date {text!r}: {error}") from None
    return parsed.astimezone(UTC).replace(tzinfo=None)


def _round_down(moment: datetime, unit: str) -> datetime:
    if unit == "YEAR":
        return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "MONTH":
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if unit == "DAY":
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "HOUR":
        return moment.replace(minute=0, second=0, microsecond=0)
    if unit == "MINUTE":
        return moment.replace(second=0, microsecond=0)
    return moment.replace(microsecond=0)


def _shift(moment: datetime, unit: str, amount: int) -> datetime:
    if unit in ("YEAR", "MONTH"):
        months = moment.year * 12 + moment.month - 1 + amount * (12 if unit == "YEAR" else 1)
        year, month = divmod(months, 12)
        if not 1 <= year <= 9999:
            raise SearchQueryError("date math out of range")
        day = min(moment.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
                               30, 31, 31, 30, 31, 30, 31][month])
        return moment.replace(year=year, month=month + 1, day=day)
    try:
        return moment + timedelta(seconds=_UNIT_SECONDS[unit] * amount)
    except OverflowError:
        raise SearchQueryError("date math out of range") from None


@lru_cache(maxsize=200_000)  # the catalogue's texts are the same on every request
def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Primăria" and "primaria" match, as Solr's text field does."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_TOKEN = re.compile(r"\w+")


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold(text)))


@dataclass(frozen=True)
class Schema:
    """How each field of the documents is matched and sorted."""

    default_field: str = "text"
    text_fields: frozenset[str] = frozenset({"text", "title", "notes"})  # matched word by word
    date_fields: frozenset[str] = frozenset({"metadata_modified", "metadata_created"})
    number_fields: frozenset[str] = frozenset({"num_resources", "num_tags"})
    sortable: frozenset[str] = frozenset({
        "score", "id", "name", "title_string", "metadata_modified", "metadata_created",
        "num_resources", "num_tags",
    })


@dataclass
class _Evaluator:
    schema: Schema
    now: datetime

    def matches(self, node: Node, document: Fields) -> bool:
        if isinstance(node, MatchAll):
            return True
        if isinstance(node, Not):
            return not self.matches(node.node, document)
        if isinstance(node, And):
            return all(self.matches(child, document) for child in node.nodes)
        if isinstance(node, Or):
            return any(self.matches(child, document) for child in node.nodes)
        if isinstance(node, Range):
            return any(self.in_range(node, value) for value in document.get(node.field, ()))
        return self.term_matches(node, document)

    def term_matches(self, term: Term, document: Fields) -> bool:
        field_name = term.field or self.schema.default_field
        values = document.get(field_name, ())
        if term.value == "*" and not term.phrase:
            return bool(values)
        if field_name in self.schema.text_fields:
            wanted = tokens(term.value)
            if not wanted:
                return False
            for value in values:
                words = tokens(value)
                if term.phrase or len(wanted) > 1:
                    if _contains_sequence(words, wanted):
                        return True
                elif term.value.endswith("*"):
                    if any(word.startswith(wanted[0]) for word in words):
                        return True
                elif wanted[0] in words:
                    return True
            return False
        if field_name in self.schema.date_fields and not term.phrase and "*" not in term.value:
            instant = parse_instant(term.value, self.now)
            return any(_as_instant(value) == instant for value in values)
        wanted_value = fold(term.value)
        if not term.phrase and "*" in wanted_value:
            pattern = re.compile("^" + ".*".join(re.escape(part) for part in wanted_value.split("*")) + "$", re.S)
            return any(pattern.match(fold(value)) for value in values)
        return any(fold(value) == wanted_value for value in values)

    def in_range(self, node: Range, value: str) -> bool:
        if node.field in self.schema.date_fields:
            comparable: object = _as_instant(value)
            low: object = None if node.low is None else parse_instant(node.low, self.now)
            high: object = None if node.high is None else parse_instant(node.high, self.now)
        elif node.field in self.schema.number_fields:
            try:
                comparable = float(value)
                low = None if node.low is None else float(node.low)
                high = None if node.high is None else float(node.high)
            except ValueError:
                raise SearchQueryError(f"invalid number in range on {node.field!r}") from None
        else:
            comparable, low, high = fold(value), node.low and fold(node.low), node.high and fold(node.high)
        if low is not None and (comparable < low or (comparable == low and not node.include_low)):  # type: ignore[operator]
            return False
        return not (high is not None and (comparable > high or (comparable == high and not node.include_high)))  # type: ignore[operator]


def _contains_sequence(words: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    size = len(wanted)
    return any(words[index:index + size] == wanted for index in range(len(words) - size + 1))


def _as_instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


def parse_sort(text: str, schema: Schema) -> list[SortKey]:
    """`"metadata_modified desc, name asc"` → keys; an unknown field or direction is a SearchError."""
    keys: list[SortKey] = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
            raise SearchError(f"Can't determine a sort order from {part.strip()!r} (expected 'field asc|desc')")
        if words[0] not in schema.sortable:
            raise SearchError(f"Can't sort on field {words[0]!r}; sortable: {', '.join(sorted(schema.sortable))}")
        keys.append(SortKey(words[0], words[1].lower() == "desc"))
    return keys


@dataclass(frozen=True)
class SearchResult:
    count: int
    page: list[int]  # indexes into the documents given, in result order
    facets: dict[str, list[tuple[str, int]]]  # field → (value, count), most frequent first


class Index:
    """What a search over the same documents needs again and again, built once: an inverted index (word →
    documents for the text fields, folded value → documents for the others), the sort key of every
    document per field, and the facet counts of the whole set. Queries then combine sets of positions
    instead of reading every document; what an index cannot answer (ranges, wildcards inside a value, dates
    compared as instants) falls back to reading the documents, with the same results as without an index.
    Built lazily per field: a field never queried costs nothing. The documents must not change after."""

    def __init__(self, documents: Sequence[Fields], schema: Schema | None = None) -> None:
        self.documents = documents
        self.schema = schema or Schema()
        self.everything = frozenset(range(len(documents)))
        self._words: dict[str, dict[str, frozenset[int]]] = {}
        self._values: dict[str, dict[str, frozenset[int]]] = {}
        self._present: dict[str, frozenset[int]] = {}
        self._sort_keys: dict[str, list[tuple]] = {}
        self._all_facets: dict[str, Counter[str]] = {}
        self._instants: dict[str, list[list[datetime]]] = {}
        self._token_lists: dict[str, list[tuple[tuple[str, ...], ...]]] = {}

    def words(self, field_name: str) -> dict[str, frozenset[int]]:
        """Text field: folded word → the documents having it in that field."""
        if field_name not in self._words:
            postings: defaultdict[str, list[int]] = defaultdict(list)
            for position, document in enumerate(self.documents):
                words: set[str] = set()
                for value in document.get(field_name, ()):
                    words.update(tokens(value))
                for word in words:
                    postings[word].append(position)
            self._words[field_name] = {word: frozenset(found) for word, found in postings.items()}
        return self._words[field_name]

    def token_lists(self, field_name: str) -> list[tuple[tuple[str, ...], ...]]:
        """Text field: every document's values as their words, in order (for phrases)."""
        if field_name not in self._token_lists:
            self._token_lists[field_name] = [tuple(tokens(value) for value in document.get(field_name, ()))
                                             for document in self.documents]
        return self._token_lists[field_name]

    def values(self, field_name: str) -> dict[str, frozenset[int]]:
        """Other fields: folded whole value → the documents having it."""
        if field_name not in self._values:
            postings: dict[str, set[int]] = {}
            for position, document in enumerate(self.documents):
                for value in document.get(field_name, ()):
                    postings.setdefault(fold(value), set()).add(position)
            self._values[field_name] = {value: frozenset(found) for value, found in postings.items()}
        return self._values[field_name]

    def present(self, field_name: str) -> frozenset[int]:
        if field_name not in self._present:
            self._present[field_name] = frozenset(
                position for position, document in enumerate(self.documents) if document.get(field_name))
        return self._present[field_name]

    def sort_keys(self, field_name: str) -> list[tuple]:
        if field_name not in self._sort_keys:
            value = _sort_value(self.documents, field_name, self.schema)
            self._sort_keys[field_name] = [value(position) for position in range(len(self.documents))]
        return self._sort_keys[field_name]

    def instants(self, field_name: str) -> list[list[datetime]]:
        """Date field: every document's values as naive UTC instants."""
        if field_name not in self._instants:
            self._instants[field_name] = [[_as_instant(value) for value in document.get(field_name, ()) if value]
                                          for document in self.documents]
        return self._instants[field_name]

    def all_facets(self, field_name: str) -> Counter[str]:
        """The facet counts when every document matches (the common `*:*` search)."""
        if field_name not in self._all_facets:
            counter: Counter[str] = Counter()
            for document in self.documents:
                counter.update(set(document.get(field_name, ())))
            self._all_facets[field_name] = counter
        return self._all_facets[field_name]


@dataclass
class _IndexedEvaluator:
    index: Index
    scan: _Evaluator

    def matching(self, node: Node) -> frozenset[int]:
        if isinstance(node, MatchAll):
            return self.index.everything
        if isinstance(node, Not):
            return self.index.everything - self.matching(node.node)
        if isinstance(node, And):
            # Phrases are checked word by word on each candidate: after the cheap parts have narrowed them.
            ordered = sorted(node.nodes, key=self._is_phrase)
            found = self.matching(ordered[0])
            for child in ordered[1:]:
                if not found:
                    break
                found = self.phrase(child, found) if self._is_phrase(child) else found & self.matching(child)
            return found
        if isinstance(node, Or):
            return frozenset().union(*(self.matching(child) for child in node.nodes))
        if isinstance(node, Term):
            from_index = self.term(node)
            if from_index is not None:
                return from_index
        if isinstance(node, Range) and node.field in self.index.schema.date_fields:
            return self.date_range(node)
        return self.by_reading(node)

    def date_range(self, node: Range) -> frozenset[int]:
        now = self.scan.now
        low = None if node.low is None else parse_instant(node.low, now)
        high = None if node.high is None else parse_instant(node.high, now)

        def inside(moment: datetime) -> bool:
            if low is not None and (moment < low or (moment == low and not node.include_low)):
                return False
            return not (high is not None and (moment > high or (moment == high and not node.include_high)))

        return frozenset(position for position, moments in enumerate(self.index.instants(node.field))
                         if any(inside(moment) for moment in moments))

    def by_reading(self, node: Node, among: Iterable[int] | None = None) -> frozenset[int]:
        documents = self.index.documents
        return frozenset(position for position in (self.index.everything if among is None else among)
                         if self.scan.matches(node, documents[position]))

    def _is_phrase(self, node: Node) -> bool:
        return (isinstance(node, Term) and (node.field or self.index.schema.default_field) in
                self.index.schema.text_fields and (node.phrase or len(tokens(node.value)) > 1))

    def phrase(self, node: Node, among: frozenset[int]) -> frozenset[int]:
        """The documents among `among` with the words in sequence: every word present (the index), then the
        sequence checked on those."""
        assert isinstance(node, Term)
        field_name = node.field or self.index.schema.default_field
        wanted = tokens(node.value)
        if not wanted:
            return frozenset()
        words = self.index.words(field_name)
        candidates = among
        for word in wanted:
            candidates = candidates & words.get(word, frozenset())
        texts = self.index.token_lists(field_name)
        return frozenset(position for position in candidates
                         if any(_contains_sequence(value, wanted) for value in texts[position]))

    def term(self, term: Term) -> frozenset[int] | None:
        """The documents a term matches, from the index; None when only reading them can tell."""
        schema = self.index.schema
        field_name = term.field or schema.default_field
        if term.value == "*" and not term.phrase:
            return self.index.present(field_name)
        if field_name in schema.text_fields:
            wanted = tokens(term.value)
            if not wanted:
                return frozenset()
            words = self.index.words(field_name)
            if term.phrase or len(wanted) > 1:
                return self.phrase(term, self.index.everything)
            if term.value.endswith("*"):
                return frozenset().union(*(found for word, found in words.items() if word.startswith(wanted[0])))
            return words.get(wanted[0], frozenset())
        if field_name in schema.date_fields and not term.phrase and "*" not in term.value:
            return None  # compared as instants
        wanted_value = fold(term.value)
        values = self.index.values(field_name)
        if not term.phrase and "*" in wanted_value:
            pattern = re.compile("^" + ".*".join(re.escape(part) for part in wanted_value.split("*")) + "$", re.S)
            return frozenset().union(*(found for value, found in values.items() if pattern.match(value)))
        return values.get(wanted_value, frozenset())


def search(
    documents: Sequence[Fields],
    *,
    index: Index | None = None,
    q: str = "",
    fq: Iterable[str] = (),
    sort: str = "score desc, metadata_modified desc",
    start: int = 0,
    rows: int = 10,
    facet_fields: Sequence[str] = (),
    facet_limit: int = 50,
    facet_mincount: int = 1,
    schema: Schema | None = None,
    now: datetime | None = None,
) -> SearchResult:
    """Run a CKAN package_search over `documents`; facets count every match, not only the page.

    With `index` (an `Index` of the same documents, built with the same schema) the answer is the same,
    found through the index."""
    if index is not None:
        documents, schema = index.documents, index.schema
    schema = schema or Schema()
    evaluator = _Evaluator(schema, now or datetime.now(UTC))
    query = parse_query(q.strip())
    filters = [parse_query(text.strip()) for text in (text for text in fq if text.strip())]
    keys = parse_sort(sort, schema) if sort.strip() else []
    node: Node = And((query, *filters)) if filters else query
    if index is None:
        matched = [position for position, document in enumerate(documents) if evaluator.matches(node, document)]
    else:
        matched = sorted(_IndexedEvaluator(index, evaluator).matching(node))
    for key in reversed(keys):  # a stable sort per key, last key first, gives the combined order
        if key.field == "score":
            continue  # every match scores the same: relevance ranking is not modelled
        if index is None:
            matched.sort(key=_sort_value(documents, key.field, schema), reverse=key.descending)
        else:
            sort_keys = index.sort_keys(key.field)
            matched.sort(key=sort_keys.__getitem__, reverse=key.descending)
    facets: dict[str, list[tuple[str, int]]] = {}
    for facet_field in facet_fields:
        counter: Counter[str] = Counter()
        if index is not None and len(matched) == len(documents):
            counter = index.all_facets(facet_field)
        else:
            for position in matched:
                counter.update(set(documents[position].get(facet_field, ())))
        ranked = sorted(((value, count) for value, count in counter.items() if count >= facet_mincount),
                        key=lambda item: (-item[1], item[0]))
        facets[facet_field] = ranked if facet_limit < 0 else ranked[:facet_limit]
    return SearchResult(count=len(matched), page=matched[start:start + rows], facets=facets)


def _sort_value(documents: Sequence[Fields], field_name: str, schema: Schema) -> Callable[[int], tuple]:
    def value(index: int) -> tuple:
        values = documents[index].get(field_name, ())
        if not values:
            return (0, 0.0, "")  # missing sorts first ascending, last descending
        if field_name in schema.number_fields:
            try:
                return (1, float(values[0]), "")
            except ValueError:
                return (1, 0.0, values[0])
        if field_name in schema.date_fields:
            return (1, 0.0, _as_instant(values[0]).isoformat())
        return (1, 0.0, fold(values[0]))

    return value
