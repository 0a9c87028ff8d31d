"""Date ranges of the seller pages (pure functions)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from analytics.metrics import Kpis, change
from analytics.ranges import MAX_DAYS, DayRange, RangeError, parse_range

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = dt.date(2026, 12, 16)


@given(start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)), length=st.integers(1, MAX_DAYS))
def test_a_valid_custom_range_parses_and_its_previous_period_has_the_same_length(start, length):
    end = start + dt.timedelta(days=length - 1)
    days = parse_range({"start": start.isoformat(), "end": end.isoformat()}, today=TODAY, tz=PARIS)
    assert (days.start, days.end, days.days) == (start, end, length)
    previous = days.previous()
    assert previous.days == length and previous.end + dt.timedelta(days=1) == start
    lo, hi = days.utc_bounds()
    # Local midnights: the span is whole days give or take the DST hour.
    assert abs((hi - lo) - dt.timedelta(days=length)) <= dt.timedelta(hours=1)


@given(length=st.integers(MAX_DAYS + 1, 5000))
def test_a_range_over_two_years_is_refused(length):
    start = dt.date(2020, 1, 1)
    end = start + dt.timedelta(days=length - 1)
    try:
        parse_range({"start": start.isoformat(), "end": end.isoformat()}, today=TODAY, tz=PARIS)
    except RangeError as exc:
        assert exc.field == "end"
    else:
        raise AssertionError("accepted a range over two years")


def test_presets_end_today_and_the_default_is_30_days():
    assert parse_range({"range": "7"}, today=TODAY, tz=PARIS) == DayRange(dt.date(2026, 12, 10), TODAY, PARIS, 7)
    assert parse_range({}, today=TODAY, tz=PARIS).days == 30


def test_a_local_day_starts_at_local_midnight_in_utc():
    lo, hi = DayRange(TODAY, TODAY, PARIS).utc_bounds()
    assert lo == dt.datetime(2026, 12, 15, 23, tzinfo=dt.UTC)
    assert hi == dt.datetime(2026, 12, 16, 23, tzinfo=dt.UTC)


def test_ratios_with_nothing_to_divide_by_are_none_not_zero():
    empty = Kpis.of({})
    assert (empty.ctr, empty.cpc_micros, empty.roas) == (None, None, None)
    assert change(5, 0) is None and change(None, 3) is None
    assert change(15, 10) == 0.5
