"""The platform's one rate limiter: django-allauth's, which already guards sign-in and sign-up.

Every limit of the platform — sign-in, sign-up, new reports, Open311 posts, voting codes, open
consultations — goes through allauth's sliding-window limiter on Django's cache (Redis in
production, so a limit holds across web workers and servers). allauth's own limits are set in
settings.ACCOUNT_RATE_LIMITS; the platform's are in PLATFORM_LIMITS below, in allauth's notation
"<amount>/<period>/<per>" where per is "ip" (the client address, core.client_address) or "key"
(an e-mail address, an API key, ...). Several rates for one action are comma-separated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from allauth.core.internal import ratelimit as _allauth
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

APP = "smartcity"

PLATFORM_LIMITS: dict[str, str] = {
    "report:address": "10/h/ip",        # new reports from one client address per hour
    "report:email": "10/d/key",         # new reports under one e-mail address per day
    "follow:address": "30/h/ip",
    "support:address": "60/h/ip",
    "flag:address": "20/h/ip",
    "reopen:address": "10/h/ip",
    "open311_post:address": "60/h/ip",
    "open311_post:key": "300/h/key",    # the key's own limit (Open311Key.requests_per_hour) overrides it
    "geocode:address": "120/m/ip",
    "voting_code_failure": "20/h/ip",   # wrong voting codes from one client address
    # New anonymous answers to "anyone may answer" consultations, per client address: with the browser's
    # proof of work (core/proof_of_work.py), and without it (no JavaScript).
    "consultation_answer:address": "10/h/ip,30/d/ip",
    "consultation_answer_without_proof:address": "3/d/ip",
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int


def _config(action: str, rate: str | None) -> dict[str, str]:
    """The action's rate: the caller's, else settings.PLATFORM_RATE_LIMITS (a city's own), else ours."""
    if rate is None:
        rate = getattr(settings, "PLATFORM_RATE_LIMITS", {}).get(action) or PLATFORM_LIMITS[action]
    return {action: rate}


def _retry_after(request: HttpRequest, action: str, config: dict[str, str], key: str | None) -> int:
    """Seconds until the oldest counted attempt of the full window leaves it."""
    now = time.time()
    wait = 1
    for rate in _allauth.get_rates(app=APP, action=action, config=config):
        cache_key = _allauth.get_cache_key(request, app=APP, action=action, rate=rate, key=key)
        history = cache.get(cache_key, [])
        if len(history) >= rate.amount:
            wait = max(wait, int(history[rate.amount - 1] + rate.duration - now) + 1)
    return wait


def hit(request: HttpRequest, action: str, key: str | None = None, *, rate: str | None = None,
        dry_run: bool = False) -> Decision:
    """Count one attempt of `action` (per client address, or per `key`); refused once over the limit.

    `dry_run` asks whether the next attempt would be allowed without counting it. `rate` replaces the
    action's default (an Open311 key's own hourly limit)."""
    config = _config(action, rate)
    subject = key.strip().lower() if key is not None else None
    usage = _allauth.consume(request, app=APP, action=action, config=config, key=subject,
                             dry_run=dry_run, limit_get=True)
    if usage is not None:
        return Decision(allowed=True, retry_after=0)
    return Decision(allowed=False, retry_after=_retry_after(request, action, config, subject))
