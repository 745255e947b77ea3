"""Pseudonymous person keys and residents-register digests (no Django import).

- `register_digest(salt, document, birth_date)`: what the city's residents register file holds for a
  resident: HMAC-SHA256 under the register salt of the normalised document number and the birth date.
  The platform never sees the plain values of the register; a person who types theirs is hashed the same
  way and looked up. Without the salt the digests cannot be tested against guesses.
- `person_key(pepper, source, identifier)`: one person's key, HMAC-SHA256 under the platform's pepper of
  where the identity comes from ("register" digest or "eid" issuer+subject). Two accounts verified with
  the same identity get the same key; the key reveals neither the identity nor the account.
- `scoped_key(pepper, key, scope)`: the key one room stores for one vote ("budgeting:edition:7"). Keys of
  different scopes cannot be joined without the pepper, so a database copy alone does not tell that the
  same person answered a consultation and voted in a budget.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


class RegisterValueError(ValueError):
    """A document number or birth date that cannot be read; `field` names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def normalise_document(document: str) -> str:
    """Series and number as printed, any spacing or punctuation: "tm 123 456" -> "TM123456"."""
    value = _NOT_ALNUM.sub("", (document or "").upper())
    if not 4 <= len(value) <= 20:
        raise RegisterValueError("document_number", "document number: 4 to 20 letters and digits")
    return value


def parse_birth_date(text: str | dt.date) -> dt.date:
    if isinstance(text, dt.date):
        return text
    text = (text or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RegisterValueError("birth_date", "birth date: YYYY-MM-DD or DD.MM.YYYY")


def register_digest(salt: str, document: str, birth_date: str | dt.date) -> str:
    if not salt:
        raise ValueError("the residents register salt is empty")
    message = f"{normalise_document(document)}|{parse_birth_date(birth_date).isoformat()}"
    return hmac.new(salt.encode(), message.encode(), hashlib.sha256).hexdigest()


def person_key(pepper: str, source: str, identifier: str) -> str:
    if not pepper:
        raise ValueError("the person key pepper is empty")
    if source not in ("register", "eid", "demo"):  # "demo": the demo resident (no identity behind it)
        raise ValueError(f"unknown identity source {source!r}")
    return hmac.new(pepper.encode(), f"person:{source}:{identifier}".encode(), hashlib.sha256).hexdigest()


def eid_identifier(issuer: str, subject: str) -> str:
    """An eID subject is unique only within its issuer (OIDC Core 2)."""
    return f"{issuer.rstrip('/')}#{subject}"


def scoped_key(pepper: str, key: str, scope: str) -> str:
    if not pepper or not key:
        raise ValueError("a scoped key needs the pepper and a person key")
    return hmac.new(pepper.encode(), f"scope:{scope}:{key}".encode(), hashlib.sha256).hexdigest()
