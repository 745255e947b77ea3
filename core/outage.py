"""When a backing service is down: a proper 503 page for people, a JSON 503 for /healthz.

A lost database is temporary (a restart, a fail-over); a bare "Server Error (500)" tells neither
people nor load balancers so. The 500 handler recognises the database's own errors and answers 503
with Retry-After, from a page that needs nothing but the template engine (no session, no user, no
query — the database is what failed). /healthz names each dependency that is down, so a load
balancer stops sending traffic and an operator knows where to look.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils import translation
from django.views.decorators.cache import never_cache

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def _is_outage(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
    return False


def outage_response(request: HttpRequest | None = None) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    path = str(getattr(request, "path", "") or "")
    if path.startswith(("/api/", "/open311/")):
        response: HttpResponse = JsonResponse(
            {"detail": "The service is temporarily unavailable; please try again shortly."}, status=503)
    else:
        html = loader.get_template("503.html").render({"LANGUAGE_CODE": language[:2]})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database outage is a 503 with Retry-After; anything else the usual 500."""
    error = sys.exc_info()[1]
    if _is_outage(error):
        log.error("database unavailable: %s", error)
        return outage_response(request)
    from django.views.defaults import server_error as default_server_error

    try:
        return default_server_error(request, template_name)
    except Exception:  # the 500 template itself failed: still answer
        return HttpResponseServerError("Server Error (500)", content_type="text/plain")


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    cache.set("healthz:probe", "1", 10)
    if cache.get("healthz:probe") != "1":
        raise RuntimeError("the cache did not return what was written")


def _check_queue() -> None:
    from core.huey_app import get_huey

    huey = get_huey()
    storage: Any = huey.storage
    if hasattr(storage, "conn") and hasattr(storage.conn, "ping"):  # Redis
        storage.conn.ping()
    else:
        storage.queue_size()


CHECKS = {"database": _check_database, "cache": _check_cache, "queue": _check_queue}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except (DatabaseError, OSError, RuntimeError, Exception) as error:  # anything down is "down"
            log.error("healthz: %s is down: %s", name, error)
            results[name] = "down"
            if name == "database":
                connection.close_if_unusable_or_obsolete()
    down = [name for name, state in results.items() if state != "ok"]
    response = JsonResponse({"status": "unavailable" if down else "ok", "down": down, "checks": results},
                            status=503 if down else 200)
    if down:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
