"""Open Referral HSDS 3.0 API at /hsds/: organizations, services, locations, service_at_locations,
taxonomies and taxonomy_terms, as HSDS's OpenAPI describes them (paged lists with `contents`).

HSDS identifiers are UUIDs. Ours are derived from the database ids, reversibly and stably (`hsds_id`):
the first group names the kind of object, the last group holds the id. Only public data is served:
hidden organisations are left out, and nothing about representatives or any other person.
Names are in Romanian, or English with `?lang=en` where the content has a translation (taxonomy terms).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils import translation

from resources import search
from resources.models import Location, MapItem, Organisation, Service

HSDS_VERSION = "3.0"
PROFILE = "https://docs.openreferral.org/en/latest/hsds/"
OPENAPI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
MAX_PER_PAGE = 100

ORGANISATION, LOCATION, SERVICE, SERVICE_AT_LOCATION, TAXONOMY, TERM, ADDRESS, ACCESSIBILITY, PHONE, ATTRIBUTE = (
    range(1, 11))


def hsds_id(kind: int, primary: int, secondary: int = 0) -> str:
    """A valid version-4-shaped UUID holding (kind, primary, secondary); see parse_id."""
    return str(uuid.UUID(f"{kind:08x}-{(secondary >> 24) & 0xffff:04x}-4{(secondary >> 12) & 0xfff:03x}-"
                         f"8{secondary & 0xfff:03x}-{primary:012x}"))


def parse_id(text: str, kind: int) -> tuple[int, int] | None:
    try:
        value = uuid.UUID(text)
    except ValueError:
        return None
    parts = value.hex
    if int(parts[:8], 16) != kind:
        return None
    secondary = (int(parts[8:12], 16) << 24) | (int(parts[13:16], 16) << 12) | int(parts[17:20], 16)
    return int(parts[20:], 16), secondary


# --- Taxonomy: the kinds of organisation and the categories of service ------------------------------

TAXONOMY_NAME = "Timișoara resources"


def _terms() -> list[dict[str, Any]]:
    """(index, code, name, parent index) of every term; the index is the term's id."""
    rows: list[dict[str, Any]] = [
        {"index": 1, "code": "organisation-kind", "name": translation.gettext("Organisations"), "parent": None},
        {"index": 2, "code": "service-category", "name": translation.gettext("Services and programmes"),
         "parent": None}]
    for offset, (value, label) in enumerate(Organisation.Kind.choices):
        rows.append({"index": 10 + offset, "code": f"organisation-kind:{value}", "name": str(label), "parent": 1})
    for offset, (value, label) in enumerate(Service.Category.choices):
        rows.append({"index": 100 + offset, "code": f"service-category:{value}", "name": str(label), "parent": 2})
    return rows


def _taxonomy() -> dict[str, Any]:
    return {"id": hsds_id(TAXONOMY, 1), "name": TAXONOMY_NAME,
            "description": "Kinds of organisation and categories of service of the Timișoara resources map.",
            "version": "1"}


def _term(row: dict[str, Any], language: str) -> dict[str, Any]:
    term: dict[str, Any] = {"id": hsds_id(TERM, row["index"]), "code": row["code"], "name": row["name"],
                            "description": row["name"], "taxonomy": TAXONOMY_NAME,
                            "taxonomy_id": hsds_id(TAXONOMY, 1), "language": language}
    if row["parent"]:
        term["parent_id"] = hsds_id(TERM, row["parent"])
    return term


def _term_id(code: str) -> str:
    for row in _terms():
        if row["code"] == code:
            return hsds_id(TERM, row["index"])
    raise KeyError(code)


def _attribute(link_kind: int, link_pk: int, link_entity: str, term_code: str) -> dict[str, Any]:
    return {"id": hsds_id(ATTRIBUTE, link_pk, link_kind), "link_id": hsds_id(link_kind, link_pk),
            "link_type": "taxonomy_term", "link_entity": link_entity, "taxonomy_term_id": _term_id(term_code),
            "value": term_code.split(":", 1)[1]}


