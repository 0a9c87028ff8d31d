"""The events API in-process: impressions, clicks, purchases and cancellations, stored once each.

``events_ingest`` validates every event alone (a bad one is rejected with its field path,
the rest are stored), then writes each kind with bulk ``INSERT ... ON CONFLICT DO
NOTHING`` statements: an event id already stored is counted as a duplicate and changes
nothing. The only per-event database work is charging the sponsored clicks that pass
validation (``click_charge``, one atomic charge each, all in one transaction per batch;
see analytics.services.clicks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from analytics import parsing
from analytics.models import Cancellation, Impression
from analytics.services.clicks import clicks_ingest
from analytics.services.common import (
    AD_EVENT_FIELDS,
    IngestResult,
    ad_event_row,
    listings_by_marketplace_id,
    parse_batch,
    unknown_listing,
    verify_signature,
)
from analytics.services.purchases import purchases_ingest
from analytics.sql import insert_ignore
from auction import tokens
from core import clock
from core.validation import FieldError, join


def impressions_ingest(items: list, result: IngestResult) -> None:
    """Store impressions. A sponsored one needs a genuine resolved bid (an expired one still counts:
    the ad was shown); an organic one a known listing."""
    parsed = parse_batch(items, "impressions", parsing.parse_ad_event, result)
    listings = listings_by_marketplace_id([e.entity_id for e in parsed if e.entity_id is not None])
    rows = []
    for event in parsed:
        if event.token is not None:
            try:
                bid = verify_signature(event.token)
            except tokens.TokenError as error:
                result.reject("impressions", event.index, event.event_id,
                              FieldError(f"impressions[{event.index}].resolvedBidId", str(error)))
                continue
            rows.append(ad_event_row(event, None, bid))
        else:
            found = listings.get(event.entity_id)
            if found is None:
                result.reject("impressions", event.index, event.event_id,
                              unknown_listing(join(f"impressions[{event.index}]", "entity.id"), event.entity_id))
                continue
            rows.append(ad_event_row(event, found[0], None))
    # Any unique key: on PostgreSQL the storefront's id is unique with the time (weekly partitions).
    inserted = insert_ignore(Impression, AD_EVENT_FIELDS, rows, conflict=None)
    result.stored(len(inserted), len(rows))


def cancellations_ingest(items: list, result: IngestResult) -> None:
    """Store cancellations; the next attribution run reverses the order's credits.

    The order may be unknown yet (events can arrive out of order): it is then never credited.
    """
    parsed = parse_batch(items, "cancellations", parsing.parse_cancellation, result)
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
    Each kind is written in its own transaction(s): a failure midway leaves some kinds
    stored, and resending the batch stores the rest (ids make that safe).
    """
    lists = parsing.read_body(body)
    now = now or clock.now()
    result = IngestResult()
    impressions_ingest(lists["impressions"], result)
    clicks_ingest(lists["clicks"], result, now=now)
    purchases_ingest(lists["purchases"], result, now=now)
    cancellations_ingest(lists["cancellations"], result)
    return result.as_dict()
