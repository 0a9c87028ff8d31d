"""The events API in-process: impressions, clicks, purchases and cancellations, stored once each.

``events_ingest`` validates every event alone (a bad one is rejected with its field path,
the rest are stored), then writes each kind with one multi-row ``INSERT ... ON CONFLICT DO
NOTHING`` (analytics.sql): an event id already stored is counted as a duplicate and
changes nothing. The whole batch is one transaction. There is no per-event database work:
the sponsored clicks that pass validation are charged together against their locked
budget periods (campaigns.charging; see analytics.services.clicks), about 20 statements
for a realistic batch of 500 events on PostgreSQL (docs/decisions/0009-event-ingest.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from analytics import parsing
from analytics.models import Cancellation, Impression
from analytics.services.clicks import clicks_ingest
from analytics.services.common import (
    AD_EVENT_FIELDS,
    AdEvent,
    IngestResult,
    Listings,
    ad_event_row,
    ad_events_organic,
    ad_events_read,
    ad_events_verified,
    first_of_each_id,
    listings_find,
    parse_batch,
)
from analytics.services.purchases import purchases_ingest
from analytics.sql import insert_ignore
from auction.affinity import shopper_tastes_record
from core import changes, clock
from core.api import parse_json_body
from core.validation import FieldError


def impressions_ingest(impressions: list[AdEvent], listings: Listings, result: IngestResult) -> None:
    """Store impressions (read by ``ad_events_read``). A sponsored one needs a genuine resolved
    bid (an expired one still counts: the ad was shown); an organic one a known listing."""
    rows = []
    for read in ad_events_organic(impressions, "impressions", listings, result):
        if read.token_error is not None:
            result.reject("impressions", read.event.index, read.event.event_id,
                          FieldError(f"impressions[{read.event.index}].resolvedBidId", read.token_error))
            continue
        rows.append(ad_event_row(read.event, read.listing_id, read.bid))
    # Any unique key: on PostgreSQL the storefront's id is unique with the time (weekly partitions).
    inserted = insert_ignore(Impression, AD_EVENT_FIELDS, rows, conflict=None)
    result.stored(len(inserted), len(rows))


def cancellations_ingest(parsed: list[parsing.CancellationIn], result: IngestResult) -> None:
    """Store cancellations; the next attribution run reverses the order's credits.

    The order may be unknown yet (events can arrive out of order): it is then never credited.
    """
    rows = [(c.event_id, c.purchase_order_id, c.occurred_at) for c in parsed]
    inserted = insert_ignore(Cancellation, ("event_id", "purchase_order_id", "occurred_at"), rows,
                             conflict="event_id")
    result.stored(len(inserted), len(rows))


def events_ingest(body: Any, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Store a batch of storefront events; returns the API's response body.

    Raises FieldError (nothing stored) when ``body`` is not an object of the four lists or a
    list has more than 500 events. Otherwise each bad event is rejected alone and the rest
    are stored; an event whose id is already stored counts as a duplicate and changes
    nothing. Valid sponsored clicks are charged (each at most once), purchases mark their
    listings sold. Times are UTC; ``now`` (default clock.now()) is the arrival time.
    The batch is written in one transaction: a failure stores none of it, and resending
    it is safe (ids make it so). Shoppers' tastes are recorded in the same transaction.
    """
    lists = parsing.read_body(body)
    now = now or clock.now()
    result = IngestResult()
    # Every item is read first (no database), then the listings they name in one query.
    signatures: dict = {}
    impressions = ad_events_read(lists["impressions"], "impressions", result, signatures)
    clicks = ad_events_read(lists["clicks"], "clicks", result, signatures)
    purchases = parse_batch(lists["purchases"], "purchases", parsing.parse_purchase, result)
    cancellations = parse_batch(lists["cancellations"], "cancellations", parsing.parse_cancellation, result)
    return _store(impressions, clicks, purchases, cancellations, result, now=now)


def events_ingest_json(raw: bytes, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """``events_ingest`` of a request body as sent (JSON bytes), with the same answers.

    A body whose impressions and clicks are all well formed (the usual one) is decoded into
    typed structs in one pass (``parsing.read_fast``); any other is parsed as JSON and read
    item by item by ``events_ingest``, which rejects the bad ones by field. FieldError("body")
    when it is empty or not JSON.
    """
    fast = parsing.read_fast(raw)
    if fast is None:
        return events_ingest(parse_json_body(raw), now=now)
    now = now or clock.now()
    result = IngestResult()
    signatures: dict = {}
    impressions = ad_events_verified(first_of_each_id(fast.impressions, result), signatures)
    clicks = ad_events_verified(first_of_each_id(fast.clicks, result), signatures)
    purchases = parse_batch(fast.purchases, "purchases", parsing.parse_purchase, result)
    cancellations = parse_batch(fast.cancellations, "cancellations", parsing.parse_cancellation, result)
    return _store(impressions, clicks, purchases, cancellations, result, now=now)


def _store(impressions: list[AdEvent], clicks: list[AdEvent], purchases: list[parsing.PurchaseIn],
           cancellations: list[parsing.CancellationIn], result: IngestResult, *, now: dt.datetime) -> dict[str, Any]:
    """Store a batch read by either entry point (see ``events_ingest``)."""
    listings = listings_find(
        [*(e.event.entity_id for e in (*impressions, *clicks) if e.event.entity_id is not None),
         *(item.listing_id for p in purchases for item in p.items)],
        [e.bid.listing_id for e in clicks if e.bid is not None])
    # One transaction (one commit) for the batch; the clicks last, so that the budget
    # periods they lock are held only until the commit that follows them. Shoppers' tastes
    # are recorded in it too, once the clicks are stored and before they are charged
    # (``clicks_ingest`` calls back): a rolled-back batch records none, and its resending does.
    tastes = _Tastes(result, listings)
    with transaction.atomic():
        impressions_ingest(impressions, listings, result)
        purchases_ingest(purchases, listings, result, now=now)
        cancellations_ingest(cancellations, result)
        clicks_ingest(clicks, listings, result, now=now, before_charge=tastes.record)
        tastes.record()
        # What the batch changed for the auction (listings sold, shoppers' tastes), signalled
        # together and committed with it: one counter update and one notification, no commit
        # of their own. The last write: the counters' rows stay locked until the commit.
        changes.bump_all_with_commit(result.signals)
    return result.as_dict()


class _Tastes:
    """What shoppers clicked and bought tells their tastes (auction.affinity): recorded once per
    batch, in its transaction, for events not stored before (a replayed batch adds nothing),
    from the listings the batch has read (no query of its own). They are hints, but written
    in the batch's transaction a failure there fails the batch (resending it is safe)."""

    def __init__(self, result: IngestResult, listings: Listings) -> None:
        self._result, self._listings, self._done = result, listings, False

    def record(self) -> None:
        if self._done:
            return
        self._done = True
        if self._result.tastes:
            shopper_tastes_record(self._result.tastes, signals=self._result.signals, listings=self._listings.facts)
