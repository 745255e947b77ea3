"""CKAN Action API v3 actions over the catalogue's registry, shaped as CKAN 2.10 shapes its answers.

Each action takes the request's parameters (a dict, as CKAN's `data_dict`) and a `Catalogue` (every
dataset of the registry, read once per request), and returns the `result` — or raises what CKAN raises:
`ValidationError` (409), `NotFound` (404), `SearchQueryError` (400), `SearchError` (409). The view
(opendata/ckan/views.py) wraps them in CKAN's envelope.

Read-only: the catalogue is built from live data by the rooms, so the create/update/delete actions of
CKAN do not exist here (they answer as unknown actions, as on a CKAN without them).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from opendata import registry
from opendata import vocabularies as voc
from opendata.ckan import search
from opendata.registry import Dataset

CKAN_VERSION = "2.10.4"  # the API generation we answer as (shapes of CKAN 2.10)
ROWS_MAX = 1000  # ckan.search.rows_max: larger `rows` are capped, as CKAN does
FACET_LIMIT_DEFAULT = 50  # search.facets.limit
# Stable ids: the same name gives the same UUID on every server and every run.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/timisoara-smart-city/opendata")
EPOCH = datetime(2022, 1, 1, tzinfo=UTC)  # the strategy's start: the date of a dataset that gives none
# The EU licence table codes our datasets use → CKAN licence ids (SPDX-like, as ckanext-dcat maps them).
EU_TO_CKAN_LICENCE = {"CC_BY_4_0": "CC-BY-4.0", "ODC_BL": "ODbL-1.0", "CC0": "CC0-1.0"}


class ValidationError(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotFound(Exception):
    pass


@lru_cache(maxsize=100_000)  # the same few names on every request: uuid5 is the costliest part of a package
def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(parts)))


def ckan_time(moment: datetime | None) -> str | None:
    """CKAN writes naive UTC with microseconds: 2021-05-21T08:16:03.133135."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


@lru_cache(maxsize=1000)
def _label(room: str, language: str) -> str:
    try:
        with translation.override(language):
            return str(apps.get_app_config(room).verbose_name)
    except LookupError:
        return room


def is_harvested(dataset: Dataset) -> bool:
    return "harvest_source" in dataset.extras


# --- parameters, validated as CKAN's schemas validate them ----------------------------------------


def _integer(data: Mapping[str, Any], key: str, default: int | None, *, natural: bool = True) -> int | None:
    if key not in data or data[key] in ("", None):
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise ValidationError({key: ["Invalid integer"]})
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except ValueError:
        number = None
    if number is None:
        raise ValidationError({key: ["Invalid integer"]})
    if natural and number < 0:
        raise ValidationError({key: ["Must be a natural number"]})
    return number


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError({key: ["Must be a string"]})
    return value


