"""The fast lane changes speed, never outcomes.

For any body, `fastlane.platform_rows` either declines (None) or returns exactly the readings
the reference path (`parse_platform_readings` + `validate_reading` + the "measured" check)
accepts, with the same canonical values and UTC times — and only when the reference accepts
all of them without a single problem.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from environment.airquality import fastlane
from environment.airquality.payloads import PLATFORM_LIMITS, PayloadError, PayloadLimits, parse_platform_readings
from environment.airquality.quantities import QUANTITY_SPECS, Quantity
from environment.airquality.validation import DEFAULT_POLICY, Reading, ValidationPolicy, validate_reading

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CODES = {q.value: number for number, q in enumerate(Quantity, start=1)}
NAMES = {number: name for name, number in CODES.items()}


def lane(body: bytes, **options: object) -> list[tuple[str, datetime, float]] | None:
    """The fast lane's rows as (quantity, time, value), for comparison with the reference."""
    rows = fastlane.platform_rows(body, NOW, sensor=7, codes=CODES, **options)  # type: ignore[arg-type]
    if rows is None:
        return None
    assert all(sensor == 7 for sensor, *_rest in rows)
    return [(NAMES[code], time, value) for _sensor, code, time, value in rows]


def reference(body: bytes, measured: frozenset[str] = frozenset(),
              policy: ValidationPolicy = DEFAULT_POLICY) -> list[tuple[str, datetime, float]] | None:
    """What the reference path accepts, or None when it reports any problem at all."""
    try:
        parsed = parse_platform_readings(body)
    except PayloadError:
        return None
    if parsed.errors:
        return None
    accepted = []
    for raw in parsed.readings:
        outcome = validate_reading(raw, NOW, policy)
        if not isinstance(outcome, Reading):
            return None
        if measured and str(outcome.quantity) not in measured:
            return None
        accepted.append((str(outcome.quantity), outcome.time, outcome.value))
    return accepted


def assert_agrees(body: bytes, measured: frozenset[str] = frozenset(),
                  policy: ValidationPolicy = DEFAULT_POLICY) -> list[tuple[str, datetime, float]] | None:
    fast = lane(body, measured=measured, policy=policy)
    if fast is not None:
        expected = reference(body, measured, policy)
        assert expected is not None, f"the fast lane accepted what the reference refuses: {body[:300]!r}"
        assert len(fast) == len(expected)
        for (q1, t1, v1), (q2, t2, v2) in zip(fast, expected, strict=True):
            assert (q1, t1) == (q2, t2)
            assert math.copysign(1, v1) == math.copysign(1, v2) and v1 == v2, (v1, v2)
            assert t1.utcoffset() == timedelta(0)
    return fast


def body_of(*items: dict[str, object]) -> bytes:
    return json.dumps({"readings": list(items)}).encode()


def item(quantity: str = "pm2_5", value: object = 12.5, unit: str = "ug/m3",
         time: str = "2026-11-25T09:59:00Z") -> dict[str, object]:
    return {"quantity": quantity, "value": value, "unit": unit, "time": time}


def test_a_plain_body_takes_the_fast_lane_with_the_reference_result() -> None:
    body = body_of(item(), item("pm10", 30, "UG/M3", "2026-11-25T11:58:00+02:00"), item("co", 1.2, "mg/m3"))
    rows = assert_agrees(body)
    assert rows is not None and len(rows) == 3
    assert rows[1] == ("pm10", datetime(2026, 11, 25, 9, 58, tzinfo=UTC), 30.0)


def test_an_empty_list_is_plain_and_stores_nothing() -> None:
    assert assert_agrees(b'{"readings": []}') == []


