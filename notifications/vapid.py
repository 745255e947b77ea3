"""The server's VAPID key pair (RFC 8292) for Web Push.

Production sets VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (base64url: the 65-byte uncompressed P-256 public
point and the 32-byte private scalar, the format browsers and web-push libraries use) and VAPID_SUBJECT
(a mailto: or https: contact for push services); `manage.py generate_vapid_keys` prints a new pair.
A development install (DEBUG=1) without them generates a pair once into var/vapid_keys.json, as it does
for SECRET_KEY. Without keys and without DEBUG, Web Push is off: the page offers no push button and the
channel refuses to send.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings


@dataclass(frozen=True)
class VapidKeys:
    public_key: str  # base64url, no padding
    private_key: str  # base64url, no padding


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate() -> VapidKeys:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    return VapidKeys(public_key=b64url(public), private_key=b64url(private.private_numbers().private_value
                                                                     .to_bytes(32, "big")))


def keys() -> VapidKeys | None:
    if settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY:
        return VapidKeys(settings.VAPID_PUBLIC_KEY.strip(), settings.VAPID_PRIVATE_KEY.strip())
    if not settings.DEBUG:
        return None
    path = settings.VAR_DIR / "vapid_keys.json"
    if not path.exists():
        pair = generate()
        path.write_text(json.dumps({"public_key": pair.public_key, "private_key": pair.private_key}))
        path.chmod(0o600)
    stored = json.loads(path.read_text())
    return VapidKeys(stored["public_key"], stored["private_key"])


def public_key() -> str:
    pair = keys()
    return pair.public_key if pair else ""
