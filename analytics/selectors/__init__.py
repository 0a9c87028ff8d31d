"""Reads for dashboards and receipts: rollups and live credits only, never raw impressions.

Times are UTC instants; a caller showing a seller's local days passes the local day's
bounds converted to UTC (rollups are hourly, so any whole-hour offset is exact).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Sum

from analytics.models import AttributionCredit, CampaignHourlyStat, HourlyStat
from analytics.models.rollups import METRICS


def stats_totals(*, campaign_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Every rollup metric summed over the campaigns and the hours in [start, end) (money in micros).

    Reads the campaign x hour rollups through their (campaign, hour) unique index.
    """
    sums = (CampaignHourlyStat.objects.filter(campaign_id__in=list(campaign_ids), hour__gte=start, hour__lt=end)
            .aggregate(**{m: Sum(m) for m in METRICS}))
    return {m: sums[m] or 0 for m in METRICS}


def stats_by_listing(*, campaign_ids: Iterable[int], start: dt.datetime,
                     end: dt.datetime) -> dict[int, dict[str, int]]:
    """Rollup metrics per listing over [start, end): {listing pk: {metric: total}} (money in micros)."""
    rows = (HourlyStat.objects.filter(campaign_id__in=list(campaign_ids), hour__gte=start, hour__lt=end)
            .values("listing_id").annotate(**{m: Sum(m) for m in METRICS}).order_by())
    # Rows of a dynamic annotate(): their metric keys are not literal to the type checker.
    return {row["listing_id"]: {m: row[m] or 0 for m in METRICS} for row in cast("Iterable[dict[str, Any]]", rows)}


def seller_receipts(seller_id: int, *, start: dt.datetime, end: dt.datetime, limit: int = 100) -> list[dict[str, Any]]:
    """The seller's live credits for purchases in [start, end), newest first: which click earned which sale.

    Only ``seller_id``'s credits are read (a seller never sees another's). Money in micros.
    Served by the (seller, purchased_at) index.
    """
    credits = (AttributionCredit.objects
               .filter(seller_id=seller_id, purchased_at__gte=start, purchased_at__lt=end,
                       reversed_at__isnull=True, reversal_of__isnull=True)
               .select_related("purchase", "item__listing", "listing", "click")
               .order_by("-purchased_at", "-id")[:limit])
    return [{
        "order_id": c.purchase.order_id,
        "purchased_at": c.purchased_at,
        "kind": c.kind,
        "bought_listing_id": c.item.listing_id,
        "bought_title": c.item.listing.title if c.item.listing_id else "",
        "clicked_listing_id": c.listing_id,
        "clicked_at": c.click.occurred_at,
        "days_before_purchase": (c.purchased_at - c.click.occurred_at) / dt.timedelta(days=1),
        "sales_micros": c.amount_micros,
    } for c in credits]