@pytest.mark.parametrize("body", [
    # problems the reference explains item by item
    body_of(item(), item(quantity="radon")),
    body_of(item(unit="furlongs")),
    body_of(item(value=-1)),
    body_of(item(value=5000)),
    body_of(item(quantity="pressure", value=1013, unit="Pa")),  # probably hPa
    body_of(item(time="2026-11-25T09:59:00")),  # no offset
    body_of(item(time="2026-11-25T10:30:00Z")),  # beyond the allowed clock skew
    body_of(item(time="2020-01-01T00:00:00Z")),  # too old for live ingest
    body_of(item(time="yesterday")),
    body_of(item(value="12.5")),
    body_of(item(value=True)),
    body_of(item(unit="u" * 17)),
    body_of({"quantity": "pm2_5", "value": 1, "unit": "ug/m3"}),
    body_of({**item(), "extra": 1}),
    # problems with the body as a whole
    b'{"readings": [], "sensor": "x"}',
    b'{"readings": {}}',
    b'[]',
    b'{"readings": [{"quantity": "pm2_5", "value": NaN, "unit": "ug/m3", "time": "2026-11-25T09:59:00Z"}]}',
    b'{"readings": [{"quantity": "pm2_5", "value": 1e999, "unit": "ug/m3", "time": "2026-11-25T09:59:00Z"}]}',
    b'{"readings": [{"quantity": "pm2_5", "value": 1' + b"0" * 30 + b', "unit": "ug/m3", '
    b'"time": "2026-11-25T09:59:00Z"}]}',
    b'{"readings": [{"quantity": "pm2_5", "quantity": "pm10", "value": 1, "unit": "ug/m3", '
    b'"time": "2026-11-25T09:59:00Z"}]}',
    b'{"readings": [], "readings": [{"quantity": "pm2_5", "value": 1, "unit": "ug/m3", '
    b'"time": "2026-11-25T09:59:00Z"}]}',
    # a duplicate key spelled with an escape, which a token count alone would miss
    b'{"readings": [{"quantity": "pm2_5", "quantit\\u0079": "pm10", "value": 1, "unit": "ug/m3", '
    b'"time": "2026-11-25T09:59:00Z"}, {"value": 2, "unit": "ug/m3", "time": "2026-11-25T09:59:00Z"}]}',
    "{\"readings\": [{\"quantity\": \"pm2_5\", \"value\": 1, \"unit\": \"µg/m³\", \"time\": \"2026-11-25T09:59:00Z\"}]"
    .encode(),  # truncated
    b"\xff\xfe",
    b"",
])
def test_anything_not_plain_is_declined(body: bytes) -> None:
    assert lane(body) is None


def test_non_ascii_units_are_declined_but_the_reference_still_accepts_them() -> None:
    body = body_of(item(unit="µg/m³"))
    body = body.replace(b"\\u00b5g/m\\u00b3", "µg/m³".encode())
    assert lane(body) is None
    assert reference(body) is not None


def test_a_quantity_the_sensor_does_not_measure_is_declined() -> None:
    body = body_of(item("no2", 20))
    assert assert_agrees(body, measured=frozenset({"pm10", "pm2_5"})) is None
    assert assert_agrees(body, measured=frozenset({"no2"})) is not None


def test_limits_apply_as_in_the_reference() -> None:
    body = body_of(item(), item())
    small = PayloadLimits(max_bytes=PLATFORM_LIMITS.max_bytes, max_items=1)
    assert lane(body, limits=small) is None
    tiny = PayloadLimits(max_bytes=10, max_items=10)
    assert lane(body, limits=tiny) is None


def test_a_policy_without_an_age_limit_is_followed() -> None:
    old = body_of(item(time="2019-01-10T00:00:00Z"))
    assert lane(old) is None
    assert assert_agrees(old, policy=ValidationPolicy(max_age=None)) is not None


def test_every_range_is_far_below_where_integer_conversion_could_differ() -> None:
    # The lane lets msgspec widen JSON integers to floats; the reference refuses integers of
    # more than 20 digits. Any such integer is out of every physical range, so both decline.
    for spec in QUANTITY_SPECS.values():
        assert -1e15 < spec.minimum <= spec.maximum < 1e15


