"""The open-data catalogue's registry: rooms register their datasets here; the catalogue reads them.

This module imports no room (floors: rooms publish, connective rooms collect). A room publishes by
registering a *provider* — a callable that returns the room's datasets built from live data — from its
own `<room>/opendata.py`, called in its `AppConfig.ready()`:

    # reports/opendata.py
    from opendata.registry import Dataset, Distribution, Text, register

    def datasets() -> list[Dataset]:
        return [Dataset(name="problem-reports", room="reports", title=Text(ro="…", en="…"), ...)]

    def register_all() -> None:
        register("reports", datasets)

Reads go through a *snapshot* (`snapshot()`): every provider is called once, the datasets are sorted and
indexed by name, and what the catalogue's formats derive from them (CKAN package dicts, search index,
DCAT triples) is kept on the snapshot until a write makes it stale. With 10,000 datasets, calling every
provider and building every package on each request took seconds; reusing them takes milliseconds.
A snapshot is stale, and is rebuilt on the next read, when
- a provider is registered or unregistered (the providers' identities are part of its key);
- a model a room declared as its datasets' source is saved or deleted (post_save, post_delete,
  m2m_changed): by default every model of the app named as the room (`register("reports", ...)`
  watches the reports app), or the models given with `register(room, provider, sources=[...])`.
  The change renews a generation token in Django's cache, which every process reads (Redis in
  production): when its transaction commits (other processes cannot see it before); inside the
  transaction, this process's snapshot is renewed at once (a request that writes, then reads);
- `invalidate()` is called (for a change the signals do not see, e.g. after a bulk import);
- it is older than `OPENDATA_SNAPSHOT_SECONDS` (60 by default; 0 switches snapshots off and every read
  calls every provider): writes that send no signal (COPY or bulk_create of sensor readings, queryset
  update()) are seen within that time.
A renewed snapshot whose datasets all compare equal to the previous one's takes over what was derived
from them. Providers should still be cheap (a few queries, no file generation): they run on the first
read after every renewal. Harvested datasets of other portals join the same way, e.g.
`register("external", provider, sources=["opendata.externaldataset"])`: their `room` is the publishing
organisation's name.

The types:
- `Text(ro, en)`: every human text in both languages.
- `Distribution`: one download. `url` is a site-absolute, language-free path ("/api/v1/reports.csv");
  `file_type` is an EU file-type authority code ("CSV", "JSON", "GEOJSON", "RDF_TURTLE", "ICS", "XML",
  "ATOM", "ZIP", "TXT"); `table_schema` a Frictionless Table Schema for CSVs.
- `DataService`: a live API ("/open311/v2/"), optionally with its description ("/api/openapi.json") and
  the standard it conforms to.
- `Dataset`: `name` is a CKAN-style slug unique site-wide ([a-z0-9-_]{2,100}); `room` the publishing
  room (the CKAN organisation name); `themes` EU data-theme codes ("ENVI", "GOVE", ...); `frequency` an
  EU frequency code; `hvd_category` the High-Value Dataset category code of Implementing Regulation
  (EU) 2023/138 where the dataset falls under it; `temporal_*` and `spatial_geometry` (GeoJSON, WGS 84)
  the coverage; `contains_demo` says that demonstration rows are included; `licence` is a code of the
  EU licence table (CC BY 4.0 unless the data's source demands another, e.g. "ODC_BL" for OpenStreetMap).

Fields may be added with defaults; none is renamed or removed (the CKAN API, the DCAT-AP output and the
harvester all read these types).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

log = logging.getLogger(__name__)
T = TypeVar("T")
NAME_PATTERN = re.compile(r"^[a-z0-9_-]{2,100}$")


@dataclass(frozen=True)
class Text:
    """Every human text in both languages."""

    ro: str
    en: str

    def get(self, language: str) -> str:
        return self.ro if language.startswith("ro") else self.en

    @classmethod
    def of(cls, instance: object, field: str) -> Text:
        """Both languages of a django-modeltranslation field (`title_ro`, `title_en`), each falling back
        to the other and then to the field itself."""
        plain = str(getattr(instance, field, "") or "")
        ro = str(getattr(instance, f"{field}_ro", "") or "")
        en = str(getattr(instance, f"{field}_en", "") or "")
        return cls(ro=ro or en or plain, en=en or ro or plain)


@dataclass(frozen=True)
class Distribution:
    key: str  # unique within its dataset, e.g. "csv"
    title: Text
    url: str  # site-absolute path of the download, e.g. "/api/v1/reports.csv" (language-free)
    media_type: str  # IANA media type, e.g. "text/csv"
    file_type: str  # EU file-type authority code: "CSV", "JSON", "GEOJSON", "RDF_TURTLE", "ICS", ...
    description: Text | None = None
    byte_size: int | None = None
    modified: datetime | None = None
    table_schema: dict | None = None  # Frictionless Table Schema, for CSVs
    conforms_to: str | None = None  # URL of the format's specification (e.g. Pabulib), if any


@dataclass(frozen=True)
class DataService:
    key: str
    title: Text
    endpoint_url: str  # site-absolute path, e.g. "/open311/v2/"
    endpoint_description_url: str | None = None  # e.g. "/api/openapi.json"
    conforms_to: str | None = None  # URL of the standard, e.g. Open311 GeoReport v2


@dataclass(frozen=True)
class Dataset:
    name: str  # CKAN-style slug, unique site-wide, [a-z0-9-_]{2,100}
    room: str  # publishing room = CKAN organization name: "strategy", "reports", ...
    title: Text
    description: Text
    themes: tuple[str, ...]  # EU data-theme codes, e.g. ("ENVI",)
    tags: tuple[str, ...] = ()
    frequency: str = "IRREG"  # EU frequency code: "CONT", "HOURLY", "DAILY", "ANNUAL", "IRREG", ...
    issued: datetime | None = None
    modified: datetime | None = None
    distributions: tuple[Distribution, ...] = ()
    services: tuple[DataService, ...] = ()
    hvd_category: str | None = None  # HVD category code per Implementing Regulation (EU) 2023/138
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial_geometry: dict | None = None  # GeoJSON (WGS 84)
    contains_demo: bool = False  # demonstration rows are included (flagged is_demo in the room)
    licence: str = "CC_BY_4_0"  # code of the EU licence authority table (opendata.vocabularies.LICENCES)
    attribution: Text | None = None  # the credit users must give, e.g. "© OpenStreetMap contributors"
    landing_page: str | None = None  # site-absolute path of a human page about it (language-prefixed)
    extras: dict = field(default_factory=dict, hash=False, compare=False)  # free key → value, e.g. for CKAN


Provider = Callable[[], Iterable[Dataset]]
_providers: dict[str, list[Provider]] = {}
# room → the models whose changes make its datasets stale: "app_label" (every model of the app) or
# "app_label.modelname" (lower case, as Django's _meta.label_lower).
_sources: dict[str, frozenset[str]] = {}

GENERATION_KEY = "opendata:generation"
DEFAULT_SNAPSHOT_SECONDS = 60


def register(room: str, provider: Provider, *, sources: Iterable[str] | None = None) -> None:
    """Add a provider of `room`'s datasets. Registering the same callable twice keeps one.

    `sources`: the models the datasets are built from ("reports" for every model of the app,
    "core.neighbourhood" for one); a save or delete of one of them renews the catalogue's snapshot.
    By default the app named as the room. Readings ingested in bulk send no signal: the snapshot's
    lifetime (OPENDATA_SNAPSHOT_SECONDS) bounds how long they go unseen."""
    providers = _providers.setdefault(room, [])
    if provider not in providers:
        providers.append(provider)
    wanted = frozenset(source.lower() for source in (sources if sources is not None else (room,)))
    _sources[room] = _sources.get(room, frozenset()) | wanted
    _forget_watched()


def unregister(room: str, provider: Provider | None = None) -> None:
    """Remove one provider of `room` (or all of them) — for tests and for rooms switched off."""
    if provider is None:
        _providers.pop(room, None)
    elif provider in _providers.get(room, []):
        _providers[room].remove(provider)
    _forget_watched()  # its sources stay known: watched() counts only rooms with a provider


def rooms() -> list[str]:
    """The rooms with a registered provider, in registration order."""
    return [room for room, providers in _providers.items() if providers]


def _build() -> list[Dataset]:
    """Every registered provider called now, sorted by name.

    Two datasets with the same name are a programming error of the rooms: ValueError names both."""
    seen: dict[str, Dataset] = {}
    for providers in list(_providers.values()):
        for provider in list(providers):
            for dataset in provider():
                if not NAME_PATTERN.match(dataset.name):
                    raise ValueError(f"dataset name {dataset.name!r} is not a CKAN name [a-z0-9-_]{{2,100}}")
                if dataset.name in seen:
                    raise ValueError(f"dataset name {dataset.name!r} registered by both "
                                     f"{seen[dataset.name].room!r} and {dataset.room!r}")
                seen[dataset.name] = dataset
    return sorted(seen.values(), key=lambda dataset: dataset.name)


# --- the snapshot ----------------------------------------------------------------------------------


class Snapshot:
    """The catalogue as read at one generation: the datasets (sorted by name, never mutated), by name, and
    whatever the catalogue's formats derived from them (`derive`), built once and shared by every request
    until the snapshot is replaced. Everything kept here must be treated as read-only by its readers."""

    def __init__(self, key: tuple[Any, ...], datasets: list[Dataset]) -> None:
        self.key = key
        self.built_at = time.monotonic()
        self.datasets: tuple[Dataset, ...] = tuple(datasets)
        self.by_name: dict[str, Dataset] = {dataset.name: dataset for dataset in datasets}
        self._derived: dict[Any, Any] = {}

    def adopt(self, previous: Snapshot) -> None:
        """Take over what was derived from equal datasets (everything derived depends on nothing else)."""
        self.datasets, self.by_name, self._derived = previous.datasets, previous.by_name, previous._derived

    def derive(self, key: Any, build: Callable[[], T]) -> T:
        """`build()` once per snapshot for `key` (e.g. ("ckan-documents",)); two threads may both build
        it the first time — the same value, one of them kept."""
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            return self._derived.setdefault(key, build())  # type: ignore[no-any-return]


_snapshot: Snapshot | None = None
_snapshot_lock = threading.Lock()


def snapshot_seconds() -> int:
    return int(getattr(settings, "OPENDATA_SNAPSHOT_SECONDS", DEFAULT_SNAPSHOT_SECONDS) or 0)


def _new_token() -> str:
    return uuid.uuid4().hex


def generation() -> str:
    """The shared generation token (a fresh one after every change, or when the cache lost it — a restarted
    Redis or a cleared cache then renews every process's snapshot)."""
    try:
        token = cache.get(GENERATION_KEY)
        if token is None:
            cache.add(GENERATION_KEY, _new_token(), timeout=None)
            token = cache.get(GENERATION_KEY)
    except Exception:  # the cache is down: read live rather than fail or serve an old snapshot forever
        log.warning("open-data generation unreadable from the cache; reading the catalogue live", exc_info=True)
        return _new_token()
    return str(token) if token is not None else _new_token()


def _providers_key() -> tuple[Any, ...]:
    return tuple((room, tuple(providers)) for room, providers in _providers.items())


def _fresh(current: Snapshot | None, key: tuple[Any, ...], lifetime: int) -> bool:
    return current is not None and current.key == key and time.monotonic() - current.built_at < lifetime


def snapshot() -> Snapshot:
    """The current snapshot, rebuilt if a change or its age made it stale (see the module's docstring)."""
    global _snapshot
    lifetime = snapshot_seconds()
    if lifetime <= 0:
        return Snapshot(("live", _new_token()), _build())
    key = (_providers_key(), _local_changes, generation())
    current = _snapshot
    if _fresh(current, key, lifetime):
        return current  # type: ignore[return-value]
    with _snapshot_lock:  # one thread builds; the others wait for it rather than all calling the providers
        current = _snapshot
        if _fresh(current, key, lifetime):
            return current  # type: ignore[return-value]
        built = Snapshot(key, _build())  # the key was read before the build: a change meanwhile renews it
        if current is not None and _same_datasets(current.datasets, built.datasets):
            built.adopt(current)  # nothing changed (its age, or a write that changed no dataset)
        _snapshot = built
        return built


def _same_datasets(old: tuple[Dataset, ...], new: tuple[Dataset, ...]) -> bool:
    return len(old) == len(new) and all(
        a is b or (a == b and a.extras == b.extras) for a, b in zip(old, new, strict=True))


def invalidate() -> None:
    """Make every process's snapshot stale now (a change the signals do not see, e.g. after a bulk import)."""
    try:
        cache.set(GENERATION_KEY, _new_token(), timeout=None)
    except Exception:
        log.warning("open-data generation not renewed in the cache", exc_info=True)


_local_changes = 0


def _changed_here() -> None:
    global _local_changes
    _local_changes += 1


def forget_snapshot() -> None:
    """Drop this process's snapshot (tests: a database rolled back after a test sends no signal)."""
    global _snapshot
    _snapshot = None


# --- invalidation by the sources' signals ----------------------------------------------------------

_watched: tuple[tuple[str, ...], frozenset[str]] | None = None  # (the rooms it was computed for, the sources)


def _forget_watched() -> None:
    global _watched
    _watched = None


def watched() -> frozenset[str]:
    """The sources of the rooms that have a provider now (recomputed when they change, even when a test swaps
    the providers without register/unregister)."""
    global _watched
    current = tuple(rooms())
    if _watched is None or _watched[0] != current:
        _watched = (current, frozenset().union(*(_sources.get(room, frozenset()) for room in current)))
    return _watched[1]


def _source_changed(sender: Any = None, **kwargs: Any) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None or snapshot_seconds() <= 0:
        return
    sources = watched()
    if meta.app_label not in sources and meta.label_lower not in sources:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        invalidate()
        return
    # Inside a transaction: this process's next read must see the change at once (a request that writes
    # and then reads the catalogue; a test), the others when it commits (they cannot see it before).
    _changed_here()
    if not any(entry[1] is invalidate for entry in connection.run_on_commit):
        transaction.on_commit(invalidate)


for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(_source_changed, dispatch_uid=f"opendata.registry.{_signal!r}")


# --- the public reads ------------------------------------------------------------------------------


def all_datasets() -> list[Dataset]:
    """Every dataset, sorted by name (a new list: callers may filter it); from the current snapshot.

    Two datasets with the same name are a programming error of the rooms: ValueError names both."""
    return list(snapshot().datasets)


def get_dataset(name: str) -> Dataset | None:
    return snapshot().by_name.get(name)
