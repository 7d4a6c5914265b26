"""Tests for event phases and velocity."""

import pytest

from yuqing.analysis.trend import phase, smooth, velocity
from yuqing.vocab import PHASES


def test_a_first_item_is_emerging():
    assert phase([1]) == "emerging"


def test_a_rising_series_is_emerging():
    assert phase([0, 1, 1, 2, 4, 7, 12]) == "emerging"


def test_a_series_at_its_top_but_no_longer_rising_is_peak():
    assert phase([1, 3, 8, 12, 13, 12, 12]) == "peak"


def test_a_series_well_below_its_top_is_declining():
    assert phase([2, 8, 15, 14, 9, 5, 3, 2, 2]) == "declining"


def test_twelve_quiet_hours_mean_subsided():
    assert phase([3, 10, 6, 2] + [0] * 12) == "subsided"


def test_a_trickle_long_after_the_peak_is_subsided():
    assert phase([5, 20, 30, 10, 4] + [0, 1] * 8) == "subsided"


def test_a_trickle_soon_after_the_peak_is_still_declining():
    assert phase([5, 20, 30, 10, 4, 1, 1, 0]) == "declining"


def test_now_index_ignores_later_hours():
    series = [1, 3, 8, 12, 20, 9, 3, 1]
    assert phase(series, now_index=4) == "emerging"
    assert phase(series, now_index=7) == "declining"


def test_now_index_past_the_end_counts_missing_hours_as_zero():
    assert phase([4, 8, 4], now_index=20) == "subsided"


@pytest.mark.parametrize("series", [[], [0, 0, 0], [-3, 2], [10**9]])
def test_phase_always_answers_with_a_known_phase(series):
    assert phase(series) in PHASES


def test_a_new_burst_after_a_quiet_spell_emerges_again():
    assert phase([10, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 5, 12]) == "emerging"


def test_smooth_is_a_trailing_three_hour_mean():
    assert smooth([3, 0, 3, 6]) == [3.0, 1.5, 2.0, 3.0]


def test_velocity_compares_last_hour_with_previous_twelve():
    assert velocity([3] * 12 + [6]) == pytest.approx(2.0)
    assert velocity([0] * 12 + [6]) == pytest.approx(6.0)  # floor of one item an hour
    assert velocity([10] * 12 + [5]) == pytest.approx(0.5)
    assert velocity([]) == 0.0
    assert velocity([5]) == 5.0
    assert velocity([100] * 30 + [2] * 12 + [4]) == pytest.approx(2.0)  # only the previous 12 hours count
