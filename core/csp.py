"""Content-Security-Policy for every response (Django 5.2 has none built in).

Scripts only from our own origin: no inline <script>, no event-handler attributes, no eval — so an
injected tag or attribute cannot run even if some escaping ever failed. Data for scripts travels in
json_script blocks (type="application/json", never executed) and data- attributes. Styles allow
inline `style` attributes (chart bar widths, Leaflet's positioning); images may come from the map
tile server (MAP_TILE_URL). Nothing may frame the site. Forms post to our own origin only, plus the
OpenID Connect providers' origins (docs/identity.md): starting an eID sign-in is a POST that our site answers
with a redirect to the provider, and browsers apply form-action to that redirect too.

The API's interactive documentation (/api/docs: django-ninja's Swagger UI, served from our own static
files with its settings in a JSON block) runs under the same script rule; only its styles and images
differ (Swagger UI sets inline styles and uses data: images).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def _tile_origin(template: str) -> str:
    """"https://{s}.tile.example.org/{z}/{x}/{y}.png" → "https://*.tile.example.org"."""
    if not template:
        return ""
    parts = urlsplit(template.replace("{s}", "SUBDOMAIN"))
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.replace("SUBDOMAIN", "*")
    return f"{parts.scheme}://{host}"


def sign_in_provider_origins() -> tuple[str, ...]:
    """The origins of the configured OpenID Connect providers (settings.SOCIALACCOUNT_PROVIDERS)."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", None) or {}
    origins = set()
    for app in (providers.get("openid_connect") or {}).get("APPS") or []:
        parts = urlsplit(str((app.get("settings") or {}).get("server_url", "")))
        if parts.scheme in ("https", "http") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return tuple(sorted(origins))


@lru_cache(maxsize=4)
def site_policy(tile_url: str, form_origins: tuple[str, ...] = ()) -> str:
    images = " ".join(filter(None, ["'self'", "data:", "blob:", _tile_origin(tile_url)]))
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "script-src-attr": "'none'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": images,
        "font-src": "'self'",
        "connect-src": "'self'",
        "media-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": " ".join(["'self'", *form_origins]),
        "frame-ancestors": "'none'",
        "manifest-src": "'self'",
        "worker-src": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


API_DOCS_POLICY = ("default-src 'self'; script-src 'self'; script-src-attr 'none'; "
                   "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                   "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            if request.path.startswith("/api/docs"):
                response[HEADER] = API_DOCS_POLICY
            else:
                response[HEADER] = site_policy(str(getattr(settings, "MAP_TILE_URL", "")), sign_in_provider_origins())
        return response
