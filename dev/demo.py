"""Synthetic sponsored results for one seller: hourly rollups, credits and auction counts.

For the screenshots (``make screenshots``) and the dashboard benchmark; never used by the
request path. Deterministic for a seed. Rows are bulk-inserted the way the fold writes them.
"""

from __future__ import annotations

import datetime as dt
import random

from analytics.models import AttributionCredit, CampaignHourlyStat, Click, HourlyStat, Purchase, PurchaseItem
from analytics.models.rollups import METRICS
from auction.models import ListingAuctionDay
from auction.recording import COUNTERS
from campaigns.models import Campaign
from core import clock
from sellers.models import Listing

# Share of a day's traffic per hour of the day (evening-heavy, like a shopping app).
_HOURLY = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 5, 5, 6, 7, 9, 10, 10, 8, 5, 3]


def rollups_create(campaign: Campaign, listing_ids: list[int], *, days: int, cells_per_hour: int, seed: int = 1,
                   end: dt.datetime | None = None, batch_size: int = 5000) -> int:
    """Bulk-create ``days`` of hourly rollups ending at ``end`` (default: now), ``cells_per_hour`` listings per hour
    on average (more in the evening), and their campaign x hour sums. Returns the number of ``HourlyStat`` rows.
    Money in micros, whole cents.
    """
    rng = random.Random(seed)
    end = (end or clock.now()).replace(minute=0, second=0, microsecond=0)
    hour = end - dt.timedelta(days=days)
    peak = max(_HOURLY)
    rows: list[HourlyStat] = []
    totals: list[CampaignHourlyStat] = []
    created = 0
    while hour < end:
        weight = _HOURLY[hour.hour] / peak
        growth = 0.6 + 0.4 * (1 - (end - hour) / dt.timedelta(days=days))  # results grow over the period
        cells = max(1, int(cells_per_hour * weight * 1.6 * growth))
        first = len(rows)
        for listing_id in rng.sample(listing_ids, min(cells, len(listing_ids))):
            impressions = rng.randint(1, 12)
            clicks = sum(rng.random() < 0.035 for _ in range(impressions))
            charged = clicks - (1 if clicks and rng.random() < 0.05 else 0)
            spend = charged * rng.randint(12, 45) * 10_000
            direct = 1 if charged and rng.random() < 0.012 else 0
            halo = 1 if charged and rng.random() < 0.01 else 0
            rows.append(HourlyStat(
                campaign_id=campaign.pk, listing_id=listing_id, hour=hour, impressions=impressions, clicks=clicks,
                charged_clicks=charged, spend_micros=spend, direct_orders=direct,
                direct_sales_micros=direct * rng.randint(15, 120) * 1_000_000, halo_orders=halo,
                halo_sales_micros=halo * rng.randint(15, 90) * 1_000_000))
        totals.append(CampaignHourlyStat(campaign_id=campaign.pk, hour=hour,
                                         **{m: sum(getattr(r, m) for r in rows[first:]) for m in METRICS}))
        if len(rows) >= batch_size:
            HourlyStat.objects.bulk_create(rows)
            CampaignHourlyStat.objects.bulk_create(totals)
            created += len(rows)
            rows, totals = [], []
        hour += dt.timedelta(hours=1)
    HourlyStat.objects.bulk_create(rows)
    CampaignHourlyStat.objects.bulk_create(totals)
    return created + len(rows)


def credits_create(campaign: Campaign, listings: list[Listing], *, count: int, seed: int = 1) -> None:
    """``count`` credited orders in the last 14 days, direct and halo, each with its charged click."""
    rng = random.Random(seed)
    now = clock.now()
    for n in range(count):
        clicked = rng.choice(listings)
        halo = rng.random() < 0.4
        bought = rng.choice([x for x in listings if x.pk != clicked.pk]) if halo else clicked
        purchased_at = now - dt.timedelta(hours=rng.randint(2, 14 * 24))
        clicked_at = purchased_at - dt.timedelta(hours=rng.randint(1, 6 * 24))
        click = Click.objects.create(event_id=f"demo-click-{campaign.pk}-{n}", occurred_at=clicked_at,
                                     opaque_user_id=f"buyer-{n}", listing=clicked, seller_id=campaign.seller_id,
                                     campaign=campaign, auction_id=f"demo-auc-{n}", price_micros=300_000, slot=1,
                                     placement=rng.choice(["search", "feed", "category"]), charged=True)
        purchase = Purchase.objects.create(order_id=f"ORD-{48200 + n}", occurred_at=purchased_at,
                                           opaque_user_id=f"buyer-{n}")
        item = PurchaseItem.objects.create(purchase=purchase, purchased_at=purchased_at, listing=bought,
                                           seller_id=campaign.seller_id, unit_price_micros=bought.price_micros)
        AttributionCredit.objects.create(
            item=item, purchase=purchase, click=click, kind="halo" if halo else "direct", campaign=campaign,
            listing=clicked, seller_id=campaign.seller_id, amount_micros=bought.price_micros,
            purchased_at=purchased_at)


def auction_days_create(listing: Listing, *, days: int = 7, seed: int = 1) -> None:
    """A week of auction counts for one listing that mostly loses to pacing and relevance."""
    rng = random.Random(seed)
    today = clock.local_now().date()
    for back in range(days):
        counts = dict.fromkeys(COUNTERS, 0)
        counts.update(paced_out=rng.randint(8, 20), below_relevance_floor=rng.randint(3, 9),
                      outranked=rng.randint(2, 6), organic_top_k=rng.randint(0, 3))
        won = rng.randint(0, 3)
        counts["won"] = won
        counts["eligible"] = won + counts["outranked"]
        counts["candidate"] = won + sum(counts[r] for r in ("paced_out", "below_relevance_floor", "outranked",
                                                            "organic_top_k"))
        ListingAuctionDay.objects.create(listing=listing, day=today - dt.timedelta(days=back), **counts)
