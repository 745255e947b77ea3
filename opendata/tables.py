"""CSV downloads that rooms declare once: a Frictionless Table Schema and a function that yields the rows.

A room registers a table from its `<room>/opendata.py`; the opendata room serves it, language-free, at
`/data/<room>/<key>.csv` (or `/data/<room>/<key>/<part>.csv` for a table split by year, edition, ...), so
the download, its Table Schema in `datapackage.json` and its DCAT distribution come from one declaration.

    register_table(Table(room="strategy", key="kpis", schema=schema(("code", "string", "KPI code"), ...),
                         rows=lambda part: ((kpi.code, ...) for kpi in KPI.objects.all())))

`rows(part)` returns the rows in the schema's field order; it raises `LookupError` for an unknown part
(answered 404). Cells are written as Frictionless reads them by default: ISO 8601 dates and times, "true" /
"false", "" for a missing value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Rows = Callable[[str | None], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class Table:
    room: str
    key: str  # [a-z0-9-]
    schema: dict  # Frictionless Table Schema
    rows: Rows

    def url(self, part: str | None = None) -> str:
        return f"/data/{self.room}/{self.key}/{part}.csv" if part else f"/data/{self.room}/{self.key}.csv"


_tables: dict[tuple[str, str], Table] = {}


def register_table(table: Table) -> Table:
    _tables[(table.room, table.key)] = table
    return table


def get_table(room: str, key: str) -> Table | None:
    return _tables.get((room, key))


def schema(*fields: tuple[str, str, str], primary_key: Sequence[str] = ()) -> dict:
    """A Table Schema from (name, Frictionless type, English description) triples."""
    result: dict[str, Any] = {"fields": [{"name": name, "type": kind, "description": description}
                                         for name, kind, description in fields],
                              "missingValues": [""]}
    if primary_key:
        result["primaryKey"] = list(primary_key)
    return result


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return str(value)


def render_csv(table: Table, part: str | None) -> str:
    """The whole CSV: a header of the schema's field names, then the rows (RFC 4180, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([field["name"] for field in table.schema["fields"]])
    for row in table.rows(part):
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()
