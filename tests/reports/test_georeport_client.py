"""A real Open311 client, the `georeport` package from PyPI, reads our server over HTTP
(live_server on 127.0.0.1) in both formats."""

from __future__ import annotations

from typing import Any

import pytest
from georeport import GeoReport

from reports import services
from reports.models import Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(live_server: Any, make_report: Any, make_user: Any) -> dict[str, Any]:
    from accounts.roles import Role
    from reports.models import Department

    staff = make_user(Role.DEPARTMENT_STAFF)
    Department.objects.get(slug="drumuri").members.add(staff)
    open_one = make_report(title="Groapă pe Bulevardul Revoluției", description="Adâncă & periculoasă <b>")
    fixed_one = make_report(title="Fixed one")
    services.change_status(staff, fixed_one, Status.FIXED, "Plombată")
    make_report("street-lighting", title="Stâlp stins")
    return {"url": f"{live_server.url}/open311/v2", "open": open_one, "fixed": fixed_one}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_and_requests(served: dict[str, Any], fmt: str) -> None:
    client = GeoReport(served["url"], jurisdiction="timisoara.ro", output_format=fmt)
    services_list = client.get_service_list()
    codes = {service["service_code"] for service in services_list}
    assert {"potholes", "street-lighting", "garbage"} <= codes
    definition = client.get_service_definition("potholes")
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: <attributes><attribute>… becomes {"attribute": [...]}
        attributes = attributes["attribute"]
        attributes = attributes if isinstance(attributes, list) else [attributes]
    assert attributes[0]["code"] == "size"

    requests = client.get_service_requests()
    assert len(requests) == 3
    by_id = {str(r["service_request_id"]): r for r in requests}
    opened = by_id[str(served["open"].pk)]
    assert opened["description"] == "Adâncă & periculoasă <b>"
    assert opened["status"] == "open" and opened["service_code"] == "potholes"

    closed = client.get_service_requests(status="closed")
    closed = closed if isinstance(closed, list) else [closed]
    assert [str(r["service_request_id"]) for r in closed] == [str(served["fixed"].pk)]
    only_lights = client.get_service_requests(service_code="street-lighting")
    only_lights = only_lights if isinstance(only_lights, list) else [only_lights]
    assert len(only_lights) == 1

    single = client.get_service_request(str(served["fixed"].pk))
    assert single["status"] == "closed" and single["status_notes"] == "Plombată"


def test_georeport_sees_http_errors(served: dict[str, Any]) -> None:
    import requests

    client = GeoReport(served["url"])
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_definition("no-such-service")
    assert error.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_requests(start_date="not-a-date")
    assert error.value.response.status_code == 400


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_request_placed_by_address_string_only(live_server: Any, reference: Any, open311_key: str, fmt: str) -> None:
    """georeport 0.3.1 reads but cannot POST (it has no create method), so the POST goes through
    `requests`, the HTTP library it is built on, exactly as an app sends it (form-encoded, no lat/long);
    the real client then reads the request back, and its token is looked up at tokens/{token}."""
    import requests
    import xmltodict

    base = f"{live_server.url}/open311/v2"
    sent = requests.post(f"{base}/requests.{fmt}", data={
        "api_key": open311_key, "jurisdiction_id": "timisoara.ro", "service_code": "potholes",
        "address_string": "Bd. Mihai Viteazu nr. 1", "description": "Groapă adâncă", "attribute[size]": "large"},
        timeout=30)
    assert sent.status_code == 200, sent.text
    created = sent.json()[0] if fmt == "json" else xmltodict.parse(sent.content)["service_requests"]["request"]
    client = GeoReport(base, jurisdiction="timisoara.ro", output_format=fmt)
    read = client.get_service_request(str(created["service_request_id"]))
    assert read["address"] == "Bd. Mihai Viteazu nr. 1"
    assert 45.74 < float(read["lat"]) < 45.75 and 21.22 < float(read["long"]) < 21.23  # on Bulevardul Mihai Viteazu
    token = requests.get(f"{base}/tokens/{created['token']}.{fmt}", timeout=30)
    assert token.status_code == 200
    answer = token.json()[0] if fmt == "json" else xmltodict.parse(token.content)["service_requests"]["request"]
    assert str(answer["service_request_id"]) == str(created["service_request_id"])
    refused = requests.post(f"{base}/requests.json", data={
        "api_key": open311_key, "service_code": "potholes", "address_string": "Strada Care Nu Există Nicăieri",
        "description": "x", "attribute[size]": "large"}, timeout=30)
    assert refused.status_code == 400 and refused.json()[0]["description"].startswith("address_string:")
