"""Payload parsing: firmware push, platform JSON, archive CSV — and hostile input."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from environment.airquality.payloads import (
    FIRMWARE_LIMITS,
    PayloadError,
    PayloadLimits,
    bounded_lines,
    decode_json,
    iter_archive_csv,
    iter_archive_file,
    parse_decimal,
    parse_firmware_push,
    parse_platform_readings,
    resolve_value_type,
)
from environment.airquality.quantities import Quantity
from environment.airquality.validation import Reading, ValidationPolicy, validate_batch

RECEIVED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]
SENSORS = REPO / "data" / "demo" / "sensors"  # sensor.community samples shipped with the repository


def firmware(*values: tuple[str, object], **extra: object) -> str:
    return json.dumps(
        {
            "software_version": "NRZ-2020-133",
            "sensordatavalues": [{"value_type": t, "value": v} for t, v in values],
            **extra,
        }
    )


# --- (a) firmware push -------------------------------------------------------------------


def test_firmware_push_maps_value_types_to_quantities():
    parsed = parse_firmware_push(
        firmware(("P1", "12.30"), ("P2", "7.10"), ("P0", "3"), ("temperature", "5.40"), ("humidity", "99.90")),
        RECEIVED,
    )
    assert [(r.quantity, r.value, r.unit) for r in parsed.readings] == [
        (Quantity.PM10, 12.3, "ug/m3"),
        (Quantity.PM2_5, 7.1, "ug/m3"),
        (Quantity.PM1, 3.0, "ug/m3"),
        (Quantity.TEMPERATURE, 5.4, "degC"),
        (Quantity.HUMIDITY, 99.9, "%"),
    ]
    assert all(r.time == RECEIVED for r in parsed.readings)
    assert parsed.software_version == "NRZ-2020-133"
    assert parsed.errors == () and parsed.ignored == ()


def test_firmware_sensor_prefixed_value_types():
    parsed = parse_firmware_push(
        firmware(
            ("SDS_P1", "16.13"),
            ("SDS_P2", "8.30"),
            ("BME280_temperature", "6.18"),
            ("BME280_humidity", "82.52"),
            ("BME280_pressure", "102935.99"),
            ("SCD30_co2", "415"),
            ("DNMS_noise_LAeq", "48.2"),
            ("samples", "622432"),
            ("signal", "-83"),
            ("DNMS_noise_LA_max", "60.1"),
            ("SPS30_P4", "3.3"),
        ),
        RECEIVED,
    )
    assert [(r.quantity, r.unit) for r in parsed.readings] == [
        (Quantity.PM10, "ug/m3"),
        (Quantity.PM2_5, "ug/m3"),
        (Quantity.TEMPERATURE, "degC"),
        (Quantity.HUMIDITY, "%"),
        (Quantity.PRESSURE, "Pa"),
        (Quantity.CO2, "ppm"),
        (Quantity.NOISE, "dBA"),
    ]
    # Housekeeping (samples, signal) is skipped silently; unknown measurements are listed.
    assert parsed.ignored == ("DNMS_noise_LA_max", "SPS30_P4")
    pressure = validate_batch(parsed.readings, RECEIVED).accepted[4]
    assert pressure.value == pytest.approx(1029.3599) and pressure.unit == "hPa"


def test_unknown_prefix_is_not_guessed():
    assert resolve_value_type("FOO_P1") is None
    assert resolve_value_type("noise_LAeq") == (Quantity.NOISE, "dBA")


def test_the_example_error_message_names_the_field():
    body = firmware(("P1", "12.30"), ("P2", "7.1"), ("temperature", "abc"))
    with pytest.raises(PayloadError) as caught:
        parse_firmware_push(body, RECEIVED, strict=True)
    assert str(caught.value) == "sensordatavalues[2].value: 'abc' is not a number"
    assert caught.value.field == "sensordatavalues[2].value"


def test_one_bad_value_does_not_drop_the_others():
    body = firmware(("P1", "12.30"), ("P2", "abc"), ("temperature", "5.4"))
    parsed = parse_firmware_push(body, RECEIVED)
    assert [r.quantity for r in parsed.readings] == [Quantity.PM10, Quantity.TEMPERATURE]
    assert [str(e) for e in parsed.errors] == ["sensordatavalues[1].value: 'abc' is not a number"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"value_type": "P1", "value": "nan"}, "sensordatavalues[0].value: 'nan' is not a number"),
        ({"value_type": "P1", "value": "inf"}, "sensordatavalues[0].value: 'inf' is not a number"),
        ({"value_type": "P1", "value": "1e400"}, "sensordatavalues[0].value: '1e400' is not a number"),
        ({"value_type": "P1", "value": "0x10"}, "sensordatavalues[0].value: '0x10' is not a number"),
        ({"value_type": "P1", "value": "1_000"}, "sensordatavalues[0].value: '1_000' is not a number"),
        ({"value_type": "P1", "value": " 12"}, "sensordatavalues[0].value: ' 12' is not a number"),
        ({"value_type": "P1", "value": True}, "sensordatavalues[0].value: expected a number, got a boolean"),
        ({"value_type": "P1", "value": None}, "sensordatavalues[0].value: expected a number, got null"),
        ({"value_type": "P1", "value": [1]}, "sensordatavalues[0].value: expected a number, got an array"),
        ({"value_type": "P1"}, "sensordatavalues[0].value: is required"),
        ({"value": "1"}, "sensordatavalues[0].value_type: is required"),
        ({"value_type": 7, "value": "1"}, "sensordatavalues[0].value_type: expected a string, got a number"),
        ({"value_type": "P 1", "value": "1"}, "sensordatavalues[0].value_type: 'P 1' is not a valid value type"),
    ],
)
def test_bad_items_are_named(item, message):
    body = json.dumps({"sensordatavalues": [item]})
    parsed = parse_firmware_push(body, RECEIVED)
    assert parsed.readings == ()
    assert [str(e) for e in parsed.errors] == [message]


def test_numbers_instead_of_strings_are_accepted_and_duplicates_refused():
    parsed = parse_firmware_push(firmware(("P1", 12.5), ("P1", "13")), RECEIVED)
    assert [r.value for r in parsed.readings] == [12.5]
    assert [str(e) for e in parsed.errors] == ["sensordatavalues[1].value_type: duplicate 'P1'"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("[]", "body"),
        ('{"sensordatavalues": {}}', "sensordatavalues"),
        ("{}", "sensordatavalues"),
        ('{"software_version": ["x"], "sensordatavalues": []}', "software_version"),
        ('{"sensordatavalues": [], "sensordatavalues": []}', "body"),
        ('{"sensordatavalues": [{"value_type": "P1", "value": NaN}]}', "body"),
        ('{"sensordatavalues": [{"value_type": "P1", "value": Infinity}]}', "body"),
        ('{"sensordatavalues": [{"value_type": "P1", "value": -Infinity}]}', "body"),
        ('{"sensordatavalues": [{"value_type": "P1", "value": 1e400}]}', "body"),
        ('{"sensordatavalues": [{"value_type": "P1", "value": ' + "9" * 5000 + "}]}", "body"),
        ("{'sensordatavalues': []}", "body"),
        ("", "body"),
        (b"\xff\xfe{}", "body"),
        ('{"sensordatavalues": [' + ",".join(['{"value_type": "P1", "value": "1"}'] * 65) + "]}", "sensordatavalues"),
    ],
)
def test_hostile_or_malformed_bodies_are_refused_with_the_field(body, field):
    with pytest.raises(PayloadError) as caught:
        parse_firmware_push(body, RECEIVED)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_huge_bodies_are_refused_before_decoding():
    huge = b'{"sensordatavalues": [' + b" " * (FIRMWARE_LIMITS.max_bytes + 1) + b"]}"
    with pytest.raises(PayloadError, match="larger than"):
        parse_firmware_push(huge, RECEIVED)
    with pytest.raises(PayloadError, match="larger than"):
        parse_firmware_push(huge.decode(), RECEIVED)


def test_deep_nesting_is_refused():
    deep = '{"sensordatavalues": [], "x": ' + "[" * 10 + "]" * 10 + "}"
    with pytest.raises(PayloadError, match="nested deeper"):
        parse_firmware_push(deep, RECEIVED)
    very_deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(PayloadError):
        decode_json(very_deep, PayloadLimits(max_bytes=10**6, max_items=10))


def test_received_at_must_be_aware():
    with pytest.raises(ValueError):
        parse_firmware_push(firmware(), datetime(2026, 11, 25))


@settings(max_examples=200)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_arbitrary_input_never_raises_anything_but_payload_error(body):
    try:
        parse_firmware_push(body, RECEIVED)
        parse_platform_readings(body)
    except PayloadError:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(["sensordatavalues", "readings", "software_version", "x"]), json_values))
def test_arbitrary_json_shapes_never_raise_anything_but_payload_error(document):
    body = json.dumps(document)
    with contextlib.suppress(PayloadError):
        parse_firmware_push(body, RECEIVED)
    with contextlib.suppress(PayloadError):
        parse_platform_readings(body)


# --- (b) platform readings ---------------------------------------------------------------


def test_platform_readings_parse_with_their_own_time():
    body = json.dumps(
        {
            "readings": [
                {"quantity": "pm2_5", "value": 12.3, "unit": "ug/m3", "time": "2026-11-25T10:00:00Z"},
                {"quantity": "pressure", "value": 1013.2, "unit": "hPa", "time": "2026-11-25T11:59:00+02:00"},
            ]
        }
    )
    parsed = parse_platform_readings(body)
    assert [(r.quantity, r.value, r.unit) for r in parsed.readings] == [
        (Quantity.PM2_5, 12.3, "ug/m3"),
        (Quantity.PRESSURE, 1013.2, "hPa"),
    ]
    assert parsed.readings[1].time.astimezone(UTC) == datetime(2026, 11, 25, 9, 59, tzinfo=UTC)
    outcomes = validate_batch(parsed.readings, datetime(2026, 11, 25, 12, tzinfo=UTC)).outcomes
    assert all(isinstance(o, Reading) for o in outcomes)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"quantity": "pm25", "value": 1, "unit": "ug/m3", "time": "2026-11-25T10:00:00Z"}, "readings[0].quantity"),
        ({"quantity": "pm2_5", "value": "1", "unit": "ug/m3", "time": "2026-11-25T10:00:00Z"}, "readings[0].value"),
        ({"quantity": "pm2_5", "value": True, "unit": "ug/m3", "time": "2026-11-25T10:00:00Z"}, "readings[0].value"),
        ({"quantity": "pm2_5", "value": 1, "unit": 3, "time": "2026-11-25T10:00:00Z"}, "readings[0].unit"),
        ({"quantity": "pm2_5", "value": 1, "unit": "ug/m3", "time": "2026-11-25T10:00:00"}, "readings[0].time"),
        ({"quantity": "pm2_5", "value": 1, "unit": "ug/m3", "time": "yesterday"}, "readings[0].time"),
        ({"quantity": "pm2_5", "value": 1, "unit": "ug/m3", "time": "0001-01-01T00:00+05:00"}, "readings[0].time"),
        ({"quantity": "pm2_5", "value": 1, "unit": "ug/m3"}, "readings[0].time"),
        ({"quantity": "pm2_5", "value": 1, "unit": "ug/m3", "time": "2026-11-25T10:00Z", "x": 1}, "readings[0].x"),
        ("pm2_5", "readings[0]"),
    ],
)
def test_platform_item_errors_name_the_field(item, message):
    good = {"quantity": "pm10", "value": 5, "unit": "ug/m3", "time": "2026-11-25T10:00:00Z"}
    parsed = parse_platform_readings(json.dumps({"readings": [item, good]}))
    assert [e.field for e in parsed.errors] == [message]
    assert [r.quantity for r in parsed.readings] == [Quantity.PM10]
    with pytest.raises(PayloadError):
        parse_platform_readings(json.dumps({"readings": [item, good]}), strict=True)


def test_platform_top_level_is_strict():
    with pytest.raises(PayloadError, match=r"^extra: unknown field"):
        parse_platform_readings('{"readings": [], "extra": 1}')
    with pytest.raises(PayloadError, match=r"^readings: is required"):
        parse_platform_readings("{}")


def test_wrong_units_pass_parsing_and_are_quarantined_by_validation():
    body = json.dumps({"readings": [{"quantity": "pm2_5", "value": 1, "unit": "hPa", "time": "2026-11-25T10:00Z"}]})
    parsed = parse_platform_readings(body)
    assert len(parsed.readings) == 1
    assert validate_batch(parsed.readings, RECEIVED).quarantined[0].reason.code == "incompatible_unit"


def test_decimal_parser_is_strict():
    assert parse_decimal("12.30") == 12.3
    assert parse_decimal("-0.5e2") == -50.0
    assert parse_decimal(".5") == 0.5
    for bad in ("", "abc", "nan", "Infinity", "1e400", "1,5", "1.2.3", "١٢"):
        assert parse_decimal(bad) is None, bad


# --- (c) archive CSV ---------------------------------------------------------------------

HEADER = "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2"


def test_archive_rows_stream_with_readings():
    lines = [HEADER, "5331;SDS011;3121;57.138;-2.077;2019-01-10T00:01:12;7.03;;;2.43;;", ""]
    rows = list(iter_archive_csv(lines))
    assert len(rows) == 1
    row = rows[0]
    assert (row.sensor_id, row.sensor_type, row.location, row.lat, row.lon) == (5331, "SDS011", 3121, 57.138, -2.077)
    assert row.time == datetime(2019, 1, 10, 0, 1, 12, tzinfo=UTC)
    assert [(r.quantity, r.value, r.source) for r in row.readings] == [
        (Quantity.PM10, 7.03, "line 2 P1"),
        (Quantity.PM2_5, 2.43, "line 2 P2"),
    ]


def test_archive_bad_rows_are_reported_and_skipped_and_bad_cells_keep_the_row():
    lines = [
        HEADER,
        "5331;SDS011;3121;57.138;-2.077;2019-01-10T00:01:12;7.03;;;2.43;;",
        "5331;SDS011;3121;57.138;-2.077;2019-01-10T00:03:41;abc;;;2.70;;",
        "5331;SDS011;3121;57.138;-2.077;not-a-time;1;;;2;;",
        "5331;SDS011;3121;57.138;-2.077;9999-12-31T23:59:59-05:00;1;;;2;;",
        "x;SDS011;3121;57.138;-2.077;2019-01-10T00:06:09;1;;;2;;",
        "5331;SDS011;3121;99.5;-2.077;2019-01-10T00:06:09;1;;;2;;",
        "5331;SDS011;3121",
        "5331;SDS011;3121;57.138;-2.077;2019-01-10T00:08:40;4.1;;;1.2;;",
    ]
    errors: list[PayloadError] = []
    rows = list(iter_archive_csv(lines, errors=errors))
    assert [row.line for row in rows] == [2, 3, 9]
    assert [len(row.readings) for row in rows] == [2, 1, 2]
    assert [str(e) for e in errors] == [
        "line 3 P1: 'abc' is not a number",
        "line 4 timestamp: 'not-a-time' is not an ISO 8601 date-time",
        "line 5 timestamp: '9999-12-31T23:59:59-05:00' is not an ISO 8601 date-time",
        "line 6 sensor_id: 'x' is not a sensor id",
        "line 7 lat: '99.5' is not a coordinate within ±90",
        "line 8: has 3 fields but the header has 12",
    ]
    with pytest.raises(PayloadError, match=r"^line 3 P1"):
        list(iter_archive_csv(lines))


@pytest.mark.parametrize(
    "header",
    ["", "Time;durP1;P1", "sensor_id;sensor_type;location;lat;lon;timestamp;P1;P1", "x" * 5000],
)
def test_archive_bad_headers_raise(header):
    with pytest.raises(PayloadError, match=r"^line 1: "):
        list(iter_archive_csv([header] if header else []))


def test_archive_gives_up_on_files_that_are_all_garbage():
    lines = [HEADER] + ["garbage"] * 20
    with pytest.raises(PayloadError, match=r"^file: more than 10 malformed rows"):
        list(iter_archive_csv(lines, errors=[], max_errors=10))


def test_bounded_lines_cut_overlong_lines_without_reading_them_whole():
    stream = io.StringIO("short\n" + "y" * 100 + "\nnext\nlast")
    assert [line[:6] for line in bounded_lines(stream, max_line_chars=10)] == ["short\n", "yyyyyy", "next\n", "last"]
    stream = io.StringIO(HEADER + "\n" + "9" * 10_000 + "\n5331;SDS011;;;;2019-01-10T00:01:12;1;;;2;;\n")
    errors: list[PayloadError] = []
    rows = list(iter_archive_csv(bounded_lines(stream, 4096), errors=errors))
    assert [row.line for row in rows] == [3]
    assert str(errors[0]) == "line 2: longer than 4096 characters"


@pytest.fixture(scope="module")
def sample_dir() -> Path:
    assert SENSORS.is_dir(), f"sample sensor data missing from the repository: {SENSORS}"
    return SENSORS


@pytest.mark.parametrize(
    ("name", "rows", "quantities"),
    [
        ("2019-01-10_sds011_sensor_15092.csv", 492, {Quantity.PM10, Quantity.PM2_5}),
        ("2019-01-10_sds011_sensor_5331.csv", 582, {Quantity.PM10, Quantity.PM2_5}),
        ("2019-01-10_bme280_sensor_15093.csv", 147, {Quantity.PRESSURE, Quantity.TEMPERATURE, Quantity.HUMIDITY}),
        ("2019-01-10_dht22_sensor_5332.csv", 582, {Quantity.TEMPERATURE, Quantity.HUMIDITY}),
    ],
)
def test_real_archive_files_parse_and_validate_cleanly(sample_dir, name, rows, quantities):
    errors: list[PayloadError] = []
    parsed = list(iter_archive_file(sample_dir / name, errors=errors))
    assert errors == []
    assert len(parsed) == rows
    readings = [r for row in parsed for r in row.readings]
    assert {r.quantity for r in readings} == quantities
    assert all(row.time.date() == datetime(2019, 1, 10).date() for row in parsed)
    result = validate_batch(readings, datetime(2019, 1, 11, tzinfo=UTC), ValidationPolicy(max_age=None))
    assert result.quarantined == ()
    pressures = [r.value for r in result.accepted if r.quantity is Quantity.PRESSURE]
    assert all(1000 < p < 1040 for p in pressures)  # Pa in the file, hPa after validation


def test_the_madavi_export_is_refused_as_not_an_archive_file(sample_dir):
    # Its header has 20 columns but every row has 22, so columns cannot be trusted.
    with pytest.raises(PayloadError, match=r"^line 1: not a sensor.community archive header"):
        list(iter_archive_file(sample_dir / "madavi_data-esp8266-3654427-2017-12-15.csv"))
