"""The events benchmark's ceiling: the same rows as POST /api/v1/events stores, inserted bare.

``POST /bench/events-ceiling`` exists only in the benchmark's gunicorn (settings
``dev.bench.events_settings``, whose URLs are production's plus this one): the same
gunicorn, Django, DRF view class (API key, scope, throttle, body reading) as the events
endpoint, then one multi-row insert per table (``analytics.sql.insert_ignore``, ON CONFLICT
DO NOTHING), all in one transaction, of rows the benchmark resolved beforehand: no
validation, no signature, no lookup, no charge. What the events endpoint reaches against it is the cost of everything
it does beyond storing (``events.ingest_to_ceiling_ratio``).

Body: ``{"impressions": [row...], "clicks": [row...], "purchases": [[pk, order id, occurred at,
user, [[item pk, listing pk, seller pk, unit price, quantity]...]]...], "cancellations": [row...]}``,
rows in the columns of ``COLUMNS``, times as ISO 8601 strings. Every row carries its primary
key: the benchmark gives them negative ones, below the fold's and attribution's watermarks
(which start at 0 and follow the id sequences), so the fold it measures reads only the
realistic rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import path
from rest_framework.response import Response

from analytics.api import EventsView, read_events_body
from analytics.models import Cancellation, Click, Impression, Purchase, PurchaseItem
from analytics.services.clicks import CLICK_FIELDS
from analytics.services.common import AD_EVENT_FIELDS
from analytics.sql import insert_ignore
from config.urls import urlpatterns as production_urlpatterns
from core import clock

COLUMNS = {
    "impressions": ("id", *AD_EVENT_FIELDS),
    "clicks": ("id", *CLICK_FIELDS, "bid_key"),
    "purchases": ("id", "order_id", "occurred_at", "opaque_user_id", "received_at"),
    "items": ("id", "purchase", "purchased_at", "listing", "seller", "unit_price_micros", "quantity"),
    "cancellations": ("id", "event_id", "purchase_order_id", "occurred_at"),
}
_TIME = {"impressions": 2, "clicks": 2, "cancellations": 3}


def _timed(rows: list[list[Any]], column: int) -> list[list[Any]]:
    for row in rows:
        row[column] = dt.datetime.fromisoformat(row[column])
    return rows


def rows_insert(body: dict[str, Any]) -> dict[str, Any]:
    """Insert the body's rows, one statement per table, all in one transaction (as the events
    endpoint does); the events API's response shape."""
    sent = accepted = 0
    with transaction.atomic():
        for kind, model, conflict in (("impressions", Impression, None), ("clicks", Click, None)):
            rows = _timed(body.get(kind) or [], _TIME[kind])
            accepted += len(insert_ignore(model, COLUMNS[kind], rows, conflict=conflict))
            sent += len(rows)
        purchases = body.get("purchases") or []
        if purchases:
            ids = dict(insert_ignore(
                Purchase, COLUMNS["purchases"],
                [(pk, order, dt.datetime.fromisoformat(at), user, clock.now()) for pk, order, at, user, _ in purchases],
                conflict=None, returning=("order_id", "id")))
            insert_ignore(PurchaseItem, COLUMNS["items"],
                          [(item_pk, ids[order], dt.datetime.fromisoformat(at), *item)
                           for _, order, at, _, items in purchases if order in ids for item_pk, *item in items],
                          conflict=None)
            accepted += len(ids)
            sent += len(purchases)
        cancellations = _timed(body.get("cancellations") or [], _TIME["cancellations"])
        accepted += len(insert_ignore(Cancellation, COLUMNS["cancellations"], cancellations, conflict="event_id"))
        sent += len(cancellations)
    return {"accepted": accepted, "duplicates": sent - accepted, "rejected": []}


class CeilingView(EventsView):
    """The events endpoint's view class (auth, scope, throttle, body reading), storing only."""

    def post(self, request):
        return Response(rows_insert(read_events_body(request)))


urlpatterns = [path("bench/events-ceiling", CeilingView.as_view()), *production_urlpatterns]
