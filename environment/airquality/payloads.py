"""Parsing of sensor payloads into `RawReading`s, refusing hostile input cleanly.

Three formats:

(a) the sensor.community (airrohr) firmware push body::

        {"software_version": "NRZ-2020-133", "esp8266id": "3654427",
         "sensordatavalues": [{"value_type": "P1", "value": "12.30"}, ...]}

    Values are strings. Value types come bare ("P1", "temperature") when the
    firmware sends to sensor.community, and prefixed with the sensor
    ("SDS_P1", "BME280_pressure") when it sends to a custom API like ours.
    P1 = PM10, P2 = PM2.5, P0 = PM1 (µg/m³); pressure is in Pa.
    Firmware: https://github.com/opendata-stuttgart/sensors-software (airrohr-firmware).

(b) the platform's own body::

        {"readings": [{"quantity": "pm2_5", "value": 12.3, "unit": "ug/m3",
                       "time": "2026-11-25T10:00:00Z"}, ...]}

(c) sensor.community archive CSV (archive.sensor.community): ``;``-separated,
    header ``sensor_id;sensor_type;location;lat;lon;timestamp;<values>``,
    timestamps ISO 8601 without zone, in UTC; parsed as a stream.

Error model. Problems with the body as a whole (too big, not JSON, too deep,
NaN/Infinity, duplicate keys, wrong top-level shape) raise `PayloadError`, a
ValueError whose message starts with the field path; the API turns it into a
4xx. Problems with one item (a value that is not a number, an unknown
quantity) do not spoil the others: the item is left out and reported in
``ParsedPayload.errors`` with the same field-path message, e.g.
``sensordatavalues[2].value: 'abc' is not a number``. Pass ``strict=True`` to
raise on the first item problem instead.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import IO, Final, NoReturn

from .quantities import Quantity
from .validation import RawReading


class PayloadError(ValueError):
    """Malformed input; ``field`` names where, ``problem`` says what."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class PayloadLimits:
    """Size limits applied before and after JSON decoding."""

    max_bytes: int
    max_items: int
    max_depth: int = 6
    max_string: int = 128


FIRMWARE_LIMITS: Final = PayloadLimits(max_bytes=16 * 1024, max_items=64)
PLATFORM_LIMITS: Final = PayloadLimits(max_bytes=2 * 1024 * 1024, max_items=10_000)


@dataclass(frozen=True, slots=True)
class ParsedPayload:
    """Readings that parsed, item errors, and value types we do not use."""

    readings: tuple[RawReading, ...]
    errors: tuple[PayloadError, ...] = ()
    ignored: tuple[str, ...] = ()
    software_version: str | None = None
    device_id: str | None = None
    # The firmware value type of each reading (same order as ``readings``; firmware pushes only).
    value_types: tuple[str, ...] = ()


# --- value type tables (data) -------------------------------------------------------

# Bare value types and the quantity/unit they carry.
FIRMWARE_VALUE_TYPES: Final[Mapping[str, tuple[Quantity, str]]] = MappingProxyType(
    {
        "P0": (Quantity.PM1, "ug/m3"),
        "P1": (Quantity.PM10, "ug/m3"),
        "P2": (Quantity.PM2_5, "ug/m3"),
        "temperature": (Quantity.TEMPERATURE, "degC"),
        "humidity": (Quantity.HUMIDITY, "%"),
        "pressure": (Quantity.PRESSURE, "Pa"),
        "noise_LAeq": (Quantity.NOISE, "dBA"),
        "co2": (Quantity.CO2, "ppm"),
        "co2_ppm": (Quantity.CO2, "ppm"),  # SCD30_co2_ppm
    }
)

# Sensor prefixes the firmware puts in front of value types for custom APIs
# (e.g. SDS_P1, PMS_P2, BME280_temperature, BMP_pressure, SCD30_co2,
# DNMS_noise_LAeq).
FIRMWARE_SENSOR_PREFIXES: Final = frozenset(
    {
        "SDS",
        "PMS",
        "HPM",
        "NPM",
        "IPS",
        "SPS30",
        "SEN5X",
        "BME280",
        "BMP",
        "BMP280",
        "BME680",
        "SHT3X",
        "HTU21D",
        "DHT",
        "DS18B20",
        "SCD30",
        "DNMS",
        "PPD",
    }
)

