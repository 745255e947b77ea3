"""The budgeting API: reading without a key, writing per role, 4xx naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from budgeting import services
from budgeting.models import Ballot, Edition, Project
from core.models import ApiToken
from tests.budgeting.conftest import finish, make_edition

pytestmark = pytest.mark.django_db

BASE = "/api/v1/budgeting/editions"


def token_for(user: Any, scopes: list[str]) -> str:
    key = ApiToken.new_key()
    ApiToken.objects.create(name="app", owner=user, prefix=key[3:11], key_hash=ApiToken.hash_key(key), scopes=scopes)
    return key


def put_json(client: Client, path: str, data: Any, **headers: Any) -> Any:
    return client.put(path, json.dumps(data), content_type="application/json", **headers)


def post_json(client: Client, path: str, data: Any, **headers: Any) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json", **headers)


def test_reading_editions_projects_and_no_results_before_publication(voting_edition: Edition) -> None:
    client = Client()
    editions = client.get(BASE).json()
    assert [e["slug"] for e in editions] == [voting_edition.slug]
    assert editions[0]["pabulib_urls"] == []
    projects = client.get(f"{BASE}/{voting_edition.slug}/projects").json()
    assert [p["number"] for p in projects] == [1, 2, 3, 4]
    assert all(p["votes"] is None for p in projects)
    assert client.get(f"{BASE}/{voting_edition.slug}/results").status_code == 404
    assert client.get(f"{BASE}/{voting_edition.slug}/pabulib.pb").status_code == 404
    assert client.get(f"{BASE}/nope").status_code == 404


def test_results_with_explanations_after_publication(voting_edition: Edition) -> None:
    codes = services.generate_codes("tests", voting_edition, 2)
    services.cast_code_ballot(voting_edition, codes[0], {1: 1, 2: 1})
    services.cast_code_ballot(voting_edition, codes[1], {1: 1})
    finish(voting_edition)
    data = Client().get(f"{BASE}/{voting_edition.slug}/results", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["ballots"] == 2
    [result] = data["results"]
    assert result["official"] and result["rule"] == "greedy" and result["selected"][:2] == [1, 2]
    first = next(p for p in result["projects"] if p["number"] == 1)
    assert first["selected"] and first["reason"] == "selected_in_order" and first["text"]


def test_voting_by_api_with_a_session_and_with_a_token(voting_edition: Edition, resident: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert put_json(client, f"{BASE}/{voting_edition.slug}/ballot", {"choices": []}).status_code in (401, 403)
    token = token_for(resident, ["budgeting:write"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = put_json(client, f"{BASE}/{voting_edition.slug}/ballot", {"choices": [{"project": 1}]}, **auth)
    assert response.status_code == 201, response.content
    response = put_json(client, f"{BASE}/{voting_edition.slug}/ballot", {"choices": [{"project": 2}]}, **auth)
    assert response.status_code == 200 and response.json()["replaced"]
    assert client.get(f"{BASE}/{voting_edition.slug}/ballot", **auth).json()["choices"] == {"2": 1}
    assert Ballot.objects.count() == 1
    # A session without its CSRF token cannot write.
    session = Client(enforce_csrf_checks=True)
    session.force_login(resident)
    assert put_json(session, f"{BASE}/{voting_edition.slug}/ballot", {"choices": [{"project": 1}]}).status_code \
        in (401, 403)


def test_token_without_the_write_scope_is_refused(voting_edition: Edition, resident: Any) -> None:
    token = token_for(resident, ["kpi:write"])
    response = put_json(Client(), f"{BASE}/{voting_edition.slug}/ballot", {"choices": [{"project": 1}]},
                        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403


@pytest.mark.parametrize(("payload", "field"), [
    ({"choices": [{"project": 1}, {"project": 2}, {"project": 4}, {"project": 3}]}, "choices"),  # 4 > 3
    ({"choices": [{"project": 99}]}, "choices"),
    ({"choices": [{"project": 1}, {"project": 1}]}, "choices[1].project"),
    ({"choices": [{"project": 1, "value": 5}]}, "choices"),
    ({"choices": "all"}, "choices"),
    ({}, "choices"),
])
def test_bad_ballots_are_4xx_naming_the_field(db: Any, resident: Any, payload: Any, field: str) -> None:
    edition = make_edition(max_choices=3)
    token = token_for(resident, ["budgeting:write"])
    response = put_json(Client(), f"{BASE}/{edition.slug}/ballot", payload, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert 400 <= response.status_code < 500
    assert field in json.dumps(response.json()["detail"])
    assert not Ballot.objects.exists()


def test_citizen_without_residence_gets_403(voting_edition: Edition, citizen: Any) -> None:
    token = token_for(citizen, ["budgeting:write"])
    response = put_json(Client(), f"{BASE}/{voting_edition.slug}/ballot", {"choices": [{"project": 1}]},
                        HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "residence" in response.json()["detail"]


def test_code_ballot_by_api_and_replay(voting_edition: Edition) -> None:
    [code] = services.generate_codes("tests", voting_edition, 1)
    client = Client()
    path = f"{BASE}/{voting_edition.slug}/code-ballot"
    assert post_json(client, path, {"code": code, "choices": [{"project": 3}]}).status_code == 201
    replay = post_json(client, path, {"code": code, "choices": [{"project": 3}]})
    assert replay.status_code == 400 and "code" in replay.json()["detail"]
    assert Ballot.objects.count() == 1


def test_proposing_by_api(submission_edition: Edition, citizen: Any, unverified: Any) -> None:
    path = f"{BASE}/{submission_edition.slug}/projects"
    good = {"title": "Pistă de alergare", "description": "O pistă de alergare în jurul parcului.",
            "cost_estimate": "120000"}
    assert post_json(Client(), path, good, HTTP_AUTHORIZATION=f"Bearer {token_for(unverified, ['budgeting:write'])}"
                     ).status_code == 403
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(citizen, ['budgeting:write'])}"}
    response = post_json(Client(), path, good, **auth)
    assert response.status_code == 201 and response.json()["number"] == 1
    for bad, field in (({**good, "district": "atlantis"}, "district"), ({**good, "category": "x"}, "category"),
                       ({**good, "latitude": 44.4, "longitude": 26.1}, "latitude"), ({**good, "title": ""}, "title"),
                       ({**good, "cost_estimate": "-1"}, "cost_estimate")):
        response = post_json(Client(), path, bad, **auth)
        assert 400 <= response.status_code < 500, bad
        assert field in json.dumps(response.json()["detail"])
    assert Project.objects.count() == 1


def test_openapi_lists_the_budgeting_endpoints(db: Any) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert "/api/v1/budgeting/editions/{slug}/pabulib.pb" in paths
    assert "/api/v1/budgeting/editions/{slug}/results" in paths
