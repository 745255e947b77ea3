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

Every call of `all_datasets()` / `get_dataset()` calls every provider again, so the catalogue is never
stale; providers must therefore be cheap (a few queries, no file generation) — byte sizes and modified
dates only where cheap. Harvested datasets of other portals join the same way, e.g.
`register("external", provider)`: their `room` is the publishing organisation's name.

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

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

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


def register(room: str, provider: Provider) -> None:
    """Add a provider of `room`'s datasets. Registering the same callable twice keeps one."""
    providers = _providers.setdefault(room, [])
    if provider not in providers:
        providers.append(provider)


def unregister(room: str, provider: Provider | None = None) -> None:
    """Remove one provider of `room` (or all of them) — for tests and for rooms switched off."""
    if provider is None:
        _providers.pop(room, None)
    elif provider in _providers.get(room, []):
        _providers[room].remove(provider)


def rooms() -> list[str]:
    """The rooms with a registered provider, in registration order."""
    return [room for room, providers in _providers.items() if providers]


def all_datasets() -> list[Dataset]:
    """Every registered provider called now (live, never stale), sorted by name.

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


def get_dataset(name: str) -> Dataset | None:
    for dataset in all_datasets():
        if dataset.name == name:
            return dataset
    return None
