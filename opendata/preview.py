"""The first rows of a dataset's CSV file, read in-process from the live data for the dataset page.

A file declared as a room table (/data/<room>/<key>.csv) is read from the table's own row function, only as
many rows as shown; any other file of this site is produced by calling its view with a plain GET request,
reading at most MAX_BYTES of the answer. Files on other portals are not fetched. Whatever goes wrong (an
unknown path, an error in a room's code, a file that is not CSV) gives `Unavailable` with a reason, never
an error page: the preview is a courtesy, the download link stays.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from itertools import islice
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from opendata import tables
from opendata.timeseries import TIME_KINDS, Column, guess_kind

log = logging.getLogger(__name__)

PREVIEW_ROWS = 15  # rows shown under the table's header
MAX_BYTES = 256 * 1024  # of a file read through its view
MAX_CELL = 200  # characters of a cell shown; the file keeps the rest


class Unavailable(Exception):
    """No preview: the message says why, in English for the log; the page shows its own words."""


@dataclass(frozen=True)
class TableRead:
    columns: list[Column]
    rows: list[list[str]]  # at most the rows asked for, cells as written in the CSV
    primary_key: list[str]
    schema_known: bool  # column kinds from the Table Schema (else guessed from the cells)


def _shorten(cell: str) -> str:
    return cell if len(cell) <= MAX_CELL else cell[:MAX_CELL - 1] + "…"


def read_rows(url: str, limit: int, *, series_limit: int | None = None) -> TableRead:
    """The header and up to `limit` rows of the CSV at `url` (a path of this site); up to `series_limit` rows
    when the table has a date or date-time column (a chart may need more rows than the preview shows)."""
    series_limit = max(limit, series_limit or limit)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        raise Unavailable(f"{url}: not a file of this site")
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise Unavailable(f"{url}: no such path") from None
    try:
        with transaction.atomic():  # a room's failing query must not spoil the page's own transaction
            if match.func is _table_view():
                return _read_table(match.kwargs["room"], match.kwargs["key"], match.kwargs.get("part"), limit,
                                   series_limit)
            return _read_view(match, parts.path, parts.query, series_limit)
    except Unavailable:
        raise
    except Exception as error:  # any failure of a room's code becomes a note on the page
        log.warning("opendata preview of %s failed", url, exc_info=True)
        raise Unavailable(f"{url}: {type(error).__name__}") from error


def _table_view() -> object:
    from opendata import views_data

    return views_data.table_csv


def _read_table(room: str, key: str, part: str | None, limit: int, series_limit: int) -> TableRead:
    table = tables.get_table(room, key)
    if table is None:
        raise Unavailable(f"no table {room}/{key}")
    fields = table.schema["fields"]
    if any(field.get("type") in TIME_KINDS for field in fields):
        limit = series_limit
    source = iter(table.rows(part))
    try:
        rows = [[_shorten(tables.cell(value)) for value in row] for row in islice(source, limit)]
    except LookupError as error:
        raise Unavailable(str(error)) from error
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()  # a generator over a database cursor: let the cursor go now
    return TableRead(columns=[Column(field["name"], field.get("type", "string")) for field in fields], rows=rows,
                     primary_key=list(table.schema.get("primaryKey", [])), schema_known=True)


def _read_view(match: object, path: str, query: str, limit: int) -> TableRead:
    request = RequestFactory().get(path + (f"?{query}" if query else ""))
    request.user = AnonymousUser()  # public files: read as anyone would
    response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)  # type: ignore[attr-defined]
    if response.status_code != 200:
        raise Unavailable(f"{path} answered {response.status_code}")
    content_type = str(response.get("Content-Type", "")).split(";")[0].strip()
    if content_type not in ("text/csv", "text/plain", "application/csv"):
        raise Unavailable(f"{path} is {content_type}, not CSV")
    if isinstance(response, StreamingHttpResponse):
        chunks: list[bytes] = []
        size = 0
        for chunk in response.streaming_content:  # type: ignore[union-attr]
            chunks.append(bytes(chunk))
            size += len(chunk)
            if size >= MAX_BYTES:
                break
        # Not response.close(): it sends request_finished, whose close_old_connections closes the database
        # connection inside the page's transaction (autocommit is off there) — the page's own request is
        # not finished. The response's closers (the streaming generator's, releasing its cursor) are enough.
        for closer in response._resource_closers:  # type: ignore[attr-defined]
            closer()
        body = b"".join(chunks)
    else:
        body = response.content  # type: ignore[attr-defined]
    truncated = len(body) > MAX_BYTES
    text = body[:MAX_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    if truncated:
        text = text[:text.rfind("\n") + 1]  # the last whole line only
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise Unavailable(f"{path}: empty file")
    rows = [[_shorten(cell) for cell in row] for row in islice(reader, limit)]
    columns = [Column(name, guess_kind([row[index] for row in rows if index < len(row)]))
               for index, name in enumerate(header)]
    return TableRead(columns=columns, rows=rows, primary_key=[], schema_known=False)
