"""Running the simulator against a database that a server (and earlier runs) already use.

``simulate --http`` sends the storefront's traffic to a running server, and does the rest
directly on the database that server shares (there is no HTTP API for it): campaign setup,
the simulated clock, the periodic work at simulated times and the report. Two things keep
such a run apart from what is already there:

- a **prefix** on every marketplace and event id, fresh for each run, so ids never collide
  with the demo's or an earlier run's (events are idempotent by id: a collision would be
  stored as a duplicate), and the report counts only this run's sellers;
- a **start** at least five weeks after the newest data, so that everything that looks back
  over recent weeks (model training and the pacing traffic profile: four weeks; the budget
  recommendation's demand: 30 days) sees only this run, as a run on an empty database does,
  and the simulated clock only moves forward over the data.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.db import DatabaseError, connection
from django.db.models import Max

from core import clock

LOOKBACK = dt.timedelta(days=35)
PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")


class SharedDatabaseError(Exception):
    """The database cannot be used for a run (unreachable, not migrated, prefix taken)."""


def database_check() -> None:
    """SharedDatabaseError unless the database answers and is migrated."""
    from core.simulated_clock import stored_now

    try:
        connection.ensure_connection()
        stored_now()
    except DatabaseError as exc:
        raise SharedDatabaseError(
            f"the database is unreachable or not migrated ({exc.__class__.__name__}: {exc})") from None


def clock_holder() -> str | None:
    """Which run holds the simulated clock now (a time is stored), or None."""
    from core.models import SimulatedClock

    row = SimulatedClock.objects.filter(pk=1, now__isnull=False).first()
    return None if row is None else f"{row.run or 'unknown'}, at {row.now:%Y-%m-%d %H:%M}"


def data_horizon() -> dt.datetime:
    """The newest moment the database has data for, or the real time if that is later."""
    from analytics.models import Click, Impression, Purchase
    from auction.models import AuctionHour
    from campaigns.models import LedgerEntry
    from sellers.models import Listing

    moments: list[dt.datetime | None] = [clock.now()]
    moments.append(Listing.objects.aggregate(m=Max("updated_at"))["m"])
    moments.append(AuctionHour.objects.aggregate(m=Max("hour"))["m"])
    # Event tables can be large: their newest row by id (the primary key) is near enough.
    for model, field in ((Impression, "occurred_at"), (Click, "occurred_at"), (Purchase, "occurred_at"),
                         (LedgerEntry, "created_at")):
        moments.append(model.objects.order_by("-pk").values_list(field, flat=True).first())
    return max(m for m in moments if m is not None)


def first_monday_after(moment: dt.datetime) -> dt.datetime:
    """Midnight UTC of the first Monday at or after ``moment``'s day + LOOKBACK."""
    day = (moment + LOOKBACK).astimezone(dt.UTC).date()
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def prefix_check(prefix: str) -> None:
    """SharedDatabaseError for a malformed prefix or one that ids in the database already use."""
    from sellers.models import Seller

    if not PREFIX_PATTERN.match(prefix):
        raise SharedDatabaseError(f"--prefix {prefix!r}: use 1 to 16 letters, digits, '.', '_' or '-'")
    if Seller.objects.filter(marketplace_id__startswith=prefix).exists():
        raise SharedDatabaseError(f"sellers with ids starting {prefix!r} exist already: choose another --prefix")


def fresh_prefix() -> str:
    """A prefix no seller id in the database starts with, such as ``h3fa2b1-``."""
    from sellers.models import Seller

    while True:
        prefix = f"h{secrets.token_hex(3)}-"
        if not Seller.objects.filter(marketplace_id__startswith=prefix).exists():
            return prefix