# The sensor models each prefix names (airrohr-firmware.ino, fetchSensor*: "SDS_P1", "BMP_pressure"
# for a BMP180, "SHT3X_temperature"...). The firmware writes a DHT22's values without a prefix
# ("temperature", "humidity").
FIRMWARE_PREFIX_KINDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "SDS": frozenset({"SDS011", "SDS021"}),
        "PMS": frozenset({"PMS1003", "PMS3003", "PMS5003", "PMS6003", "PMS7003", "PMSX003"}),
        "HPM": frozenset({"HPM"}),
        "NPM": frozenset({"NPM"}),
        "IPS": frozenset({"IPS", "IPS-7100"}),
        "SPS30": frozenset({"SPS30"}),
        "SEN5X": frozenset({"SEN5X", "SEN50", "SEN54", "SEN55"}),
        "BME280": frozenset({"BME280"}),
        "BMP280": frozenset({"BMP280"}),
        "BMP": frozenset({"BMP180", "BMP085"}),
        "BME680": frozenset({"BME680"}),
        "SHT3X": frozenset({"SHT3X", "SHT30", "SHT31", "SHT35"}),
        "HTU21D": frozenset({"HTU21D"}),
        "DHT": frozenset({"DHT22", "DHT11"}),
        "DS18B20": frozenset({"DS18B20"}),
        "SCD30": frozenset({"SCD30"}),
        "DNMS": frozenset({"DNMS"}),
        "PPD": frozenset({"PPD42NS"}),
    }
)
BARE_VALUE_KINDS: Final = FIRMWARE_PREFIX_KINDS["DHT"]

# Housekeeping values the firmware sends with every push; not measurements.
FIRMWARE_HOUSEKEEPING: Final = frozenset(
    {
        "samples",
        "min_micro",
        "max_micro",
        "interval",
        "signal",
        "GPS_lat",
        "GPS_lon",
        "GPS_height",
        "GPS_date",
        "GPS_time",
        "GPS_timestamp",
    }
)
# Their values are not all numbers ("GPS_timestamp": "2026-11-25T10:00:00.000", "GPS_date":
# "11/25/2026"): they are recognised before the value is read.

ARCHIVE_FIXED_COLUMNS: Final = ("sensor_id", "sensor_type", "location", "lat", "lon", "timestamp")

# Archive value columns we turn into readings. Others (durP1, ratioP1,
# altitude, pressure_sealevel, noise_LA_min, ...) are derived or diagnostic.
ARCHIVE_VALUE_COLUMNS: Final[Mapping[str, tuple[Quantity, str]]] = FIRMWARE_VALUE_TYPES


def resolve_value_type(value_type: str) -> tuple[Quantity, str] | None:
    """Quantity and unit for a firmware value type, bare or sensor-prefixed."""
    direct = FIRMWARE_VALUE_TYPES.get(value_type)
    if direct is not None:
        return direct
    prefix, separator, rest = value_type.partition("_")
    if separator and prefix in FIRMWARE_SENSOR_PREFIXES:
        return FIRMWARE_VALUE_TYPES.get(rest)
    return None


# --- hostile-JSON-safe decoding -----------------------------------------------------


class _Refused(ValueError):
    pass


def _refuse_constant(name: str) -> NoReturn:
    raise _Refused(f"{name} is not allowed, numbers must be finite")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"number {text[:24]!r} is out of range")
    return value


def _parse_int(text: str) -> int:
    # Python refuses > 4300 digits only after the work; stop far earlier.
    if len(text) > 20:
        raise _Refused(f"integer with {len(text)} digits is out of range")
    return int(text)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"duplicate key {key[:40]!r}")
        result[key] = value
    return result


def _check_depth(root: object, max_depth: int) -> None:
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[object]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            raise PayloadError("body", f"nested deeper than {max_depth} levels")
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))


