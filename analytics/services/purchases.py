"""Purchases: stored once per order id, with their items; the listings bought become sold."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from analytics import parsing
from analytics.models import Purchase, PurchaseItem
from analytics.services.common import IngestResult, Listings, unknown_listing
from analytics.sql import insert_ignore, insert_rows
from core import changes
from sellers.models import Listing


def purchases_ingest(parsed: list[parsing.PurchaseIn], listings: Listings, result: IngestResult, *,
                     now: dt.datetime) -> None:
    """Store purchases and their items, and mark the listings bought as sold.

    A purchase naming a listing the catalog does not know is rejected whole (resend it once
    the listing is synced; the order id makes that safe). Orders and items are written in
    one transaction; the catalog change signal is bumped when it commits (by events_ingest,
    with the batch's other signals, in ``result.signals``), so a sold listing stops winning
    auctions at once. Attribution runs later (every minute).
    """
    found = listings.by_marketplace_id
    valid = []
    for purchase in parsed:
        missing = next((item for item in purchase.items if item.listing_id not in found), None)
        if missing is not None:
            result.reject("purchases", purchase.index, purchase.order_id, unknown_listing(
                f"purchases[{purchase.index}].items[{missing.index}].listingId", missing.listing_id))
            continue
        valid.append(purchase)
    if not valid:
        return
    with transaction.atomic(savepoint=False):  # no savepoint inside events_ingest's transaction
        # Any unique key: the order id is unique with the order's time (weekly partitions on
        # PostgreSQL); a batch names each order id once (parse_batch).
        inserted = dict(insert_ignore(
            Purchase, ("order_id", "occurred_at", "opaque_user_id", "received_at"),
            [(p.order_id, p.occurred_at, p.user, now) for p in valid],
            conflict=None, returning=("order_id", "id"),
        ))
        result.stored(len(inserted), len(valid))
        new_items = [
            (inserted[p.order_id], p.occurred_at, found[item.listing_id][0], found[item.listing_id][1],
             item.unit_price_micros, item.quantity)
            for p in valid if p.order_id in inserted for item in p.items
        ]
        insert_rows(PurchaseItem, ("purchase", "purchased_at", "listing", "seller", "unit_price_micros", "quantity"),
                    new_items)
        sold = (Listing.objects.filter(pk__in={row[2] for row in new_items})
                .exclude(status=Listing.Status.SOLD).update(status=Listing.Status.SOLD, updated_at=now))
        if sold:
            result.signals.add(changes.CATALOG)
    result.tastes.extend((p.user, found[item.listing_id][0], p.occurred_at)
                         for p in valid if p.order_id in inserted for item in p.items)
