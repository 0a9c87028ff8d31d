"""Reads for the seller dashboard and the CSV export: hourly rollups grouped by the seller's local day.

Rollups are UTC hours; a local day is [local 00:00, next local 00:00), which is a whole
number of UTC hours in every time zone with a whole-hour offset (a half-hour zone such as
Asia/Kolkata puts the half hour around midnight into the day the UTC hour starts in).
The days and totals read ``CampaignHourlyStat`` (campaign x hour, the listings summed:
about 40x fewer rows for a busy closet); the per-listing export reads ``HourlyStat``.
Both through their (campaign, hour) indexes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Sum
from django.db.models.functions import TruncDate

from analytics.metrics import ZERO, Kpis, total
from analytics.models import CampaignHourlyStat, HourlyStat
from analytics.models.rollups import METRICS
from analytics.ranges import DayRange
from campaigns.models import Campaign
from sellers.models import Listing, Seller


def seller_campaign_ids(seller: Seller) -> list[int]:
    """Every campaign of the seller, ended ones included (their history stays on the dashboard)."""
    return list(Campaign.objects.filter(seller=seller).values_list("id", flat=True))


def stats_by_day(campaign_ids: list[int], days: DayRange) -> dict[dt.date, dict[str, int]]:
    """Rollup metrics per local day of ``days.tz`` for the days in ``days`` (money in micros).

    One GROUP BY query over the campaign x hour rollups; days without activity are absent.
    """
    if not campaign_ids:
        return {}
    start, end = days.utc_bounds()
    rows = (CampaignHourlyStat.objects.filter(campaign_id__in=campaign_ids, hour__gte=start, hour__lt=end)
            .annotate(day=TruncDate("hour", tzinfo=days.tz)).values("day")
            .annotate(**{m: Sum(m) for m in METRICS}).order_by())
    # Rows of a dynamic annotate(): their metric keys are not literal to the type checker.
    return {row["day"]: {m: row[m] or 0 for m in METRICS} for row in cast("Iterable[dict[str, Any]]", rows)}


@dataclass(frozen=True)
class DayPoint:
    day: dt.date
    kpis: Kpis


@dataclass(frozen=True)
class Dashboard:
    """One period's KPIs, the previous period's (same length, just before), and one point per day."""

    range: DayRange
    current: Kpis
    previous: Kpis
    series: list[DayPoint]
    has_campaign: bool


def dashboard_for_seller(seller: Seller, days: DayRange) -> Dashboard:
    """The seller's dashboard for ``days`` and the period before it, in one rollup query.

    Money in micros; days in ``days.tz`` (the seller's time zone).
    """
    campaign_ids = seller_campaign_ids(seller)
    previous = days.previous()
    both = DayRange(previous.start, days.end, days.tz)
    per_day = stats_by_day(campaign_ids, both)
    current_sum = total(sums for day, sums in per_day.items() if day >= days.start)
    previous_sum = total(sums for day, sums in per_day.items() if day < days.start)
    series = [DayPoint(day, Kpis.of(per_day.get(day, ZERO))) for day in days.dates()]
    return Dashboard(range=days, current=Kpis.of(current_sum), previous=Kpis.of(previous_sum), series=series,
                     has_campaign=bool(campaign_ids))


EXPORT_HEADER = ("date", "listing_id", "impressions", "clicks", "spend", "orders_direct", "sales_direct",
                 "orders_halo", "sales_halo")


def export_rows(seller: Seller, days: DayRange, *, listing: Listing | None = None) -> Iterator[dict]:
    """Daily per-listing rollups of the seller for ``days``: one dict per (local day, listing) with activity.

    Ordered by day, then the listing's marketplace id; money in micros. ``listing`` narrows
    to one listing (the caller has checked it is the seller's). Streams from the database.
    """
    campaign_ids = seller_campaign_ids(seller)
    if not campaign_ids:
        return
    start, end = days.utc_bounds()
    stats = HourlyStat.objects.filter(campaign_id__in=campaign_ids, hour__gte=start, hour__lt=end)
    if listing is not None:
        stats = stats.filter(listing_id=listing.pk)
    daily = (stats.annotate(day=TruncDate("hour", tzinfo=days.tz))
             .values("day", "listing_id", "listing__marketplace_id")
             .annotate(**{m: Sum(m) for m in METRICS}).order_by("day", "listing__marketplace_id"))
    yield from cast("Iterator[dict]", daily.iterator(chunk_size=2000))
