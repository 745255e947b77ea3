"""Whole-page cache for anonymous visitors, invalidated by every write.

Most visitors are anonymous and read the same public pages; rendering them (strategy tree, report lists,
charts) costs tens of milliseconds of CPU each, a cache hit well under one. A page is cached only when
nothing in it belongs to the visitor: the request carries no session or messages cookie, is a plain GET
(not an htmx fragment), and the response is a 200 that sets no cookie and is not marked private. The
forms' CSRF token is the one per-visitor part, handled by substitution (CSRF_PLACEHOLDER). The key
holds the path, the query string and the active language.

Invalidation is by generation: every committed save or delete of any model (post_save, post_delete,
m2m_changed) increments one counter in the cache, and pages are stored under the counter read when the
request began, so a page rendered from older data is never served after a change. Writes that bypass
the ORM's signals (bulk COPY of sensor readings, queryset.update) are covered by the short lifetime
(PAGE_CACHE_SECONDS, 30 s by default; 0 switches the cache off). With REDIS_URL the cache and the
counter are shared by every web server.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

GENERATION_KEY = "pagecache:generation"
# Forms on every page (the language switcher) carry a CSRF token, which belongs to one browser: the
# stored page holds a placeholder, and each hit gets the visitor's own token (and cookie).
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
IGNORED_APPS = {"sessions", "admin", "contenttypes"}


def seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0) or 0)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 1, timeout=None)


def data_changed(sender: Any = None, **kwargs: Any) -> None:
    """Signal receiver: one generation bump per committed transaction that changed something."""
    if sender is not None and getattr(getattr(sender, "_meta", None), "app_label", "") in IGNORED_APPS:
        return
    if seconds() <= 0:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _bump for entry in connection.run_on_commit):
        return  # already due when this transaction commits (a rollback drops it with the changes)
    transaction.on_commit(_bump)


def connect() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(data_changed, dispatch_uid=f"core.page_cache.{signal!r}")


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or request.headers.get("HX-Request"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return not request.path.startswith(("/admin", "/ro/admin", "/en/admin", "/healthz", "/livez"))


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.cookies or getattr(response, "streaming", False):
        return False
    if getattr(request, "session", None) is not None and getattr(request.session, "modified", False):
        return False
    control = response.get("Cache-Control", "")
    return "private" not in control and "no-store" not in control and "no-cache" not in control


class AnonymousPageCacheMiddleware:
    """After LocaleMiddleware (the language is in the key) and AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lifetime = seconds()
        if lifetime <= 0 or not _cacheable_request(request):
            return self.get_response(request)
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, 1, timeout=None)
            generation = cache.get(GENERATION_KEY, 1)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:40]
        key = f"pagecache:{generation}:{translation.get_language()}:{digest}"
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            if CSRF_PLACEHOLDER in content:
                content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
            response = HttpResponse(content, status=200)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable_response(request, response):
            headers = [(name, value) for name, value in response.items()
                       if name.lower() in ("content-type", "content-language", "vary", "content-disposition")]
            content = CSRF_INPUT.sub(rb"\g<1>" + CSRF_PLACEHOLDER + rb"\g<2>", response.content)
            cache.set(key, (content, headers), lifetime)
            response["X-Page-Cache"] = "miss"
        return response