UNITS = ["ug/m3", "mg/m3", "ppb", "ppm", "Pa", "hPa", "%", "degC", "K", "dB", "dBA", "°C", "UG/M3", "x"]
TIMES = st.one_of(
    st.datetimes(min_value=datetime(2026, 11, 17), max_value=datetime(2026, 11, 26),
                 timezones=st.sampled_from([UTC, None])).map(lambda d: d.isoformat()),
    st.datetimes(min_value=datetime(2026, 11, 24), max_value=datetime(2026, 11, 25, 10, 10)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
    st.text(max_size=12),
)
VALUES = st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-10, max_value=2e5),
                   st.integers(min_value=-10, max_value=200_000), st.booleans(), st.none(), st.text(max_size=4))
ITEMS = st.fixed_dictionaries({
    "quantity": st.one_of(st.sampled_from([q.value for q in Quantity]), st.text(max_size=6)),
    "value": VALUES,
    "unit": st.one_of(st.sampled_from(UNITS), st.text(max_size=5)),
    "time": TIMES,
}, optional={"extra": st.integers()})


@settings(max_examples=400, deadline=None)
@given(st.lists(ITEMS, max_size=6), st.booleans())
def test_property_the_lane_never_disagrees_with_the_reference(items: list[dict[str, object]], ascii_only: bool) -> None:
    body = json.dumps({"readings": items}, ensure_ascii=ascii_only).encode()
    fast = assert_agrees(body)
    if fast is None and all(set(i) == {"quantity", "value", "unit", "time"} for i in items):
        # Declining is always allowed, but a plain ASCII body the reference fully accepts
        # should take the lane (otherwise it would be slow for no reason).
        expected = reference(body)
        if expected is not None and body.isascii() and b"\\" not in body:
            raise AssertionError(f"a plain body was declined: {body[:300]!r}")


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=1000, allow_nan=False), st.integers(min_value=0, max_value=17))
def test_property_numbers_decode_to_the_same_float(value: float, digits: int) -> None:
    text = f"{value:.{digits}g}" if digits else repr(value)
    body = (b'{"readings":[{"quantity":"pm10","value":' + text.encode()
            + b',"unit":"ug/m3","time":"2026-11-25T09:00:00Z"}]}')
    assert assert_agrees(body) is not None


def test_hostile_spellings_do_not_grow_the_unit_cache_without_bound() -> None:
    for index in range(5000):
        lane(body_of(item(unit=f"u{index}")))
    assert len(fastlane.plain_units()) <= fastlane._UNITS_MAX


def test_readings_sharing_a_time_are_each_checked_and_stored() -> None:
    body = body_of(item("pm2_5", 3), item("pm10", 4), item("temperature", 5, "degC"),
                   item("pm2_5", 6, time="2026-11-25T09:58:00Z"))
    rows = assert_agrees(body)
    assert rows is not None and [r[0] for r in rows] == ["pm2_5", "pm10", "temperature", "pm2_5"]
    assert rows[0][1] == rows[2][1] != rows[3][1]
    assert lane(body_of(item(time=""), item(time=""))) is None


# --- a whole batch at once ------------------------------------------------------------------------


def batch(bodies: list[bytes], measured: list[frozenset[str]] | None = None
          ) -> tuple[list[tuple[int, int, datetime, float]], list[int]]:
    """platform_batch over bodies from sensors 1, 2, 3, ... received at NOW."""
    columns, counts = fastlane.platform_batch(
        bodies, [NOW] * len(bodies), list(range(1, len(bodies) + 1)),
        measured if measured is not None else [frozenset()] * len(bodies), codes=CODES)
    return columns.rows(), counts


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(ITEMS, max_size=4), st.booleans()), max_size=6))
def test_property_a_batch_gives_exactly_what_each_message_gives_alone(
        messages: list[tuple[list[dict[str, object]], bool]]) -> None:
    """Messages are judged independently: one message's times, units or problems never change the
    outcome of another in the same batch (the single-message results are checked against the
    reference above)."""
    bodies = [json.dumps({"readings": items}, ensure_ascii=ascii_only).encode() for items, ascii_only in messages]
    rows, counts = batch(bodies)
    expected: list[tuple[int, int, datetime, float]] = []
    for sensor, body in enumerate(bodies, start=1):
        alone = fastlane.platform_rows(body, NOW, sensor=sensor, codes=CODES)
        assert counts[sensor - 1] == (-1 if alone is None else len(alone))
        expected += alone or []
    assert rows == expected


