"""Reading configuration from the environment (no Django import: settings use it)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
}


def parse_email_url(url: str) -> dict[str, Any]:
    """Turn EMAIL_URL into Django settings.

    smtp://user:password@host:587?tls=1, smtps://user:password@host:465 (implicit TLS),
    console://, locmem://, dummy://, file:///var/mail/outbox.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _BACKENDS:
        raise ValueError(f"EMAIL_URL: unsupported scheme {parts.scheme!r}; use one of {sorted(_BACKENDS)}")
    config: dict[str, Any] = {"EMAIL_BACKEND": _BACKENDS[scheme]}
    if scheme == "file":
        config["EMAIL_FILE_PATH"] = unquote(parts.path) or "var/mail"
    elif scheme in {"smtp", "smtps", "submission"}:
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        config["EMAIL_HOST"] = parts.hostname or "localhost"
        config["EMAIL_PORT"] = parts.port or {"smtp": 25, "smtps": 465, "submission": 587}[scheme]
        config["EMAIL_HOST_USER"] = unquote(parts.username or "")
        config["EMAIL_HOST_PASSWORD"] = unquote(parts.password or "")
        config["EMAIL_USE_SSL"] = scheme == "smtps" or query.get("ssl") in _TRUE
        config["EMAIL_USE_TLS"] = scheme == "submission" or query.get("tls") in _TRUE
    return config
