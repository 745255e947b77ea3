"""Harvesting another CKAN portal: its datasets become external datasets of our catalogue.

The request pattern is the CKAN harvester's (ckanext-harvest): `package_search` paged with `rows` and
`start` sorted by `id asc` until `start ≥ count`, and from the second run on only what changed since the
newest `metadata_modified` seen (`fq=metadata_modified:[… TO *]`). Everything is fetched and checked
first; only then is it written, in one transaction with one audit record, so a remote portal that answers
garbage, an error, or nothing in time leaves the catalogue as it was.

Harvested datasets are re-published through the registry (`register("external", external_datasets)`),
each under its remote organisation, marked with `extras["harvest_source"]` and the original's address.
Personal data is not copied: authors, maintainers and e-mail addresses are dropped.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import audit
from opendata.models import ExternalDataset, HarvestSource
from opendata.registry import Dataset, Distribution, Text, register

PAGE_SIZE = 100
DEFAULT_TIMEOUT = 30.0
MAX_ANSWER_BYTES = 50 * 1024 * 1024
MAX_DATASETS = 50_000
EXTERNAL_ROOM = "external"
USER_AGENT = "timisoara-smart-city-harvester/1 (+CKAN harvester request pattern)"
_CKAN_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
# Extras that carry people's names or addresses in the wild: never copied.
_PERSONAL_EXTRAS = re.compile(r"(author|maintainer|contact|email|e-mail|mail|phone|telefon|creator_user)", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")

# The CKAN license ids seen on Romanian portals → the EU licence table codes the DCAT-AP output uses.
CKAN_TO_EU_LICENCE = {"cc-by": "CC_BY_4_0", "CC-BY-4.0": "CC_BY_4_0", "cc-by-4.0": "CC_BY_4_0",
                      "cc-zero": "CC0", "CC0-1.0": "CC0", "odc-odbl": "ODC_BL", "ODbL-1.0": "ODC_BL"}
# Group names of Romanian CKAN portals (data.gov.ro, data.primariatm.ro) → EU data themes.
GROUP_TO_THEME = {
    "mobilitate": "TRAN", "transport": "TRAN", "transporturi": "TRAN", "infrastructura": "REGI",
    "mediu": "ENVI", "economie": "ECON", "finante": "ECON", "buget": "ECON", "educatie": "EDUC",
    "cultura": "EDUC", "sport": "EDUC", "energie": "ENER", "sanatate": "HEAL", "administratie": "GOVE",
    "guvernare": "GOVE", "justitie": "JUST", "siguranta-publica": "JUST", "populatie": "SOCI",
    "social": "SOCI", "agricultura": "AGRI", "stiinta": "TECH", "tehnologie": "TECH", "urbanism": "REGI",
    "international": "INTR",
}
# The update-rate extra of data.primariatm.ro ("Rata de actualizare") → EU frequency codes.
RATE_TO_FREQUENCY = {"anual": "ANNUAL", "lunar": "MONTHLY", "zilnic": "DAILY", "saptamanal": "WEEKLY",
                     "săptămânal": "WEEKLY", "trimestrial": "QUARTERLY", "semestrial": "BIENNIAL",
                     "continuu": "CONT"}
FORMAT_MEDIA_TYPES = {
    "CSV": "text/csv", "JSON": "application/json", "GEOJSON": "application/geo+json", "XML": "application/xml",
    "PDF": "application/pdf", "ZIP": "application/zip", "TXT": "text/plain", "HTML": "text/html",
    "XLS": "application/vnd.ms-excel", "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class HarvestError(Exception):
    """The remote portal cannot be harvested; the message names the address and the problem."""


@dataclass(frozen=True)
class HarvestReport:
    source: str
    fetched: int
    created: int
    updated: int
    withdrawn: int
    requests: int


Progress = Callable[[int, int], None]  # (datasets fetched so far, remote count)


def normalise_portal_url(url: str) -> str:
    """The portal's root: `https://data.primariatm.ro/` and `…/api/3/action/package_search` both give
    `https://data.primariatm.ro`."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HarvestError(f"{url}: not an http(s) address of a CKAN portal")
    path = re.sub(r"/api(/\d)?(/action(/[a-z_]*)?)?/?$", "", parts.path).rstrip("/")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def fetch_json(url: str, timeout: float) -> dict[str, Any]:
    """GET a CKAN Action API address; its `result`, or HarvestError naming the address and the problem."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})  # noqa: S310 (http(s) checked)
    status = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
            body = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        status = error.code
        body = error.read(MAX_ANSWER_BYTES + 1) if error.fp else b""
        envelope = _try_json(body)
        if isinstance(envelope, dict) and isinstance(envelope.get("error"), dict):
            raise HarvestError(f"{url}: HTTP {status}, {_describe_error(envelope['error'])}") from None
        raise HarvestError(f"{url}: HTTP {status} {error.reason}") from None
    except TimeoutError:
        raise HarvestError(f"{url}: no answer within {timeout:g} s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise HarvestError(f"{url}: no answer within {timeout:g} s") from None
        raise HarvestError(f"{url}: cannot connect ({error.reason})") from None
    except (ConnectionError, OSError) as error:
        raise HarvestError(f"{url}: connection failed ({error})") from None
    if len(body) > MAX_ANSWER_BYTES:
        raise HarvestError(f"{url}: answer larger than {MAX_ANSWER_BYTES} bytes")
    envelope = _try_json(body)
    if envelope is None:
        raise HarvestError(f"{url}: the answer (HTTP {status}) is not JSON: {body[:80]!r}")
    if not isinstance(envelope, dict) or "success" not in envelope:
        raise HarvestError(f"{url}: the answer is JSON but not a CKAN Action API answer (no 'success')")
    if envelope["success"] is not True:
        error_value = envelope.get("error")
        detail = _describe_error(error_value) if isinstance(error_value, dict) else repr(error_value)[:200]
        raise HarvestError(f"{url}: the portal answered an error, {detail}")
    result = envelope.get("result")
    if not isinstance(result, dict):
        raise HarvestError(f"{url}: 'result' is not an object")
    return result


def _try_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _describe_error(error: Mapping[str, Any]) -> str:
    kind = error.get("__type", "error")
    details = "; ".join(f"{key}: {value}" for key, value in error.items() if key != "__type")
    return f"{kind}: {details}"[:500]


def search_url(portal: str, *, start: int, rows: int, organization: str, since: str) -> str:
    filters = []
    if organization:
        filters.append(f"organization:{organization}")
    if since:
        filters.append(f"metadata_modified:[{since if since.endswith('Z') else since + 'Z'} TO *]")
    params = {"rows": str(rows), "start": str(start), "sort": "id asc"}
    if filters:
        params["fq"] = " ".join(filters)
    return f"{portal}/api/3/action/package_search?{urllib.parse.urlencode(params)}"


@dataclass(frozen=True)
class FetchResult:
    packages: list[dict[str, Any]]
    requests: int


def fetch_packages(portal: str, *, organization: str = "", since: str = "", page_size: int = PAGE_SIZE,
                   timeout: float = DEFAULT_TIMEOUT, progress: Progress | None = None) -> FetchResult:
    """Every public package matching, page by page until `start ≥ count`, checked."""
    packages: dict[str, dict[str, Any]] = {}
    start, requests = 0, 0
    while True:
        url = search_url(portal, start=start, rows=page_size, organization=organization, since=since)
        result = fetch_json(url, timeout)
        requests += 1
        count, results = result.get("count"), result.get("results")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0 or not isinstance(results, list):
            raise HarvestError(f"{url}: 'result' lacks a 'count' number and a 'results' list")
        if count > MAX_DATASETS:
            raise HarvestError(f"{url}: {count} datasets, more than the {MAX_DATASETS} this harvester takes")
        for package in results:
            checked = check_package(package, url)
            if checked is not None:
                packages[checked["id"]] = checked
        start += page_size
        if progress:
            progress(min(start, count), count)
        # A short page means the remote has no more (it may have shrunk while we paged).
        if start >= count or len(results) == 0:
            break
    return FetchResult(list(packages.values()), requests)


def check_package(package: Any, url: str) -> dict[str, Any] | None:
    """The package if it is a public, active CKAN dataset we can publish; HarvestError if malformed."""
    if not isinstance(package, dict):
        raise HarvestError(f"{url}: a result is not an object")
    name = package.get("name")
    if not isinstance(package.get("id"), str) or not package["id"] or not isinstance(name, str):
        raise HarvestError(f"{url}: a result has no 'id' or 'name'")
    if not _CKAN_NAME.match(name):
        raise HarvestError(f"{url}: dataset name {name!r} is not a CKAN name")
    if package.get("private") or package.get("state", "active") != "active":
        return None
    for key in ("title", "notes"):
        if package.get(key) is not None and not isinstance(package[key], str):
            raise HarvestError(f"{url}: dataset {name!r}: {key!r} is not text")
    for key in ("resources", "tags", "groups", "extras"):
        if not isinstance(package.get(key) or [], list) or not all(
                isinstance(item, dict) for item in package.get(key) or []):
            raise HarvestError(f"{url}: dataset {name!r}: {key!r} is not a list of objects")
    for key in ("metadata_created", "metadata_modified"):
        if package.get(key) is not None:
            try:
                parse_ckan_time(package[key])
            except (TypeError, ValueError):
                raise HarvestError(f"{url}: dataset {name!r}: {key!r} is not a date: {package[key]!r}") from None
    for resource in package.get("resources") or []:
        if not isinstance(resource.get("url"), str) or not resource["url"].startswith(("http://", "https://")):
            raise HarvestError(f"{url}: dataset {name!r}: a resource has no http(s) 'url'")
    return package


def parse_ckan_time(value: Any) -> datetime:
    """CKAN writes naive UTC instants ("2021-05-21T08:16:03.133135")."""
    if not isinstance(value, str):
        raise TypeError(value)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(value: Any, limit: int) -> str:
    return _EMAIL.sub("[e-mail]", value or "")[:limit] if isinstance(value, str) else ""


def _resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    size = resource.get("size")
    last_modified = resource.get("last_modified") or resource.get("metadata_modified")
    try:
        modified = parse_ckan_time(last_modified).isoformat() if last_modified else None
    except (TypeError, ValueError):
        modified = None
    return {
        "id": _text(resource.get("id"), 100), "name": _text(resource.get("name"), 500),
        "description": _text(resource.get("description"), 5000), "format": _text(resource.get("format"), 50),
        "mimetype": _text(resource.get("mimetype"), 100), "url": resource["url"][:800],
        "size": size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
        "last_modified": modified,
    }


def _fields(package: Mapping[str, Any], portal: str) -> dict[str, Any]:
    organization: dict[str, Any] = package["organization"] if isinstance(package.get("organization"), dict) else {}
    extras = {str(item.get("key"))[:200]: _text(item.get("value"), 2000) for item in package.get("extras") or []
              if item.get("key") and not _PERSONAL_EXTRAS.search(str(item.get("key")))}
    return {
        "title": _text(package.get("title"), 500) or package["name"],
        "notes": _text(package.get("notes"), 20_000),
        "organization": _slug(organization.get("name")) or "external",
        "organization_title": _text(organization.get("title"), 300),
        "license_id": _text(package.get("license_id"), 100),
        "license_title": _text(package.get("license_title"), 300),
        "license_url": _text(package.get("license_url"), 500)
        if str(package.get("license_url") or "").startswith(("http://", "https://")) else "",
        "tags": sorted({_text(tag.get("name"), 100) for tag in package.get("tags") or [] if tag.get("name")}),
        "groups": [{"name": _text(group.get("name"), 100), "title": _text(group.get("title"), 300)}
                   for group in package.get("groups") or [] if group.get("name")],
        "resources": [_resource(resource) for resource in package.get("resources") or []],
        "extras": extras,
        "remote_url": f"{portal}/dataset/{package['name']}",
        "metadata_created": parse_ckan_time(package["metadata_created"]) if package.get("metadata_created") else None,
        "metadata_modified": parse_ckan_time(package["metadata_modified"])
        if package.get("metadata_modified") else None,
    }


def _slug(value: Any) -> str:
    return value if isinstance(value, str) and _CKAN_NAME.match(value) else ""


def _free_name(wanted: str, organization: str, remote_id: str, taken: set[str]) -> str:
    """The remote name, unless one of ours or another portal's has it: then `<organisation>-<name>`."""
    for candidate in (wanted, f"{organization}-{wanted}"[:100], f"{wanted[:90]}-{remote_id[:8]}".lower()):
        if candidate not in taken and _CKAN_NAME.match(candidate):
            return candidate
    raise HarvestError(f"dataset name {wanted!r} is taken and no alternative is free")


