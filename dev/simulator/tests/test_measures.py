import datetime as dt

import pytest

from dev.simulator.measures import holdout_lift, period_measure
from dev.simulator.traffic import hour_of_week_weights, ideal_share

MONDAY = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)


def uniform(hours: float) -> float:
    return min(1.0, hours / 168)


def test_spending_exactly_on_the_ideal_curve_has_no_pacing_error():
    charges = [(MONDAY + dt.timedelta(hours=h, minutes=30), 1_000_000) for h in range(168)]
    measure = period_measure(168_000_000, MONDAY, 168, charges, uniform, None, 100_000)
    assert measure.utilisation == 1.0
    assert measure.overspend_micros == 0
    assert measure.pacing_error == pytest.approx(0.0, abs=1e-9)
    assert not measure.exhausted_early


def test_spending_everything_on_monday_morning_is_early_exhaustion_with_large_error():
    charges = [(MONDAY + dt.timedelta(hours=1), 50_000_000)]
    measure = period_measure(50_000_000, MONDAY, 168, charges, uniform, None, 100_000)
    assert measure.exhausted_early
    assert measure.pacing_error > 0.45


def test_overspend_is_reported():
    measure = period_measure(10_000_000, MONDAY, 24, [(MONDAY, 12_000_000)], uniform, None, 100_000)
    assert measure.overspend_micros == 2_000_000


def test_the_traffic_profile_is_a_distribution_over_the_week():
    weights = hour_of_week_weights()
    assert len(weights) == 168
    assert weights.sum() == pytest.approx(1.0)
    assert ideal_share(0) == 0 and ideal_share(168) == pytest.approx(1.0)
    assert ideal_share(84) < 0.5  # weekends are busier than weekdays


def test_holdout_lift_finds_a_known_lift_with_an_interval_around_it():
    import numpy as np

    rng = np.random.default_rng(3)
    holdout = rng.exponential(10, 20_000)
    exposed = rng.exponential(13, 20_000)
    lift = holdout_lift(exposed, holdout)
    assert lift.low < 0.3 < lift.high
    assert lift.high - lift.low < 0.1
