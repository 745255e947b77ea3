"""EAQI bands, levels, colours and the index for a concentration / station / series."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from environment.airquality import aqi, bands
from environment.airquality.bands import EAQI_2024, EAQI_SUPERSEDED, Averaging, Level
from environment.airquality.quantities import Quantity

ALL_SCALES = [EAQI_2024, EAQI_SUPERSEDED]
CURRENT_EDGES = {
    Quantity.PM2_5: (5, 15, 50, 90, 140),
    Quantity.PM10: (15, 45, 120, 195, 270),
    Quantity.NO2: (10, 25, 60, 100, 150),
    Quantity.O3: (60, 100, 120, 160, 180),
    Quantity.SO2: (20, 40, 125, 190, 275),
}


def test_current_scale_is_the_2024_revision_with_the_published_edges():
    assert bands.CURRENT_SCALE is EAQI_2024
    assert not EAQI_2024.superseded
    assert {b.quantity: b.upper_bounds for b in EAQI_2024.pollutants} == CURRENT_EDGES
    assert all(b.averaging is Averaging.HOURLY for b in EAQI_2024.pollutants)
    assert any("airindex.eea.europa.eu" in source for source in EAQI_2024.sources)


def test_superseded_scale_keeps_pm_as_24_hour_running_means():
    assert EAQI_SUPERSEDED.superseded
    assert EAQI_SUPERSEDED.bands_for("pm2_5").averaging is Averaging.RUNNING_24H
    assert EAQI_SUPERSEDED.bands_for("pm10").averaging is Averaging.RUNNING_24H
    assert EAQI_SUPERSEDED.bands_for("no2").averaging is Averaging.HOURLY


@pytest.mark.parametrize("scale", ALL_SCALES, ids=lambda s: s.code)
def test_every_band_edge_is_inclusive_and_the_next_value_up_moves_a_level(scale):
    for pollutant_bands in scale.pollutants:
        for index, edge in enumerate(pollutant_bands.upper_bounds):
            at_edge = Level(index + 1)
            assert pollutant_bands.level_of(edge) is at_edge, (pollutant_bands.quantity, edge)
            assert pollutant_bands.level_of(math.nextafter(edge, math.inf)) is Level(index + 2)
            assert pollutant_bands.level_of(math.nextafter(edge, 0)) is at_edge


@pytest.mark.parametrize("scale", ALL_SCALES, ids=lambda s: s.code)
def test_zero_is_good_and_anything_above_the_last_edge_is_extremely_poor(scale):
    for pollutant_bands in scale.pollutants:
        assert pollutant_bands.level_of(0) is Level.GOOD
        assert pollutant_bands.level_of(pollutant_bands.upper_bounds[-1] + 0.001) is Level.EXTREMELY_POOR
        assert pollutant_bands.level_of(1e9) is Level.EXTREMELY_POOR


@pytest.mark.parametrize("bad", [-0.001, -5, math.nan, math.inf, -math.inf])
def test_impossible_concentrations_are_refused_not_classified(bad):
    with pytest.raises(ValueError, match="finite number >= 0"):
        aqi.sub_index(Quantity.PM2_5, bad)


def test_known_values_from_the_published_table():
    assert aqi.sub_index("pm2_5", 4.9) is Level.GOOD
    assert aqi.sub_index("pm2_5", 12) is Level.FAIR
    assert aqi.sub_index("pm10", 50) is Level.MODERATE
    assert aqi.sub_index("no2", 101) is Level.VERY_POOR
    assert aqi.sub_index("o3", 181) is Level.EXTREMELY_POOR
    assert aqi.sub_index("so2", 125) is Level.MODERATE


def test_range_of_matches_the_edges():
    pm25 = EAQI_2024.bands_for(Quantity.PM2_5)
    assert pm25.range_of(Level.GOOD) == (0.0, 5)
    assert pm25.range_of(Level.POOR) == (50, 90)
    assert pm25.range_of(Level.EXTREMELY_POOR) == (140, None)


def test_malformed_band_tables_are_refused():
    with pytest.raises(ValueError):
        bands.PollutantBands(Quantity.PM10, Averaging.HOURLY, (10, 5, 20, 30, 40))
    with pytest.raises(ValueError):
        bands.PollutantBands(Quantity.PM10, Averaging.HOURLY, (0, 5, 20, 30, 40))


def test_unknown_pollutant_has_no_bands():
    with pytest.raises(KeyError):
        EAQI_2024.bands_for(Quantity.CO)


@given(
    quantity=st.sampled_from(list(CURRENT_EDGES)),
    low=st.floats(min_value=0, max_value=5000, allow_nan=False),
    high=st.floats(min_value=0, max_value=5000, allow_nan=False),
)
def test_index_is_monotonic_in_concentration(quantity, low, high):
    low, high = sorted((low, high))
    for scale in ALL_SCALES:
        assert aqi.sub_index(quantity, low, scale) <= aqi.sub_index(quantity, high, scale)


# --- colours and labels ---------------------------------------------------------------


def test_every_level_has_a_style_with_wcag_aa_text_contrast():
    assert set(bands.LEVEL_STYLES) == set(Level)
    for style in bands.LEVEL_STYLES.values():
        assert style.text_contrast >= 4.5, style
        assert style.text_colour in (bands.BLACK, bands.WHITE)
        assert style.colour.startswith("#") and len(style.colour) == 7


def test_codes_and_labels_are_unique_and_stable():
    codes = [s.code for s in bands.LEVEL_STYLES.values()]
    labels = [s.label for s in bands.LEVEL_STYLES.values()]
    assert codes == ["good", "fair", "moderate", "poor", "very_poor", "extremely_poor"]
    assert labels == ["Good", "Fair", "Moderate", "Poor", "Very poor", "Extremely poor"]


def test_dark_levels_get_white_text_and_light_levels_black():
    assert bands.style_for(Level.GOOD).text_colour == bands.BLACK
    assert bands.style_for(Level.VERY_POOR).text_colour == bands.WHITE
    assert bands.style_for(6).text_colour == bands.WHITE


def test_contrast_ratio_reference_values():
    assert bands.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert bands.contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    with pytest.raises(ValueError):
        bands.relative_luminance("red")


# --- station index ---------------------------------------------------------------------


def test_station_index_is_the_worst_sub_index_and_names_its_driver():
    index = aqi.station_index({Quantity.PM2_5: 12, Quantity.PM10: 50, Quantity.NO2: 12})
    assert index.level is Level.MODERATE
    assert index.driver is Quantity.PM10
    assert index.drivers == (Quantity.PM10,)
    assert index.sub_indices == {Quantity.PM2_5: Level.FAIR, Quantity.PM10: Level.MODERATE, Quantity.NO2: Level.FAIR}
    assert index.missing == (Quantity.O3, Quantity.SO2)
    assert not index.complete
    assert index.style.code == "moderate"


def test_station_index_reports_every_pollutant_in_a_tie_in_scale_order():
    index = aqi.station_index({"no2": 70, "pm2_5": 60, "o3": 10, "so2": 1, "pm10": 1})
    assert index.level is Level.POOR
    assert index.drivers == (Quantity.PM2_5, Quantity.NO2)
    assert index.complete


def test_station_index_ignores_other_quantities_and_needs_one_pollutant():
    assert aqi.station_index({"temperature": 30, "pm10": 1}).level is Level.GOOD
    with pytest.raises(ValueError, match="no concentration"):
        aqi.station_index({"temperature": 30})


concentration = st.one_of(st.none(), st.floats(min_value=0, max_value=2000, allow_nan=False))


@given(st.lists(st.tuples(concentration, concentration, concentration), min_size=1, max_size=48))
def test_series_agrees_with_station_index_hour_by_hour(hours):
    series = {
        Quantity.PM2_5: [h[0] for h in hours],
        Quantity.PM10: [h[1] for h in hours],
        Quantity.NO2: [h[2] for h in hours],
    }
    levels, drivers = aqi.station_index_series(series)
    for hour, _values in enumerate(hours):
        present = {q: series[q][hour] for q in series if series[q][hour] is not None}
        if not present:
            assert (levels[hour], drivers[hour]) == (None, None)
            continue
        index = aqi.station_index(present)
        assert levels[hour] == index.level
        assert drivers[hour] == index.driver


def test_series_lengths_must_match_and_values_must_be_valid():
    with pytest.raises(ValueError, match="lengths differ"):
        aqi.station_index_series({Quantity.PM10: [1.0], Quantity.PM2_5: [1.0, 2.0]})
    with pytest.raises(ValueError):
        aqi.sub_index_series(Quantity.PM10, [1.0, -1.0])


# --- running means ---------------------------------------------------------------------


def test_running_mean_needs_18_of_24_values():
    values: list[float | None] = [10.0] * 17 + [None] * 7
    assert aqi.running_means(values)[-1] is None
    values[17] = 10.0
    assert aqi.running_means(values)[-1] == pytest.approx(10.0)


def test_running_mean_window_slides():
    means = aqi.running_means([1.0, 2.0, 3.0, 4.0], window=2, min_values=2)
    assert means == [None, 1.5, 2.5, 3.5]
    with pytest.raises(ValueError):
        aqi.running_means([1.0], window=2, min_values=3)


@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1000)), max_size=80))
def test_running_mean_equals_a_direct_average(values):
    result = aqi.running_means(values, window=24, min_values=18)
    for i, mean in enumerate(result):
        window = [v for v in values[max(0, i - 23) : i + 1] if v is not None]
        if len(window) >= 18:
            assert mean == pytest.approx(sum(window) / len(window), rel=1e-9, abs=1e-9)
        else:
            assert mean is None
