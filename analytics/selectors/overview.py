"""The marketplace-wide overview for admins: totals, top sellers, invalid-click share (from rollups)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Sum

from analytics.metrics import Kpis
from analytics.models import CampaignHourlyStat
from analytics.models.rollups import METRICS


@dataclass(frozen=True)
class SellerLine:
    seller_id: int
    username: str
    marketplace_id: str
    kpis: Kpis


@dataclass(frozen=True)
class Overview:
    start: dt.datetime
    end: dt.datetime
    totals: Kpis
    active_campaigns: int
    top_sellers: list[SellerLine]

    @property
    def invalid_click_share(self) -> float | None:
        """Share of sponsored clicks (genuine resolved bids) that were not charged: invalid, repeat, over budget."""
        totals = self.totals
        if not totals.clicks:
            return None
        return max(0.0, (totals.clicks - totals.charged_clicks) / totals.clicks)


def marketplace_overview(start: dt.datetime, end: dt.datetime, *, top: int = 10) -> Overview:
    """Every campaign's rollups over [start, end) (UTC): totals, campaigns with activity, top sellers by spend.

    Two aggregate queries over the campaign x hour rollups' (hour) index; money in micros.
    """
    rows = CampaignHourlyStat.objects.filter(hour__gte=start, hour__lt=end)
    sums = rows.aggregate(**{m: Sum(m) for m in METRICS}, campaigns=Count("campaign_id", distinct=True))
    by_seller = (rows.values(seller_pk=F("campaign__seller_id"), username=F("campaign__seller__username"),
                             seller_mid=F("campaign__seller__marketplace_id"))
                 .annotate(**{m: Sum(m) for m in METRICS}).order_by("-spend_micros", "seller_pk")[:top])
    return Overview(
        start=start, end=end, totals=Kpis.of(sums), active_campaigns=sums["campaigns"] or 0,
        top_sellers=[SellerLine(seller_id=row["seller_pk"], username=row["username"], marketplace_id=row["seller_mid"],
                                kpis=Kpis.of(row)) for row in by_seller])
