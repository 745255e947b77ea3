"""A small fixed-window rate limiter on Django's cache.

Why not django-ratelimit: we need four limits (per client address, per email address, per API key,
per action) and one decorator-free call from the services; thirty lines on the cache the platform
already configures (Redis in production, so limits hold across web workers) are less to audit than a
new dependency. With the local-memory cache of a development install the limits are per process.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

# action: (allowed, window in seconds)
LIMITS: dict[str, tuple[int, int]] = {
    "report:address": (10, 3600),       # new reports from one client address per hour
    "report:email": (10, 86400),        # new reports under one email address per day
    "follow:address": (30, 3600),
    "support:address": (60, 3600),
    "flag:address": (20, 3600),
    "reopen:address": (10, 3600),
    "open311_post:address": (60, 3600),
    "open311_post:key": (300, 3600),    # the key's own limit (Open311Key.requests_per_hour) overrides it
    "geocode:address": (120, 60),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int


def _bucket(action: str, subject: str, window: int) -> str:
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"rl:{action}:{digest}:{int(time.time()) // window}"


def hit(action: str, subject: str, *, limit: int | None = None, window: int | None = None) -> Decision:
    """Count one attempt of `action` by `subject`; allowed while the window's count is within the limit."""
    default_limit, default_window = LIMITS[action]
    limit = default_limit if limit is None else limit
    window = default_window if window is None else window
    key = _bucket(action, subject, window)
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 5)
            count = 1
    retry_after = window - int(time.time()) % window
    return Decision(allowed=count <= limit, retry_after=retry_after)


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind a reverse proxy set REPORTS_TRUST_X_FORWARDED_FOR=1 (docs/reports.md)."""
    if os.environ.get("REPORTS_TRUST_X_FORWARDED_FOR") == "1":
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def source_hash(request: HttpRequest) -> str:
    """A one-way token for "one flag per person": the user id when signed in, else the address."""
    user = getattr(request, "user", None)
    subject = f"user:{user.pk}" if user is not None and user.is_authenticated else f"addr:{client_address(request)}"
    return hashlib.sha256(subject.encode()).hexdigest()
