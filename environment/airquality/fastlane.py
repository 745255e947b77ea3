"""A fast lane for well-formed platform payloads (``{"readings": [...]}``).

Most MQTT traffic is plain: known quantities, known units, sane values and clocks. Running
every such reading through the reference parser (`payloads.parse_platform_readings`, with
its hostile-JSON guards) and validator (`validation.validate_reading`) costs about 9 µs; at
tens of thousands of readings a second that is the worker's whole budget. This lane decodes
the body in C (msgspec, into a fixed schema) and accepts the message only when the reference
path would accept *every* reading of it, with the same value and time. Anything else —
an unknown unit, a value out of range, a clock off, a duplicate key, an escape sequence,
non-ASCII text, a body the schema does not fit — returns None, and the caller runs the
reference path, which explains the problem field by field. So the lane changes speed, never
outcomes; tests/environment/test_airquality_fastlane.py checks that on generated and hostile
bodies.

Why each guard is enough:

* Duplicate keys: the reference refuses them; a schema decoder keeps the last. Without a
  backslash in the body every ``"`` delimits a string, so ``"quantity"`` occurs once per key
  plus once per string value that is exactly "quantity". Each item must have each of its four
  keys (required fields), so "each key token occurs exactly once per item" means no item
  repeats a key (a value spelled like a key only makes the count larger: refused, safe).
* Sizes, depth, NaN/Infinity, big integers: the body size and item count are checked against
  the reference limits; the schema has depth 3; JSON has no NaN literal (msgspec refuses the
  extension Python's json allows, the reference refuses it too); every accepted value lies
  within a quantity's physical range, far below where float conversion could differ.
* Text: ASCII only, so there is no UTF-8 or Unicode-escape question to answer.
* Units, ranges, time: decided by the reference functions themselves (`normalise_unit`,
  `QuantitySpec.conversion`, `parse_time`), cached per (quantity, unit) spelling.

No Django import: this is part of the pure core.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Final

import msgspec

from .payloads import PLATFORM_LIMITS, PayloadLimits, parse_time
from .quantities import normalise_unit, spec_for
from .validation import DEFAULT_POLICY, ValidationPolicy


class _Item(msgspec.Struct, forbid_unknown_fields=True):
    quantity: str
    value: float  # msgspec: a JSON number (ints widen), never a bool or a string
    unit: str
    time: str


class _Body(msgspec.Struct, forbid_unknown_fields=True):
    readings: list[_Item]


_DECODER: Final = msgspec.json.Decoder(_Body)
_from_iso: Final = datetime.fromisoformat
_MAX_UNIT_CHARS: Final = 16  # payloads._platform_item refuses longer units
_MAX_TIME_CHARS: Final = 40  # payloads.parse_time refuses longer times

# (quantity, unit spelling) -> (to_canonical, minimum, maximum); only known pairs are kept.
_Accepting = tuple[Callable[[float], float], float, float]
_UNITS: dict[tuple[str, str], _Accepting] = {}
_UNITS_MAX: Final = 4096


def _accepting(quantity: str, unit: str) -> _Accepting | None:
    """How the reference validator converts and bounds this quantity in this unit, or None."""
    key = (quantity, unit)
    known = _UNITS.get(key)
    if known is not None:
        return known
    spec = spec_for(quantity)
    if spec is None or len(unit) > _MAX_UNIT_CHARS:
        return None
    unit_id = normalise_unit(unit)
    conversion = spec.conversion(unit_id) if unit_id is not None else None
    if conversion is None:
        return None
    accepting = (conversion.to_canonical, spec.minimum, spec.maximum)
    if len(_UNITS) < _UNITS_MAX:  # hostile spellings cannot grow it without bound
        _UNITS[key] = accepting
    return accepting


def platform_rows(
    payload: bytes,
    now: datetime,
    *,
    sensor: int,
    codes: Mapping[str, int],
    measured: Collection[str] = (),
    policy: ValidationPolicy = DEFAULT_POLICY,
    limits: PayloadLimits = PLATFORM_LIMITS,
) -> list[tuple[int, int, datetime, float]] | None:
    """Every reading of a plain platform body as ``(sensor, codes[quantity], time_utc, value)``, or None.

    None means "not plain": the caller must use the reference parser and validator. When a
    list is returned, the reference path would have accepted exactly these readings, in this
    order, with these canonical values and UTC times. ``measured`` is the set of quantities the
    sensor is registered for (empty: any), as the ingest pipeline checks. ``codes`` maps each
    quantity's wire name to the number it is stored as. Plain tuples, in the storage's column
    order: the ingest worker makes hundreds of thousands a second.
    """
    if (
        len(payload) > limits.max_bytes
        or not payload.isascii()
        or b"\\" in payload
        or payload.count(b'"readings"') != 1
    ):
        return None
    try:
        body = _DECODER.decode(payload)
    except msgspec.DecodeError:  # includes validation errors (schema mismatch)
        return None
    items = body.readings
    count = len(items)
    if (count > limits.max_items or payload.count(b'"quantity"') != count or payload.count(b'"value"') != count
            or payload.count(b'"unit"') != count or payload.count(b'"time"') != count):
        return None
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now_utc = now.astimezone(UTC)
    max_future, max_age = policy.max_future, policy.max_age
    units = _UNITS
    rows: list[tuple[int, int, datetime, float]] = []
    last_text: str | None = None
    moment: datetime | None = None
    for item in items:
        quantity = item.quantity
        accepting = units.get((quantity, item.unit)) or _accepting(quantity, item.unit)
        if accepting is None or (measured and quantity not in measured):
            return None
        to_canonical, minimum, maximum = accepting
        value = to_canonical(item.value)
        if not minimum <= value <= maximum:
            return None
        text = item.time
        if text != last_text:  # the readings of one measurement usually share their time
            if len(text) > _MAX_TIME_CHARS:
                return None
            try:
                moment = _from_iso(text)
            except ValueError:
                return None  # parse_time refuses it too
            if moment.tzinfo is not UTC:  # (a UTC time, the usual case, is what parse_time returns as is)
                moment = parse_time(text)
                if moment is None:
                    return None
            # The same two comparisons as validation._check_time.
            ahead = moment - now_utc
            if ahead > max_future or (max_age is not None and -ahead > max_age):
                return None
            last_text = text
        rows.append((sensor, codes[quantity], moment, value))  # type: ignore[arg-type]  # set above
    return rows


def plain_units() -> Mapping[tuple[str, str], _Accepting]:
    """The (quantity, unit) spellings seen and accepted so far (for tests and diagnostics)."""
    return dict(_UNITS)
