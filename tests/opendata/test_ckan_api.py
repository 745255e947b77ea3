"""The CKAN Action API: envelopes, status codes, package shapes, search, and hostile parameters."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendata import registry
from tests.opendata.ckan_fixtures import synthetic_catalogue

API = "/api/3/action/"


@pytest.fixture
def catalogue(db: Any) -> Iterator[list[Any]]:
    with synthetic_catalogue(30) as datasets:
        yield datasets


def call(client: Any, action: str, **params: Any) -> tuple[int, Any]:
    response = client.get(API + action, params)
    assert response["Content-Type"] == "application/json;charset=utf-8"
    return response.status_code, response.json()


def result(client: Any, action: str, **params: Any) -> Any:
    status, body = call(client, action, **params)
    assert status == 200, body
    assert body["success"] is True
    assert body["help"] == f"http://testserver/api/3/action/help_show?name={action}"
    return body["result"]


def test_status_show_and_site_read(client: Any, catalogue: Any) -> None:
    status = result(client, "status_show")
    assert status["ckan_version"].startswith("2.10") and status["site_url"] == "http://testserver"
    assert result(client, "site_read") is True


def test_both_paths_and_post_with_a_json_body_or_a_form(client: Any, catalogue: Any) -> None:
    assert client.get("/api/action/package_list").json()["result"] == result(client, "package_list")
    posted = client.post(API + "package_show", data=json.dumps({"id": "set-00003"}), content_type="application/json")
    assert posted.status_code == 200 and posted.json()["result"]["name"] == "set-00003"
    form = client.post(API + "package_show", {"id": "set-00004"})
    assert form.status_code == 200 and form.json()["result"]["name"] == "set-00004"
    json_as_form_key = client.post(API + "package_show", {json.dumps({"id": "set-00005"}): "1"})
    assert json_as_form_key.json()["result"]["name"] == "set-00005"


def test_package_list(client: Any, catalogue: Any) -> None:
    names = result(client, "package_list")
    assert names == sorted(names) and len(names) == 30
    assert result(client, "package_list", limit=5, offset=2) == names[2:7]


def test_package_show_is_shaped_as_ckan_2_10(client: Any, catalogue: Any) -> None:
    package = result(client, "package_show", id="set-00002")
    assert uuid.UUID(package["id"]).version == 5
    assert result(client, "package_show", id=package["id"])["name"] == "set-00002"  # by id too
    assert package["title"] == "Setul de date 2 despre budgeting"
    assert package["title_translated"]["en"] == "Dataset 2 about budgeting"
    assert package["notes"] == "Descriere în română 2"
    assert package["organization"]["name"] == "budgeting" and package["owner_org"] == package["organization"]["id"]
    assert {group["name"] for group in package["groups"]} == {"gove", "econ"}
    assert [tag["name"] for tag in package["tags"]] == ["budgeting", "tag2", "timișoara"]
    assert package["license_id"] == "CC-BY-4.0" and package["license_url"].startswith("https://creativecommons")
    assert package["metadata_modified"] == "2026-01-01T02:00:00.000000"
    assert package["num_resources"] == len(package["resources"]) == 2
    csv = package["resources"][0]
    assert csv["url"] == "http://testserver/data/budgeting/table-2.csv"
    assert (csv["format"], csv["mimetype"], csv["size"]) == ("CSV", "text/csv", 1002)
    assert csv["package_id"] == package["id"] and uuid.UUID(csv["id"])
    extras = {item["key"]: item["value"] for item in package["extras"]}
    assert extras["frequency"].endswith("/frequency/DAILY") and extras["temporal_start"] == "2025-01-01"
    assert package["maintainer_email"] == "" and package["author_email"] == ""
    # The same name gives the same id on every request.
    assert result(client, "package_show", id="set-00002")["id"] == package["id"]


def test_a_data_service_is_an_api_resource(client: Any, catalogue: Any) -> None:
    package = result(client, "package_show", id="set-00001")
    api = package["resources"][-1]
    assert (api["format"], api["resource_type"], api["url"]) == ("API", "api", "http://testserver/api/v1/reports/")


def test_resource_show(client: Any, catalogue: Any) -> None:
    resource = result(client, "package_show", id="set-00002")["resources"][1]
    assert result(client, "resource_show", id=resource["id"]) == resource
    status, body = call(client, "resource_show", id=str(uuid.uuid4()))
    assert status == 404
    assert body["error"] == {"__type": "Not Found Error", "message": "Not found: Resource was not found."}


def test_package_search_filters_sorts_pages_and_counts_facets(client: Any, catalogue: Any) -> None:
    everything = result(client, "package_search", rows=1000)
    assert everything["count"] == 30 and len(everything["results"]) == 30
    assert everything["sort"] == "score desc, metadata_modified desc"
    assert everything["results"][0]["name"] == "set-00029"  # newest first
    assert result(client, "package_search")["results"].__len__() == 10  # CKAN's default rows

    reports = result(client, "package_search", fq="organization:reports", rows=100)
    assert reports["count"] == 10 and {p["organization"]["name"] for p in reports["results"]} == {"reports"}
    assert result(client, "package_search", fq="tags:tag3")["count"] == 4
    assert result(client, "package_search", fq="res_format:JSON", rows=0)["count"] == 15
    assert result(client, "package_search", fq="groups:envi", rows=0)["count"] == 10
    recent = result(client, "package_search", fq="metadata_modified:[2026-01-01T20:00:00Z TO *]", rows=100)
    assert sorted(p["name"] for p in recent["results"]) == [f"set-{n:05d}" for n in range(20, 30)]
    assert result(client, "package_search", q="despre environment", rows=0)["count"] == 10
    assert result(client, "package_search", q="English description 7")["results"][0]["name"] == "set-00007"

    by_id = result(client, "package_search", sort="id asc", rows=1000)["results"]
    assert [p["id"] for p in by_id] == sorted(p["id"] for p in by_id)
    page = result(client, "package_search", sort="name asc", start=5, rows=5)["results"]
    assert [p["name"] for p in page] == [f"set-{n:05d}" for n in range(5, 10)]

    faceted = result(client, "package_search", rows=0, **{"facet.field": '["organization","res_format","groups"]'})
    assert faceted["facets"]["organization"] == {"environment": 10, "reports": 10, "budgeting": 10}
    assert faceted["facets"]["res_format"] == {"CSV": 30, "JSON": 15, "API": 10}
    items = faceted["search_facets"]["organization"]["items"]
    assert {item["name"] for item in items} == {"environment", "reports", "budgeting"}
    assert all(item["count"] == 10 and item["display_name"] for item in items)
    assert faceted["search_facets"]["groups"]["title"] == "groups"


def test_rows_are_capped_at_1000_as_ckan_does(client: Any, db: Any) -> None:
    with synthetic_catalogue(1005):
        found = result(client, "package_search", rows=100000)
    assert found["count"] == 1005 and len(found["results"]) == 1000


def test_organizations_groups_tags_licences(client: Any, catalogue: Any) -> None:
    assert result(client, "organization_list") == ["budgeting", "environment", "reports"]
    detailed = result(client, "organization_list", all_fields="true")
    counts = {org["name"]: org["package_count"] for org in detailed}
    assert counts == {"budgeting": 10, "environment": 10, "reports": 10}
    organization = result(client, "organization_show", id="reports", include_datasets="true")
    assert organization["package_count"] == 10 and len(organization["packages"]) == 10
    assert result(client, "organization_show", id=organization["id"])["name"] == "reports"

    groups = result(client, "group_list")
    assert "envi" in groups and "tran" in groups and len(groups) == 13
    environment = result(client, "group_show", id="envi")
    assert environment["package_count"] == 10 and environment["title_translated"]["en"] == "Environment"

    tags = result(client, "tag_list")
    assert "timișoara" in tags and "tag0" in tags and tags == sorted(tags)
    assert result(client, "tag_list", query="TAG") == [f"tag{n}" for n in range(7)]
    licences = result(client, "license_list")
    assert "CC-BY-4.0" in {licence["id"] for licence in licences}


def test_current_package_list_with_resources(client: Any, catalogue: Any) -> None:
    listed = result(client, "current_package_list_with_resources", limit=3, page=2)
    assert [package["name"] for package in listed] == ["set-00026", "set-00025", "set-00024"]
    assert listed[0]["resources"]


def test_help_show(client: Any, catalogue: Any) -> None:
    assert "Search" in result(client, "help_show", name="package_search")


def test_package_search_query_count_does_not_grow_with_rows(client: Any, db: Any) -> None:
    with synthetic_catalogue(200):
        registry.invalidate()  # cold reads (the snapshot built), where a query per dataset would show
        with CaptureQueriesContext(connection) as few:
            result(client, "package_search", rows=1)
        registry.invalidate()
        with CaptureQueriesContext(connection) as many:
            result(client, "package_search", rows=200)
    assert len(many) == len(few) <= 2  # the harvested datasets, read in one query


# --- hostile and malformed requests: CKAN's own answers, never a 500 ------------------------------------


@pytest.mark.parametrize(("params", "status", "error"), [
    ({"start": "-1"}, 409, {"start": ["Must be a natural number"]}),
    ({"rows": "-5"}, 409, {"rows": ["Must be a natural number"]}),
    ({"rows": "ten"}, 409, {"rows": ["Invalid integer"]}),
    ({"start": "1.5"}, 409, {"start": ["Invalid integer"]}),
    ({"facet.field": "organization"}, 409, {"facet.field": ["Could not parse as valid JSON"]}),
    ({"facet.field": '{"a": 1}'}, 409, {"facet.field": ["Not a list"]}),
    ({"facet.field": "[1, 2]"}, 409, {"facet.field": ["Not a string"]}),
    ({"q": ["a", "b"]}, 409, {"q": ["Must be a string"]}),
    ({"include_private": "maybe"}, 409, {"include_private": ["Value must be one of: True, False"]}),
])
def test_bad_search_parameters_are_validation_errors(client: Any, catalogue: Any, params: dict, status: int,
                                                      error: dict) -> None:
    answer_status, body = call(client, "package_search", **params)
    assert answer_status == status and body["success"] is False
    assert body["error"] == {**error, "__type": "Validation Error"}


@pytest.mark.parametrize("fq", ["organization:", "tags:(a OR", "metadata_modified:[yesterday TO *]", '"open',
                                "x:[a b]", ")"])
def test_malformed_queries_are_search_query_errors(client: Any, catalogue: Any, fq: str) -> None:
    status, body = call(client, "package_search", fq=fq)
    assert status == 400 and body["success"] is False
    assert body["error"]["__type"] == "Search Query Error"
    assert body["error"]["message"].startswith("Search Query is invalid: ")


@pytest.mark.parametrize("sort", ["maintainer asc", "name sideways", "name"])
def test_bad_sorts_are_search_errors(client: Any, catalogue: Any, sort: str) -> None:
    status, body = call(client, "package_search", sort=sort)
    assert status == 409 and body["error"]["__type"] == "Search Error"


def test_unknown_dataset_and_missing_id(client: Any, catalogue: Any) -> None:
    status, body = call(client, "package_show", id="no-such-dataset")
    assert status == 404 and body == {"help": "http://testserver/api/3/action/help_show?name=package_show",
                                      "success": False, "error": {"__type": "Not Found Error", "message": "Not found"}}
    status, body = call(client, "package_show")
    assert status == 409 and body["error"] == {"name_or_id": ["Missing value"], "__type": "Validation Error"}
    status, body = call(client, "organization_show", id="nobody")
    assert status == 404 and body["error"]["message"] == "Not found: Organization was not found."


def test_unknown_action_is_ckans_bad_request(client: Any, catalogue: Any) -> None:
    response = client.get(API + "package_create")
    assert response.status_code == 400
    assert response.json() == "Bad request - Action name not known: package_create"
    assert client.get(API + "no-such!action").status_code == 404  # not an action name at all: no route


@pytest.mark.parametrize(("body", "message"), [
    (b"{not json", "Bad request - JSON Error: Error decoding JSON data."),
    (b"[1, 2, 3]", "Bad request - JSON Error: Request data JSON decoded to [1, 2, 3] but it needs to be a dictionary."),
    (b'"text"', "Bad request - JSON Error: Request data JSON decoded to 'text'"),
])
def test_malformed_json_bodies_are_bad_requests(client: Any, catalogue: Any, body: bytes, message: str) -> None:
    response = client.post(API + "package_search", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json().startswith(message)


def test_wrong_types_in_a_json_body(client: Any, catalogue: Any) -> None:
    for payload, field in (({"rows": True}, "rows"), ({"rows": [1]}, "rows"), ({"id": 5}, "id"),
                           ({"fq": {"a": 1}}, "fq"), ({"start": 1.5}, "start"),
                           ({"rows": float("inf")}, "rows"), ({"start": float("nan")}, "start")):
        action = "package_show" if field == "id" else "package_search"
        response = client.post(API + action, data=json.dumps(payload), content_type="application/json")
        assert response.status_code == 409, (payload, response.content)
        assert field in response.json()["error"]
    huge = client.post(API + "package_search", data='{"start": 1e300, "rows": 1e3}', content_type="application/json")
    assert huge.status_code == 200 and huge.json()["result"]["results"] == []  # an integer, past the end


def test_other_methods_are_refused(client: Any, catalogue: Any) -> None:
    assert client.put(API + "package_list").status_code == 405
    assert client.delete(API + "package_list").status_code == 405
    assert client.head(API + "package_list").status_code == 200


def test_every_dataset_of_every_room_is_listed_shown_and_searched(client: Any, demo_everywhere: None) -> None:
    """The real registry (every room's provider over the demo data): no dataset the API cannot show."""
    names = result(client, "package_list")
    assert len(names) >= 5
    for name in names:
        package = result(client, "package_show", id=name)
        assert package["resources"], name
        assert all(resource["url"].startswith("http://testserver/") for resource in package["resources"])
        assert all(item["value"] is not None for item in package["extras"])
    found = result(client, "package_search", rows=1000, **{"facet.field": '["organization","groups","res_format"]'})
    assert sorted(package["name"] for package in found["results"]) == names
    assert set(found["facets"]["organization"]) <= set(result(client, "organization_list"))
    registry.invalidate()
    with CaptureQueriesContext(connection) as one_row:
        result(client, "package_search", rows=1, q="date")
    registry.invalidate()
    with CaptureQueriesContext(connection) as all_rows:
        result(client, "package_search", rows=1000, q="date")
    assert len(all_rows) == len(one_row)  # no query per dataset returned
