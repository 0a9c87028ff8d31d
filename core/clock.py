"""The one clock of ClosetAds.

All code reads the time from ``now()``. In production it is the system clock in UTC. The
marketplace simulator and the tests set it (``set_now``, ``advance``, ``frozen``) so that a
simulated week runs in minutes. That override is process-wide on purpose: the simulator runs
the platform's services in-process and they must all agree on the time.

A second, narrower layer pins the clock for the current thread (context) only: ``pinned``.
A server driven by ``simulate --http`` uses it (``core.simulated_clock``): each request
and each Celery task reads the simulated time stored in the database and pins it for its own
duration, so threads of one process (runserver serves each request in its own thread) never
see one another's pins. A context pin wins over the process-wide override.
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from django.conf import settings

from core import state

UTC = dt.UTC
_lock = threading.Lock()
_override: dt.datetime | None = None
# The pin of the current thread / context (None: not pinned here). New threads start unpinned.
_context_pin: ContextVar[dt.datetime | None] = ContextVar("closetads_clock_pin", default=None)


def now() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    pin = _context_pin.get()
    if pin is not None:
        return pin
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


state.register("clock", reset)


def is_pinned() -> bool:
    return _context_pin.get() is not None or _override is not None


def pin_context(moment: dt.datetime | None) -> Token[dt.datetime | None]:
    """Pin the clock to ``moment`` for the current thread (context) only; ``None`` pins
    nothing (the process-wide override or the system clock answer). Undo with
    ``unpin_context(token)`` in the same thread; ``pinned`` is the ``with`` form."""
    if moment is not None:
        if moment.tzinfo is None:
            raise ValueError("clock.pin_context needs an aware datetime")
        moment = moment.astimezone(UTC)
    return _context_pin.set(moment)


def unpin_context(token: Token[dt.datetime | None]) -> None:
    """Restore the current thread's pin from before ``pin_context`` returned ``token``."""
    _context_pin.reset(token)


@contextmanager
def pinned(moment: dt.datetime | None) -> Iterator[None]:
    """Pin the clock to ``moment`` for this thread (context) for a ``with`` block."""
    token = pin_context(moment)
    try:
        yield
    finally:
        unpin_context(token)


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
