import pytest

from strategy.kpi_status import KpiFacts, Track, track


def facts(**overrides: object) -> KpiFacts:
    base = {"baseline_value": 10.0, "baseline_year": 2020, "target_value": 30.0, "target_year": 2030,
                "lower_is_better": False, "latest_value": 20.0, "latest_year_fraction": 2025.0}
    base.update(overrides)
    return KpiFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("latest", "expected"), [
    (20.0, Track.ON_TRACK),   # exactly on the line: half way at half time
    (19.0, Track.ON_TRACK),   # 90 % of the expected gain
    (16.5, Track.AT_RISK),    # 65 %
    (12.0, Track.OFF_TRACK),  # 20 %
    (30.0, Track.ACHIEVED),
    (8.0, Track.OFF_TRACK),   # going the wrong way
])
def test_higher_is_better(latest: float, expected: Track) -> None:
    assert track(facts(latest_value=latest)) == expected


def test_lower_is_better_mirrors() -> None:
    f = facts(baseline_value=22.0, target_value=10.0, latest_value=16.0, lower_is_better=True)
    assert track(f) == Track.ON_TRACK
    assert track(facts(baseline_value=22.0, target_value=10.0, latest_value=23.0, lower_is_better=True)) \
        == Track.OFF_TRACK


def test_without_target_or_data() -> None:
    assert track(facts(target_value=None)) == Track.NO_TARGET
    assert track(facts(latest_value=None, latest_year_fraction=None)) == Track.NO_DATA
