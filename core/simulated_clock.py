"""A server that follows the simulated time stored in the database (``simulate --http``).

The simulator drives a running server over HTTP, but that server's web and Celery processes
read ``core.clock`` in their own processes. With ``CLOSETADS_SIMULATED_CLOCK=1``
(development and demo servers only: the settings refuse it in production) each of them pins
its clock, for the duration of one request, one Celery task or one ``tick``, to the time in
the ``SimulatedClock`` row, or leaves the real time when the row is empty. The pin is
per thread (``clock.pinned``), so runserver's request threads cannot see one another's.

With the setting off the middleware removes itself when Django loads it (no per-request
cost) and the Celery hooks return at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import Token
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponseBase

from core import clock
from core.models import SimulatedClock

logger = logging.getLogger(__name__)

# Every response of a server following the simulated clock says which time it used, so
# ``simulate --http`` can tell that it drives a server of the same database on its time.
HEADER = "X-ClosetAds-Simulated-Clock"
_ROW_SQL = f"SELECT now FROM {SimulatedClock._meta.db_table} WHERE id = 1"  # noqa: S608 - a table name


def enabled() -> bool:
    return bool(getattr(settings, "SIMULATED_CLOCK", False))


def stored_now() -> dt.datetime | None:
    """The stored simulated time (aware UTC), or None for the real time. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_ROW_SQL)
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    value: dt.datetime | str = row[0]
    if isinstance(value, str):  # SQLite through a raw cursor
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _stored_or_real() -> dt.datetime | None:
    try:
        return stored_now()
    except DatabaseError:  # not migrated, or the database is down: the request fails on its own terms
        logger.warning("could not read the simulated clock; using the real time", exc_info=True)
        return None


@contextmanager
def pinned_to_stored() -> Iterator[dt.datetime | None]:
    """Pin this thread's clock to the stored simulated time when the setting is on."""
    if not enabled():
        yield None
        return
    moment = _stored_or_real()
    with clock.pinned(moment):
        yield moment


class SimulatedClockMiddleware:
    """Pins the clock to the stored simulated time for each request (first in MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        if not enabled():
            raise MiddlewareNotUsed("CLOSETADS_SIMULATED_CLOCK is off")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        moment = _stored_or_real()
        with clock.pinned(moment):
            response = self.get_response(request)
        response[HEADER] = moment.isoformat() if moment is not None else "real"
        return response


# --- Celery: each task runs on the stored time --------------------------------------------
_task_pins: dict[str, Token[dt.datetime | None]] = {}


def task_pin(task_id: str | None = None, **kwargs: Any) -> None:
    """``task_prerun`` receiver."""
    if enabled() and task_id is not None:
        _task_pins[task_id] = clock.pin_context(_stored_or_real())


def task_unpin(task_id: str | None = None, **kwargs: Any) -> None:
    """``task_postrun`` receiver."""
    token = _task_pins.pop(task_id, None) if task_id is not None else None
    if token is not None:
        try:
            clock.unpin_context(token)
        except ValueError:  # finished in another context than it started: just unpin here
            clock.pin_context(None)