def decode_json(body: bytes | str, limits: PayloadLimits) -> object:
    """Decode a JSON body or raise `PayloadError`; never lets hostile input through.

    Refuses bodies over the size limit (before decoding), invalid UTF-8,
    NaN/Infinity, numbers that overflow, duplicate keys and deep nesting.
    """
    if isinstance(body, str):
        if len(body) > limits.max_bytes:  # each character is at least one byte
            raise PayloadError("body", f"larger than the {limits.max_bytes} bytes allowed")
        try:
            size = len(body.encode("utf-8"))
        except UnicodeEncodeError as error:
            raise PayloadError("body", f"not valid Unicode at character {error.start}") from None
        text = body
    elif isinstance(body, (bytes, bytearray)):
        size = len(body)
        if size > limits.max_bytes:
            raise PayloadError("body", f"{size} bytes is larger than the {limits.max_bytes} allowed")
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as error:
            raise PayloadError("body", f"not valid UTF-8 at byte {error.start}") from None
    else:
        raise PayloadError("body", f"expected bytes or text, got {type(body).__name__}")
    if size > limits.max_bytes:
        raise PayloadError("body", f"{size} bytes is larger than the {limits.max_bytes} allowed")
    try:
        document: object = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
            object_pairs_hook=_unique_keys,
        )
    except _Refused as error:
        raise PayloadError("body", str(error)) from None
    except json.JSONDecodeError as error:
        raise PayloadError("body", f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise PayloadError("body", f"nested deeper than {limits.max_depth} levels") from None
    _check_depth(document, limits.max_depth)
    return document


_JSON_TYPE_NAMES: Final = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def _type_name(value: object) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


# Plain ASCII decimal numbers only: no "0x10", "1_000", "nan", "inf", spaces
# or non-ASCII digits ("١٢"), all of which Python's float() would accept.
_DECIMAL: Final = re.compile(r"[+-]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})(?:[eE][+-]?\d{1,3})?", re.ASCII)
_VALUE_TYPE: Final = re.compile(r"[A-Za-z0-9_]{1,64}")


def parse_decimal(text: str) -> float | None:
    """A finite float from a plain decimal string, or None if it is not one."""
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _collect(errors: list[PayloadError], error: PayloadError, strict: bool) -> None:
    if strict:
        raise error
    errors.append(error)


def _require_object(document: object, expected: str) -> dict[str, object]:
    if not isinstance(document, dict):
        raise PayloadError("body", f"expected {expected}, got {_type_name(document)}")
    return document


def _require_list(container: Mapping[str, object], key: str, limits: PayloadLimits) -> list[object]:
    if key not in container:
        raise PayloadError(key, "is required")
    items = container[key]
    if not isinstance(items, list):
        raise PayloadError(key, f"expected an array, got {_type_name(items)}")
    if len(items) > limits.max_items:
        raise PayloadError(key, f"{len(items)} items is more than the {limits.max_items} allowed")
    return items


def _optional_text(container: Mapping[str, object], key: str, limits: PayloadLimits) -> str | None:
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PayloadError(key, f"expected a string, got {_type_name(value)}")
    text = str(value)
    if len(text) > limits.max_string:
        raise PayloadError(key, f"longer than {limits.max_string} characters")
    return text


# --- (a) firmware push ----------------------------------------------------------------


def parse_firmware_push(
    body: bytes | str,
    received_at: datetime,
    *,
    limits: PayloadLimits = FIRMWARE_LIMITS,
    strict: bool = False,
) -> ParsedPayload:
    """Parse an airrohr firmware push; readings are stamped ``received_at``.

    The firmware sends no timestamp, so the server's receive time is the
    reading time. Unknown value types are listed in ``ignored``, not errors:
    new firmware adds sensors faster than we add quantities.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    document = _require_object(decode_json(body, limits), "an object with sensordatavalues")
    software_version = _optional_text(document, "software_version", limits)
    device_id = _optional_text(document, "esp8266id", limits)
    items = _require_list(document, "sensordatavalues", limits)

    readings: list[RawReading] = []
    value_types: list[str] = []
    errors: list[PayloadError] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        path = f"sensordatavalues[{index}]"
        if not isinstance(item, dict):
            _collect(errors, PayloadError(path, f"expected an object, got {_type_name(item)}"), strict)
            continue
        value_type = item.get("value_type")
        if not isinstance(value_type, str):
            problem = "is required" if value_type is None else f"expected a string, got {_type_name(value_type)}"
            _collect(errors, PayloadError(f"{path}.value_type", problem), strict)
            continue
        if not _VALUE_TYPE.fullmatch(value_type):
            _collect(
                errors,
                PayloadError(f"{path}.value_type", f"{_short(value_type)} is not a valid value type"),
                strict,
            )
            continue
        if value_type in seen:
            _collect(errors, PayloadError(f"{path}.value_type", f"duplicate {value_type!r}"), strict)
            continue
        seen.add(value_type)
        if value_type in FIRMWARE_HOUSEKEEPING:
            continue
        raw_value = item.get("value")
        value: float | None
        if isinstance(raw_value, str):
            value = parse_decimal(raw_value) if len(raw_value) <= 32 else None
            if value is None:
                _collect(errors, PayloadError(f"{path}.value", f"{_short(raw_value)} is not a number"), strict)
                continue
        elif isinstance(raw_value, (int, float)) and not isinstance(raw_value, bool):
            value = float(raw_value)
        else:
            problem = "is required" if "value" not in item else f"expected a number, got {_type_name(raw_value)}"
            _collect(errors, PayloadError(f"{path}.value", problem), strict)
            continue
        mapped = resolve_value_type(value_type)
        if mapped is None:
            ignored.append(value_type)
            continue
        quantity, unit = mapped
        readings.append(RawReading(quantity, value, unit, received_at, f"{path} {value_type}"))
        value_types.append(value_type)
    return ParsedPayload(tuple(readings), tuple(errors), tuple(ignored), software_version, device_id,
                         tuple(value_types))


@dataclass(frozen=True, slots=True)
class BoardSensor:
    """A sensor registered on a multi-sensor board: its id, its model and what it measures."""

    sensor_id: str
    kind: str
    quantities: frozenset[str]


def route_board_values(value_types: Iterable[str], sensors: Iterable[BoardSensor]
                       ) -> tuple[list[str | None], list[str]]:
    """Which sensor of a board sent each value ("Send to own API" puts all of them in one body).

    A prefixed value type ("SDS_P1", "BME280_pressure") belongs to the board's sensor of a model
    the prefix names; a bare one ("temperature", "humidity": a DHT22 in the firmware, or "P1"
    from an older firmware) to the board's DHT sensor, else to its only sensor measuring that
    quantity. Returns the sensor id for each value (None: not routed) and a note for each
    value that was not routed.
    """
    board = list(sensors)
    routed: list[str | None] = []
    notes: list[str] = []
    for value_type in value_types:
        prefix, separator, rest = value_type.partition("_")
        mapped = resolve_value_type(value_type)
        quantity = str(mapped[0]) if mapped else ""
        candidates: list[BoardSensor]
        if separator and prefix in FIRMWARE_PREFIX_KINDS and rest in FIRMWARE_VALUE_TYPES:
            models = FIRMWARE_PREFIX_KINDS[prefix]
            candidates = [s for s in board if s.kind.upper() in models]
            missing = f"no {prefix} sensor ({', '.join(sorted(models))}) is registered on this board"
        else:
            candidates = [s for s in board if s.kind.upper() in BARE_VALUE_KINDS] or [
                s for s in board if quantity in s.quantities]
            missing = f"no sensor of this board measures {quantity or value_type}"
        if len(candidates) == 1:
            routed.append(candidates[0].sensor_id)
        elif not candidates:
            routed.append(None)
            notes.append(f"{value_type}: {missing}; not stored")
        else:
            routed.append(None)
            names = ", ".join(s.sensor_id for s in candidates)
            notes.append(f"{value_type}: several sensors of this board could have sent it ({names}); not stored")
    return routed, notes


# --- (b) platform readings ------------------------------------------------------------

_READING_KEYS: Final = frozenset({"quantity", "value", "unit", "time"})
_QUANTITY_BY_NAME: Final[Mapping[str, Quantity]] = MappingProxyType({q.value: q for q in Quantity})


def parse_time(text: str) -> datetime | None:
    """A UTC datetime from ISO 8601 text with an offset (or Z), else None."""
    if len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None or moment.utcoffset() is None:
            return None
        # Years 1 and 9999 with an offset overflow when converted; refuse them here.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _platform_item(index: int, item: object) -> RawReading:
    path = f"readings[{index}]"
    if not isinstance(item, dict):
        raise PayloadError(path, f"expected an object, got {_type_name(item)}")
    if item.keys() - _READING_KEYS:
        unknown = sorted(item.keys() - _READING_KEYS)[0]
        raise PayloadError(f"{path}.{unknown[:40]}", "unknown field")
    for key in ("quantity", "value", "unit", "time"):
        if key not in item:
            raise PayloadError(f"{path}.{key}", "is required")
    quantity = item["quantity"]
    if not isinstance(quantity, str):
        raise PayloadError(f"{path}.quantity", f"expected a string, got {_type_name(quantity)}")
    known = _QUANTITY_BY_NAME.get(quantity)
    if known is None:
        raise PayloadError(
            f"{path}.quantity",
            f"{_short(quantity)} is not a known quantity (one of {', '.join(sorted(_QUANTITY_BY_NAME))})",
        )
    value = item["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PayloadError(f"{path}.value", f"expected a number, got {_type_name(value)}")
    unit = item["unit"]
    if not isinstance(unit, str):
        raise PayloadError(f"{path}.unit", f"expected a string, got {_type_name(unit)}")
    if len(unit) > 16:
        raise PayloadError(f"{path}.unit", "longer than 16 characters")
    time_text = item["time"]
    if not isinstance(time_text, str):
        raise PayloadError(f"{path}.time", f"expected a string, got {_type_name(time_text)}")
    moment = parse_time(time_text)
    if moment is None:
        raise PayloadError(
            f"{path}.time",
            f"{_short(time_text)} is not an ISO 8601 date-time with a timezone offset",
        )
    return RawReading(known, float(value), unit, moment, path)


def parse_platform_readings(
    body: bytes | str, *, limits: PayloadLimits = PLATFORM_LIMITS, strict: bool = False
) -> ParsedPayload:
    """Parse ``{"readings": [...]}``; bad items are reported, good ones kept.

    Unit spellings are not judged here: validation knows the units and
    quarantines a wrong one with the raw value kept for review.
    """
    document = _require_object(decode_json(body, limits), 'an object with "readings"')
    extra = sorted(set(document) - {"readings"})
    if extra:
        raise PayloadError(extra[0][:40], "unknown field")
    items = _require_list(document, "readings", limits)
    readings: list[RawReading] = []
    errors: list[PayloadError] = []
    for index, item in enumerate(items):
        try:
            readings.append(_platform_item(index, item))
        except PayloadError as error:
            _collect(errors, error, strict)
    return ParsedPayload(tuple(readings), tuple(errors))


# --- (c) archive CSV ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArchiveRow:
    """One archive line: sensor metadata plus the readings it carries."""

    line: int
    sensor_id: int
    sensor_type: str
    location: int | None
    lat: float | None
    lon: float | None
    time: datetime
    readings: tuple[RawReading, ...]


_SENSOR_TYPE: Final = re.compile(r"[A-Za-z0-9_\-]{1,32}")
_ID: Final = re.compile(r"\d{1,12}", re.ASCII)  # int() would also take "١٢"


def _archive_time(text: str) -> datetime | None:
    if len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text)
        # The archive writes UTC without a zone; honour an explicit offset if present.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _coordinate(text: str, name: str, limit: float) -> float | None:
    """None for an empty cell; PayloadError (field = column) when invalid."""
    if text == "":
        return None
    value = parse_decimal(text)
    if value is None or not -limit <= value <= limit:
        raise PayloadError(name, f"{_short(text)} is not a coordinate within ±{limit:g}")
    return value


def iter_archive_csv(
    lines: Iterable[str],
    *,
    errors: list[PayloadError] | None = None,
    max_line_chars: int = 4096,
    max_errors: int = 10_000,
) -> Iterator[ArchiveRow]:
    """Stream `ArchiveRow`s from the lines of a sensor.community archive CSV.

    A bad header raises `PayloadError`. A bad row is skipped and, when
    ``errors`` is a list, reported there (otherwise raised); a bad value cell
    is reported while the row's other readings are kept. More than
    ``max_errors`` problems abort the file: it is not the format we expect.
    """
    problems = 0

    def report(error: PayloadError) -> None:
        nonlocal problems
        if errors is None:
            raise error
        problems += 1
        if problems > max_errors:
            raise PayloadError("file", f"more than {max_errors} malformed rows; not an archive file?")
        errors.append(error)

    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        raise PayloadError("line 1", "empty file; expected a sensor.community archive header")
    header_text = first.rstrip("\r\n").lstrip("\ufeff")
    if len(header_text) > max_line_chars:
        raise PayloadError("line 1", f"header longer than {max_line_chars} characters")
    columns = header_text.split(";")
    if tuple(columns[: len(ARCHIVE_FIXED_COLUMNS)]) != ARCHIVE_FIXED_COLUMNS:
        raise PayloadError(
            "line 1",
            "not a sensor.community archive header: expected it to start with "
            f"{';'.join(ARCHIVE_FIXED_COLUMNS)!r}, got {_short(header_text, 80)}",
        )
    duplicates = sorted({name for name in columns if columns.count(name) > 1})
    if duplicates:
        raise PayloadError("line 1", f"duplicate column {duplicates[0]!r}")
    value_columns = [
        (index, name, ARCHIVE_VALUE_COLUMNS[name])
        for index, name in enumerate(columns)
        if index >= len(ARCHIVE_FIXED_COLUMNS) and name in ARCHIVE_VALUE_COLUMNS
    ]

    for line_number, line in enumerate(iterator, start=2):
        text = line.rstrip("\r\n")
        where = f"line {line_number}"
        if not text:
            continue
        if len(text) > max_line_chars:
            report(PayloadError(where, f"longer than {max_line_chars} characters"))
            continue
        cells = text.split(";")
        if len(cells) != len(columns):
            report(PayloadError(where, f"has {len(cells)} fields but the header has {len(columns)}"))
            continue
        sensor_id_text, sensor_type, location_text, lat_text, lon_text, time_text = cells[:6]
        if not _ID.fullmatch(sensor_id_text):
            report(PayloadError(f"{where} sensor_id", f"{_short(sensor_id_text)} is not a sensor id"))
            continue
        if not _SENSOR_TYPE.fullmatch(sensor_type):
            report(PayloadError(f"{where} sensor_type", f"{_short(sensor_type)} is not a sensor type"))
            continue
        if location_text and not _ID.fullmatch(location_text):
            report(PayloadError(f"{where} location", f"{_short(location_text)} is not a location id"))
            continue
        try:
            lat = _coordinate(lat_text, "lat", 90.0)
            lon = _coordinate(lon_text, "lon", 180.0)
        except PayloadError as bad:
            report(PayloadError(f"{where} {bad.field}", bad.problem))
            continue
        moment = _archive_time(time_text)
        if moment is None:
            report(PayloadError(f"{where} timestamp", f"{_short(time_text)} is not an ISO 8601 date-time"))
            continue
        readings: list[RawReading] = []
        for index, name, (quantity, unit) in value_columns:
            cell = cells[index]
            if cell == "":
                continue  # the archive leaves a cell empty when there was no value
            value = parse_decimal(cell) if len(cell) <= 32 else None
            if value is None:
                report(PayloadError(f"{where} {name}", f"{_short(cell)} is not a number"))
                continue
            readings.append(RawReading(quantity, value, unit, moment, f"{where} {name}"))
        yield ArchiveRow(
            line=line_number,
            sensor_id=int(sensor_id_text),
            sensor_type=sensor_type,
            location=int(location_text) if location_text else None,
            lat=lat,
            lon=lon,
            time=moment,
            readings=tuple(readings),
        )


def bounded_lines(stream: IO[str], max_line_chars: int = 4096) -> Iterator[str]:
    """Lines of a text stream, never holding more than one bounded line in memory.

    An over-long line is yielded cut to ``max_line_chars + 1`` characters (so
    the CSV parser reports it) and the rest of it is skipped in chunks.
    """
    limit = max_line_chars + 1
    while True:
        line = stream.readline(limit)
        if not line:
            return
        if len(line) == limit and not line.endswith("\n"):
            while True:  # discard the remainder of the over-long line
                rest = stream.readline(limit)
                if not rest or rest.endswith("\n"):
                    break
        yield line


def iter_archive_file(
    path: str | Path,
    *,
    errors: list[PayloadError] | None = None,
    max_line_chars: int = 4096,
) -> Iterator[ArchiveRow]:
    """Stream rows from an archive file on disk.

    Decoded as UTF-8 with replacement characters, so a corrupt byte fails
    only the row it is in (no id, number or time contains U+FFFD).
    """
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        yield from iter_archive_csv(bounded_lines(stream, max_line_chars), errors=errors, max_line_chars=max_line_chars)
