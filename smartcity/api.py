"""The JSON API: one django-ninja instance, each room adds its router (OpenAPI at /api/openapi.json)."""

from __future__ import annotations

import importlib

from django.conf import settings
from ninja import NinjaAPI

api = NinjaAPI(
    title="Timișoara Smart City API",
    version="1.0.0",
    description=(
        "Open JSON API of the Timișoara smart-city platform: the strategy and its monitoring, and the other "
        "rooms. Reading needs no key. Writing (e.g. KPI measurements) needs a bearer token issued in the "
        "back office. Personal data is never returned."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

# Each room with an api.py that defines `router` is mounted under /api/v1/.
for app_label in ("strategy", *settings.OPTIONAL_ROOMS):
    if app_label not in settings.INSTALLED_APPS:
        continue
    try:
        module = importlib.import_module(f"{app_label}.api")
    except ModuleNotFoundError as error:
        if error.name != f"{app_label}.api":
            raise
        continue
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router("/v1/", router)
