"""The CKAN Action API endpoint, `/api/3/action/<action>` (and `/api/action/<action>`), as CKAN's
ckan/views/api.py answers: GET with URL parameters, POST with a JSON body or a form; the envelope
`{"help", "success", "result"}` or `{"help", "success": false, "error": {"__type", ...}}` with CKAN's
status codes (400 bad request data or query, 404 not found, 409 validation error); an unknown action is
CKAN's 400 "Bad request - Action name not known: …" (a JSON string, not an envelope, as CKAN does)."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.views.decorators.csrf import csrf_exempt

from opendata.ckan import actions
from opendata.ckan.search import SearchError, SearchQueryError

log = logging.getLogger(__name__)
JSON_TYPE = "application/json;charset=utf-8"


# Where the packages of an answer go while the rest of it is encoded: unguessable, so no value can imitate it.
_PACKAGES_SLOT = f"\x00packages-{uuid.uuid4().hex}\x00"


def _encode(body: Any, name: str, catalogue: actions.Catalogue | None) -> str:
    """The envelope as JSON; the packages of package_search and current_package_list_with_resources are
    spliced in as encoded once per catalogue snapshot (the same text json.dumps gives them)."""
    result = body.get("result") if isinstance(body, dict) and catalogue is not None else None
    packages: list[dict[str, Any]] | None = None
    if name == "package_search" and isinstance(result, dict) and isinstance(result.get("results"), list):
        packages = result["results"]
        body = {**body, "result": {**result, "results": _PACKAGES_SLOT}}
    elif name == "current_package_list_with_resources" and isinstance(result, list):
        packages = result
        body = {**body, "result": _PACKAGES_SLOT}
    text = json.dumps(body, cls=DjangoJSONEncoder)
    if packages is None or catalogue is None:
        return text
    spliced = "[" + ", ".join(catalogue.package_json(package) for package in packages) + "]"
    return text.replace(json.dumps(_PACKAGES_SLOT), spliced, 1)


def _finish(status: int, body: Any, name: str = "", catalogue: actions.Catalogue | None = None) -> HttpResponse:
    response = HttpResponse(_encode(body, name, catalogue), status=status, content_type=JSON_TYPE)
    response["Access-Control-Allow-Origin"] = "*"  # read-only public data: any web page may call it
    return response


def _bad_request(message: str) -> HttpResponse:
    return _finish(400, f"Bad request - {message}")


def _mixed(params: QueryDict) -> dict[str, Any]:
    """One value → the string; several → the list (CKAN's `mixed`)."""
    return {key: values[0] if len(values) == 1 else values for key, values in params.lists()}


def request_data(request: HttpRequest) -> dict[str, Any]:
    """The action's parameters, read as CKAN reads them; ValueError names what is wrong."""
    content_type = request.content_type or ""
    if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data") \
            and request.POST:
        values = list(request.POST.values())
        if len(request.POST) == 1 and values[0] in ("1", ""):  # a JSON document posted as a form key
            try:
                data: Any = json.loads(next(iter(request.POST.keys())))
            except ValueError as error:
                raise ValueError(f"Error decoding JSON data. Error: {error!r}") from None
        else:
            data = _mixed(request.POST)
    elif request.GET:
        data = _mixed(request.GET)
    elif request.method == "POST" and request.body:
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"Error decoding JSON data. Error: {error!r}") from None
    else:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"Request data JSON decoded to {data!r:.200} but it needs to be a dictionary.")
    return data


@csrf_exempt  # read-only actions, no cookies used: CKAN API clients post without a CSRF token
def action(request: HttpRequest, name: str, version: str = "3") -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST", "OPTIONS"):
        return HttpResponseNotAllowed(["GET", "POST"])
    function = actions.ACTIONS.get(name)
    if function is None:
        return _bad_request(f"Action name not known: {name}")
    base_url = request.build_absolute_uri("/").rstrip("/")
    envelope: dict[str, Any] = {"help": f"{base_url}/api/3/action/help_show?name={quote(name)}"}
    if request.method == "OPTIONS":  # a browser's CORS preflight
        response = HttpResponse(status=200)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
        return response
    try:
        data = request_data(request)
    except ValueError as error:
        return _bad_request(f"JSON Error: {error}")
    data.pop("callback", None)  # JSONP is not offered: CORS serves browsers
    catalogue: actions.Catalogue | None = None
    try:
        catalogue = actions.Catalogue(base_url=base_url)
        envelope["result"] = function(catalogue, data)
        envelope["success"] = True
    except actions.ValidationError as error:
        envelope["success"] = False
        envelope["error"] = {**error.errors, "__type": "Validation Error"}
        return _finish(409, envelope)
    except actions.NotFound as error:
        envelope["success"] = False
        envelope["error"] = {"__type": "Not Found Error", "message": "Not found" + (f": {error}" if str(error) else "")}
        return _finish(404, envelope)
    except SearchQueryError as error:
        envelope["success"] = False
        envelope["error"] = {"__type": "Search Query Error", "message": f"Search Query is invalid: {error.args!r}"}
        return _finish(400, envelope)
    except SearchError as error:
        envelope["success"] = False
        envelope["error"] = {"__type": "Search Error", "message": f"Search error: {error.args!r}"}
        return _finish(409, envelope)
    except Exception:
        log.exception("CKAN action %s failed", name)
        envelope["success"] = False
        envelope["error"] = {"__type": "Internal Server Error", "message": "Internal Server Error"}
        return _finish(500, envelope)
    return _finish(200, envelope, name, catalogue)
