"""A strict Content-Security-Policy on every response, and no inline script on any public page (the
policy would block it): every parameterless page of every room, in Romanian and English, plus the
pages of the demo objects the rooms link to from their lists."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

SKIP_PREFIXES = ("admin/", "accounts/", "i18n/", "api/docs")


class InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        handlers = [name for name in attributes if name.startswith("on")]
        if handlers:
            self.problems.append(f"<{tag} {handlers[0]}=...>")
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self.problems.append("<script> without src")
        for name in ("href", "src", "action"):
            value = attributes.get(name) or ""
            if value.lower().startswith("javascript:"):
                self.problems.append(f"{name}=javascript:")
        if tag == "a" and (attributes.get("href") or "").startswith("/en/"):
            self.links.append(str(attributes["href"]))


def _parameterless_pages() -> list[str]:
    def walk(patterns: Any, prefix: str = "") -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    pages = set()
    for route in walk(get_resolver().url_patterns):
        if "<" in route or "(?P" in route or "^" in route or "{" in route:
            continue
        for language in ("ro", "en"):
            # The language prefix prints as the active language's, whichever that is now.
            route_in = f"{language}/" + route[3:] if route.startswith(("ro/", "en/")) else route
            skipped = SKIP_PREFIXES + tuple(f"{lang}/{skip}" for lang in ("ro", "en") for skip in SKIP_PREFIXES)
            if not route_in.startswith(skipped):
                pages.add("/" + route_in)
    return sorted(pages)


@pytest.mark.django_db
def test_every_public_page_has_the_policy_and_no_inline_script(client: Client, strategy_data: None) -> None:
    from django.core.management import call_command

    call_command("load_demo_data", verbosity=0)
    checked, problems = 0, {}
    links: set[str] = set()
    for url in _parameterless_pages():
        response = client.get(url)
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = InlineScripts()
        parser.feed(response.content.decode())
        checked += 1
        if parser.problems:
            problems[url] = parser.problems
        links.update(link for link in parser.links if re.match(r"^/en/[^?#]+/[^?#]*$", link))
    for url in sorted(links)[:150]:  # detail pages of the demo data linked from the lists
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            parser = InlineScripts()
            parser.feed(response.content.decode())
            checked += 1
            if parser.problems:
                problems[url] = parser.problems
    assert checked > 40
    assert problems == {}


@pytest.mark.django_db
def test_the_policy_is_strict(client: Client, settings: Any) -> None:
    from core import csp

    settings.MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    csp.site_policy.cache_clear()
    policy = client.get("/healthz")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["script-src-attr"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert "https://*.tile.example.org" in directives["img-src"]
    csp.site_policy.cache_clear()
    docs = client.get("/api/docs")
    # Swagger UI is served from our own static files: its page runs scripts from our origin only.
    docs_directives = dict(part.strip().split(" ", 1) for part in docs["Content-Security-Policy"].split(";"))
    assert docs_directives["script-src"] == "'self'" and "http" not in docs["Content-Security-Policy"]
