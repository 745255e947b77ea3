"""Finding 5: a NUL byte or invalid text anywhere in a request is a 400 naming where, never a 500
(PostgreSQL refuses NUL in text). Run on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

# The endpoints the review named (and more of the same kinds).
NAMED = [
    "/api/v1/projects/%00",
    "/en/reports/?q=%00",
    "/api/v1/budgeting/editions/%00",
    "/en/air/sensors/%00/",
    "/en/projects/%00/",
    "/en/kpis/%00/",
    "/en/kpis/%00/data.csv",
    "/en/reports/?category=%00",
    "/en/reports/confirm/%00/",
    "/en/reports/feeds/category/%00.atom",
    "/open311/v2/requests.json?service_code=%00",
    "/open311/v2/requests/%00.json",
    "/en/participation/consultations/%00/",
    "/en/budgeting/%00/",
    "/api/v1/kpis/%00",
    "/en/air/?sensor=%00",
]


def _patterns(patterns: Any, prefix: str = "") -> Any:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _every_parametrised_path() -> list[str]:
    """Every route with a parameter, the parameter replaced by %00 (language pages in English)."""
    paths = set()
    for route in _patterns(get_resolver().url_patterns):
        if "(?P" in route or "^" in route or not ("<" in route or "{" in route):
            continue
        if route.startswith("ro/"):
            route = "en/" + route[3:]
        paths.add("/" + re.sub(r"<[^>]+>|\{[^}]+\}", "%00", route))
    return sorted(paths)


@pytest.mark.django_db
@pytest.mark.parametrize("url", NAMED)
def test_nul_in_the_named_endpoints_is_a_400(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, url
    assert b"NUL" in response.content


@pytest.mark.django_db
def test_nul_in_any_parameter_of_any_route_is_a_400(client: Client) -> None:
    paths = _every_parametrised_path()
    assert len(paths) > 60
    failures = {path: client.get(path).status_code for path in paths}
    assert {path: code for path, code in failures.items() if code != 400} == {}


@pytest.mark.django_db
def test_nul_in_forms_json_and_headers_is_a_400_naming_the_place(client: Client) -> None:
    form = client.post("/en/reports/new/", {"title": "a\x00b"})
    assert form.status_code == 400 and b"'title'" in form.content
    body = client.post("/api/v1/budgeting/editions/x/code-ballot", data='{"code": "A\\u0000"}',
                       content_type="application/json")
    assert body.status_code == 400 and body.json()["field"] == "body.code"
    raw = client.post("/api/v1/budgeting/editions/x/code-ballot", data=b'{"code": "\xff"}',
                      content_type="application/json")
    assert raw.status_code == 400 and "UTF-8" in raw.json()["detail"]
    header = client.get("/en/", HTTP_ACCEPT_LANGUAGE="ro\x00")
    assert header.status_code == 400 and b"Accept-Language" in header.content
    invalid_utf8 = client.get("/en/reports/?q=%FF")
    assert invalid_utf8.status_code == 400 and b"UTF-8" in invalid_utf8.content
    name = client.get("/en/reports/?%00=1")
    assert name.status_code == 400


@pytest.mark.django_db
def test_ordinary_text_passes(client: Client) -> None:
    assert client.get("/en/reports/?q=gr%C4%83din%C4%83+%25").status_code == 200
    assert client.get("/api/v1/projects/%2500").status_code == 404  # a literal "%00" is text, not a NUL
