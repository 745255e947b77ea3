"""A privacy-friendly challenge for anonymous submissions: proof of work, no third-party service.

The server hands out a signed challenge; the browser (static/js/proof-of-work.js) finds a nonce such
that SHA-256("<challenge>:<nonce>") starts with `bits` zero bits — about a second of one phone core
for 16 bits — and sends it with the form. Nothing about the person is collected or sent anywhere.
One person answering once never notices; a script sending thousands of answers pays for each one.
A challenge is valid for two hours and accepted once (remembered in the shared cache).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "core.proof_of_work"
MAX_AGE_SECONDS = 2 * 3600


def difficulty_bits() -> int:
    return int(getattr(settings, "PROOF_OF_WORK_BITS", 16))


def new_challenge(purpose: str) -> str:
    return signing.dumps({"p": purpose, "r": secrets.token_hex(8), "b": difficulty_bits()}, salt=SALT,
                         compress=False)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        bits += 8 - byte.bit_length()
        break
    return bits


def meets(challenge: str, nonce: str, bits: int) -> bool:
    return leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) >= bits


def verify(challenge: str, nonce: str, purpose: str) -> bool:
    """True once for a fresh, untampered challenge of this purpose with a valid nonce."""
    if not challenge or not nonce or len(nonce) > 32 or len(challenge) > 500:
        return False
    try:
        data = signing.loads(challenge, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    if data.get("p") != purpose or not meets(challenge, nonce, int(data.get("b", 64))):
        return False
    used_key = "pow:used:" + hashlib.sha256(challenge.encode()).hexdigest()[:40]
    return bool(cache.add(used_key, 1, MAX_AGE_SECONDS + 60))


def solve(challenge: str) -> str:
    """What the browser does, in Python (tests, bench and scripted clients of good faith)."""
    data = signing.loads(challenge, salt=SALT, max_age=MAX_AGE_SECONDS)
    bits = int(data["b"])
    nonce = 0
    while not meets(challenge, str(nonce), bits):
        nonce += 1
    return str(nonce)
