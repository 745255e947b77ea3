"""A fast lane for well-formed platform payloads (``{"readings": [...]}``).

Most MQTT traffic is plain: known quantities, known units, sane values and clocks. Running
every such reading through the reference parser (`payloads.parse_platform_readings`, with
its hostile-JSON guards) and validator (`validation.validate_reading`) costs about 9 µs; at
tens of thousands of readings a second that is the worker's whole budget. This lane decodes
each body in C (msgspec, into a fixed schema) and accepts a message only when the reference
path would accept *every* reading of it, with the same value and time. Anything else —
an unknown unit, a value out of range, a clock off, a duplicate key, an escape sequence,
non-ASCII text, a body the schema does not fit — declines the message, and the caller runs the
reference path, which explains the problem field by field. So the lane changes speed, never
outcomes; tests/environment/test_airquality_fastlane.py checks that on generated and hostile
bodies.

`platform_batch` judges a whole batch: per message only the decoding and the duplicate-key
count run in Python (about 0.3 µs per reading); units, ranges, the sensor's quantities, times
and clocks are checked for all readings at once in numpy, and the result is the columns the
store writes (`columnar.ReadingColumns`). `platform_rows` is the same code for one message.

Why each guard is enough:

* Duplicate keys: the reference refuses them; a schema decoder keeps the last. Without a
  backslash in the body every ``"`` delimits a string. The schema admits only the key
  "readings" at the top and, in an item, the keys quantity, value, unit and time, all four
  required, with a string value for three of them and a number for "value". So an item has at
  least 8 quotes of keys and 6 of values, the body at least 2 more, and exactly
  ``14 * items + 2`` quotes means that no key occurs twice anywhere (a repeated key adds its
  own two quotes).
* Sizes, depth, NaN/Infinity, big integers: the body size and item count are checked against
  the reference limits; the schema has depth 3; JSON has no NaN literal (msgspec refuses the
  extension Python's json allows, the reference refuses it too); every accepted value lies
  within a quantity's physical range, far below where float conversion could differ.
* Text: ASCII only, so there is no UTF-8 or Unicode-escape question to answer.
* Units and ranges: decided by the reference functions themselves (`normalise_unit`,
  `QuantitySpec.conversion`), kept per (quantity, unit) spelling; the conversion is applied as
  `UnitConversion.to_canonical` does (a multiplication, then an addition: the same two
  roundings in numpy).
* Times: the fixed-width form ``YYYY-MM-DDTHH:MM:SS[.f to .ffffff]Z`` is parsed for the whole
  batch in numpy, with the calendar's rules (month lengths, leap years, hours 0-23, seconds
  0-59) — a property test checks it against `datetime.fromisoformat`, which `parse_time`
  uses; any other text goes to `fromisoformat` and `parse_time` themselves, once per distinct
  text. The clock check is `validation._check_time`'s two comparisons, in microseconds.

No Django import: this is part of the pure core.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, Literal

import msgspec
import numpy as np
import numpy.typing as npt

from .columnar import MICROSECOND, POSTGRES_EPOCH, ReadingColumns
from .payloads import PLATFORM_LIMITS, PayloadLimits, parse_time
from .quantities import Quantity, normalise_unit, spec_for
from .validation import DEFAULT_POLICY, ValidationPolicy

if TYPE_CHECKING:
    _QuantityName = str
else:
    # A Literal: msgspec checks the name in C and returns the one interned string for it, which
    # hashes for free in the look-ups below. An unknown name fails the schema: declined.
    _QuantityName = Literal[tuple(quantity.value for quantity in Quantity)]


class _Item(msgspec.Struct, forbid_unknown_fields=True, gc=False):  # (no cycles: strings and a float)
    quantity: _QuantityName
    value: float  # msgspec: a JSON number (ints widen), never a bool or a string
    unit: str
    time: str


class _Body(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    readings: list[_Item]


_DECODER: Final = msgspec.json.Decoder(_Body)
_from_iso: Final = datetime.fromisoformat
_MAX_UNIT_CHARS: Final = 16  # payloads._platform_item refuses longer units
_MAX_TIME_CHARS: Final = 40  # payloads.parse_time refuses longer times

_UNITS_MAX: Final = 4096  # known (quantity, unit spelling) pairs kept between calls


@dataclass(slots=True)
class _Pair:
    """A known (quantity, unit spelling): how the reference converts and bounds it."""

    quantity: str
    factor: float
    offset: float
    minimum: float
    maximum: float


# quantity -> unit spelling -> index into _PAIRS; only acceptable pairs, up to _UNITS_MAX of them.
# Two levels, not a (quantity, unit) key: no tuple to build and hash per reading.
_PAIR_INDEX: dict[str, dict[str, int]] = {}
_PAIRS: list[_Pair] = []
_NOT_KNOWN: Final = -2
_REFUSED: Final = -1
_NO_UNITS: Final[dict[str, int]] = {}


def _learn_pairs(keys: set[tuple[str, str]]) -> tuple[list[_Pair], dict[tuple[str, str], int]]:
    """Index each (quantity, unit spelling) in the pair table; -1 where the reference would
    refuse the unit. Hostile spellings cannot grow the shared table without bound: when it would
    pass _UNITS_MAX, this batch's new pairs go into a copy used for this batch only."""
    shared = len(_PAIRS) + len(keys) <= _UNITS_MAX
    pairs = _PAIRS if shared else list(_PAIRS)
    index: dict[tuple[str, str], int] = {}
    for quantity, unit in keys:
        spec = spec_for(quantity)
        unit_id = normalise_unit(unit) if spec is not None and len(unit) <= _MAX_UNIT_CHARS else None
        conversion = spec.conversion(unit_id) if spec is not None and unit_id is not None else None
        if spec is None or conversion is None:
            index[(quantity, unit)] = _REFUSED
            continue
        pairs.append(_Pair(quantity, conversion.factor, conversion.offset, spec.minimum, spec.maximum))
        index[(quantity, unit)] = len(pairs) - 1
        if shared:
            _PAIR_INDEX.setdefault(quantity, {})[unit] = len(pairs) - 1
    return pairs, index


