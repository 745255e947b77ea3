"""The client's network address, the one function every rate limit and log uses.

Behind reverse proxies REMOTE_ADDR is the nearest proxy, and X-Forwarded-For lists the hops, the
leftmost written by the client itself (so anything can be there). Only entries appended by proxies we
run can be believed: we walk the chain from the right, skip our own proxies and take the first
address that is not one of them — the rightmost untrusted entry. Prepending a forged address to the
header therefore changes nothing.

Configured from the environment (docs/operations.md):
- TRUSTED_PROXY_COUNT=n: the last n hops (REMOTE_ADDR included) are our proxies;
- TRUSTED_PROXIES=10.0.0.0/8,192.0.2.7: our proxies by address or network (use either setting).
With neither set, X-Forwarded-For is ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:5000"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address_from(remote_addr: str, forwarded_for: str, *, trusted_count: int = 0,
                        trusted_proxies: tuple[str, ...] = ()) -> str:
    """Pure form of `client_address` (no request, no settings) for the tests and the bench."""
    remote = _parse(remote_addr or "")
    if remote is None:
        return remote_addr or "unknown"
    if not forwarded_for or (trusted_count <= 0 and not trusted_proxies):
        return str(remote)
    hops: list[Any] = [_parse(part) for part in forwarded_for.split(",")] + [remote]
    if trusted_proxies:
        networks = _networks(trusted_proxies)
        for hop in reversed(hops):
            if hop is None:
                break  # garbage written before our proxies: the last valid hop we saw is the client
            if not any(hop in network for network in networks):
                return str(hop)
            remote = hop
        return str(remote)
    # n trusted proxies: the client is the hop just left of them; a shorter chain means the request
    # skipped a proxy, and then the leftmost address we have is the best we know.
    index = max(len(hops) - 1 - trusted_count, 0)
    candidate = hops[index]
    return str(candidate) if candidate is not None else str(remote)


def client_address(request: HttpRequest) -> str:
    """The client's address for this request (cached on the request)."""
    cached = getattr(request, "_client_address", None)
    if cached is None:
        cached = client_address_from(
            str(request.META.get("REMOTE_ADDR", "") or ""),
            str(request.META.get("HTTP_X_FORWARDED_FOR", "") or ""),
            trusted_count=int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0),
            trusted_proxies=tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()),
        )
        request._client_address = cached  # type: ignore[attr-defined]
    return cached


def person_token(request: HttpRequest) -> str:
    """A one-way token for "one per person" (one flag, one answer): the user id when signed in, else
    the client address. Stored instead of the address itself, so no address is kept."""
    import hashlib

    user = getattr(request, "user", None)
    subject = (f"user:{user.pk}" if user is not None and user.is_authenticated
               else f"addr:{client_address(request)}")
    return hashlib.sha256(subject.encode()).hexdigest()
