"""Signed tokens for links in messages: one-click unsubscribe, e-mail subscription confirmation, and the
"manage my e-mail alerts" page of an address without an account.
Nothing is stored: the signature (SECRET_KEY) is the proof."""

from __future__ import annotations

from django.core import signing

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
CONFIRM_SALT = "notifications.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
MANAGE_SALT = "notifications.manage"


def unsubscribe_token(endpoint_id: int, subscription_id: int | None) -> str:
    return signing.dumps({"e": endpoint_id, "s": subscription_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int | None]:
    """(endpoint id, subscription id or None); signing.BadSignature when forged or mangled."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(value, dict) or not isinstance(value.get("e"), int):
        raise signing.BadSignature("malformed")
    subscription = value.get("s")
    return value["e"], subscription if isinstance(subscription, int) else None


def confirm_token(subscription_id: int) -> str:
    return signing.dumps({"s": subscription_id}, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> int:
    value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if not isinstance(value, dict) or not isinstance(value.get("s"), int):
        raise signing.BadSignature("malformed")
    return int(value["s"])


def manage_token(endpoint_id: int) -> str:
    """No expiry, like the unsubscribe link: it rides in every alert e-mail to that address."""
    return signing.dumps({"m": endpoint_id}, salt=MANAGE_SALT)


def read_manage_token(token: str) -> int:
    value = signing.loads(token, salt=MANAGE_SALT)
    if not isinstance(value, dict) or not isinstance(value.get("m"), int):
        raise signing.BadSignature("malformed")
    return int(value["m"])
