"""Validation of individual readings: accept (in canonical units) or quarantine.

Every reading is judged on its own. A batch returns exactly one outcome per
input, in input order, so one broken value never takes good readings in the
same batch down with it. Quarantine is not deletion: the reasons carry a
stable machine code for filtering and a message a person can act on.

Checks, in order (all failures are reported, the first is the main reason):

1. the quantity is known and the unit is known and fits the quantity;
2. the value is a finite number and physically possible once converted
   (ranges and their justification live in `quantities.QUANTITY_SPECS`);
   an impossible value that would be plausible in a unit devices commonly
   confuse (Pa/hPa, °C/K) is reported as a probable wrong unit;
3. the time carries a timezone, is not in the future beyond the allowed
   clock skew, and is not older than the policy allows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from ._i18n import gettext_noop
from .quantities import QUANTITY_SPECS, Quantity, QuantitySpec, normalise_unit


class ReasonCode(StrEnum):
    UNKNOWN_QUANTITY = "unknown_quantity"
    UNKNOWN_UNIT = "unknown_unit"
    INCOMPATIBLE_UNIT = "incompatible_unit"
    NOT_A_NUMBER = "not_a_number"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    LIKELY_WRONG_UNIT = "likely_wrong_unit"
    NAIVE_TIME = "naive_time"
    INVALID_TIME = "invalid_time"
    TIME_IN_FUTURE = "time_in_future"
    TIME_TOO_OLD = "time_too_old"


# Message templates are msgids (Python %-format with named params); the Django
# layer renders gettext(template) % params in the reader's language.
_TEMPLATES: Final[Mapping[ReasonCode, str]] = {
    ReasonCode.UNKNOWN_QUANTITY: gettext_noop("Unknown quantity “%(quantity)s”."),
    ReasonCode.UNKNOWN_UNIT: gettext_noop("Unknown unit “%(unit)s” for %(quantity)s."),
    ReasonCode.INCOMPATIBLE_UNIT: gettext_noop(
        "%(quantity)s cannot be measured in %(unit)s; expected one of %(expected)s."
    ),
    ReasonCode.NOT_A_NUMBER: gettext_noop("%(quantity)s value %(value)s is not a finite number."),
    ReasonCode.BELOW_MINIMUM: gettext_noop(
        "%(quantity)s %(value)s %(unit)s is below the physically possible minimum of %(minimum)s %(unit)s."
    ),
    ReasonCode.ABOVE_MAXIMUM: gettext_noop(
        "%(quantity)s %(value)s %(unit)s is above the physically possible maximum of %(maximum)s %(unit)s."
    ),
    ReasonCode.LIKELY_WRONG_UNIT: gettext_noop(
        "%(quantity)s %(value)s %(declared_unit)s is impossible, but would be plausible"
        " in %(likely_unit)s: the device probably reports the wrong unit."
    ),
    ReasonCode.NAIVE_TIME: gettext_noop("The reading time %(time)s has no timezone."),
    ReasonCode.INVALID_TIME: gettext_noop("The reading time %(time)s cannot be converted to UTC."),
    ReasonCode.TIME_IN_FUTURE: gettext_noop(
        "The reading time %(time)s is %(skew)s ahead of the server clock (allowed:"
        " %(allowed)s); the device clock is probably wrong."
    ),
    ReasonCode.TIME_TOO_OLD: gettext_noop("The reading time %(time)s is %(age)s old (accepted: up to %(allowed)s)."),
}


@dataclass(frozen=True, slots=True)
class QuarantineReason:
    code: ReasonCode
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return _TEMPLATES[self.code]

    @property
    def message(self) -> str:
        """The English message (translate ``template`` for other languages)."""
        return self.template % self.params


@dataclass(frozen=True, slots=True)
class RawReading:
    """A reading as received: any quantity name, any unit spelling.

    ``source`` says where it came from (e.g. "sensordatavalues[2]" or
    "line 17 P1") so messages can point at the field.
    """

    quantity: str
    value: float
    unit: str
    time: datetime
    source: str = ""


@dataclass(frozen=True, slots=True)
class Reading:
    """An accepted reading in the quantity's canonical unit, time in UTC."""

    quantity: Quantity
    value: float
    unit: str
    time: datetime
    source: str = ""


@dataclass(frozen=True, slots=True)
class Quarantined:
    raw: RawReading
    reasons: tuple[QuarantineReason, ...]

    @property
    def reason(self) -> QuarantineReason:
        return self.reasons[0]


@dataclass(frozen=True, slots=True)
class ValidationPolicy:
    """Tunable parts of validation.

    ``max_future``: device clocks drift and NTP may not have synced after a
    reboot, so a little skew is tolerated. ``max_age``: None accepts any age
    (archive imports); live ingestion should keep a bound so a device with a
    reset clock (1970, 2000…) does not write into the past.
    """

    max_future: timedelta = timedelta(minutes=5)
    max_age: timedelta | None = timedelta(days=7)


