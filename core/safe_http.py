"""Outbound HTTP to addresses chosen by users (webhooks, Web Push services, SMS gateways), guarded
against server-side request forgery.

A user-supplied URL must be https, carry no credentials, and every address its host resolves
to must be public (not loopback, private, link-local, shared, reserved or multicast) unless the
operator allows private addresses (`OUTBOUND_ALLOW_PRIVATE_ADDRESSES=1`, for a receiver on the
same network). The check runs again at each delivery (DNS can change between registration and
delivery: rebinding), and the connection is made to the very address that was checked, with the
TLS certificate still verified for the host name.

Operator-configured endpoints (the SMS gateway in the environment) are trusted: `trusted=True`
skips the address check but keeps the rest.

Libraries that post with `requests` (pywebpush) are given a `PinnedSession` instead: its `post` goes
through `request` below, so their requests too are checked and pinned.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_URL_LENGTH = 500


def private_addresses_allowed() -> bool:
    return bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE_ADDRESSES", False))


def address_allowed(address: str, *, allow_private: bool | None = None) -> bool:
    """A public unicast address; with allow_private, anything but unspecified and multicast."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if private_addresses_allowed() if allow_private is None else allow_private:
        return not ip.is_unspecified and not ip.is_multicast
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    reason: str = ""


def validate_url(url: str, *, field: str = "url", trusted: bool = False) -> Target:
    """Check a URL and resolve its host; ValidationError naming `field` when refused.

    https only (http too when private addresses are allowed, for a local receiver, or when the
    URL is the operator's own); no credentials in the URL; every resolved address public.
    """
    def refuse(message: str) -> ValidationError:
        return ValidationError({field: message})

    if not url or len(url) > MAX_URL_LENGTH:
        raise refuse(_("Give an address of up to %(n)d characters.") % {"n": MAX_URL_LENGTH})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse(_("This is not a valid address.")) from None
    allowed_schemes = {"https", "http"} if trusted or private_addresses_allowed() else {"https"}
    if parts.scheme not in allowed_schemes:
        raise refuse(_("Only https:// addresses are accepted."))
    if parts.username or parts.password:
        raise refuse(_("The address must not contain a user name or password."))
    host = parts.hostname or ""
    if not host:
        raise refuse(_("The address has no host name."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise refuse(_("The host name %(host)s does not resolve.") % {"host": host}) from None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise refuse(_("The host name %(host)s does not resolve.") % {"host": host})
    if not trusted:
        for address in addresses:
            if not address_allowed(address):
                raise refuse(_("%(host)s points to a private or reserved network address (%(address)s); only "
                               "public addresses are accepted.") % {"host": host, "address": address})
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, addresses)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address while verifying the certificate for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def request(method: str, url: str, body: bytes | None, headers: Mapping[str, str], *, field: str = "url",
            trusted: bool = False, timeout: float = 5.0, max_answer: int = 4096) -> Response:
    """Send one request to the address checked just now; the first `max_answer` bytes of the answer.

    Raises ValidationError (the URL is refused now), OSError or http.client.HTTPException.
    Redirects are not followed (a redirect could lead to a private address).
    """
    target = validate_url(url, field=field, trusted=trusted)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.addresses[0], target.port, timeout)
    try:
        connection.request(method, target.path, body=body, headers=dict(headers))
        answer = connection.getresponse()
        return Response(answer.status, answer.read(max_answer), answer.reason)
    finally:
        connection.close()


@dataclass(frozen=True)
class SessionResponse:
    """The part of a `requests.Response` that pywebpush reads (status, reason, text)."""

    status_code: int
    content: bytes
    reason: str
    headers: Mapping[str, str]

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class PinnedSession:
    """Stands in for a `requests.Session` whose only call is `post` (pywebpush's `requests_session`):
    each post is checked and sent to the checked address by `request`. Refusal is a ValidationError
    naming `field`; network failures are OSError or http.client.HTTPException."""

    def __init__(self, *, field: str = "url", trusted: bool = False) -> None:
        self.field = field
        self.trusted = trusted

    def post(self, url: str, data: bytes | str | None = None, headers: Mapping[str, str] | None = None,
             timeout: float | None = None, **unsupported: object) -> SessionResponse:
        if unsupported:
            raise TypeError(f"PinnedSession.post does not take {', '.join(sorted(unsupported))}")
        body = data.encode() if isinstance(data, str) else data
        answer = request("POST", url, body, {key: str(value) for key, value in (headers or {}).items()},
                         field=self.field, trusted=self.trusted, timeout=timeout or 5.0)
        return SessionResponse(answer.status, answer.body, answer.reason, {})
