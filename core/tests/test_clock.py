import datetime as dt

import pytest

from core import clock


def test_now_is_aware_utc():
    assert clock.now().tzinfo is not None
    assert clock.now().utcoffset() == dt.timedelta(0)


def test_set_advance_and_reset():
    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    clock.set_now(moment)
    assert clock.now() == moment
    assert clock.advance(dt.timedelta(hours=2)) == moment + dt.timedelta(hours=2)
    clock.reset()
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_frozen_restores_the_previous_override():
    outer = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    clock.set_now(outer)
    with clock.frozen(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)):
        assert clock.now().year == 2030
    assert clock.now() == outer


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        clock.set_now(dt.datetime(2026, 1, 1))