def harvest(url: str, *, organization: str = "", full: bool = False, timeout: float = DEFAULT_TIMEOUT,
            page_size: int = PAGE_SIZE, progress: Progress | None = None, actor: str = "harvest_ckan") -> HarvestReport:
    """Fetch (incrementally unless `full`) and store a remote portal's datasets, all or nothing.

    With `full`, datasets the remote no longer lists are withdrawn from our catalogue."""
    portal = normalise_portal_url(url)
    source = HarvestSource.objects.filter(url=portal, organization=organization).first()
    since = "" if full or source is None else source.last_modified_seen
    fetched = fetch_packages(portal, organization=organization, since=since, page_size=page_size,
                             timeout=timeout, progress=progress)
    ours = {dataset.name for dataset in _own_datasets()}
    with transaction.atomic():
        source, _ = HarvestSource.objects.select_for_update().get_or_create(url=portal, organization=organization)
        existing = {row.remote_id: row for row in ExternalDataset.objects.filter(source=source)}
        taken = ours | set(ExternalDataset.objects.exclude(source=source).values_list("name", flat=True))
        created = updated = 0
        for package in sorted(fetched.packages, key=lambda item: item["name"]):
            fields = _fields(package, portal)
            row = existing.get(package["id"])
            if row is None:
                name = _free_name(package["name"], fields["organization"], package["id"], taken)
                row = ExternalDataset(source=source, remote_id=package["id"], name=name)
                created += 1
            else:
                updated += 1
            taken.add(row.name)
            for key, value in fields.items():
                setattr(row, key, value)
            row.save()
        withdrawn = 0
        if full:
            seen = {package["id"] for package in fetched.packages}
            gone = [row.pk for remote_id, row in existing.items() if remote_id not in seen]
            withdrawn, _ = ExternalDataset.objects.filter(pk__in=gone).delete()
        newest = max((str(package.get("metadata_modified") or "") for package in fetched.packages), default="")
        source.last_modified_seen = max(source.last_modified_seen, newest)
        source.last_harvested_at = timezone.now()
        source.save()
        report = HarvestReport(source=str(source), fetched=len(fetched.packages), created=created,
                               updated=updated, withdrawn=withdrawn, requests=fetched.requests)
        audit.record(actor, "opendata.harvest", source, {
            "url": portal, "organization": organization, "incremental_since": since, "fetched": report.fetched,
            "created": created, "updated": updated, "withdrawn": withdrawn,
        })
    return report