def _boolean(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no", ""):
        return value.lower() in ("true", "1", "yes")
    raise ValidationError({key: ["Value must be one of: True, False"]})


def _string_list(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):  # convert_to_json_if_string
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({key: ["Could not parse as valid JSON"]}) from None
    if not isinstance(value, list):
        raise ValidationError({key: ["Not a list"]})
    if not all(isinstance(item, str) for item in value):
        raise ValidationError({key: ["Not a string"]})
    return value


def _required_id(data: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = data.get(key)
        if value not in (None, ""):
            if not isinstance(value, str):
                raise ValidationError({key: ["Must be a string"]})
            return value
    raise ValidationError({keys[-1]: ["Missing value"]})


# --- the catalogue of one request -----------------------------------------------------------------


# What was built from a dataset, kept while the dataset is unchanged. A provider builds new Dataset objects on
# every read (live data), so a hit needs an equal dataset (all its fields, extras included): the answer is
# then exactly what building it again would give, never a stale copy. Comparing is several times cheaper
# than building a package dict or a search document.
_built: dict[tuple[str, str, str], tuple[Dataset, Any]] = {}
_BUILT_MAX = 100_000


def _memo(kind: str, base_url: str, dataset: Dataset, build: Callable[[], Any]) -> Any:
    key = (kind, base_url, dataset.name)
    hit = _built.get(key)
    if hit is not None and (hit[0] is dataset or (hit[0] == dataset and hit[0].extras == dataset.extras)):
        return hit[1]
    value = build()
    if len(_built) >= _BUILT_MAX:
        _built.clear()
    _built[key] = (dataset, value)
    return value


class Catalogue:
    """The registry's current snapshot (opendata/registry.py) as the CKAN actions read it. Everything derived
    from the datasets — ids, search documents and their index, organisations, package dicts (built when an
    answer first holds them) — is kept on the snapshot, so it is built once per generation of the catalogue
    and shared by every request until a change renews the snapshot. Readers never mutate what they get."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url  # "https://example.org" (no trailing slash): resource URLs are absolute in CKAN
        self.snapshot = registry.snapshot()
        self._packages: dict[int, dict[str, Any]] = self.snapshot.derive(("ckan-packages", base_url), dict)

    @property
    def datasets(self) -> Sequence[Dataset]:
        return self.snapshot.datasets

    @property
    def ids(self) -> list[str]:
        return self.snapshot.derive(("ckan-ids",), lambda: [package_id(dataset) for dataset in self.datasets])

    def package_at(self, index: int) -> dict[str, Any]:
        package = self._packages.get(index)
        if package is None:
            dataset = self.datasets[index]
            package = self._packages[index] = _memo("package", self.base_url, dataset,
                                                    lambda: package_dict(dataset, self.base_url))
        return package

    def package_json(self, package: dict[str, Any]) -> str:
        """A package dict of this catalogue as JSON, encoded once per snapshot (the views splice these into
        an answer: encoding a thousand packages on every request was most of a rows=1000 search)."""
        encoded: dict[int, tuple[dict[str, Any], str]] = self.snapshot.derive(("ckan-package-json", self.base_url),
                                                                              dict)
        hit = encoded.get(id(package))
        if hit is not None and hit[0] is package:
            return hit[1]
        text = json.dumps(package, cls=DjangoJSONEncoder)
        encoded[id(package)] = (package, text)  # the package is kept with it: its id() cannot be reused
        return text

    @property
    def packages(self) -> list[dict[str, Any]]:
        """Every package dict (for the few answers that need them all)."""
        return [self.package_at(index) for index in range(len(self.datasets))]

    @property
    def index_by_name_or_id(self) -> dict[str, int]:
        def build() -> dict[str, int]:
            index: dict[str, int] = {}
            for position, (dataset, identifier) in enumerate(zip(self.datasets, self.ids, strict=True)):
                index[dataset.name] = position
                index[identifier] = position
            return index

        return self.snapshot.derive(("ckan-index-by-name-or-id",), build)

    @property
    def documents(self) -> list[dict[str, list[str]]]:
        return self.snapshot.derive(("ckan-documents",), lambda: [
            _memo("document", "", dataset, lambda d=dataset, i=identifier: search_document(d, i))  # type: ignore[misc]
            for dataset, identifier in zip(self.datasets, self.ids, strict=True)])

    @property
    def search_index(self) -> search.Index:
        """The documents' inverted index, folded values and sort keys (built once per snapshot)."""
        return self.snapshot.derive(("ckan-search-index",), lambda: search.Index(self.documents, SEARCH_SCHEMA))

    @property
    def organizations(self) -> dict[str, dict[str, Any]]:
        def build() -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for dataset in self.datasets:
                if dataset.room not in found:
                    found[dataset.room] = organization_dict(dataset)
            return dict(sorted(found.items()))

        return self.snapshot.derive(("ckan-organizations",), build)

    @property
    def groups(self) -> dict[str, dict[str, Any]]:
        return self.snapshot.derive(("ckan-groups",), lambda: {code.lower(): group_dict(code)
                                                               for code in sorted(voc.THEMES)})

    @property
    def newest_first(self) -> list[int]:
        """Dataset positions, most recently modified first (current_package_list_with_resources)."""
        return self.snapshot.derive(("ckan-newest-first",), lambda: sorted(
            range(len(self.datasets)), key=lambda index: _utc(_modified(self.datasets[index])), reverse=True))

    def package_counts(self, kind: str) -> dict[str, int]:
        return self.snapshot.derive(("ckan-package-counts", kind), lambda: _package_counts(self, kind))

    def package(self, name_or_id: str) -> dict[str, Any]:
        position = self.index_by_name_or_id.get(name_or_id)
        if position is None:
            raise NotFound()
        return self.package_at(position)


def organization_dict(dataset: Dataset) -> dict[str, Any]:
    if is_harvested(dataset):
        return _organization(dataset.room, str(dataset.extras.get("organization_title") or dataset.room),
                             str(dataset.extras["harvest_source"]))
    return _organization(dataset.room, None, None)


@lru_cache(maxsize=1000)  # shared by every package of the organisation: never mutated, copied where changed
def _organization(room: str, harvested_title: str | None, harvest_source: str | None) -> dict[str, Any]:
    if harvested_title is not None:
        title_ro = title_en = harvested_title
        description = harvest_source or ""
    else:
        title_ro, title_en = _label(room, "ro"), _label(room, "en")
        description = f"{settings.SITE_NAME}: {title_ro} / {title_en}" if hasattr(settings, "SITE_NAME") else ""
    return {
        "id": stable_id("organization", room), "name": room, "title": title_ro, "display_name": title_ro,
        "title_translated": {"ro": title_ro, "en": title_en}, "type": "organization", "description": description,
        "image_url": "", "created": ckan_time(EPOCH), "is_organization": True, "approval_status": "approved",
        "state": "active",
    }


@lru_cache(maxsize=100)
def group_dict(code: str) -> dict[str, Any]:
    title_ro, title_en = voc.THEMES.get(code, (code, code))
    return {
        "id": stable_id("group", code), "name": code.lower(), "title": title_ro, "display_name": title_ro,
        "title_translated": {"ro": title_ro, "en": title_en}, "description": voc.theme_uri(code),
        "image_display_url": "", "type": "group", "is_organization": False, "state": "active",
        "approval_status": "approved", "created": ckan_time(EPOCH),
    }


def _licence(dataset: Dataset) -> tuple[str, str, str]:
    if is_harvested(dataset) and dataset.extras.get("license_id"):
        return (str(dataset.extras["license_id"]), str(dataset.extras.get("license_title") or ""),
                str(dataset.extras.get("license_url") or ""))
    title, url = voc.LICENCES.get(dataset.licence, voc.LICENCES[voc.DEFAULT_LICENCE])
    return EU_TO_CKAN_LICENCE.get(dataset.licence, dataset.licence), title, url


def _modified(dataset: Dataset) -> datetime:
    candidates = [moment for moment in (dataset.modified, *(d.modified for d in dataset.distributions)) if moment]
    return max(candidates, key=_utc) if candidates else dataset.issued or EPOCH


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _absolute(base_url: str, path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{base_url}{path}"


def package_id(dataset: Dataset) -> str:
    """A harvested dataset keeps its portal's id (as ckanext-harvest does); ours get a UUID5 of the name."""
    remote_id = dataset.extras.get("remote_id")
    if is_harvested(dataset) and _is_uuid(remote_id):
        return str(remote_id)
    return stable_id("dataset", dataset.name)


def package_dict(dataset: Dataset, base_url: str) -> dict[str, Any]:
    """A package as CKAN 2.10's package_show returns it (core fields, then extras for the rest)."""
    harvested = is_harvested(dataset)
    identifier = package_id(dataset)
    modified = ckan_time(_modified(dataset))
    created = ckan_time(dataset.issued or _modified(dataset))
    organization = organization_dict(dataset)
    license_id, license_title, license_url = _licence(dataset)
    resources: list[dict[str, Any]] = []
    resource_ids = dataset.extras.get("resource_ids") or []
    for position, distribution in enumerate(dataset.distributions):
        remote_id = resource_ids[position] if position < len(resource_ids) else None
        resources.append({
            "id": remote_id if _is_uuid(remote_id) else stable_id("resource", dataset.name, distribution.key),
            "package_id": identifier, "position": position, "name": distribution.title.ro,
            "name_translated": {"ro": distribution.title.ro, "en": distribution.title.en},
            "description": distribution.description.ro if distribution.description else "",
            "url": _absolute(base_url, distribution.url), "format": distribution.file_type,
            "mimetype": distribution.media_type, "mimetype_inner": None, "size": distribution.byte_size,
            "last_modified": ckan_time(distribution.modified), "created": created,
            "metadata_modified": ckan_time(distribution.modified) or modified, "state": "active",
            "url_type": None, "resource_type": None, "hash": "", "cache_url": None, "cache_last_updated": None,
            "datastore_active": False,
        })
    for service in dataset.services:
        resources.append({
            "id": stable_id("service", dataset.name, service.key), "package_id": identifier,
            "position": len(resources), "name": service.title.ro,
            "name_translated": {"ro": service.title.ro, "en": service.title.en},
            "description": service.conforms_to or "", "url": _absolute(base_url, service.endpoint_url),
            "format": "API", "mimetype": None, "mimetype_inner": None, "size": None, "last_modified": None,
            "created": created, "metadata_modified": modified, "state": "active", "url_type": None,
            "resource_type": "api", "hash": "", "cache_url": None, "cache_last_updated": None,
            "datastore_active": False,
        })
    extras: dict[str, Any] = {"frequency": voc.frequency_uri(dataset.frequency),
                              "theme": json.dumps([voc.theme_uri(code) for code in dataset.themes]),
                              "language": json.dumps(["ro", "en"]), "contains_demo": str(dataset.contains_demo).lower()}
    if dataset.hvd_category:
        extras["hvd_category"] = voc.hvd_category_uri(dataset.hvd_category)
        extras["applicable_legislation"] = voc.HVD_LEGISLATION
    if dataset.temporal_start:
        extras["temporal_start"] = dataset.temporal_start.isoformat()
    if dataset.temporal_end:
        extras["temporal_end"] = dataset.temporal_end.isoformat()
    if dataset.spatial_geometry:
        extras["spatial"] = json.dumps(dataset.spatial_geometry)  # as ckanext-spatial stores it
    if dataset.attribution:
        extras["attribution"] = dataset.attribution.ro
    if harvested:
        extras.update({"harvest_source": dataset.extras["harvest_source"], "harvest_url": dataset.extras["harvest_url"],
                       "guid": str(dataset.extras.get("remote_id", ""))})
    tags = [{"id": stable_id("tag", tag), "name": tag, "display_name": tag, "state": "active", "vocabulary_id": None}
            for tag in dataset.tags]
    return {
        "id": identifier, "name": dataset.name, "title": dataset.title.ro,
        "title_translated": {"ro": dataset.title.ro, "en": dataset.title.en},
        "notes": dataset.description.ro,
        "notes_translated": {"ro": dataset.description.ro, "en": dataset.description.en},
        "url": _absolute(base_url, dataset.landing_page) if dataset.landing_page else
        f"{base_url}/ro/date-deschise/{dataset.name}/",
        "version": "", "state": "active", "private": False, "type": "dataset", "isopen": True,
        "license_id": license_id, "license_title": license_title, "license_url": license_url,
        "author": "", "author_email": "", "maintainer": "", "maintainer_email": "",
        "creator_user_id": None, "metadata_created": created, "metadata_modified": modified,
        "owner_org": organization["id"], "organization": organization,
        "groups": [_group_summary(code) for code in dataset.themes],
        "tags": tags, "num_tags": len(tags), "resources": resources, "num_resources": len(resources),
        "extras": [{"key": key, "value": value} for key, value in sorted(extras.items())],
        "relationships_as_object": [], "relationships_as_subject": [],
    }


@lru_cache(maxsize=100)
def _group_summary(code: str) -> dict[str, Any]:
    group = group_dict(code)
    return {key: group[key] for key in ("id", "name", "title", "display_name", "description", "image_display_url")}


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return value is not None


def search_document(dataset: Dataset, identifier: str) -> dict[str, list[str]]:
    """The fields CKAN indexes in Solr, as lists of strings, straight from the dataset."""
    organization = organization_dict(dataset)
    titles = [dataset.title.ro, dataset.title.en]
    notes = [dataset.description.ro, dataset.description.en]
    resource_names = [d.title.ro for d in dataset.distributions] + [s.title.ro for s in dataset.services]
    formats = [d.file_type for d in dataset.distributions if d.file_type] + ["API" for _ in dataset.services]
    groups = [_group_summary(code) for code in dataset.themes]
    text = [dataset.name, *titles, *notes, organization["title"], *dataset.tags, *resource_names,
            *(d.description.ro for d in dataset.distributions if d.description), *(g["title"] for g in groups)]
    modified = _modified(dataset)
    license_id = _licence(dataset)[0]
    document = {
        "id": [identifier], "name": [dataset.name], "title": titles, "title_string": [dataset.title.ro],
        "notes": notes, "text": text, "organization": [dataset.room], "owner_org": [organization["id"]],
        "groups": [group["name"] for group in groups], "tags": list(dataset.tags), "res_format": formats,
        "res_name": resource_names, "license_id": [license_id],
        "metadata_modified": [ckan_time(modified) or ""],
        "metadata_created": [ckan_time(dataset.issued or modified) or ""],
        "num_resources": [str(len(dataset.distributions) + len(dataset.services))],
        "num_tags": [str(len(dataset.tags))], "type": ["dataset"], "state": ["active"], "capacity": ["public"],
        "dataset_type": ["dataset"], "extras_frequency": [voc.frequency_uri(dataset.frequency)],
    }
    if dataset.hvd_category:
        document["extras_hvd_category"] = [voc.hvd_category_uri(dataset.hvd_category)]
    if is_harvested(dataset):
        document["extras_harvest_source"] = [str(dataset.extras["harvest_source"])]
    return document


SEARCH_SCHEMA = search.Schema(
    text_fields=frozenset({"text", "title", "notes", "res_name"}),
    sortable=frozenset({"score", "id", "name", "title_string", "metadata_modified", "metadata_created",
                        "num_resources", "num_tags", "license_id"}),
)


# --- the actions ----------------------------------------------------------------------------------

Action = Callable[[Catalogue, dict[str, Any]], Any]


def status_show(catalogue: Catalogue, data: dict[str, Any]) -> dict[str, Any]:
    """The site and the CKAN API generation it answers as."""
    return {
        "site_title": getattr(settings, "SITE_NAME", "Timișoara Smart City"), "site_description": "",
        "site_url": catalogue.base_url, "ckan_version": CKAN_VERSION, "error_emails_to": None,
        "locale_default": "ro", "extensions": ["dcat", "harvest", "scheming_datasets", "fluent"],
    }


def site_read(catalogue: Catalogue, data: dict[str, Any]) -> bool:
    """Whether the site may be read: always."""
    return True


def package_list(catalogue: Catalogue, data: dict[str, Any]) -> list[str]:
    """The names of every public dataset (`limit`, `offset`)."""
    limit, offset = _integer(data, "limit", None), _integer(data, "offset", 0) or 0
    names = sorted(dataset.name for dataset in catalogue.datasets)
    return names[offset:] if limit is None else names[offset:offset + limit]


def current_package_list_with_resources(catalogue: Catalogue, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Datasets with their resources, most recently modified first (`limit`, `offset`, `page`)."""
    limit = _integer(data, "limit", None)
    offset = _integer(data, "offset", 0) or 0
    page = _integer(data, "page", None)
    if page is not None:
        if page < 1:
            raise ValidationError({"page": ["Must be a positive integer"]})
        if limit is None:
            raise ValidationError({"limit": ["Missing value"]})
        offset = (page - 1) * limit
    order = catalogue.newest_first
    chosen = order[offset:] if limit is None else order[offset:offset + limit]
    return [catalogue.package_at(index) for index in chosen]


def package_show(catalogue: Catalogue, data: dict[str, Any]) -> dict[str, Any]:
    """One dataset by name or id."""
    return catalogue.package(_required_id(data, "id", "name_or_id"))


def package_search(catalogue: Catalogue, data: dict[str, Any]) -> dict[str, Any]:
    """Search: `q`, `fq`, `fq_list`, `sort`, `rows` (≤ 1000), `start`, `facet.field`, `facet.limit`,
    `facet.mincount`; the answer carries `count`, `results`, `facets` and `search_facets`."""
    q = _text(data, "q")
    fq = _text(data, "fq")
    fq_list = _string_list(data, "fq_list")
    sort = _text(data, "sort") or "score desc, metadata_modified desc"
    rows = min(_integer(data, "rows", 10) or 0, ROWS_MAX)
    start = _integer(data, "start", 0) or 0
    facet_fields = _string_list(data, "facet.field")
    facet_limit = _integer(data, "facet.limit", FACET_LIMIT_DEFAULT, natural=False)
    facet_mincount = _integer(data, "facet.mincount", 1)
    if _boolean(data, "include_private") or _boolean(data, "include_drafts"):
        pass  # nothing here is private or a draft
    found = search.search(
        catalogue.documents, index=catalogue.search_index, q=q, fq=[fq, *fq_list], sort=sort, start=start, rows=rows,
        facet_fields=facet_fields, facet_limit=FACET_LIMIT_DEFAULT if facet_limit is None else facet_limit,
        facet_mincount=1 if facet_mincount is None else facet_mincount, schema=SEARCH_SCHEMA,
    )
    facets = {name: dict(items) for name, items in found.facets.items()}
    return {
        "count": found.count, "sort": sort, "facets": facets,
        "results": [catalogue.package_at(index) for index in found.page],
        "search_facets": {name: {"title": name, "items": [
            {"name": value, "display_name": _facet_display_name(catalogue, name, value), "count": count}
            for value, count in items]} for name, items in found.facets.items()},
    }


def _facet_display_name(catalogue: Catalogue, field_name: str, value: str) -> str:
    if field_name == "organization" and value in catalogue.organizations:
        return str(catalogue.organizations[value]["title"])
    if field_name == "groups" and value in catalogue.groups:
        return str(catalogue.groups[value]["title"])
    return value


def resource_show(catalogue: Catalogue, data: dict[str, Any]) -> dict[str, Any]:
    """One resource (a download or an API of a dataset) by id."""
    resource_id = _required_id(data, "id")
    for package in catalogue.packages:
        for resource in package["resources"]:
            if resource["id"] == resource_id:
                return resource
    raise NotFound("Resource was not found.")


def _listing(items: Mapping[str, dict[str, Any]], catalogue: Catalogue, data: dict[str, Any], kind: str) -> list[Any]:
    all_fields = _boolean(data, "all_fields")
    sort = _text(data, "sort") or "title asc"
    limit, offset = _integer(data, "limit", None), _integer(data, "offset", 0) or 0
    wanted = _string_list(data, kind) if data.get(kind) else None
    counts = catalogue.package_counts(kind)
    rows = [dict(item, package_count=counts.get(name, 0)) for name, item in items.items()
            if wanted is None or name in wanted]
    field_name, _, direction = sort.partition(" ")
    if field_name not in ("name", "title", "package_count") or direction.strip() not in ("", "asc", "desc"):
        raise ValidationError({"sort": [f"Cannot sort by field `{field_name}`"]})
    rows.sort(key=lambda row: row[field_name], reverse=direction.strip() == "desc")
    rows = rows[offset:] if limit is None else rows[offset:offset + limit]
    return rows if all_fields else [row["name"] for row in rows]


def _package_counts(catalogue: Catalogue, kind: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for dataset in catalogue.datasets:
        names = [dataset.room] if kind == "organizations" else [code.lower() for code in dataset.themes]
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts


def organization_list(catalogue: Catalogue, data: dict[str, Any]) -> list[Any]:
    """The publishers: each room of the platform, and each harvested portal's organisation."""
    return _listing(catalogue.organizations, catalogue, data, "organizations")


def group_list(catalogue: Catalogue, data: dict[str, Any]) -> list[Any]:
    """The groups: the EU data themes (lower-case codes: envi, tran, gove, ...)."""
    return _listing(catalogue.groups, catalogue, data, "groups")


def _show(items: Mapping[str, dict[str, Any]], catalogue: Catalogue, data: dict[str, Any], kind: str) -> dict:
    wanted = _required_id(data, "id")
    item = next((value for name, value in items.items() if wanted in (name, value["id"])), None)
    if item is None:
        raise NotFound(f"{'Organization' if kind == 'organization' else 'Group'} was not found.")
    include = _boolean(data, "include_datasets", False)
    members = [index for index, dataset in enumerate(catalogue.datasets)
               if (dataset.room == item["name"] if kind == "organization"
                   else item["name"] in {code.lower() for code in dataset.themes})]
    shown = dict(item, package_count=len(members), tags=[], groups=[], users=[], extras=[])
    if include:
        shown["packages"] = [catalogue.package_at(index) for index in members[:1000]]
    return shown


def organization_show(catalogue: Catalogue, data: dict[str, Any]) -> dict[str, Any]:
    """One publisher by name or id (`include_datasets` for its datasets)."""
    return _show(catalogue.organizations, catalogue, data, "organization")


def group_show(catalogue: Catalogue, data: dict[str, Any]) -> dict[str, Any]:
    """One EU data theme by name (`envi`) or id (`include_datasets` for its datasets)."""
    return _show(catalogue.groups, catalogue, data, "group")


def tag_list(catalogue: Catalogue, data: dict[str, Any]) -> list[Any]:
    """Every tag in use (`query` filters by substring, `all_fields` gives dicts)."""
    query = search.fold(_text(data, "query"))
    all_fields = _boolean(data, "all_fields")
    names = sorted({tag for dataset in catalogue.datasets for tag in dataset.tags if query in search.fold(tag)})
    if all_fields:
        return [{"id": stable_id("tag", name), "name": name, "display_name": name, "vocabulary_id": None}
                for name in names]
    return names


def license_list(catalogue: Catalogue, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The licences of our datasets and of the harvested ones."""
    seen: dict[str, dict[str, Any]] = {}
    for code, (title, url) in voc.LICENCES.items():
        license_id = EU_TO_CKAN_LICENCE.get(code, code)
        seen[license_id] = {"id": license_id, "title": title, "url": url}
    for dataset in catalogue.datasets:
        license_id, title, url = _licence(dataset)
        if license_id and license_id not in seen:
            seen[license_id] = {"id": license_id, "title": title, "url": url}
    return [dict(item, status="active", maintainer="", family="", is_generic=False, od_conformance="approved",
                 osd_conformance="not reviewed", domain_content=False, domain_data=True, domain_software=False,
                 is_okd_compliant=True, is_osi_compliant=False)
            for item in seen.values()]


def help_show(catalogue: Catalogue, data: dict[str, Any]) -> str:
    """The documentation of an action (`name`)."""
    name = _required_id(data, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"Action function not found: {name}")
    return (action.__doc__ or "").strip()


ACTIONS: dict[str, Action] = {action.__name__: action for action in (
    status_show, site_read, package_list, current_package_list_with_resources, package_show, package_search,
    resource_show, organization_list, organization_show, group_list, group_show, tag_list, license_list, help_show,
)}
