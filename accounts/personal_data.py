"""What the platform holds about one person, room by room (GDPR articles 15, 17 and 20; docs/identity.md).

Accounts must not import the rooms (floors: imports only go down), so each room registers here, from its own
`<room>/personal_data.py` called in its AppConfig.ready():

    personal_data.register("reports", _("Problem reports"), export_reports, erase_reports)

An exporter returns a list of `Section`s (one query each, so an export costs a fixed number of queries
however much a person wrote); an eraser runs inside the deletion's transaction, before the account row is
deleted, and returns counts of what it erased or anonymised (no personal data: they go into the audit).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.functional import Promise


@dataclass
class Section:
    """One kind of record: `key` and `fields` keys are stable (the JSON's); titles and labels are translated."""

    key: str
    title: str | Promise
    fields: Mapping[str, str | Promise]
    rows: list[dict[str, Any]]
    note: str | Promise = ""
    # Labels of coded values for the readable page ({field: {code: label}}); the JSON keeps the codes.
    displays: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": str(self.title), "records": [_plain(row) for row in self.rows]}
        if self.note:
            data["note"] = str(self.note)
        return data

    def labelled_rows(self) -> list[list[tuple[str, Any]]]:
        """For the readable page: each record as (label, value) pairs in the fields' order."""
        return [[(str(label), _readable(self._display(name, row.get(name)))) for name, label in self.fields.items()]
                for row in self.rows]

    def _display(self, name: str, value: Any) -> Any:
        if not isinstance(value, Hashable):  # a JSON value (a translated title, a drawn area) has no label
            return value
        return self.displays.get(name, {}).get(value, value)


def section(key: str, title: str | Promise, rows: QuerySet[Any] | Iterable[Mapping[str, Any]],
            fields: Mapping[str, str | Promise], note: str | Promise = "",
            displays: Mapping[str, Mapping[Any, Any]] | None = None) -> Section:
    """A section from a queryset: `.values(*fields)` reads only the exported columns, in one query. The
    model's choices label the coded values on the readable page."""
    labels = dict(displays or {})
    if isinstance(rows, QuerySet):
        for name in fields:
            if "__" not in name:
                model_field = rows.model._meta.get_field(name)
                if model_field.choices:
                    labels.setdefault(name, dict(model_field.flatchoices))
        rows = rows.values(*fields.keys())
    return Section(key=key, title=title, fields=fields, rows=[dict(row) for row in rows], note=note,
                   displays=labels)


Exporter = Callable[[Any], list[Section]]
Eraser = Callable[[Any], Mapping[str, int]]


@dataclass(frozen=True)
class Room:
    name: str
    title: str | Promise
    exporter: Exporter
    eraser: Eraser
    order: int = field(default=100)


_rooms: dict[str, Room] = {}


def register(room: str, title: str | Promise, exporter: Exporter, eraser: Eraser, order: int = 100) -> None:
    """Called once per room from its AppConfig.ready(); registering again replaces (autoreload-safe)."""
    _rooms[room] = Room(room, title, exporter, eraser, order)


def rooms() -> list[Room]:
    return sorted(_rooms.values(), key=lambda room: (room.order, room.name))


def collect(user: Any) -> list[tuple[Room, list[Section]]]:
    return [(room, room.exporter(user)) for room in rooms()]


def export_json(user: Any, collected: list[tuple[Room, list[Section]]] | None = None) -> dict[str, Any]:
    collected = collect(user) if collected is None else collected
    return {
        "format": "timisoara-smart-city/personal-data/1",
        "generated_at": timezone.now().isoformat(),
        "account": user.pk,
        "rooms": {
            room.name: {"title": str(room.title), "sections": {s.key: s.as_json() for s in sections}}
            for room, sections in collected
        },
    }


def account_addresses(user: Any) -> list[str]:
    """The account's e-mail addresses, lower-cased (one query): rooms find with them what a person did or
    received signed out or by e-mail (subscriptions, invitations)."""
    from allauth.account.models import EmailAddress

    return sorted({(user.email or "").lower(), *(e.lower() for e in EmailAddress.objects.filter(user=user)
                                                  .values_list("email", flat=True))} - {""})


def erase(user: Any) -> dict[str, dict[str, int]]:
    """Every room's eraser, accounts last (it owns the rows the others may still read)."""
    ordered = sorted(rooms(), key=lambda room: room.name == "accounts")
    return {room.name: dict(room.eraser(user)) for room in ordered}


def _readable(value: Any) -> Any:
    """Dates as the page's language writes them (the JSON keeps ISO 8601); a structured value (the claims an
    identity provider sent, a translated title) as one "name › name: value" line per leaf, not a Python repr."""
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, dict | list | tuple):
        return "\n".join(_leaf_lines(_plain(value), "")) or None
    return _plain(value)


def _leaf_lines(value: Any, path: str) -> list[str]:
    if isinstance(value, dict):
        lines: list[str] = []
        for key, item in value.items():
            lines += _leaf_lines(item, f"{path} › {key}" if path else str(key))
        return lines
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [f"{path}: {', '.join(str(item) for item in value)}" if path else ", ".join(map(str, value))]
        return [line for item in value for line in _leaf_lines(item, path)]
    text = "—" if value is None or value == "" else str(value)
    return [f"{path}: {text}" if path else text]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | Promise):
        return str(value)
    return value
