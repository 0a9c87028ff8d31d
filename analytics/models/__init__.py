"""Analytics storage: raw events, attribution credits, hourly rollups and their watermarks.

Raw event tables (impressions, clicks, purchases, cancellations) are append-mostly;
impressions, clicks, purchases (with their items and attribution credits) are partitioned
by week on PostgreSQL (see docs/architecture/events.md): nothing joins them by foreign-key
constraint, every row carries the time it is bucketed by, and readers go through an id
range (folding) or a time range (recompute, training), never a whole-table scan.
"""

from analytics.models.attribution import AttributionCredit
from analytics.models.events import (
    PLACEMENTS,
    Cancellation,
    Click,
    ClickBid,
    Impression,
    Purchase,
    PurchaseItem,
    SellerIdentity,
)
from analytics.models.lift import LiftEstimate
from analytics.models.rollups import CampaignHourlyStat, HourlyStat, MarketplaceOverview, Watermark

__all__ = [
    "PLACEMENTS",
    "AttributionCredit",
    "CampaignHourlyStat",
    "Cancellation",
    "Click",
    "ClickBid",
    "HourlyStat",
    "Impression",
    "LiftEstimate",
    "MarketplaceOverview",
    "Purchase",
    "PurchaseItem",
    "SellerIdentity",
    "Watermark",
]
