"""A versioned cache of whole public read responses (Open311 lists and the map's data).

Every service that changes what the public sees calls data_changed(), which bumps a version number
in the shared cache (at once, and again after commit); the version is part of every key, so a
cached answer is never served after a change, and entries expire after TTL seconds anyway. With
Redis (REDIS_URL, production) the version is shared by all web workers; with the local-memory cache
of a development install each process has its own, so another process may answer from its copy for
up to TTL seconds. Set REPORTS_RESPONSE_CACHE=0 to switch it off (bench/open311_read.py measures
both).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from reports import refcache

VERSION_KEY = "reports:data-version"
TTL = 60
ENABLED = os.environ.get("REPORTS_RESPONSE_CACHE", "1") != "0"
KEPT_HEADERS = ("Link", "Cache-Control", "Access-Control-Allow-Origin")


def _bump() -> None:
    cache.set(VERSION_KEY, time.time_ns(), None)


def data_changed() -> None:
    """Call inside the service's transaction: readers in between see the old data under a new version
    (harmless), and the bump after commit makes sure nothing cached before it is served later."""
    _bump()
    transaction.on_commit(_bump)


def _deleted(**_kwargs: Any) -> None:
    data_changed()


def connect_signals() -> None:
    """Deletions from the back office bypass the services; they must invalidate too."""
    from django.db.models.signals import post_delete

    from reports.models import Photo, Report, Update

    for model in (Report, Photo, Update):
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"reports-respcache-delete-{model.__name__}")


def _version() -> Any:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def cached(request: HttpRequest, build: Callable[[], HttpResponse]) -> HttpResponse:
    if not ENABLED or request.method not in ("GET", "HEAD"):
        return build()
    raw = "|".join([str(_version()), str(refcache.current_version()), translation.get_language() or "",
                    request.get_host(), request.get_full_path()])
    key = "reports:response:" + hashlib.sha256(raw.encode()).hexdigest()
    stored = cache.get(key)
    if stored is not None:
        status, content, content_type, headers = stored
        response = HttpResponse(content, status=status, content_type=content_type)
        for name, value in headers:
            response[name] = value
        response["X-Cache"] = "hit"
        return response
    response = build()
    if response.status_code == 200 and not response.streaming:
        headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
        cache.set(key, (response.status_code, response.content, response["Content-Type"], headers), TTL)
    response["X-Cache"] = "miss"
    return response
