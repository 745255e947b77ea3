"""The strategy JSON API: the whole tree in one document, lists with filters, token-protected writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from core.models import ApiToken, AuditEntry
from strategy.models import Measurement

pytestmark = pytest.mark.django_db


def test_strategy_tree_in_one_document(client: Client, strategy_data: None,
                                       django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/strategy")
    assert response.status_code == 200
    data = response.json()
    assert len(data["ambitions"]) == 7
    assert sum(len(a["objectives"]) for a in data["ambitions"]) == 22
    first = data["ambitions"][0]
    assert {"code", "title", "objectives", "kpis", "progress"} <= set(first)
    assert {"projects"} <= set(first["objectives"][0])
    kpi = next(k for a in data["ambitions"] for k in a["kpis"] if k["code"] == "A1.K1")
    assert {"baseline_value", "target_value", "latest", "status"} <= set(kpi)


def test_api_paths_carry_no_language(client: Client, strategy_data: None) -> None:
    assert client.get("/ro/api/v1/strategy").status_code == 404
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Timișoara Smart City API"
    assert client.get("/api/docs").status_code == 200


def test_project_list_filters_and_pagination(client: Client, strategy_data: None) -> None:
    page = client.get("/api/v1/projects", {"limit": 5, "offset": 0}).json()
    assert page["count"] >= 60 and len(page["items"]) == 5
    seven = client.get("/api/v1/projects", {"ambition": 7, "limit": 100}).json()
    assert seven["count"] > 0 and all(item["ambition"] == 7 for item in seven["items"])
    bad = client.get("/api/v1/projects", {"status": "bogus"})
    assert bad.status_code == 400 and "status" in bad.json()["detail"]
    assert client.get("/api/v1/projects", {"ambition": "seven"}).status_code == 422


def test_project_and_kpi_detail(client: Client, strategy_data: None) -> None:
    project = client.get("/api/v1/projects/A1.O3.P1").json()
    assert project["code"] == "A1.O3.P1" and "milestones" in project and "updates" in project
    assert client.get("/api/v1/projects/NOPE").status_code == 404
    kpi = client.get("/api/v1/kpis/A5.K3").json()
    assert kpi["code"] == "A5.K3" and kpi["measurements"] == []


def _post(client: Client, token: str | None, payload: dict[str, Any], code: str = "A5.K3") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(f"/api/v1/kpis/{code}/measurements", payload, content_type="application/json", **headers)


def test_post_measurement_with_token_is_stored_and_audited(client: Client, strategy_data: None,
                                                            api_token: str) -> None:
    response = _post(client, api_token, {"date": "2024-12-31", "value": "18.7", "source": "ANPM"})
    assert response.status_code == 201, response.content
    assert Measurement.objects.get(kpi__code="A5.K3").value == Decimal("18.7")
    assert AuditEntry.objects.filter(action="strategy.measurement.created").exists()
    again = _post(client, api_token, {"date": "2024-12-31", "value": "18.9"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert Measurement.objects.filter(kpi__code="A5.K3").count() == 1
    assert client.get("/api/v1/kpis/A5.K3").json()["latest"]["value"] == "18.9000"


@pytest.mark.parametrize(("payload", "field"), [
    ({"date": "31/12/2024", "value": "1"}, "date"),
    ({"date": "2024-12-31", "value": "lots"}, "value"),
    ({"date": "2024-12-31"}, "value"),
    ({"date": "2999-01-01", "value": "1"}, "date"),
    ({"date": "2024-12-31", "value": "1" * 40}, "value"),
    ({"date": "2024-12-31", "value": "NaN"}, "value"),
])
def test_bad_measurements_are_refused_naming_the_field(client: Client, strategy_data: None, api_token: str,
                                                        payload: dict[str, Any], field: str) -> None:
    response = _post(client, api_token, payload)
    assert 400 <= response.status_code < 500
    assert field in response.content.decode()
    assert not Measurement.objects.filter(kpi__code="A5.K3").exists()


def test_writes_need_a_valid_token_with_scope(client: Client, strategy_data: None, api_token: str,
                                              citizen: Any) -> None:
    good = {"date": "2024-12-31", "value": "1"}
    assert _post(client, None, good).status_code == 401
    assert _post(client, "sc_forged", good).status_code == 401
    key = ApiToken.new_key()
    ApiToken.objects.create(name="read", owner=citizen, prefix=key[3:11], key_hash=ApiToken.hash_key(key), scopes=[])
    assert _post(client, key, good).status_code == 403
    key2 = ApiToken.new_key()
    ApiToken.objects.create(name="citizen", owner=citizen, prefix=key2[3:11], key_hash=ApiToken.hash_key(key2),
                            scopes=["kpi:write"])
    assert _post(client, key2, good).status_code == 403  # the owner's role decides, not only the scope
    ApiToken.objects.filter(key_hash=ApiToken.hash_key(api_token)).update(revoked_at="2024-01-01T00:00Z")
    assert _post(client, api_token, good).status_code == 401
    assert _post(client, None, good, code="NOPE").status_code == 401
    assert not Measurement.objects.exists()


def test_kpi_list_filters(client: Client, strategy_data: None) -> None:
    """Finding 8: the KPI list's filters (ambition, kind) had no test."""
    every = client.get("/api/v1/kpis?limit=500").json()["items"]
    by_ambition = client.get("/api/v1/kpis?ambition=5&limit=500").json()["items"]
    assert by_ambition and len(by_ambition) < len(every)
    assert {item["ambition"] for item in by_ambition} == {5}
    for kind in ("key", "outcome", "output"):
        items = client.get(f"/api/v1/kpis?kind={kind}&limit=500").json()["items"]
        assert [item["code"] for item in items] == [item["code"] for item in every if item["kind"] == kind]
    refused = client.get("/api/v1/kpis?kind=nonsense")
    assert refused.status_code == 400 and "kind" in refused.json()["detail"]
    assert client.get("/api/v1/kpis?ambition=x").status_code in (400, 422)
