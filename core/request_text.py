"""A NUL character or invalid UTF-8 anywhere in a request is a 400 that names where it was.

PostgreSQL cannot store or even compare a NUL in text, so without this guard a "%00" in a path or a
query parameter reached the database and came back as a 500 on a dozen endpoints. Checking once, at
the door, covers every view, form and API schema, now and later: the path, the query string, every
header and cookie, form fields (file contents are not text and are left to the upload pipeline) and
JSON bodies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL = "\x00"
_ESCAPED_NUL = re.compile(r"\\u0000", re.IGNORECASE)
_JSON_TYPES = ("application/json", "application/merge-patch+json")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class InvalidText(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def _check_text(where: str, value: str) -> None:
    if NUL in value:
        raise InvalidText(where, "contains a NUL character")


def _check_percent_encoded(where: str, raw: str) -> str:
    """Decode a percent-encoded WSGI string (bytes carried as latin-1) strictly as UTF-8."""
    try:
        text = unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise InvalidText(where, "is not valid UTF-8") from None
    _check_text(where, text)
    return text


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", str(key)
            yield from _json_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{index}]")


def check_request(request: HttpRequest) -> None:
    """Raise InvalidText naming the first bad part of the request."""
    meta = request.META
    try:  # PATH_INFO is already percent-decoded by the server: bytes carried as latin-1
        path = str(meta.get("PATH_INFO", "")).encode("latin-1").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise InvalidText("path", "is not valid UTF-8") from None
    _check_text("path", path)
    query = str(meta.get("QUERY_STRING", ""))
    if query:
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            label = _check_percent_encoded("query parameter", name.replace("+", " "))
            _check_percent_encoded(f"query parameter {label[:40]!r}", value.replace("+", " "))
    for key, value in meta.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            header = key[5:].replace("_", "-").title()
            raise InvalidText(f"header {header}", "contains a NUL character")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and declared > limit:
        return  # too large to read here: the view (or Django's own limit) refuses it, unread
    content_type = (request.content_type or "").lower()
    if content_type in _FORM_TYPES:
        for name, values in request.POST.lists():
            _check_text("form field name", name)
            for value in values:
                _check_text(f"form field {name[:40]!r}", value)
    elif content_type in _JSON_TYPES or content_type.endswith("+json"):
        body = request.body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidText("body", "is not valid UTF-8") from None
        _check_text("body", text)
        if _ESCAPED_NUL.search(text):
            try:
                document = json.loads(text)
            except ValueError:
                return  # the view reports malformed JSON itself
            for where, value in _json_strings(document, "body"):
                _check_text(where, value)


def _refusal(request: HttpRequest, error: InvalidText) -> HttpResponse:
    message = f"{error.where}: {error.problem}"
    path = str(request.META.get("PATH_INFO", ""))
    if path.startswith(("/api/", "/open311/")):
        return JsonResponse({"detail": message, "field": error.where}, status=400)
    return HttpResponseBadRequest(f"Bad request — {message}.", content_type="text/plain; charset=utf-8")


class RejectInvalidTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except InvalidText as error:
            return _refusal(request, error)
        return self.get_response(request)
