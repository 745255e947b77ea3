"""The in-memory CKAN query language (opendata/ckan/search.py): no Django, no database."""

from __future__ import annotations

import contextlib
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendata.ckan.search import (
    Index,
    MatchAll,
    Not,
    Range,
    SearchError,
    SearchQueryError,
    Term,
    parse_instant,
    parse_query,
    parse_sort,
    search,
)
from opendata.ckan.search import Schema as SearchSchema

NOW = datetime(2026, 12, 6, 12, 0, 0)

DOCUMENTS = [
    {"name": ["air-quality-hourly"], "id": ["c"], "title": ["Calitatea aerului, orar"],
     "text": ["Calitatea aerului orar PM2.5 Timișoara"], "organization": ["environment"],
     "tags": ["aer", "pm25"], "res_format": ["CSV", "JSON"], "metadata_modified": ["2026-12-01T10:00:00"],
     "num_resources": ["2"]},
    {"name": ["problem-reports"], "id": ["a"], "title": ["Sesizări"], "text": ["Sesizări Open311 probleme"],
     "organization": ["reports"], "tags": ["open311"], "res_format": ["CSV", "GEOJSON"],
     "metadata_modified": ["2026-11-01T10:00:00.123456"], "num_resources": ["3"]},
    {"name": ["budget-2025"], "id": ["b"], "title": ["Bugetare participativă 2025"],
     "text": ["Bugetare participativă 2025 rezultate"], "organization": ["budgeting"],
     "tags": ["buget", "pb"], "res_format": ["CSV"], "metadata_modified": ["2025-06-30T00:00:00"],
     "num_resources": ["1"]},
]


def names(**kwargs: object) -> list[str]:
    result = search(DOCUMENTS, now=NOW, **kwargs)  # type: ignore[arg-type]
    # Through the inverted index (as the CKAN API searches): the same answer, facets included.
    assert search(DOCUMENTS, index=Index(DOCUMENTS), now=NOW, **kwargs) == result  # type: ignore[arg-type]
    return [DOCUMENTS[index]["name"][0] for index in result.page]


def test_empty_query_matches_everything_and_default_sort_is_newest_first() -> None:
    assert names(q="") == ["air-quality-hourly", "problem-reports", "budget-2025"]
    assert names(q="*:*") == names(q="")


def test_free_text_ignores_case_and_diacritics() -> None:
    assert names(q="sesizari") == ["problem-reports"]
    assert names(q="TIMISOARA") == ["air-quality-hourly"]
    assert names(q="bugetare rezultate") == ["budget-2025"]
    assert names(q='"calitatea aerului"') == ["air-quality-hourly"]
    assert names(q="calit*") == ["air-quality-hourly"]
    assert names(q="nothing-like-this") == []


def test_filters_by_organization_tags_and_format() -> None:
    assert names(fq=["organization:reports"]) == ["problem-reports"]
    assert names(fq=["tags:buget"]) == ["budget-2025"]
    assert names(fq=["res_format:CSV", "-res_format:JSON"]) == ["problem-reports", "budget-2025"]
    assert names(fq=["res_format:csv"]) == names(fq=["res_format:CSV"])
    assert names(fq=["organization:reports OR organization:budgeting"]) == ["problem-reports", "budget-2025"]
    assert names(fq=["organization:(reports OR budgeting) AND tags:pb"]) == ["budget-2025"]
    assert names(fq=["+organization:environment +tags:aer"]) == ["air-quality-hourly"]
    assert names(fq=["NOT organization:environment"]) == ["problem-reports", "budget-2025"]
    assert names(fq=['name:"problem-reports"']) == ["problem-reports"]
    assert names(fq=["name:budget*"]) == ["budget-2025"]
    assert names(fq=["tags:*"]) == names()


def test_metadata_modified_ranges_as_harvesters_send_them() -> None:
    assert names(fq=["metadata_modified:[2026-11-01T10:00:00.123456Z TO *]"]) == [
        "air-quality-hourly", "problem-reports"]
    assert names(fq=["metadata_modified:{2026-11-01T10:00:00.123456Z TO *]"]) == ["air-quality-hourly"]
    assert names(fq=["metadata_modified:[* TO 2026-01-01T00:00:00Z]"]) == ["budget-2025"]
    assert names(fq=["metadata_modified:[NOW-7DAYS TO NOW]"]) == ["air-quality-hourly"]
    assert names(fq=["metadata_modified:[NOW/YEAR TO *]"]) == ["air-quality-hourly", "problem-reports"]
    assert names(fq=["num_resources:[2 TO *]"]) == ["air-quality-hourly", "problem-reports"]