# --- Objects ------------------------------------------------------------------------------------


def location_json(location: Location) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": hsds_id(LOCATION, location.pk), "location_type": "physical",
        "organization_id": hsds_id(ORGANISATION, location.organisation_id),
        "name": location.name or location.organisation.name,
    }
    if location.latitude is not None and location.longitude is not None:
        data["latitude"], data["longitude"] = location.latitude, location.longitude
    if location.address:
        data["addresses"] = [{
            "id": hsds_id(ADDRESS, location.pk), "location_id": data["id"], "address_1": location.address,
            "city": "Timișoara", "state_province": "Timiș", "postal_code": "", "country": "RO",
            "address_type": "physical"}]
    if location.step_free is not None or location.accessibility:
        description = location.accessibility or ("step-free access" if location.step_free else "no step-free access")
        data["accessibility"] = [{"id": hsds_id(ACCESSIBILITY, location.pk), "location_id": data["id"],
                                  "description": description}]
    return data


def service_json(service: Service, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": hsds_id(SERVICE, service.pk), "organization_id": hsds_id(ORGANISATION, service.organisation_id),
        "name": service.name, "description": service.description, "status": "active",
        "attributes": [_attribute(SERVICE, service.pk, "service", f"service-category:{service.category}")],
    }
    if service.url:
        data["url"] = service.url
    if service.email:
        data["email"] = service.email
    if full:
        data["service_at_locations"] = [service_at_location_json(service, location, full=True)
                                        for location in service.locations.all()]
    return data


def service_at_location_json(service: Service, location: Location, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": hsds_id(SERVICE_AT_LOCATION, service.pk, location.pk),
                            "service_id": hsds_id(SERVICE, service.pk), "location_id": hsds_id(LOCATION, location.pk)}
    if full:
        data["location"] = location_json(location)
    return data


def organisation_json(organisation: Organisation, *, full: bool = False, full_service: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": hsds_id(ORGANISATION, organisation.pk), "name": organisation.name,
        "description": organisation.description,
        "attributes": [_attribute(ORGANISATION, organisation.pk, "organization",
                                  f"organisation-kind:{organisation.kind}")],
    }
    if organisation.website:
        data["website"] = organisation.website
    if organisation.public_email:
        data["email"] = organisation.public_email
    if organisation.public_phone:
        data["phones"] = [{"id": hsds_id(PHONE, organisation.pk), "organization_id": data["id"],
                           "number": organisation.public_phone}]
    if full or full_service:
        data["locations"] = [location_json(location) for location in organisation.locations.all()]
        data["services"] = [service_json(service, full=full_service) for service in organisation.services.all()]
    return data


# --- Views --------------------------------------------------------------------------------------


def _error(field: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": {field: message}}, status=status)


def _flag(request: HttpRequest, name: str) -> bool | JsonResponse:
    value = request.GET.get(name, "false").lower()
    if value not in ("true", "false", "1", "0"):
        return _error(name, "must be true or false")
    return value in ("true", "1")


def _paged(request: HttpRequest, rows: QuerySet[Any] | list[Any], render: Callable[[Any], dict[str, Any]]
           ) -> JsonResponse:
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        return _error("page", "must be a whole number from 1")
    try:
        per_page = int(request.GET.get("per_page", "50"))
    except ValueError:
        return _error("per_page", f"must be a whole number from 1 to {MAX_PER_PAGE}")
    if page < 1:
        return _error("page", "must be a whole number from 1")
    if not 1 <= per_page <= MAX_PER_PAGE:
        return _error("per_page", f"must be a whole number from 1 to {MAX_PER_PAGE}")
    if request.GET.get("format", "json") != "json":
        return _error("format", "only json is served")
    total = rows.count() if isinstance(rows, QuerySet) else len(rows)
    pages = max(1, math.ceil(total / per_page))
    chunk = list(rows[(page - 1) * per_page: page * per_page])
    return JsonResponse({"total_items": total, "total_pages": pages, "page_number": page, "size": len(chunk),
                         "first_page": page == 1, "last_page": page >= pages, "empty": total == 0,
                         "contents": [render(row) for row in chunk]}, json_dumps_params={"ensure_ascii": False})


def _language(request: HttpRequest) -> str:
    return "en" if request.GET.get("lang") == "en" else "ro"


def public_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(hidden=False).order_by("id")


def _organisations(request: HttpRequest) -> QuerySet[Organisation] | JsonResponse:
    organisations = public_organisations()
    query = request.GET.get("search", "")
    if len(query) > 200:
        return _error("search", "at most 200 characters")
    if query:
        matching = search.matching(MapItem.objects.filter(layer=MapItem.Layer.ORGANISATION), query)
        organisations = organisations.filter(pk__in=matching.values("object_id"))
    return organisations


def root(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"version": HSDS_VERSION, "profile": PROFILE, "openapi_url": OPENAPI})