def _own_datasets() -> list[Dataset]:
    from opendata import registry

    return [dataset for dataset in registry.all_datasets() if "harvest_source" not in dataset.extras]


# --- re-publishing -----------------------------------------------------------------------------------


def _media_type(resource: Mapping[str, Any]) -> str:
    return resource.get("mimetype") or FORMAT_MEDIA_TYPES.get(_file_type(resource), "application/octet-stream")


# Codes of the EU file-type table a CKAN `format` is most often one of; anything else is published as BIN,
# so the DCAT-AP output only ever names concepts of the vocabulary.
EU_FILE_TYPES = frozenset({
    "CSV", "TSV", "JSON", "GEOJSON", "JSON_LD", "XML", "RDF_XML", "RDF_TURTLE", "PDF", "ZIP", "GZIP", "TAR", "7Z",
    "RAR", "TXT", "HTML", "XLS", "XLSX", "ODS", "DOC", "DOCX", "ODT", "PPT", "PPTX", "KML", "KMZ", "SHP", "GML",
    "GPKG", "WMS_SRVC", "WFS_SRVC", "PNG", "JPEG", "GIF", "TIFF", "ICS", "ATOM", "RSS", "SQL", "DBF", "MDB",
})
_FORMAT_ALIASES = {"JPG": "JPEG", "TIF": "TIFF", "GEOJSON": "GEOJSON", "TTL": "RDF_TURTLE", "RDF": "RDF_XML",
                   "JSONLD": "JSON_LD", "WMS": "WMS_SRVC", "WFS": "WFS_SRVC", "ESRISHAPEFILE": "SHP"}