DEFAULT_POLICY: Final = ValidationPolicy()


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _fmt_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def _check_value(spec: QuantitySpec, raw: RawReading, unit_id: str, reasons: list[QuarantineReason]) -> float | None:
    conversion = spec.conversion(unit_id)
    if conversion is None:
        reasons.append(
            QuarantineReason(
                ReasonCode.INCOMPATIBLE_UNIT,
                {
                    "quantity": spec.quantity,
                    "unit": raw.unit,
                    "expected": ", ".join(c.unit for c in spec.units),
                },
            )
        )
        return None
    value = raw.value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        reasons.append(QuarantineReason(ReasonCode.NOT_A_NUMBER, {"quantity": spec.quantity, "value": repr(value)}))
        return None
    canonical = conversion.to_canonical(float(value))
    if spec.minimum <= canonical <= spec.maximum:
        return canonical
    for confusable in spec.confusable_units:
        alternative = spec.conversion(confusable)
        if confusable == unit_id or alternative is None:
            continue
        if spec.minimum <= alternative.to_canonical(float(value)) <= spec.maximum:
            reasons.append(
                QuarantineReason(
                    ReasonCode.LIKELY_WRONG_UNIT,
                    {
                        "quantity": spec.quantity,
                        "value": _fmt(value),
                        "declared_unit": unit_id,
                        "likely_unit": confusable,
                    },
                )
            )
            return None
    below = canonical < spec.minimum
    reasons.append(
        QuarantineReason(
            ReasonCode.BELOW_MINIMUM if below else ReasonCode.ABOVE_MAXIMUM,
            {
                "quantity": spec.quantity,
                "value": _fmt(canonical),
                "unit": spec.canonical_unit,
                "minimum": _fmt(spec.minimum),
                "maximum": _fmt(spec.maximum),
            },
        )
    )
    return None


def _check_time(
    moment: datetime, now: datetime, policy: ValidationPolicy, reasons: list[QuarantineReason]
) -> datetime | None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        reasons.append(QuarantineReason(ReasonCode.NAIVE_TIME, {"time": moment.isoformat()}))
        return None
    try:
        moment_utc = moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00
        reasons.append(QuarantineReason(ReasonCode.INVALID_TIME, {"time": moment.isoformat()}))
        return None
    ahead = moment_utc - now
    if ahead > policy.max_future:
        reasons.append(
            QuarantineReason(
                ReasonCode.TIME_IN_FUTURE,
                {
                    "time": moment_utc.isoformat(),
                    "skew": _fmt_duration(ahead),
                    "allowed": _fmt_duration(policy.max_future),
                },
            )
        )
        return None
    if policy.max_age is not None and -ahead > policy.max_age:
        reasons.append(
            QuarantineReason(
                ReasonCode.TIME_TOO_OLD,
                {
                    "time": moment_utc.isoformat(),
                    "age": _fmt_duration(-ahead),
                    "allowed": _fmt_duration(policy.max_age),
                },
            )
        )
        return None
    return moment_utc


def validate_reading(
    raw: RawReading, now: datetime, policy: ValidationPolicy = DEFAULT_POLICY
) -> Reading | Quarantined:
    """Accept ``raw`` (converted to canonical unit, UTC) or say why not."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now_utc = now.astimezone(UTC)
    reasons: list[QuarantineReason] = []
    canonical: float | None = None
    # Quantity is a StrEnum, so the spec table can be looked up by wire name.
    spec = QUANTITY_SPECS.get(raw.quantity)  # type: ignore[call-overload]
    if spec is None:
        reasons.append(QuarantineReason(ReasonCode.UNKNOWN_QUANTITY, {"quantity": str(raw.quantity)}))
    else:
        unit_id = normalise_unit(raw.unit) if isinstance(raw.unit, str) else None
        if unit_id is None:
            reasons.append(
                QuarantineReason(ReasonCode.UNKNOWN_UNIT, {"unit": str(raw.unit), "quantity": spec.quantity})
            )
        else:
            canonical = _check_value(spec, raw, unit_id, reasons)
    moment = _check_time(raw.time, now_utc, policy, reasons)
    if reasons or spec is None or canonical is None or moment is None:
        return Quarantined(raw, tuple(reasons))
    return Reading(spec.quantity, canonical, spec.canonical_unit, moment, raw.source)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One outcome per input reading, in input order."""

    outcomes: tuple[Reading | Quarantined, ...]

    @property
    def accepted(self) -> tuple[Reading, ...]:
        return tuple(o for o in self.outcomes if isinstance(o, Reading))

    @property
    def quarantined(self) -> tuple[Quarantined, ...]:
        return tuple(o for o in self.outcomes if isinstance(o, Quarantined))


def validate_batch(
    readings: Iterable[RawReading], now: datetime, policy: ValidationPolicy = DEFAULT_POLICY
) -> BatchResult:
    """Validate each reading independently; never drops or reorders any."""
    return BatchResult(tuple(validate_reading(raw, now, policy) for raw in readings))
