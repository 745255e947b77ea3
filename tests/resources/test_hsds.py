"""The Open Referral HSDS 3.0 API: every response is validated against HSDS's own JSON Schemas
(tests/data/hsds-3.0, CC BY-SA 4.0), lists follow the OpenAPI's Page shape, hostile parameters get a 4xx
naming the field, and nothing about people leaks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from accounts.roles import Role
from resources import hsds, services
from resources.models import Location, Representative, Service

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "hsds-3.0"
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}

pytestmark = pytest.mark.django_db


def _registry() -> Registry:
    resources = [(path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
                 for path in SCHEMAS.glob("*.json")]
    return Registry().with_resources(resources)


REGISTRY = _registry()
OPENAPI = json.loads((SCHEMAS / "openapi.json").read_text())


def validate_openapi(instance: Any, schema: dict[str, Any]) -> None:
    """Against a schema of HSDS's OpenAPI (its `#/components/...` references resolved in that document)."""
    Draft202012Validator({**schema, "components": OPENAPI["components"]},
                         format_checker=FormatChecker()).validate(instance)


def validate(instance: Any, schema_file: str) -> None:
    schema = json.loads((SCHEMAS / schema_file).read_text())
    Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker()).validate(instance)


def get_page(client: Client, path: str, schema_file: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == PAGE_KEYS
    validate_openapi(body, {"allOf": [{"$ref": "#/components/schemas/Page"}],
                            "properties": {"contents": {"type": "array"}}})
    assert body["size"] == len(body["contents"]) and body["empty"] is (body["total_items"] == 0)
    for item in body["contents"]:
        validate(item, schema_file)
    return body


@pytest.fixture
def directory(make_verified: Any, place_organisation: Any) -> dict[str, Any]:
    ngo = place_organisation("Asociația Grădina Urbană", description="Grădini comunitare.", verified=True,
                             website="https://gradina.example.org", public_email="contact@gradina.example.org",
                             public_phone="0256 123 456")
    Representative.objects.create(organisation=ngo, user=make_verified(email="person@example.org"))
    location = ngo.locations.get()
    location.step_free = True
    location.save()
    service = Service.objects.create(organisation=ngo, name="Ateliere de compost", category="environment",
                                     kind="programme", url="https://gradina.example.org/compost")
    service.locations.add(location)
    hidden = place_organisation("Ascunsă", kind="company")
    services.moderate_organisation(make_verified(Role.MODERATOR), hidden, hidden=True)
    return {"ngo": ngo, "service": service, "location": location, "hidden": hidden}


def test_every_endpoint_validates_against_the_hsds_schemas(directory: dict[str, Any]) -> None:
    client = Client()
    root = client.get("/hsds/").json()
    validate_openapi(root, OPENAPI["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
    assert root["version"] == "3.0" and set(root) == {"version", "profile", "openapi_url"}
    ngo, service, location = directory["ngo"], directory["service"], directory["location"]

    organisations = get_page(client, "/hsds/organizations", "organization.json")
    assert [o["name"] for o in organisations["contents"]] == ["Asociația Grădina Urbană"]  # hidden one left out
    full = get_page(client, "/hsds/organizations", "organization.json", full="true", full_service="true")
    entry = full["contents"][0]
    assert entry["phones"][0]["number"] == "0256 123 456"
    assert entry["locations"][0]["addresses"][0]["city"] == "Timișoara"
    assert entry["services"][0]["service_at_locations"][0]["location"]["latitude"] == pytest.approx(45.7537)
    validate(entry["services"][0], "service.json")

    one = client.get(f"/hsds/organizations/{hsds.hsds_id(hsds.ORGANISATION, ngo.pk)}").json()
    validate(one, "organization.json")
    assert one["id"] == entry["id"]

    services_page = get_page(client, "/hsds/services", "service.json", organization_id=entry["id"], full="true")
    assert services_page["total_items"] == 1
    validate(client.get(f"/hsds/services/{hsds.hsds_id(hsds.SERVICE, service.pk)}").json(), "service.json")

    locations = get_page(client, "/hsds/locations", "location.json")
    assert locations["contents"][0]["accessibility"][0]["description"] == "step-free access"
    validate(client.get(f"/hsds/locations/{hsds.hsds_id(hsds.LOCATION, location.pk)}").json(), "location.json")

    at_locations = get_page(client, "/hsds/service_at_locations", "service_at_location.json", full="true")
    sal_id = at_locations["contents"][0]["id"]
    assert hsds.parse_id(sal_id, hsds.SERVICE_AT_LOCATION) == (service.pk, location.pk)
    validate(client.get(f"/hsds/service_at_locations/{sal_id}").json(), "service_at_location.json")

    taxonomies = get_page(client, "/hsds/taxonomies", "taxonomy.json")
    taxonomy_id = taxonomies["contents"][0]["id"]
    validate(client.get(f"/hsds/taxonomies/{taxonomy_id}").json(), "taxonomy.json")
    terms = get_page(client, "/hsds/taxonomy_terms", "taxonomy_term.json", taxonomy_id=taxonomy_id, per_page=100)
    top = get_page(client, "/hsds/taxonomy_terms", "taxonomy_term.json", top_only="true")
    assert top["total_items"] == 2 and terms["total_items"] == 2 + 7 + 10
    english = get_page(client, "/hsds/taxonomy_terms", "taxonomy_term.json", lang="en",
                       parent_id=top["contents"][0]["id"])
    assert "NGO" in [t["name"] for t in english["contents"]]
    ngo_term = next(t for t in english["contents"] if t["code"] == "organisation-kind:ngo")
    validate(client.get(f"/hsds/taxonomy_terms/{ngo_term['id']}").json(), "taxonomy_term.json")
    assert get_page(client, "/hsds/services", "service.json", taxonomy_term_id=ngo_term["id"])["total_items"] == 1
    assert get_page(client, "/hsds/services", "service.json", taxonomy_id=taxonomy_id)["total_items"] == 1

    assert get_page(client, "/hsds/organizations", "organization.json", search="gradina")["total_items"] == 1
    assert get_page(client, "/hsds/organizations", "organization.json", search="nimic")["empty"] is True


def test_no_personal_data_and_hidden_entries_stay_out(client: Client, directory: dict[str, Any]) -> None:
    body = client.get("/hsds/organizations", {"full": "true", "full_service": "true"}).content.decode()
    assert "person@example.org" not in body and "Ascunsă" not in body
    hidden_id = hsds.hsds_id(hsds.ORGANISATION, directory["hidden"].pk)
    assert client.get(f"/hsds/organizations/{hidden_id}").status_code == 404


@pytest.mark.parametrize(("path", "params", "field", "status"), [
    ("/hsds/organizations", {"page": "0"}, "page", 400),
    ("/hsds/organizations", {"page": "x"}, "page", 400),
    ("/hsds/organizations", {"per_page": "1000"}, "per_page", 400),
    ("/hsds/organizations", {"full": "maybe"}, "full", 400),
    ("/hsds/organizations", {"format": "ndjson"}, "format", 400),
    ("/hsds/organizations", {"search": "x" * 201}, "search", 400),
    ("/hsds/services", {"organization_id": "not-a-uuid"}, "organization_id", 400),
    ("/hsds/services", {"taxonomy_term_id": "00000006-0000-4000-8000-00000000ffff"}, "taxonomy_term_id", 400),
    ("/hsds/taxonomy_terms", {"taxonomy_id": "00000005-0000-4000-8000-000000000002"}, "taxonomy_id", 400),
    ("/hsds/services", {"taxonomy_id": "nope"}, "taxonomy_id", 400),
    ("/hsds/service_at_locations", {"taxonomy_id": "00000005-0000-4000-8000-000000000002"}, "taxonomy_id", 400),
    ("/hsds/organizations/00000002-0000-4000-8000-000000000001", {}, "id", 404),
    ("/hsds/organizations/'; drop table x;--", {}, "id", 404),
    ("/hsds/service_at_locations/nope", {}, "id", 404),
])
def test_bad_parameters_get_a_4xx_naming_the_field(client: Client, path: str, params: dict[str, str], field: str,
                                                   status: int) -> None:
    response = client.get(path, params)
    assert response.status_code == status
    assert field in response.json()["errors"]


def test_ids_round_trip() -> None:
    for kind in (hsds.ORGANISATION, hsds.SERVICE_AT_LOCATION):
        for primary, secondary in ((1, 0), (2**40, 2**39 + 5), (123, 456)):
            text = hsds.hsds_id(kind, primary, secondary)
            validate({"id": text, "name": "x", "description": ""}, "organization.json")
            assert hsds.parse_id(text, kind) == (primary, secondary)
            assert hsds.parse_id(text, kind + 1) is None


def test_organisation_list_query_count_does_not_grow(client: Client, place_organisation: Any,
                                                     django_assert_max_num_queries: Any) -> None:
    for i in range(30):
        organisation = place_organisation(f"Organizația {i}")
        Service.objects.create(organisation=organisation, name=f"Serviciu {i}").locations.add(
            Location.objects.get(organisation=organisation))
    with django_assert_max_num_queries(6):
        body = client.get("/hsds/organizations", {"full": "true", "full_service": "true", "per_page": 100}).json()
    assert body["total_items"] == 30
