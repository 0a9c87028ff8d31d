"""Purchases: stored once per order id, with their items; the listings bought become sold."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from analytics import parsing
from analytics.models import Purchase, PurchaseItem
from analytics.services.common import IngestResult, Listings, unknown_listing
from analytics.sql import column_names, insert_ignore, insert_rows, unnest_arrays
from core import changes
from core.db import select_bound
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
        orders = [(p.order_id, p.occurred_at, p.user, now) for p in valid]
        items = [(p.order_id, p.occurred_at, *found[item.listing_id], item.unit_price_micros, item.quantity)
                 for p in valid for item in p.items]
        if connection.vendor == "postgresql":
            inserted, sold = _orders_insert(orders, items, now=now)
        else:
            inserted = dict(insert_ignore(Purchase, _ORDER_FIELDS, orders, conflict=None,
                                          returning=("order_id", "id")))
            new_items = [(inserted[order_id], *item) for order_id, *item in items if order_id in inserted]
            insert_rows(PurchaseItem, _ITEM_FIELDS, new_items)
            sold = (Listing.objects.filter(pk__in={row[2] for row in new_items})
                    .exclude(status=Listing.Status.SOLD).update(status=Listing.Status.SOLD, updated_at=now))
        result.stored(len(inserted), len(valid))
        if sold:
            result.signals.add(changes.CATALOG)
    result.tastes.extend((p.user, found[item.listing_id][0], p.occurred_at)
                         for p in valid if p.order_id in inserted for item in p.items)


_ORDER_FIELDS = ("order_id", "occurred_at", "opaque_user_id", "received_at")
_ITEM_FIELDS = ("purchase", "purchased_at", "listing", "seller", "unit_price_micros", "quantity")


def _orders_insert(orders: list[tuple], items: list[tuple], *, now: dt.datetime) -> tuple[dict[str, int], int]:
    """PostgreSQL: insert the orders skipping those stored before, the items of the orders
    inserted now (in ``items`` order), and mark those items' listings sold, in one statement
    (data-modifying CTEs, each on its own table: one round trip, not three). ``orders`` as
    ``_ORDER_FIELDS``, ``items`` as ``(order id, *_ITEM_FIELDS[1:])``; returns {order id: pk}
    of the orders inserted and the number of listings newly sold."""
    quote = connection.ops.quote_name
    purchase, item, listing = (quote(m._meta.db_table) for m in (Purchase, PurchaseItem, Listing))
    order_columns, item_columns = column_names(Purchase, _ORDER_FIELDS), column_names(PurchaseItem, _ITEM_FIELDS)
    # Table and column names come from the models, values are parameters bound by the server.
    sql = (f"WITH p AS (INSERT INTO {purchase} ({order_columns}) "  # noqa: S608
           f"SELECT * FROM unnest({unnest_arrays(Purchase, _ORDER_FIELDS)}) ON CONFLICT DO NOTHING "
           f"RETURNING order_id, id), "
           f"i AS (INSERT INTO {item} ({item_columns}) SELECT p.id, u.at, u.listing, u.seller, u.price, u.quantity "
           f"FROM unnest(%b::text[], {unnest_arrays(PurchaseItem, _ITEM_FIELDS[1:])}) "
           f"WITH ORDINALITY AS u(order_id, at, listing, seller, price, quantity, n) "
           f"JOIN p ON p.order_id = u.order_id ORDER BY u.n RETURNING listing_id), "
           f"sold AS (UPDATE {listing} SET status = %b, updated_at = %b WHERE id IN (SELECT listing_id FROM i) "
           f"AND status <> %b RETURNING 1) "
           f"SELECT order_id, id, (SELECT count(*) FROM sold) FROM p")
    params = [*([list(column) for column in zip(*orders, strict=True)]),
              *([list(column) for column in zip(*items, strict=True)] if items else [[] for _ in _ITEM_FIELDS]),
              Listing.Status.SOLD.value, now, Listing.Status.SOLD.value]
    rows = select_bound(sql, params)
    return {order_id: pk for order_id, pk, _ in rows}, (rows[0][2] if rows else 0)