def organizations(request: HttpRequest) -> JsonResponse:
    full, full_service = _flag(request, "full"), _flag(request, "full_service")
    for flag in (full, full_service):
        if isinstance(flag, JsonResponse):
            return flag
    organisations = _organisations(request)
    if isinstance(organisations, JsonResponse):
        return organisations
    if full or full_service:
        organisations = organisations.prefetch_related(
            Prefetch("locations", queryset=Location.objects.select_related("organisation")),
            Prefetch("services", queryset=Service.objects.prefetch_related(
                Prefetch("locations", queryset=Location.objects.select_related("organisation")))))
    return _paged(request, organisations, lambda o: organisation_json(o, full=bool(full),
                                                                      full_service=bool(full_service)))


def organization(request: HttpRequest, hsds: str) -> JsonResponse:
    parsed = parse_id(hsds, ORGANISATION)
    full_service = _flag(request, "full_service")
    if isinstance(full_service, JsonResponse):
        return full_service
    found = None
    if parsed is not None:
        found = public_organisations().filter(pk=parsed[0]).prefetch_related(
            Prefetch("locations", queryset=Location.objects.select_related("organisation")),
            Prefetch("services", queryset=Service.objects.prefetch_related(
                Prefetch("locations", queryset=Location.objects.select_related("organisation"))))).first()
    if found is None:
        return _error("id", "no such organization", 404)
    return JsonResponse(organisation_json(found, full=True, full_service=bool(full_service)),
                        json_dumps_params={"ensure_ascii": False})


def _services(request: HttpRequest) -> QuerySet[Service] | JsonResponse:
    services = Service.objects.filter(organisation__hidden=False).order_by("id")
    organisation = request.GET.get("organization_id")
    if organisation:
        parsed = parse_id(organisation, ORGANISATION)
        if parsed is None:
            return _error("organization_id", "not an organization id of this directory")
        services = services.filter(organisation_id=parsed[0])
    taxonomy_id = request.GET.get("taxonomy_id")
    if taxonomy_id and parse_id(taxonomy_id, TAXONOMY) != (1, 0):  # every service has a term of the one taxonomy
        return _error("taxonomy_id", "not a taxonomy of this directory")
    term = request.GET.get("taxonomy_term_id")
    if term:
        parsed = parse_id(term, TERM)
        rows = {row["index"]: row["code"] for row in _terms()}
        if parsed is None or parsed[0] not in rows:
            return _error("taxonomy_term_id", "not a taxonomy term of this directory")
        code = rows[parsed[0]]
        if code.startswith("service-category:"):
            services = services.filter(category=code.split(":", 1)[1])
        elif code.startswith("organisation-kind:"):
            services = services.filter(organisation__kind=code.split(":", 1)[1])
    query = request.GET.get("search", "")
    if len(query) > 200:
        return _error("search", "at most 200 characters")
    if query:
        matching = search.matching(MapItem.objects.filter(layer=MapItem.Layer.ORGANISATION), query)
        services = services.filter(organisation_id__in=matching.values("object_id"))
    return services


