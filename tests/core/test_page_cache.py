"""Finding 9: anonymous pages are served from the cache, and never after a change (every committed
write invalidates them); nothing personal is cached: signed-in visitors, forms with a CSRF token,
htmx fragments and responses that set a cookie bypass it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture
def page_cache_on(settings: Any) -> Any:
    settings.PAGE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_anonymous_pages_are_cached_until_the_next_write(page_cache_on: None, strategy_data: None) -> None:
    from strategy.models import Project

    client = Client()
    first = client.get("/en/projects/")
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    second = client.get("/en/projects/")
    without_tokens = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert second["X-Page-Cache"] == "hit"
    assert without_tokens.sub(b"", second.content) == without_tokens.sub(b"", first.content)
    assert second["Content-Security-Policy"] and second["X-Frame-Options"] == "DENY"
    assert client.get("/ro/proiecte/")["X-Page-Cache"] == "miss"  # each language its own page
    project = Project.objects.filter(parent__isnull=True).order_by("code").first()
    assert project is not None
    project.title_en = "A title changed a moment ago"
    project.save()
    third = client.get("/en/projects/")
    assert third["X-Page-Cache"] == "miss" and "A title changed a moment ago" in third.content.decode()


@pytest.mark.django_db
def test_personal_or_stateful_responses_are_never_cached(page_cache_on: None, strategy_data: None,
                                                         citizen: Any) -> None:
    member = Client()
    member.force_login(citizen)
    for _ in range(2):
        assert "X-Page-Cache" not in member.get("/en/projects/")
    anonymous = Client()
    for _ in range(2):  # a form: its CSRF token belongs to this browser
        assert "X-Page-Cache" not in anonymous.get("/en/accounts/login/")
    assert "X-Page-Cache" not in anonymous.get("/en/projects/", HTTP_HX_REQUEST="true")
    assert "X-Page-Cache" not in anonymous.get("/healthz")


@pytest.mark.django_db
def test_each_visitor_gets_their_own_csrf_token_on_a_cached_page(page_cache_on: None, strategy_data: None) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    assert first.get("/en/projects/")["X-Page-Cache"] == "miss"
    hit = second.get("/en/projects/")
    assert hit["X-Page-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', hit.content.decode())
    assert token is not None and "csrf-token" not in token.group(1)
    assert "csrftoken" in hit.cookies  # the visitor's own cookie, matching the token in the page
    switched = second.post("/i18n/setlang/", {"language": "ro", "next": "/en/projects/",
                                             "csrfmiddlewaretoken": token.group(1)})
    assert switched.status_code == 302

