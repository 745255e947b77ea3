"""Verification levels and the question every room asks: "may this person take part here, and under
which key?" (one transaction and one audit record per state change).

Levels: e-mail confirmed (allauth's EmailAddress) and verified resident, by one of three methods:
the eID provider's address claim, the city's residents register (salted digests, CONSUL's census check),
or in person at a city office (staff check the identity document). A resident verification carries the
person key (accounts/person_key.py); rooms receive only a key scoped to their vote, never the person key.

One identity verifies one account at a time (as Decidim's and CONSUL's verifications do): a second
account presenting the same identity is refused while the first account's verification is active.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import person_key as keys
from accounts.models import RegisterEntry, ResidentsRegister, User, Verification
from core import audit

RESIDENT = Verification.Level.RESIDENT
EMAIL = Verification.Level.EMAIL
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_REGISTER_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str = ""
    key: str = ""  # the key scoped to the vote; empty when not allowed
    verification: Verification | None = None


def _pepper() -> str:
    pepper = getattr(settings, "PERSON_KEY_PEPPER", "")
    if not pepper:
        raise ImproperlyConfigured("PERSON_KEY_PEPPER is not set (docs/identity.md)")
    return str(pepper)


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=int(getattr(settings, "VERIFICATION_VALID_DAYS", 365)))


def email_confirmed(user: Any) -> bool:
    from allauth.account.models import EmailAddress

    return bool(getattr(user, "is_authenticated", False)) and EmailAddress.objects.filter(
        user=user, verified=True).exists()


def active_resident(user: Any, now: dt.datetime | None = None) -> Verification | None:
    if not getattr(user, "is_authenticated", False):
        return None
    now = now or timezone.now()
    for verification in Verification.objects.filter(user=user, level=RESIDENT, revoked_at__isnull=True) \
            .select_related("neighbourhood"):
        if verification.is_active(now):
            return verification
    return None


def eligibility(user: Any, level: str, scope: str) -> Eligibility:
    """Whether `user` may take part at `level` in `scope` ("budgeting:edition:7"), and the key to store.

    At the resident level the key is the person's, scoped: two accounts of one person get the same key.
    At the e-mail level the key is the person's when the account is a verified resident, else the account's
    own (an e-mail address proves an address, not a person)."""
    if not getattr(user, "is_authenticated", False):
        return Eligibility(False, _("Sign in to take part."))
    resident = active_resident(user)
    if level != RESIDENT and resident is None and not email_confirmed(user):
        return Eligibility(False, _("Confirm your e-mail address to take part."))
    if level == RESIDENT:
        if resident is None:
            return Eligibility(False, _("Only verified residents of the city take part here. Verify your "
                                        "residence on the “My verification” page."))
        return Eligibility(True, key=keys.scoped_key(_pepper(), resident.person_key, scope), verification=resident)
    base = resident.person_key if resident is not None else f"account:{user.pk}"
    return Eligibility(True, key=keys.scoped_key(_pepper(), base, scope), verification=resident)


@transaction.atomic
def _grant(user: User, *, method: str, person_key: str, neighbourhood: Any = None, provider: str = "",
           verified_by: Any = None, actor: Any = None) -> Verification:
    now = timezone.now()
    holder = Verification.objects.select_for_update().filter(
        level=RESIDENT, person_key=person_key, revoked_at__isnull=True).exclude(user=user).filter(
        expires_at__gt=now).first()
    if holder is not None:
        raise _fail("identity", _("This identity already verifies another account. Sign in with that account, "
                                  "or ask the city office to move the verification."))
    superseded = Verification.objects.filter(user=user, level=RESIDENT, revoked_at__isnull=True)
    superseded.update(revoked_at=now)
    verification = Verification.objects.create(
        user=user, level=RESIDENT, method=method, verified_at=now, expires_at=_expiry(now), person_key=person_key,
        neighbourhood=neighbourhood, provider=provider, verified_by=verified_by)
    # The audit names the level, the method and who checked; never the identity or the key.
    audit.record(actor or user, "accounts.verification.granted", verification,
                 {"level": RESIDENT, "method": method, "user": user.pk,
                  "neighbourhood": neighbourhood.slug if neighbourhood else None})
    return verification


def neighbourhood_of_address(text: str) -> Any:
    """The neighbourhood an address in the city falls in (the street index, then the polygons)."""
    from core.geo import neighbourhood_for
    from core.geocoder import locate

    place = locate(text) if text.strip() else None
    return neighbourhood_for(place.lat, place.lon) if place is not None else None


def _claimed_city_address(claims: dict[str, Any]) -> str | None:
    """The street address of an eID address claim (OIDC Core 5.1.1) when its locality is this city."""
    from core.geocoding.names import fold

    address = claims.get("address")
    if not isinstance(address, dict):
        return None
    city = fold(str(getattr(settings, "CITY_NAME", "Timișoara")))
    locality = fold(str(address.get("locality") or ""))
    if not locality or locality != city:
        return None
    street = str(address.get("street_address") or "").strip()
    return street or None


def _eid_person_key(issuer: str, subject: str, claims: dict[str, Any]) -> str:
    """The register's key when the provider sends the identity document number (claim named by
    OIDC_DOCUMENT_NUMBER_CLAIM, default "document_number") and the full `birthdate` (OIDC Core 5.1) and the
    register salt is set, so one person verified by eID on one account and by the register or in person on
    another has one key; otherwise a key from the eID issuer and subject."""
    document = claims.get(str(getattr(settings, "OIDC_DOCUMENT_NUMBER_CLAIM", "document_number")))
    birth_date = claims.get("birthdate")
    if document and birth_date and getattr(settings, "RESIDENTS_REGISTER_SALT", ""):
        try:
            return _register_key(str(document), str(birth_date))[1]
        except ValidationError:
            pass  # an unreadable claim (e.g. a birthdate without the year): the eID subject still identifies
    return keys.person_key(_pepper(), "eid", keys.eid_identifier(issuer, subject))


def verify_by_eid(user: User, *, provider_id: str, issuer: str, subject: str, claims: dict[str, Any]) -> \
        Verification | None:
    """A resident verification from the eID provider's address claim (None when the address is not in the
    city). Called after each eID sign-in of a provider trusted with OIDC_VERIFIES_RESIDENCE."""
    street = _claimed_city_address(claims)
    if street is None:
        return None
    key = _eid_person_key(issuer, subject, claims)
    return _grant(user, method=Verification.Method.EID, person_key=key,
                  neighbourhood=neighbourhood_of_address(street), provider=provider_id)


def _register_key(document: str, birth_date: str | dt.date) -> tuple[str, str]:
    salt = getattr(settings, "RESIDENTS_REGISTER_SALT", "")
    if not salt:
        raise _fail("document_number", _("The residents register check is not available."))
    try:
        digest = keys.register_digest(salt, document, birth_date)
    except keys.RegisterValueError as error:
        message = _("Type the series and number as printed on your identity card.") \
            if error.field == "document_number" else _("Type your birth date as DD.MM.YYYY.")
        raise _fail(error.field, message) from None
    return digest, keys.person_key(_pepper(), "register", digest)


def verify_by_register(user: Any, *, document: str, birth_date: str | dt.date) -> Verification:
    """The person typed their document number and birth date; found in the active register: verified."""
    digest, key = _register_key(document, birth_date)
    entry = RegisterEntry.objects.filter(register__active=True, digest=digest).select_related(
        "neighbourhood").first()
    if entry is None:
        raise _fail("document_number", _("These details are not in the city's residents register. Check them, "
                                         "or verify in person at a city office."))
    return _grant(user, method=Verification.Method.REGISTER, person_key=key, neighbourhood=entry.neighbourhood)


def verify_in_person(actor: Any, user: User, *, document: str, birth_date: str | dt.date,
                     neighbourhood: Any = None) -> Verification:
    """City staff saw the identity document at an office; its number and birth date make the person key
    (hashed as the register is, so register and office verifications of one person share it)."""
    if not actor.has_perm("accounts.verify_in_person"):
        raise PermissionDenied
    _digest, key = _register_key(document, birth_date)
    return _grant(user, method=Verification.Method.IN_PERSON, person_key=key, neighbourhood=neighbourhood,
                  verified_by=actor, actor=actor)


# Demo accounts (the rooms' example people and the demo resident) have addresses at this reserved domain,
# which no e-mail reaches; rooms let a demo account take part only in their demonstration content.
DEMO_EMAIL_DOMAIN = "demo.invalid"


def is_demo_account(user: Any) -> bool:
    return str(getattr(user, "email", "") or "").lower().endswith("@" + DEMO_EMAIL_DOMAIN)


def verify_demo_resident(user: User) -> Verification:
    """A verified resident for the demo (manage.py load_demo_data): no identity behind it, so its person key
    is derived from the demo address under its own namespace and can never equal a real person's."""
    if not is_demo_account(user):
        raise PermissionDenied
    existing = active_resident(user)
    if existing is not None:
        return existing
    key = keys.person_key(_pepper(), "demo", user.email.lower())
    return _grant(user, method=Verification.Method.IN_PERSON, person_key=key, actor="demo")


