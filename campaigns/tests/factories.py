import datetime as dt
import random

import factory

from campaigns import budget
from campaigns.models import BudgetPeriod, Campaign, LedgerEntry
from campaigns.selectors import WeekOutcome
from core import clock
from sellers.tests.factories import SellerFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    seller = factory.SubFactory(SellerFactory)
    weekly_budget_micros = 25_000_000
    status = Campaign.Status.DRAFT
    # Neutral pacing (bid the full value, enter every auction): tests of other rules should
    # not depend on the cautious start state that new campaigns get in production.
    pacing_multiplier = 1.0
    pacing_throttle = 1.0


def launched_campaign(seller, weekly_budget_micros: int = 25_000_000, **kwargs) -> Campaign:
    """A seller's campaign created and launched through the services, at the clock's now."""
    from campaigns.services import campaign_create, campaign_launch

    campaign = campaign_create(seller, weekly_budget_micros=weekly_budget_micros, **kwargs)
    campaign_launch(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(pacing_multiplier=1.0, pacing_throttle=1.0)  # neutral pacing
    campaign.refresh_from_db()
    return campaign


CATEGORY_DEMAND = {"Women": 1.2, "Men": 1.0, "Kids": 0.6, "Home": 0.8}


def _synthetic_week(rng, closet: tuple, budget_micros: int) -> tuple[int, int]:
    """(clicks, spend) of a made-up marketplace: clicks grow with budget until the closet's
    capacity (listings x 0.4 x category demand), at a CPC set by the average price.
    """
    listings, price, category = closet
    cpc = max(100_000, min(2_000_000, int(0.03 * price * 0.8 * 0.7)))
    capacity = listings * 0.4 * CATEGORY_DEMAND[category] * rng.lognormvariate(0, 0.3)
    clicks = int(min(budget_micros / cpc, capacity))
    return clicks, clicks * cpc


def synthetic_closets(rng, campaigns: int, max_listings: int = 3000) -> list[tuple]:
    """(listings, average price, category) per closet; sizes have a long tail like real closets."""
    return [(min(max_listings, max(3, int(rng.paretovariate(1.15) * 8))), int(rng.uniform(15, 120)) * 1_000_000,
             rng.choice(sorted(CATEGORY_DEMAND))) for _ in range(campaigns)]


def synthetic_outcomes(rows: int, campaigns: int, seed: int = 1, *, impressions: bool = False,
                       sales: bool = False) -> list:
    """Plain WeekOutcome rows from the made-up marketplace (for the model's pure tests)."""
    rng = random.Random(seed)
    closets = synthetic_closets(rng, campaigns)
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    out = []
    for i in range(rows):
        c = i % campaigns
        listings, price, category = closets[c]
        budget_micros = rng.choice([5, 10, 20, 40, 80, 160, 320]) * 1_000_000
        clicks, spend = _synthetic_week(rng, closets[c], budget_micros)
        out.append(WeekOutcome(
            period_id=i, campaign_id=c, seller_id=c, week_start=start + dt.timedelta(weeks=i // campaigns),
            budget_micros=budget_micros, week_share=1.0, spent_micros=spend, charged_clicks=clicks,
            exhausted=spend + 2_000_000 > budget_micros, bidding="auto", promoted_listings=listings,
            average_price_micros=price, main_category=category,
            impressions=clicks * 50 if impressions else None, sales=clicks // 25 if sales else None))
    return out


def campaign_history(campaigns: int, weeks: int, *, end: dt.datetime, seed: int = 1) -> None:
    """Finished budget weeks with their ledger for ``campaigns`` sellers, in bulk.

    Each campaign ran the ``weeks`` whole weeks before the week containing ``end``.
    """
    rng = random.Random(seed)
    this_week = budget.week_start(end, clock.marketplace_tz())
    # Small closets keep the ledger small (one row per click) while both budget-limited and
    # closet-limited weeks appear.
    closets = [(max(10, listings), price, category)
               for listings, price, category in synthetic_closets(rng, campaigns, max_listings=150)]
    for listings, price, category in closets:
        campaign = CampaignFactory(status=Campaign.Status.ACTIVE, launched_at=this_week - dt.timedelta(weeks=weeks),
                                   weekly_budget_micros=rng.choice([5, 10, 20, 40]) * 1_000_000)
        periods, entries = [], []
        for w in range(weeks, 0, -1):
            start = this_week - dt.timedelta(weeks=w)
            budget_micros = int(campaign.weekly_budget_micros * rng.choice([0.5, 1, 1, 2]))
            clicks, spend = _synthetic_week(rng, (listings, price, category), budget_micros)
            periods.append(BudgetPeriod(
                campaign=campaign, week_start=start, week_end=start + dt.timedelta(weeks=1),
                budget_micros=budget_micros, spent_micros=spend, promoted_listings=listings,
                average_price_micros=price, main_category=category))
            entries.append((clicks, spend))
        BudgetPeriod.objects.bulk_create(periods)
        for period, (clicks, spend) in zip(periods, entries, strict=True):
            price_each = spend // clicks if clicks else 0
            entries_for_week = [
                LedgerEntry(period=period, campaign=campaign, kind=LedgerEntry.Kind.CHARGE,
                            amount_micros=price_each, created_at=period.week_start + dt.timedelta(hours=1))
                for _ in range(clicks)]
            LedgerEntry.objects.bulk_create(entries_for_week, batch_size=1000)
