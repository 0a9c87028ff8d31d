import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from campaigns.budget import prorated_budget, week_bounds

ZONES = ["UTC", "America/New_York", "Europe/Paris", "Australia/Sydney", "America/Santiago", "Asia/Kolkata"]
moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1),
                       timezones=st.just(dt.UTC))


@given(moments, st.sampled_from(ZONES))
def test_a_week_contains_its_moment_and_starts_on_monday_midnight(moment, zone):
    tz = ZoneInfo(zone)
    start, end = week_bounds(moment, tz)
    assert start <= moment < end
    local_start = start.astimezone(tz)
    assert local_start.weekday() == 0
    assert (local_start.hour, local_start.minute) in {(0, 0), (1, 0)}  # 01:00 only where midnight is skipped
    hours = (end - start).total_seconds() / 3600
    assert hours in {167, 168, 169}


@given(moments, st.sampled_from(ZONES))
def test_consecutive_weeks_tile_without_gap_or_overlap(moment, zone):
    tz = ZoneInfo(zone)
    start, end = week_bounds(moment, tz)
    next_start, _ = week_bounds(end, tz)
    assert next_start == end
    assert week_bounds(end - dt.timedelta(microseconds=1), tz) == (start, end)


def test_dst_weeks_in_new_york_are_167_and_169_hours():
    tz = ZoneInfo("America/New_York")
    spring = week_bounds(dt.datetime(2026, 3, 5, tzinfo=dt.UTC), tz)  # clocks go forward Sun 8 March
    autumn = week_bounds(dt.datetime(2026, 10, 29, tzinfo=dt.UTC), tz)  # and back Sun 1 November
    assert (spring[1] - spring[0]) == dt.timedelta(hours=167)
    assert (autumn[1] - autumn[0]) == dt.timedelta(hours=169)
    assert spring[0] == dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)  # Monday 00:00 EST
    assert spring[1] == dt.datetime(2026, 3, 9, 4, 0, tzinfo=dt.UTC)  # Monday 00:00 EDT


@given(st.integers(1, 10**11), moments, st.sampled_from(ZONES))
def test_prorated_budget_never_exceeds_the_weekly_budget_and_is_whole_cents(weekly, moment, zone):
    start, end = week_bounds(moment, ZoneInfo(zone))
    amount = prorated_budget(weekly, moment, start, end)
    assert 0 <= amount <= weekly
    assert amount % 10_000 == 0


def test_launching_at_mid_week_gets_half_the_budget():
    start, end = week_bounds(dt.datetime(2026, 11, 30, tzinfo=dt.UTC), ZoneInfo("UTC"))
    assert prorated_budget(70_000_000, start + (end - start) / 2, start, end) == 35_000_000
    assert prorated_budget(70_000_000, start, start, end) == 70_000_000
    assert prorated_budget(70_000_000, end, start, end) == 0