def test_sort_orders_and_paging() -> None:
    assert names(sort="id asc") == ["problem-reports", "budget-2025", "air-quality-hourly"]
    assert names(sort="name desc") == ["problem-reports", "budget-2025", "air-quality-hourly"]
    assert names(sort="metadata_modified asc") == ["budget-2025", "problem-reports", "air-quality-hourly"]
    assert names(sort="num_resources desc, name asc") == ["problem-reports", "air-quality-hourly", "budget-2025"]
    assert names(sort="id asc", start=1, rows=1) == ["budget-2025"]
    assert names(sort="id asc", start=3, rows=10) == []


def test_facets_count_every_match_not_only_the_page() -> None:
    result = search(DOCUMENTS, rows=1, facet_fields=["res_format", "organization"], now=NOW)
    assert search(DOCUMENTS, index=Index(DOCUMENTS), rows=1, facet_fields=["res_format", "organization"],
                  now=NOW) == result
    assert result.count == 3 and len(result.page) == 1
    assert result.facets["res_format"] == [("CSV", 3), ("GEOJSON", 1), ("JSON", 1)]
    assert search(DOCUMENTS, facet_fields=["res_format"], facet_limit=1, now=NOW).facets == {"res_format": [("CSV", 3)]}


def test_parse_tree() -> None:
    assert parse_query("") == MatchAll()
    assert parse_query("-tags:x") == Not(Term("tags", "x"))
    assert parse_query("metadata_modified:[2021-01-01T00:00:00Z TO *]") == Range(
        "metadata_modified", "2021-01-01T00:00:00Z", None, True, True)
    assert parse_query(r"name:a\:b") == Term("name", "a:b")


@pytest.mark.parametrize("query", [
    "(", ")", "organization:", "organization: x", "tags:(a OR", '"open', "[a TO b]", "x:[a b]",
    "x:[a TO b", "bad field!:x", "a AND", "NOT", "metadata_modified:[yesterday TO *]",
    "metadata_modified:[NOW-3FORTNIGHTS TO *]", "*:x", "\\", "x:]",
])
def test_malformed_queries_are_search_query_errors(query: str) -> None:
    with pytest.raises(SearchQueryError):
        search(DOCUMENTS, fq=[query], now=NOW)


@pytest.mark.parametrize("sort", ["name", "name up", "maintainer asc", "id asc, x desc"])
def test_unknown_sorts_are_search_errors(sort: str) -> None:
    with pytest.raises(SearchError):
        parse_sort(sort, SearchSchema())


def test_instants() -> None:
    assert parse_instant("2021-05-21T08:16:03.133135Z", NOW) == datetime(2021, 5, 21, 8, 16, 3, 133135)
    assert parse_instant("2021-05-21T10:16:03+02:00", NOW) == datetime(2021, 5, 21, 8, 16, 3)
    assert parse_instant("NOW-1MONTH/DAY", NOW) == datetime(2026, 11, 6)
    assert parse_instant("NOW+1YEAR", NOW) == datetime(2027, 12, 6, 12)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(SearchQueryError):
        parse_query("(" * 5000 + "a" + ")" * 5000)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from([*'ab:*()[]{}" -+!\\&|', "NOW", "AND ", "OR ", "TO", "metadata_modified"]),
                max_size=20))
def test_any_text_parses_or_fails_cleanly(pieces: list[str]) -> None:
    text = "".join(pieces)
    with contextlib.suppress(SearchQueryError):
        search(DOCUMENTS, q=text, fq=[text], now=NOW)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["calitatea", "aerului", "sesizari", "calit*", "*", '"', " ", "OR ", "AND ", "NOT ",
                                 "-", "(", ")", "organization:", "tags:", "res_format:", "title:", "name:", "b*",
                                 "reports", "aer", "CSV", "metadata_modified:[2026-01-01T00:00:00Z TO *]",
                                 "num_resources:[2 TO 3]", "*:*", "text:"]), max_size=12))
def test_the_index_answers_as_reading_every_document_does(pieces: list[str]) -> None:
    text = "".join(pieces)
    index = Index(DOCUMENTS)
    try:
        expected = search(DOCUMENTS, q=text, facet_fields=["tags"], now=NOW)
    except SearchQueryError:
        with pytest.raises(SearchQueryError):
            search(DOCUMENTS, index=index, q=text, facet_fields=["tags"], now=NOW)
        return
    assert search(DOCUMENTS, index=index, q=text, facet_fields=["tags"], now=NOW) == expected


@pytest.mark.parametrize("query", ["-" * 5000 + "a", "NOT " * 2000 + "a", "a:(" * 3000])
def test_long_operator_chains_are_refused_not_a_crash(query: str) -> None:
    with pytest.raises(SearchQueryError):
        parse_query(query)
