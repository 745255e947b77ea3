"""Whether a KPI is on track (pure; no Django).

The expected value moves linearly from the baseline (baseline year) to the target (target
year). The KPI is on track when its latest value has covered at least 90 % of the distance
expected by its date, at risk from 60 %, off track below that. Without a target, or without a
measurement, there is nothing to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

ON_TRACK_SHARE = 0.9
AT_RISK_SHARE = 0.6


class Track(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    ACHIEVED = "achieved"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class KpiFacts:
    baseline_value: float | None
    baseline_year: int | None
    target_value: float | None
    target_year: int | None
    lower_is_better: bool
    latest_value: float | None
    latest_year_fraction: float | None  # e.g. 2024.5 for 1 July 2024


def track(facts: KpiFacts) -> Track:
    if facts.target_value is None or facts.target_year is None:
        return Track.NO_TARGET
    if facts.latest_value is None or facts.latest_year_fraction is None:
        return Track.NO_DATA
    sign = -1.0 if facts.lower_is_better else 1.0
    if sign * (facts.latest_value - facts.target_value) >= 0:
        return Track.ACHIEVED
    if facts.baseline_value is None or facts.baseline_year is None:
        return Track.NO_DATA
    span_years = facts.target_year - facts.baseline_year
    distance = sign * (facts.target_value - facts.baseline_value)
    if span_years <= 0 or distance <= 0:
        # Target not beyond baseline: judge only by whether it is reached (it is not, see above).
        return Track.OFF_TRACK
    elapsed = min(max((facts.latest_year_fraction - facts.baseline_year) / span_years, 0.0), 1.0)
    expected_gain = distance * elapsed
    actual_gain = sign * (facts.latest_value - facts.baseline_value)
    if expected_gain <= 0:
        return Track.ON_TRACK if actual_gain >= 0 else Track.AT_RISK
    share = actual_gain / expected_gain
    if share >= ON_TRACK_SHARE:
        return Track.ON_TRACK
    if share >= AT_RISK_SHARE:
        return Track.AT_RISK
    return Track.OFF_TRACK