def services_list(request: HttpRequest) -> JsonResponse:
    full = _flag(request, "full")
    if isinstance(full, JsonResponse):
        return full
    services = _services(request)
    if isinstance(services, JsonResponse):
        return services
    if full:
        services = services.prefetch_related(Prefetch("locations", queryset=Location.objects.select_related(
            "organisation")))
    return _paged(request, services, lambda s: service_json(s, full=bool(full)))


def service(request: HttpRequest, hsds: str) -> JsonResponse:
    parsed = parse_id(hsds, SERVICE)
    found = Service.objects.filter(organisation__hidden=False, pk=parsed[0]).prefetch_related(
        Prefetch("locations", queryset=Location.objects.select_related("organisation"))).first() if parsed else None
    if found is None:
        return _error("id", "no such service", 404)
    return JsonResponse(service_json(found, full=True), json_dumps_params={"ensure_ascii": False})


def locations(request: HttpRequest) -> JsonResponse:
    rows = Location.objects.filter(organisation__hidden=False).select_related("organisation").order_by("id")
    return _paged(request, rows, location_json)


def location(request: HttpRequest, hsds: str) -> JsonResponse:
    parsed = parse_id(hsds, LOCATION)
    found = Location.objects.filter(organisation__hidden=False, pk=parsed[0]).select_related(
        "organisation").first() if parsed else None
    if found is None:
        return _error("id", "no such location", 404)
    return JsonResponse(location_json(found), json_dumps_params={"ensure_ascii": False})


def service_at_locations(request: HttpRequest) -> JsonResponse:
    full = _flag(request, "full")
    if isinstance(full, JsonResponse):
        return full
    services = _services(request)
    if isinstance(services, JsonResponse):
        return services
    through = Service.locations.through.objects.filter(service__in=services).select_related(
        "service", "location__organisation").order_by("service_id", "location_id")
    return _paged(request, through, lambda row: service_at_location_json(row.service, row.location, full=bool(full)))


def service_at_location(request: HttpRequest, hsds: str) -> JsonResponse:
    parsed = parse_id(hsds, SERVICE_AT_LOCATION)
    row = Service.locations.through.objects.filter(
        service_id=parsed[0], location_id=parsed[1], service__organisation__hidden=False).select_related(
        "service", "location__organisation").first() if parsed else None
    if row is None:
        return _error("id", "no such service at location", 404)
    return JsonResponse(service_at_location_json(row.service, row.location, full=True),
                        json_dumps_params={"ensure_ascii": False})


def taxonomies(request: HttpRequest) -> JsonResponse:
    return _paged(request, [_taxonomy()], lambda row: row)


def taxonomy(request: HttpRequest, hsds: str) -> JsonResponse:
    if parse_id(hsds, TAXONOMY) != (1, 0):
        return _error("id", "no such taxonomy", 404)
    return JsonResponse(_taxonomy(), json_dumps_params={"ensure_ascii": False})


def taxonomy_terms(request: HttpRequest) -> JsonResponse:
    language = _language(request)
    taxonomy_id = request.GET.get("taxonomy_id")
    if taxonomy_id and parse_id(taxonomy_id, TAXONOMY) != (1, 0):
        return _error("taxonomy_id", "not a taxonomy of this directory")
    with translation.override(language):
        rows = _terms()
    top_only = _flag(request, "top_only")
    if isinstance(top_only, JsonResponse):
        return top_only
    if top_only:
        rows = [row for row in rows if row["parent"] is None]
    parent = request.GET.get("parent_id")
    if parent:
        parsed = parse_id(parent, TERM)
        if parsed is None:
            return _error("parent_id", "not a taxonomy term of this directory")
        rows = [row for row in rows if row["parent"] == parsed[0]]
    return _paged(request, rows, lambda row: _term(row, language))


def taxonomy_term(request: HttpRequest, hsds: str) -> JsonResponse:
    language = _language(request)
    parsed = parse_id(hsds, TERM)
    with translation.override(language):
        rows = {row["index"]: row for row in _terms()}
    if parsed is None or parsed[0] not in rows:
        return _error("id", "no such taxonomy term", 404)
    return JsonResponse(_term(rows[parsed[0]], language), json_dumps_params={"ensure_ascii": False})