def _file_type(resource: Mapping[str, Any]) -> str:
    code = re.sub(r"[^A-Z0-9_]", "", str(resource.get("format") or "").upper())
    code = _FORMAT_ALIASES.get(code, code)
    return code if code in EU_FILE_TYPES else "BIN"


def _frequency(extras: Mapping[str, Any]) -> str:
    for key, value in extras.items():
        if "actualizare" in key.lower() or key.lower() in ("frequency", "update_frequency"):
            return RATE_TO_FREQUENCY.get(str(value).strip().lower(), "IRREG")
    return "IRREG"


def as_dataset(row: ExternalDataset) -> Dataset:
    """The registry's view of a harvested dataset (one language given: Romanian, shown for both)."""
    host = urllib.parse.urlsplit(row.source.url).netloc
    publisher = row.organization_title or row.organization
    themes = tuple(sorted({GROUP_TO_THEME[group["name"]] for group in row.groups if group["name"] in GROUP_TO_THEME}))
    distributions = tuple(
        Distribution(
            key=resource["id"] or str(index),
            title=Text(ro=resource["name"] or row.title, en=resource["name"] or row.title),
            url=resource["url"], media_type=_media_type(resource), file_type=_file_type(resource),
            description=Text(ro=resource["description"], en=resource["description"])
            if resource["description"] else None,
            byte_size=resource["size"],
            modified=datetime.fromisoformat(resource["last_modified"]) if resource["last_modified"] else None,
        )
        for index, resource in enumerate(row.resources)
    )
    licence_label = row.license_title or row.license_id
    return Dataset(
        name=row.name, room=row.organization, title=Text(ro=row.title, en=row.title),
        description=Text(ro=row.notes, en=row.notes), themes=themes, tags=tuple(row.tags),
        frequency=_frequency(row.extras), issued=row.metadata_created, modified=row.metadata_modified,
        distributions=distributions, licence=CKAN_TO_EU_LICENCE.get(row.license_id, "CC_BY_4_0"),
        attribution=Text(ro=f"Sursa: {publisher}, {host}, {licence_label}",
                         en=f"Source: {publisher}, {host}, {licence_label}"),
        landing_page=row.remote_url,
        extras={
            "harvest_source": row.source.url, "harvest_url": row.remote_url, "remote_id": row.remote_id,
            "organization_title": row.organization_title, "license_id": row.license_id,
            "license_title": row.license_title, "license_url": row.license_url,
            "groups": row.groups, "remote_extras": row.extras,
            "resource_ids": [resource["id"] for resource in row.resources],
        },
    )


def external_datasets() -> list[Dataset]:
    """Every harvested dataset, for the registry (one query)."""
    return [as_dataset(row) for row in ExternalDataset.objects.select_related("source")]


def register_provider() -> None:
    # The room is not an app: name the models a harvest writes, whose changes renew the catalogue's snapshot.
    register(EXTERNAL_ROOM, external_datasets, sources=["opendata.externaldataset", "opendata.harvestsource"])
