"""Slowing down guessing of voting codes: after too many wrong codes from one address, refuse for a while.

Codes carry 80 random bits, so guessing cannot succeed anyway; the limit keeps the database and
the logs quiet and makes a scripted attempt visible.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES = 20
WINDOW_SECONDS = 3600


def _key(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return "budgeting:code-failures:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def code_attempts_exceeded(request: HttpRequest) -> bool:
    return int(cache.get(_key(request), 0)) >= MAX_FAILURES


def count_code_failure(request: HttpRequest) -> None:
    key = _key(request)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)