def test_a_mixed_batch_keeps_good_messages_and_declines_only_the_bad_ones() -> None:
    bodies = [
        body_of(item(), item("pm10", 20, time="2026-11-25T09:59:00.5Z")),
        body_of(item(unit="furlongs")),  # declined: the reference explains it
        b'{"readings": []}',  # plain and empty
        body_of(item(time="2026-11-25T11:59:00.123+02:00"), item(time="2026-11-25T09:59:00.123456789Z")),
        body_of(item("no2", 20)),  # declined below: sensor 5 does not measure NO2
        body_of(item(time="2026-02-29T09:59:00Z")),  # not a date: declined
    ]
    measured: list[frozenset[str]] = [frozenset()] * 4 + [frozenset({"pm10"}), frozenset()]
    rows, counts = batch(bodies, measured)
    assert counts == [2, -1, 0, 2, -1, -1]
    assert [(sensor, time) for sensor, _code, time, _value in rows] == [
        (1, datetime(2026, 11, 25, 9, 59, tzinfo=UTC)), (1, datetime(2026, 11, 25, 9, 59, 0, 500_000, tzinfo=UTC)),
        (4, datetime(2026, 11, 25, 9, 59, 0, 123_000, tzinfo=UTC)),
        (4, datetime(2026, 11, 25, 9, 59, 0, 123_456, tzinfo=UTC))]


def test_a_long_time_text_does_not_widen_the_whole_batch() -> None:
    long_time = "2026-11-25T09:59:00." + "1" * 19 + "Z"  # 40 characters: accepted by fromisoformat
    bodies = [body_of(item()) for _ in range(1000)] + [body_of(item(time=long_time))]
    rows, counts = batch(bodies)
    assert counts == [1] * 1001
    assert rows[-1][2] == datetime(2026, 11, 25, 9, 59, 0, 111_111, tzinfo=UTC)


STRICT_TIMES = st.builds(
    lambda y, mo, d, h, mi, s, fraction: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{fraction}Z",
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 60),
    st.integers(0, 61), st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=6).map(lambda f: "." + f)))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(STRICT_TIMES, st.text(max_size=27)), min_size=1, max_size=20))
def test_property_the_batch_time_parser_agrees_with_fromisoformat(texts: list[str]) -> None:
    micros, parsed = fastlane._strict_micros(texts)
    for text, value, ok in zip(texts, micros.tolist(), parsed.tolist(), strict=True):
        if not ok:
            continue  # left to datetime.fromisoformat, which is the reference itself
        moment = datetime.fromisoformat(text)
        assert moment.utcoffset() == timedelta(0)
        assert value == (moment - datetime(2000, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1), text
    for text, ok in zip(texts, parsed.tolist(), strict=True):
        if text.isascii() and len(text) in (20, 22, 23, 24, 25, 26, 27) and text.endswith("Z"):
            try:
                datetime.fromisoformat(text)
            except ValueError:
                assert not ok, text


@pytest.mark.filterwarnings("error")
def test_a_value_overflowing_in_conversion_is_declined_quietly() -> None:
    # 1e308 mg/m3 is infinity in µg/m³: out of range for the lane and the reference alike.
    assert assert_agrees(body_of(item(value=1e308, unit="mg/m3"))) is None
