"""Reads about auctions: how a listing fared, for the "why isn't my listing showing?" page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum

from auction.models import ListingAuctionDay
from auction.ranking import ELIGIBLE_LOSS_REASONS, INELIGIBLE_REASONS
from auction.recording import COUNTERS
from core import clock

REASON_COUNTERS = (*INELIGIBLE_REASONS, *ELIGIBLE_LOSS_REASONS)


def _day(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.marketplace_tz()).date()
    return value


def listing_auction_stats(listing_id: int, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> dict[str, Any]:
    """How listing ``listing_id`` (pk) fared in auctions on the days [start, end).

    Days are in the marketplace time zone (a datetime is converted to its local date).
    Returns ``candidate``, ``eligible``, ``won``, ``reasons`` (count per reason code of
    ``auction.ranking``, zeros included), ``top_reason`` (the most frequent reason it did
    not win, or None), and ``days`` (one dict per day with counts, oldest first).
    Counts lag the auctions by a few seconds (each web process flushes every few seconds).
    """
    first, last = _day(start), _day(end)
    rows = ListingAuctionDay.objects.filter(listing_id=listing_id, day__gte=first, day__lt=last)
    totals = rows.aggregate(**{name: Sum(name) for name in COUNTERS})
    reasons = {name: totals[name] or 0 for name in REASON_COUNTERS}
    top = max(reasons, key=reasons.__getitem__) if any(reasons.values()) else None
    return {
        "listing_id": listing_id,
        "start": first,
        "end": last,
        "candidate": totals["candidate"] or 0,
        "eligible": totals["eligible"] or 0,
        "won": totals["won"] or 0,
        "reasons": reasons,
        "top_reason": top,
        "days": [
            {"day": row["day"], **{name: row[name] for name in COUNTERS}}
            for row in rows.order_by("day").values("day", *COUNTERS)
        ],
    }