# "YYYY-MM-DDTHH:MM:SS" then "Z" or "." and 1 to 6 digits and "Z": the form devices send, parsed
# for a whole batch at once. Any other text takes datetime.fromisoformat, once per distinct text.
_STRICT_LENGTHS: Final = frozenset({20, 22, 23, 24, 25, 26, 27})
_STRICT_MAX_CHARS: Final = 27
_DIGIT_POSITIONS: Final = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_SEPARATORS: Final = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":"}
_MONTH_DAYS: Final = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _days_from_civil(year: npt.NDArray[np.int64], month: npt.NDArray[np.int64],
                     day: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Days since 2000-01-01 of proleptic Gregorian dates (H. Hinnant, "chrono-compatible
    low-level date algorithms", days_from_civil), shifted to PostgreSQL's epoch."""
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468 - 10957  # 1970-01-01, then 2000-01-01


def _strict_micros(texts: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """(µs since 2000-01-01 UTC, parsed) for each text; parsed is False where the text is not of
    the strict form or not a real date and time (those are left to datetime.fromisoformat)."""
    count = len(texts)
    micros = np.zeros(count, dtype=np.int64)
    parsed = np.zeros(count, dtype=np.bool_)
    lengths = set(map(len, texts))
    if len(lengths) == 1:  # the usual case: one device firmware, one format
        (length,) = lengths
        if length in _STRICT_LENGTHS:
            micros, parsed = _fixed_width_micros(texts, length)
        return micros, parsed
    length_of = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    for length in lengths & _STRICT_LENGTHS:
        where = np.flatnonzero(length_of == length)
        micros[where], parsed[where] = _fixed_width_micros([texts[i] for i in where.tolist()], length)
    return micros, parsed


def _fixed_width_micros(texts: list[str], length: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """`_strict_micros` for texts all `length` characters long."""
    count = len(texts)
    # (The lane's texts are ASCII. Any other character becomes "?", one byte, and, like every
    # character out of place, fails the check of its position.)
    chars = np.frombuffer("".join(texts).encode("ascii", "replace"), dtype=np.uint8).reshape(count, length)
    digits = chars - np.uint8(48)  # wraps around below "0": one comparison tells a digit
    fraction_positions = list(range(20, length - 1))
    ok = (digits[:, _DIGIT_POSITIONS.tolist() + fraction_positions] <= 9).all(axis=1)
    for position, separator in _SEPARATORS.items():
        ok &= chars[:, position] == ord(separator)
    ok &= chars[:, length - 1] == ord("Z")
    if fraction_positions:
        ok &= chars[:, 19] == ord(".")

    def number(positions: list[int]) -> npt.NDArray[np.int64]:
        value = np.zeros(count, dtype=np.int64)
        for position in positions:
            value = value * 10 + digits[:, position]  # (int64: the sums below exceed 32 bits)
        return value

    fraction = number(fraction_positions) * 10 ** (6 - len(fraction_positions))  # microseconds
    year, month, day = number([0, 1, 2, 3]), number([5, 6]), number([8, 9])
    hour, minute, second = number([11, 12]), number([14, 15]), number([17, 18])
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month - 1, 0, 11)] + (leap & (month == 2))
    ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    seconds = _days_from_civil(year, np.where(ok, month, 1), day) * 86_400 + hour * 3600 + minute * 60 + second
    return seconds * 1_000_000 + fraction, ok


def _fallback_micros(text: str) -> int | None:
    """What parse_time makes of a text outside the strict form, in µs since 2000-01-01 UTC."""
    if len(text) > _MAX_TIME_CHARS:
        return None
    try:
        moment: datetime | None = _from_iso(text)
    except ValueError:
        return None  # parse_time refuses it too
    if moment is not None and moment.tzinfo is not UTC:  # (a UTC time is what parse_time returns as is)
        moment = parse_time(text)
    return None if moment is None else (moment - POSTGRES_EPOCH) // MICROSECOND




def _quantity_bits(measured: Collection[str], codes: Mapping[str, int]) -> int:
    """A bit per quantity code the sensor measures; every bit when it declares none."""
    if not measured:
        return -1
    return sum(1 << codes[q] for q in set(measured) if q in codes and 0 <= codes[q] < 63)


def platform_batch(
    payloads: Sequence[bytes],
    received: Sequence[datetime],
    sensors: Sequence[int],
    measured: Sequence[Collection[str]],
    *,
    codes: Mapping[str, int],
    policy: ValidationPolicy = DEFAULT_POLICY,
    limits: PayloadLimits = PLATFORM_LIMITS,
) -> tuple[ReadingColumns, list[int]]:
    """The readings of every plain body of a batch, as columns, and how many each message gave.

    Message i came from sensor ``sensors[i]`` (which measures ``measured[i]``; empty: any) and
    was received at ``received[i]``. ``counts[i]`` is the number of its readings in the columns
    (in message order), or -1 when it is "not plain": then the caller must use the reference
    parser and validator for it. A message is taken only when the reference path would accept
    every one of its readings, with the same canonical value and UTC time; ``codes`` maps each
    quantity's wire name to the number it is stored as.

    Per message only the decoding runs in Python; units, ranges, times and clocks are checked
    for the whole batch at once in numpy (a reading costs a few hundred nanoseconds).
    """
    counts = [-1] * len(payloads)
    items: list[_Item] = []
    taken: list[int] = []  # indices of the messages whose items are in `items`
    for index, payload in enumerate(payloads):
        if len(payload) > limits.max_bytes or not payload.isascii() or b"\\" in payload:
            continue
        try:
            readings = _DECODER.decode(payload).readings
        except msgspec.DecodeError:  # includes validation errors (schema mismatch)
            continue
        # Duplicate keys: without a backslash every '"' delimits a string; an item has four
        # keys and three string values (14 quotes), the body one key (2): any repeated key
        # adds quotes (see the module docstring).
        if len(readings) > limits.max_items or payload.count(b'"') != 14 * len(readings) + 2:
            continue
        counts[index] = len(readings)
        taken.append(index)
        items += readings
    if not items:
        return ReadingColumns.of([]), counts
    per_message = np.array([counts[i] for i in taken], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(per_message)[:-1]))

    # Units and quantities: one dictionary look-up per reading, the rest in arrays.
    pairs = _PAIRS
    pair_ids = np.array([_PAIR_INDEX.get(i.quantity, _NO_UNITS).get(i.unit, _NOT_KNOWN) for i in items],
                        dtype=np.int64)
    unknown = np.flatnonzero(pair_ids == _NOT_KNOWN).tolist()
    if unknown:
        pairs, learned = _learn_pairs({(items[p].quantity, items[p].unit) for p in unknown})
        pair_ids[unknown] = [learned[(items[p].quantity, items[p].unit)] for p in unknown]
    known = pair_ids >= 0  # (_REFUSED: a unit the reference would quarantine)
    safe_ids = np.where(known, pair_ids, 0)
    table = pairs if pairs else [_Pair("", 1.0, 0.0, 0.0, 0.0)]
    factor = np.array([p.factor for p in table])[safe_ids]
    offset = np.array([p.offset for p in table])[safe_ids]
    pair_codes = np.array([codes.get(p.quantity, -1) for p in table], dtype=np.int64)
    quantity = pair_codes[safe_ids]
    ok = known & (quantity >= 0)
    values = np.fromiter([i.value for i in items], dtype=np.float64, count=len(items))
    # As UnitConversion.to_canonical: two roundings, no fused multiply-add. A huge value may
    # overflow to infinity: it is then out of range like in the reference (no warning wanted).
    with np.errstate(over="ignore", invalid="ignore"):
        values = values * factor + offset
    ok &= (values >= np.array([p.minimum for p in table])[safe_ids]) & (values <= np.array(
        [p.maximum for p in table])[safe_ids])
    bits_of: dict[int, int] = {}  # by identity: a sensor's messages share its set of quantities
    bits = np.array([bits_of.get(id(measured[i])) or bits_of.setdefault(id(measured[i]), _quantity_bits(
        measured[i], codes)) for i in taken], dtype=np.int64)
    ok &= (np.repeat(bits, per_message) >> np.clip(quantity, 0, 62)) & 1 == 1

    # Times: the strict form for the whole batch, anything else once per distinct text.
    texts = [i.time for i in items]
    if max(map(len, texts)) <= _STRICT_MAX_CHARS:
        micros, parsed = _strict_micros(texts)
    else:  # (a long text would make every row of the character array that wide)
        short = [position for position, text in enumerate(texts) if len(text) <= _STRICT_MAX_CHARS]
        micros = np.zeros(len(texts), dtype=np.int64)
        parsed = np.zeros(len(texts), dtype=np.bool_)
        micros[short], parsed[short] = _strict_micros([texts[position] for position in short])
    if not parsed.all():
        fallback: dict[str, int | None] = {}
        for position in np.flatnonzero(~parsed).tolist():
            text = texts[position]
            if text not in fallback:
                fallback[text] = _fallback_micros(text)
            moment = fallback[text]
            if moment is None:
                ok[position] = False
            else:
                micros[position] = moment
    # Messages of one socket read share their receive time object: converted once.
    received_micros = {id(moment): (moment.astimezone(UTC) - POSTGRES_EPOCH) // MICROSECOND
                       for moment in {id(received[i]): received[i] for i in taken}.values()}
    now = np.repeat(np.array([received_micros[id(received[i])] for i in taken], dtype=np.int64), per_message)
    ahead = micros - now  # the same two comparisons as validation._check_time
    ok &= ahead <= policy.max_future // MICROSECOND
    if policy.max_age is not None:
        ok &= -ahead <= policy.max_age // MICROSECOND

    # A message is taken whole or not at all (an empty one gives no readings, as the reference).
    nonempty = per_message > 0
    whole = np.ones(len(taken), dtype=np.bool_)
    whole[nonempty] = np.logical_and.reduceat(ok, starts[nonempty])
    for position in np.flatnonzero(~whole).tolist():
        counts[taken[position]] = -1
    keep = np.repeat(whole, per_message)
    sensor = np.repeat(np.array([sensors[i] for i in taken], dtype=np.int64), per_message)
    return ReadingColumns(sensor[keep], quantity[keep], micros[keep], values[keep]), counts


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
    """Every reading of one plain platform body as ``(sensor, codes[quantity], time_utc, value)``,
    or None: `platform_batch` for a single message (the caller then uses the reference path)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    columns, counts = platform_batch([payload], [now], [sensor], [measured], codes=codes, policy=policy,
                                     limits=limits)
    if counts[0] < 0:
        return None
    return columns.rows()


def plain_units() -> Mapping[tuple[str, str], tuple[float, float, float, float]]:
    """The (quantity, unit) spellings seen and accepted so far, with (factor, offset, minimum,
    maximum) (for tests and diagnostics)."""
    return {(quantity, unit): (_PAIRS[index].factor, _PAIRS[index].offset, _PAIRS[index].minimum,
                               _PAIRS[index].maximum)
            for quantity, units in _PAIR_INDEX.items() for unit, index in units.items()}
