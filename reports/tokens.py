"""Signed links in emails (confirm a report, confirm following, unsubscribe, reopen) and the Open311
request token (GET /open311/v2/tokens/{token}).

Nothing is stored: the link carries the object id, signed with SECRET_KEY and a purpose (salt),
so a link for one purpose cannot be replayed for another.
"""

from __future__ import annotations

from django.core import signing

CONFIRM_REPORT = "reports.confirm-report"
CONFIRM_FOLLOW = "reports.confirm-follow"
UNSUBSCRIBE = "reports.unsubscribe"
REOPEN = "reports.reopen"
OPEN311_REQUEST = "reports.open311-request"

MAX_AGE = {
    CONFIRM_REPORT: 14 * 86400,
    CONFIRM_FOLLOW: 14 * 86400,
    UNSUBSCRIBE: None,
    REOPEN: 180 * 86400,
    OPEN311_REQUEST: None,
}


class BadToken(Exception):
    """The link is malformed, tampered with or expired."""


def make(purpose: str, object_id: int) -> str:
    return signing.dumps(int(object_id), salt=purpose, compress=False)


def read(purpose: str, token: str) -> int:
    try:
        value = signing.loads(token, salt=purpose, max_age=MAX_AGE[purpose])
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken(str(error)) from error
    if not isinstance(value, int):
        raise BadToken("unexpected payload")
    return value
