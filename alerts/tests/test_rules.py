"""The alert rules as plain functions."""

import datetime as dt

from alerts import rules
from alerts.rules import WeekReturn

END = dt.datetime(2026, 12, 21, tzinfo=dt.UTC)


def test_a_budget_spent_on_sunday_evening_is_early_but_not_in_the_last_hour():
    assert rules.spent_early(END - dt.timedelta(hours=5), END)
    assert rules.spent_early(END - dt.timedelta(days=3), END)
    assert not rules.spent_early(END - dt.timedelta(minutes=30), END)


def test_low_return_is_under_half_the_median_of_the_earlier_weeks():
    earlier = [WeekReturn(10_000_000, 40_000_000), WeekReturn(10_000_000, 30_000_000),
               WeekReturn(10_000_000, 50_000_000)]  # 4x, 3x, 5x: median 4x
    low = rules.low_return(WeekReturn(10_000_000, 19_000_000), earlier)
    assert low is not None and low.usual_roas == 4.0 and low.weeks == 3
    assert rules.low_return(WeekReturn(10_000_000, 20_000_000), earlier) is None  # exactly half: not "well below"


def test_low_return_needs_enough_spend_and_two_earlier_weeks_that_spent():
    earlier = [WeekReturn(10_000_000, 40_000_000), WeekReturn(1_000_000, 9_000_000)]
    assert rules.low_return(WeekReturn(10_000_000, 0), earlier) is None  # one earlier week counts
    earlier.append(WeekReturn(10_000_000, 40_000_000))
    assert rules.low_return(WeekReturn(10_000_000, 0), earlier) is not None
    assert rules.low_return(WeekReturn(4_000_000, 0), earlier) is None  # last week spent too little


def test_only_the_four_previous_weeks_count():
    recent = [WeekReturn(10_000_000, 10_000_000)] * 4  # 1x lately
    old = [WeekReturn(10_000_000, 90_000_000)] * 4  # 9x long ago
    assert rules.low_return(WeekReturn(10_000_000, 6_000_000), recent + old) is None