@transaction.atomic
def revoke(actor: Any, verification: Verification, *, reason: str = "") -> Verification:
    if not (actor == verification.user or actor.has_perm("accounts.verify_in_person")):
        raise PermissionDenied
    locked = Verification.objects.select_for_update().get(pk=verification.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(actor, "accounts.verification.revoked", locked, {"reason": reason[:200]})
    return locked


def _numbered_register_rows(content: bytes) -> list[tuple[int, str, str]]:
    """Rows (line, digest, neighbourhood slug) of a hashed register file; errors name the line and column."""
    if len(content) > MAX_REGISTER_BYTES:
        raise _fail("file", _("The file is larger than 100 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail("file", _("The file is not UTF-8 text.")) from None
    rows: list[tuple[int, str, str]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            number = reader.line_num  # the physical line, as a text editor counts it
            if not row or (number == 1 and row[0].strip().lower() == "digest"):
                continue
            digest = row[0].strip().lower()
            if not _HEX64.match(digest):
                raise _fail("file", _("Line %(line)d, column “digest”: it must be a 64-character hexadecimal "
                                      "digest (made by manage.py hash_residents_register), never a plain "
                                      "document number.") % {"line": number})
            if len(row) > 2:
                raise _fail("file", _("Line %(line)d: a hashed register line has two columns, “digest” and "
                                      "“neighbourhood”; this one has %(count)d.") % {"line": number,
                                                                                     "count": len(row)})
            rows.append((number, digest, row[1].strip() if len(row) > 1 else ""))
    except csv.Error:  # a NUL byte, an unclosed quote, a field over the csv module's size limit
        raise _fail("file", _("Line %(line)d: this is not a line of a CSV file (digest,neighbourhood).")
                    % {"line": reader.line_num}) from None
    if not rows:
        raise _fail("file", _("The file has no residents."))
    return rows


def parse_register_file(content: bytes) -> list[tuple[str, str]]:
    """Rows (digest, neighbourhood slug) of a hashed register file; a clear error naming the line."""
    return [(digest, slug) for _line, digest, slug in _numbered_register_rows(content)]


@transaction.atomic
def upload_register(actor: Any, content: bytes, *, file_name: str = "") -> ResidentsRegister:
    """Replace the residents register with a hashed file (the previous one is deleted)."""
    from core.models import Neighbourhood

    if not actor.has_perm("accounts.upload_register"):
        raise PermissionDenied
    numbered = _numbered_register_rows(content)
    areas = {n.slug: n for n in Neighbourhood.objects.all()}
    for line, _digest, slug in numbered:
        if slug and slug not in areas:
            raise _fail("file", _("Line %(line)d, column “neighbourhood”: unknown neighbourhood “%(slug)s” "
                                  "(use the neighbourhood slugs of the city map, or leave it empty).")
                        % {"line": line, "slug": slug[:60]})
    rows = [(digest, slug) for _line, digest, slug in numbered]
    # All or nothing: every line is checked above, before the current register is touched, and the
    # replacement happens in this one transaction.
    ResidentsRegister.objects.all().delete()
    register = ResidentsRegister.objects.create(uploaded_by=actor, file_name=file_name[:200], rows=0)
    unique = dict(rows)
    RegisterEntry.objects.bulk_create(
        [RegisterEntry(register=register, digest=digest, neighbourhood=areas.get(slug)) for digest, slug in
         unique.items()], batch_size=5000)
    register.rows = len(unique)
    register.save(update_fields=["rows"])
    audit.record(actor, "accounts.register.uploaded", register, {"rows": register.rows})
    return register


def record_email_confirmation(user: Any, email: str, *, method: str = Verification.Method.EMAIL,
                              provider: str = "") -> None:
    """An address was confirmed (allauth's link, or an identity provider that vouched for it): the e-mail
    level, dated (no expiry, no person key)."""
    with transaction.atomic():
        verification = Verification.objects.create(user=user, level=EMAIL, method=method, provider=provider)
        audit.record(user, "accounts.verification.granted", verification, {"level": EMAIL, "method": str(method)})


def levels_for(user: Any) -> list[dict[str, Any]]:
    """What the "My verification" page shows: each level with its date, method, expiry and state."""
    now = timezone.now()
    rows = []
    for verification in Verification.objects.filter(user=user).select_related("neighbourhood"):
        rows.append({"verification": verification, "active": verification.is_active(now)})
    return rows
