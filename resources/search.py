"""Full-text search over the map's index (MapItem.search_text), one module for both back ends.

- PostgreSQL (production): a GIN index on `to_tsvector('simple', search_text)`, queried with prefix
  terms (`word:*`) joined by AND.
- SQLite (the default): an FTS5 table kept in step with `resources_mapitem` by triggers, queried with
  prefix terms (`"word"*`), implicitly AND.
- Any other database: `icontains` per word (slow, correct).

The text and the query are folded the same way (resources.text: lower case, no diacritics), so the
"simple" configuration (no stemming) is right for a bilingual index. Query words are reduced to letters
and digits, so no operator of either query language can be injected.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from resources.text import tokens

MAX_TOKEN_LENGTH = 40

SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS resources_mapitem_fts USING fts5("
    "search_text, content='resources_mapitem', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS resources_mapitem_fts_insert AFTER INSERT ON resources_mapitem BEGIN "
    "INSERT INTO resources_mapitem_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS resources_mapitem_fts_delete AFTER DELETE ON resources_mapitem BEGIN "
    "INSERT INTO resources_mapitem_fts(resources_mapitem_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS resources_mapitem_fts_update AFTER UPDATE ON resources_mapitem BEGIN "
    "INSERT INTO resources_mapitem_fts(resources_mapitem_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO resources_mapitem_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO resources_mapitem_fts(resources_mapitem_fts) VALUES ('rebuild')",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS resources_mapitem_fts_insert",
    "DROP TRIGGER IF EXISTS resources_mapitem_fts_delete",
    "DROP TRIGGER IF EXISTS resources_mapitem_fts_update",
    "DROP TABLE IF EXISTS resources_mapitem_fts",
]
POSTGRES_SETUP = ["CREATE INDEX IF NOT EXISTS resources_mapitem_fulltext ON resources_mapitem "
                  "USING gin (to_tsvector('simple'::regconfig, search_text))"]
POSTGRES_TEARDOWN = ["DROP INDEX IF EXISTS resources_mapitem_fulltext"]


def install(schema_editor: Any, *, remove: bool = False) -> None:
    """Create (or drop) the back end's search structures; called by migrations. A later migration that
    rebuilds the resources_mapitem table on SQLite must call it again (the triggers go with the table)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE_TEARDOWN if remove else SQLITE_SETUP
    elif vendor == "postgresql":
        statements = POSTGRES_TEARDOWN if remove else POSTGRES_SETUP
    else:
        return
    for statement in statements:
        schema_editor.execute(statement)


def query_words(query: str) -> list[str]:
    return [word[:MAX_TOKEN_LENGTH] for word in tokens(query)]


def matching(queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
    """The MapItem queryset narrowed to rows that contain every word of the query (as word prefixes)."""
    words = query_words(query)
    if not words:
        return queryset
    vendor = connection.vendor
    if vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        # A subquery on the table itself, so it also works when the queryset is nested (aliased) in another
        # query; the planner answers it from the GIN index.
        return queryset.filter(id__in=RawSQL(
            "SELECT id FROM resources_mapitem WHERE to_tsvector('simple'::regconfig, search_text) "
            "@@ to_tsquery('simple', %s)", [tsquery]))
    if vendor == "sqlite":
        match = " ".join(f'"{word}"*' for word in words)
        return queryset.filter(id__in=RawSQL(
            "SELECT rowid FROM resources_mapitem_fts WHERE resources_mapitem_fts MATCH %s", [match]))
    condition = Q()
    for word in words:
        condition &= Q(search_text__icontains=word)
    return queryset.filter(condition)
