"""OpenID Connect providers read from the environment (no Django import).

One provider:   OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME, OIDC_SCOPES, and optionally
                OIDC_ID (the short name in the callback address, default "eid") and
                OIDC_VERIFIES_RESIDENCE (true for the city's eID provider, whose address claim proves
                residence; false for any other provider).
More providers: the same names numbered, OIDC_1_ISSUER, OIDC_1_CLIENT_ID, ... OIDC_9_...; a numbered
                provider's id defaults to "oidc1" ... "oidc9".

Each provider becomes one django-allauth `openid_connect` app (settings.SOCIALACCOUNT_PROVIDERS).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

DEFAULT_SCOPES = ("openid", "profile", "email")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
TRUE = {"1", "true", "yes", "on"}


class OIDCConfigError(ValueError):
    """A provider's variables are incomplete or malformed (the message names the variable)."""


def _provider(environ: Mapping[str, str], prefix: str, default_id: str) -> dict[str, Any] | None:
    issuer = environ.get(f"{prefix}ISSUER", "").strip()
    if not issuer:
        return None
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise OIDCConfigError(f"{prefix}ISSUER must be an https:// address (got {issuer!r})")
    values = {}
    for name in ("CLIENT_ID", "CLIENT_SECRET"):
        value = environ.get(f"{prefix}{name}", "").strip()
        if not value:
            raise OIDCConfigError(f"{prefix}{name} is required when {prefix}ISSUER is set")
        values[name] = value
    provider_id = environ.get(f"{prefix}ID", "").strip() or default_id
    if not _ID.match(provider_id):
        raise OIDCConfigError(f"{prefix}ID must be lower-case letters, digits, - or _ (got {provider_id!r})")
    scopes = [s for s in re.split(r"[\s,]+", environ.get(f"{prefix}SCOPES", "")) if s] or list(DEFAULT_SCOPES)
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    return {
        "provider_id": provider_id,
        "name": environ.get(f"{prefix}NAME", "").strip() or provider_id,
        "client_id": values["CLIENT_ID"],
        "secret": values["CLIENT_SECRET"],
        "settings": {
            "server_url": issuer.rstrip("/"),
            "scope": scopes,
            "oauth_pkce_enabled": True,
            # The city's eID provider vouches for the address it sends; others do not.
            "verifies_residence": environ.get(f"{prefix}VERIFIES_RESIDENCE", "").strip().lower() in TRUE,
        },
    }


def providers_from_environment(environ: Mapping[str, str]) -> list[dict[str, Any]]:
    """allauth app dicts for every provider configured in `environ`, in order (unnumbered first)."""
    apps = []
    first = _provider(environ, "OIDC_", "eid")
    if first is not None:
        apps.append(first)
    for number in range(1, 10):
        app = _provider(environ, f"OIDC_{number}_", f"oidc{number}")
        if app is not None:
            apps.append(app)
    ids = [app["provider_id"] for app in apps]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise OIDCConfigError(f"two OpenID Connect providers share the id {duplicates[0]!r} (set OIDC_n_ID)")
    return apps
