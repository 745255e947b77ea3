"""From a received message to rows to store and quarantine records, for every channel.

The pure core parses (environment.airquality.payloads) and validates
(environment.airquality.validation); this module adds what only the platform knows: which
sensor sent it, what that sensor is registered to measure, and how problems are recorded
for staff. Every reading is judged on its own: a bad neighbour never drops a good value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.utils.translation import gettext_noop

from environment.airquality import fastlane
from environment.airquality.columnar import ReadingColumns
from environment.airquality.payloads import (
    FIRMWARE_LIMITS,
    PLATFORM_LIMITS,
    ParsedPayload,
    PayloadError,
    PayloadLimits,
    parse_firmware_push,
    parse_platform_readings,
)
from environment.airquality.validation import (
    DEFAULT_POLICY,
    Quarantined,
    RawReading,
    Reading,
    ValidationPolicy,
    validate_reading,
)
from environment.catalog import CODE_OF
from environment.ingest.store import Row

# Reason codes the platform adds to the core's validation.ReasonCode values.
MALFORMED = "malformed"
NOT_MEASURED = "not_measured"
UNKNOWN_SENSOR = "unknown_sensor"
SENSOR_DISABLED = "sensor_disabled"
RATE_LIMITED = "rate_limited"

NOT_MEASURED_TEMPLATE = gettext_noop("Sensor %(sensor)s (%(kind)s) is not registered to measure %(quantity)s.")

# Which part of an item a validation reason is about, so replies name the exact field.
_SUBFIELD = {
    "unknown_quantity": "quantity", "unknown_unit": "unit", "incompatible_unit": "unit",
    "not_a_number": "value", "below_minimum": "value", "above_maximum": "value", "likely_wrong_unit": "value",
    "naive_time": "time", "invalid_time": "time", "time_in_future": "time", "time_too_old": "time",
    NOT_MEASURED: "quantity",
}


@dataclass(frozen=True, slots=True)
class SensorRef:
    """What ingest needs to know about a sensor (cached by the MQTT worker)."""

    pk: int
    sensor_id: str
    kind: str
    quantities: frozenset[str]
    active: bool

    @classmethod
    def of(cls, sensor: Any) -> SensorRef:
        return cls(sensor.pk, sensor.sensor_id, sensor.kind, frozenset(sensor.quantities or ()), sensor.active)


@dataclass(frozen=True, slots=True)
class Problem:
    """One refused item, in a form both the HTTP reply and the quarantine table use."""

    field: str
    code: str
    message: str
    template: str = ""
    params: dict[str, str] = dataclass_field(default_factory=dict)
    quantity: str = ""
    value: str = ""
    unit: str = ""
    time: dt.datetime | None = None

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.code, "message": self.message}


@dataclass(slots=True)
class Judged:
    rows: list[Row] = dataclass_field(default_factory=list)
    problems: list[Problem] = dataclass_field(default_factory=list)
    ignored: tuple[str, ...] = ()

    def extend(self, other: Judged) -> None:
        self.rows += other.rows
        self.problems += other.problems
        self.ignored += other.ignored


def _field_of(raw: RawReading, code: str) -> str:
    """"readings[3].time", "sensordatavalues[2].value" or "line 17 P1" (the core's source, refined)."""
    source = raw.source
    if source.startswith("sensordatavalues"):
        item = source.split(" ")[0]
        # The firmware's value type fixes quantity and unit: those problems are about the value type.
        return f"{item}.value" if _SUBFIELD.get(code) in ("value", "time") else f"{item}.value_type"
    if source.startswith("readings"):
        return f"{source.split(' ')[0]}.{_SUBFIELD.get(code, 'value')}"
    return source


def judge(sensor: SensorRef, parsed: ParsedPayload, now: dt.datetime,
          policy: ValidationPolicy = DEFAULT_POLICY) -> Judged:
    """Validate each parsed reading for this sensor; collect rows and problems."""
    judged = Judged(ignored=parsed.ignored)
    for error in parsed.errors:
        judged.problems.append(Problem(error.field, MALFORMED, str(error)))
    judged.extend(judge_readings(sensor, parsed.readings, now, policy))
    return judged


def judge_readings(sensor: SensorRef, readings: Iterable[RawReading], now: dt.datetime,
                   policy: ValidationPolicy = DEFAULT_POLICY) -> Judged:
    judged = Judged()
    measured = sensor.quantities
    for raw in readings:
        outcome = validate_reading(raw, now, policy)
        if isinstance(outcome, Reading):
            quantity = str(outcome.quantity)
            if measured and quantity not in measured:
                params = {"sensor": sensor.sensor_id, "kind": sensor.kind, "quantity": quantity}
                judged.problems.append(Problem(
                    _field_of(raw, NOT_MEASURED), NOT_MEASURED, NOT_MEASURED_TEMPLATE % params,
                    NOT_MEASURED_TEMPLATE, params, quantity, f"{raw.value:.6g}", raw.unit, outcome.time))
                continue
            judged.rows.append(Row(sensor.pk, CODE_OF[quantity], outcome.time, outcome.value))
        else:
            judged.problems.append(_problem_of(outcome))
    return judged


def _problem_of(outcome: Quarantined) -> Problem:
    raw = outcome.raw
    reason = outcome.reason
    value = raw.value
    shown = f"{value:.6g}" if isinstance(value, float) else repr(value)
    time = raw.time if isinstance(raw.time, dt.datetime) and raw.time.tzinfo is not None else None
    return Problem(_field_of(raw, str(reason.code)), str(reason.code),
                   "; ".join(r.message for r in outcome.reasons), reason.template,
                   {k: str(v) for k, v in reason.params.items()}, str(raw.quantity)[:32], shown[:64],
                   str(raw.unit)[:32], time)


def _is_firmware_body(payload: bytes) -> bool:
    return b'"sensordatavalues"' in payload[:PLATFORM_LIMITS.max_bytes]


def plain_columns(sensors: Sequence[SensorRef], payloads: Sequence[bytes], received: Sequence[dt.datetime]
                  ) -> tuple[ReadingColumns, list[int]]:
    """The readings of every plain platform body of a batch through the fast lane, as columns,
    and how many each message gave; -1 for a message the lane declines: then
    `parse_mqtt_payload` and `judge` must run for it (they give the same rows for what the lane
    accepts, and explain the rest). Message i came from sensors[i] at received[i]."""
    # (A firmware body never fits the lane's schema, so it is declined without a separate check.)
    return fastlane.platform_batch(payloads, received, [s.pk for s in sensors], [s.quantities for s in sensors],
                                   codes=CODE_OF)


def parse_mqtt_payload(payload: bytes, received_at: dt.datetime) -> ParsedPayload:
    """A topic carries either the firmware body or the platform's {"readings": [...]} body."""
    if _is_firmware_body(payload):
        return parse_firmware_push(payload, received_at, limits=PayloadLimits(
            max_bytes=FIRMWARE_LIMITS.max_bytes, max_items=FIRMWARE_LIMITS.max_items))
    return parse_platform_readings(payload)


def quarantine_records(problems: Sequence[Problem], *, channel: str, sensor_pk: int | None,
                       claimed: str = "", received_at: dt.datetime) -> list[Any]:
    from environment.models import QuarantinedReading

    return [
        QuarantinedReading(
            received_at=received_at, channel=channel, sensor_id=sensor_pk, claimed_sensor=claimed[:64],
            field=p.field[:120], quantity=p.quantity[:32], value=p.value[:64], unit=p.unit[:32], time=p.time,
            reason_code=p.code[:40], reason_template=p.template[:300], reason_params=p.params,
            detail=p.message[:500],
        )
        for p in problems
    ]


def payload_problem(error: PayloadError) -> Problem:
    return Problem(error.field[:120], MALFORMED, str(error)[:500])
