"""The one clock of ClosetAds.

All code reads the time from ``now()``. In production it is the system clock in UTC. The
marketplace simulator and the tests set it (``set_now``, ``advance``, ``frozen``) so that a
simulated week runs in minutes. The override is process-wide on purpose: the simulator runs
the platform's services in-process and they must all agree on the time.
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

UTC = dt.UTC
_lock = threading.Lock()
_override: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    override = _override
    if override is not None:
        return override
    return dt.datetime.now(UTC)


def set_now(moment: dt.datetime) -> None:
    """Pin the clock to ``moment`` (aware) until ``reset()``."""
    global _override
    if moment.tzinfo is None:
        raise ValueError("clock.set_now needs an aware datetime")
    with _lock:
        _override = moment.astimezone(UTC)


def advance(delta: dt.timedelta) -> dt.datetime:
    """Move a pinned clock forward by ``delta``; pins it at the real time first if needed."""
    global _override
    with _lock:
        base = _override if _override is not None else dt.datetime.now(UTC)
        _override = base + delta
        return _override


def reset() -> None:
    """Back to the system clock."""
    global _override
    with _lock:
        _override = None


def is_pinned() -> bool:
    return _override is not None


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    """Pin the clock for the duration of a ``with`` block, then restore what was there."""
    global _override
    previous = _override
    set_now(moment)
    try:
        yield
    finally:
        with _lock:
            _override = previous


def marketplace_tz() -> zoneinfo.ZoneInfo:
    """The marketplace time zone (``CLOSETADS_TIMEZONE``), in which budget weeks run."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_now() -> dt.datetime:
    """``now()`` in the marketplace time zone."""
    return now().astimezone(marketplace_tz())
