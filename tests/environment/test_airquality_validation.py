"""Validation of individual readings: units, physical limits, clock skew, batches."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from environment.airquality.quantities import QUANTITY_SPECS, Quantity, normalise_unit, ppb_to_ug_m3_factor
from environment.airquality.validation import (
    DEFAULT_POLICY,
    Quarantined,
    QuarantineReason,
    RawReading,
    Reading,
    ReasonCode,
    ValidationPolicy,
    validate_batch,
    validate_reading,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def raw(quantity: str, value: float, unit: str, time: datetime = NOW) -> RawReading:
    return RawReading(quantity, value, unit, time, "test")


def accepted(reading: RawReading, policy: ValidationPolicy = DEFAULT_POLICY) -> Reading:
    outcome = validate_reading(reading, NOW, policy)
    assert isinstance(outcome, Reading), outcome
    return outcome


def rejected(reading: RawReading, policy: ValidationPolicy = DEFAULT_POLICY) -> Quarantined:
    outcome = validate_reading(reading, NOW, policy)
    assert isinstance(outcome, Quarantined), outcome
    return outcome


# --- units and conversions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("reading", "quantity", "value", "unit"),
    [
        (raw("pm2_5", 12.3, "ug/m3"), Quantity.PM2_5, 12.3, "ug/m3"),
        (raw("pm10", 12.3, "µg/m³"), Quantity.PM10, 12.3, "ug/m3"),
        (raw("pm10", 0.0123, "mg/m3"), Quantity.PM10, 12.3, "ug/m3"),
        (raw("pressure", 102935.99, "Pa"), Quantity.PRESSURE, 1029.3599, "hPa"),
        (raw("pressure", 1013.25, "hPa"), Quantity.PRESSURE, 1013.25, "hPa"),
        (raw("pressure", 1013.25, "mbar"), Quantity.PRESSURE, 1013.25, "hPa"),
        (raw("temperature", 293.15, "K"), Quantity.TEMPERATURE, 20.0, "degC"),
        (raw("temperature", 68, "°F"), Quantity.TEMPERATURE, 20.0, "degC"),
        (raw("temperature", -3.5, "°C"), Quantity.TEMPERATURE, -3.5, "degC"),
        (raw("humidity", 99.9, "%"), Quantity.HUMIDITY, 99.9, "%"),
        (raw("noise", 55.2, "dB(A)"), Quantity.NOISE, 55.2, "dBA"),
        (raw("co2", 420, "ppm"), Quantity.CO2, 420, "ppm"),
        (raw("no2", 10, "ppb"), Quantity.NO2, 10 * 46.005 / 24.055, "ug/m3"),
        (raw("co", 1, "ppm"), Quantity.CO, 28.01 / 24.055, "mg/m3"),
    ],
)
def test_accepted_readings_come_out_in_canonical_units(reading, quantity, value, unit):
    result = accepted(reading)
    assert result.quantity is quantity
    assert result.value == pytest.approx(value, rel=1e-4)
    assert result.unit == unit
    assert result.time == NOW


def test_ppb_factors_use_the_eu_reference_conditions():
    # 293 K and 101.3 kPa: 1 ppb NO2 = 1.91 µg/m³, O3 = 2.00, SO2 = 2.66.
    assert ppb_to_ug_m3_factor(Quantity.NO2) == pytest.approx(1.9125, abs=1e-3)
    assert ppb_to_ug_m3_factor(Quantity.O3) == pytest.approx(1.9953, abs=1e-3)
    assert ppb_to_ug_m3_factor(Quantity.SO2) == pytest.approx(2.6633, abs=1e-3)


def test_unit_spellings_normalise():
    assert normalise_unit("µg/m³") == normalise_unit("μg/m3") == normalise_unit(" UG/M3 ") == "ug/m3"
    assert normalise_unit("°C") == "degC"
    assert normalise_unit("furlongs") is None
    assert normalise_unit("x" * 500) is None


def test_unknown_quantity_and_unit():
    assert rejected(raw("pm25", 1, "ug/m3")).reason.code is ReasonCode.UNKNOWN_QUANTITY
    unknown_unit = rejected(raw("pm2_5", 1, "grains"))
    assert unknown_unit.reason.code is ReasonCode.UNKNOWN_UNIT
    assert "grains" in unknown_unit.reason.message


def test_a_unit_of_another_quantity_is_a_wrong_unit():
    outcome = rejected(raw("pm2_5", 12, "hPa"))
    assert outcome.reason.code is ReasonCode.INCOMPATIBLE_UNIT
    assert "ug/m3" in outcome.reason.message
    assert rejected(raw("noise", 55, "dB")).reason.code is ReasonCode.INCOMPATIBLE_UNIT


# --- physically impossible values -------------------------------------------------------


@pytest.mark.parametrize(
    ("reading", "code"),
    [
        (raw("pm10", -0.1, "ug/m3"), ReasonCode.BELOW_MINIMUM),
        (raw("pm2_5", -3, "ug/m3"), ReasonCode.BELOW_MINIMUM),
        (raw("pm2_5", 1999.9, "ug/m3"), ReasonCode.ABOVE_MAXIMUM),
        (raw("humidity", 100.1, "%"), ReasonCode.ABOVE_MAXIMUM),
        (raw("humidity", -1, "%"), ReasonCode.BELOW_MINIMUM),
        (raw("temperature", -60.5, "degC"), ReasonCode.BELOW_MINIMUM),
        (raw("temperature", 70.5, "degC"), ReasonCode.ABOVE_MAXIMUM),
        (raw("co2", 100, "ppm"), ReasonCode.BELOW_MINIMUM),
        (raw("noise", 150, "dBA"), ReasonCode.ABOVE_MAXIMUM),
        (raw("no2", -1, "ug/m3"), ReasonCode.BELOW_MINIMUM),
    ],
)
def test_physically_impossible_values_are_quarantined(reading, code):
    outcome = rejected(reading)
    assert outcome.reason.code is code
    assert outcome.raw is reading


@pytest.mark.parametrize(
    ("quantity", "unit"),
    [("humidity", "%"), ("temperature", "degC"), ("pm10", "ug/m3"), ("pressure", "hPa"), ("co2", "ppm")],
)
def test_range_edges_are_inclusive(quantity, unit):
    spec = QUANTITY_SPECS[Quantity(quantity)]
    assert accepted(raw(quantity, spec.minimum, unit)).value == spec.minimum
    assert accepted(raw(quantity, spec.maximum, unit)).value == spec.maximum
    assert rejected(raw(quantity, math.nextafter(spec.maximum, math.inf), unit))
    assert rejected(raw(quantity, math.nextafter(spec.minimum, -math.inf), unit))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_quarantined(value):
    assert rejected(raw("pm10", value, "ug/m3")).reason.code is ReasonCode.NOT_A_NUMBER


def test_booleans_are_not_numbers():
    assert rejected(raw("pm10", True, "ug/m3")).reason.code is ReasonCode.NOT_A_NUMBER


def test_pressure_in_hpa_labelled_pa_is_flagged_as_a_likely_wrong_unit():
    outcome = rejected(raw("pressure", 1013.2, "Pa"))
    assert outcome.reason.code is ReasonCode.LIKELY_WRONG_UNIT
    assert outcome.reason.params["likely_unit"] == "hPa"
    assert "wrong unit" in outcome.reason.message


def test_pressure_in_pa_labelled_hpa_is_flagged_as_a_likely_wrong_unit():
    outcome = rejected(raw("pressure", 101325, "hPa"))
    assert outcome.reason.code is ReasonCode.LIKELY_WRONG_UNIT
    assert outcome.reason.params["likely_unit"] == "Pa"


def test_kelvin_labelled_celsius_is_flagged():
    assert rejected(raw("temperature", 293.15, "degC")).reason.code is ReasonCode.LIKELY_WRONG_UNIT


def test_a_value_impossible_in_every_unit_is_just_out_of_range():
    assert rejected(raw("pressure", 5, "hPa")).reason.code is ReasonCode.BELOW_MINIMUM


# --- time -------------------------------------------------------------------------------


def test_clock_skew_into_the_future():
    assert accepted(raw("pm10", 1, "ug/m3", NOW + timedelta(minutes=4)))
    outcome = rejected(raw("pm10", 1, "ug/m3", NOW + timedelta(hours=3)))
    assert outcome.reason.code is ReasonCode.TIME_IN_FUTURE
    assert "3 h" in outcome.reason.message


def test_readings_too_old_unless_the_policy_accepts_any_age():
    old = raw("pm10", 1, "ug/m3", datetime(1970, 1, 1, tzinfo=UTC))
    assert rejected(old).reason.code is ReasonCode.TIME_TOO_OLD
    assert accepted(old, ValidationPolicy(max_age=None)).time.year == 1970
    assert accepted(raw("pm10", 1, "ug/m3", NOW - timedelta(days=6)))


def test_naive_times_are_quarantined_and_offsets_normalised_to_utc():
    assert rejected(raw("pm10", 1, "ug/m3", datetime(2026, 11, 25, 10))).reason.code is ReasonCode.NAIVE_TIME
    local = datetime(2026, 11, 25, 12, tzinfo=timezone(timedelta(hours=2)))
    assert accepted(raw("pm10", 1, "ug/m3", local)).time == NOW


def test_times_that_overflow_in_utc_are_quarantined_not_raised():
    edge = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    assert rejected(raw("pm10", 1, "ug/m3", edge)).reason.code is ReasonCode.INVALID_TIME


def test_now_must_be_aware():
    with pytest.raises(ValueError):
        validate_reading(raw("pm10", 1, "ug/m3"), datetime(2026, 11, 25))


def test_all_problems_are_reported_with_the_first_as_main_reason():
    outcome = rejected(raw("pm10", -5, "ug/m3", NOW + timedelta(days=1)))
    assert [r.code for r in outcome.reasons] == [ReasonCode.BELOW_MINIMUM, ReasonCode.TIME_IN_FUTURE]


def test_every_reason_has_a_message_template_with_its_params():
    for code in ReasonCode:
        outcome_params = {
            "quantity": "pm10",
            "unit": "x",
            "expected": "y",
            "value": "1",
            "minimum": "0",
            "maximum": "1",
            "declared_unit": "Pa",
            "likely_unit": "hPa",
            "time": "t",
            "skew": "1 h",
            "allowed": "5 min",
            "age": "8 d",
        }
        assert QuarantineReason(code, outcome_params).message


# --- batches ----------------------------------------------------------------------------

good = st.builds(
    raw,
    quantity=st.just("pm2_5"),
    value=st.floats(min_value=0, max_value=1000),
    unit=st.sampled_from(["ug/m3", "µg/m³"]),
)
bad = st.one_of(
    st.builds(raw, quantity=st.just("pm2_5"), value=st.floats(max_value=-0.001), unit=st.just("ug/m3")),
    st.builds(
        raw,
        quantity=st.text(max_size=8).filter(lambda q: q not in set(Quantity)),
        value=st.floats(),
        unit=st.text(max_size=8),
    ),
    st.builds(
        raw,
        quantity=st.just("humidity"),
        value=st.one_of(st.floats(min_value=100.01), st.just(math.nan)),
        unit=st.just("%"),
    ),
)


@given(st.lists(st.tuples(st.booleans(), good, bad), max_size=30))
def test_a_bad_reading_never_drops_a_good_one(mix):
    batch = [g if use_good else b for use_good, g, b in mix]
    result = validate_batch(batch, NOW)
    assert len(result.outcomes) == len(batch)
    for reading, outcome in zip(batch, result.outcomes, strict=True):
        if reading.quantity == "pm2_5" and reading.value >= 0:
            assert isinstance(outcome, Reading)
            assert outcome.value == reading.value
        else:
            assert isinstance(outcome, Quarantined)
            assert outcome.raw is reading
    assert len(result.accepted) + len(result.quarantined) == len(batch)
