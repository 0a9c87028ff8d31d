"""Observed campaign outcomes: what the budget recommendation learns from, and the
forecasts shown to sellers set against what their weeks delivered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from campaigns import budget
from campaigns.models import BudgetForecast, BudgetPeriod, LedgerEntry
from core import clock


@dataclass(frozen=True)
class WeekOutcome:
    """One finished budget week of one campaign, as plain values.

    ``impressions``, ``sales`` and ``sales_micros`` are None until the analytics rollups
    fill them in; the recommendation uses whatever is present.
    """

    period_id: int
    campaign_id: int
    seller_id: int
    week_start: dt.datetime
    budget_micros: int
    week_share: float  # part of the week the campaign could run (launched mid-week: < 1)
    spent_micros: int
    charged_clicks: int
    exhausted: bool
    bidding: str
    promoted_listings: int
    average_price_micros: int
    main_category: str
    impressions: int | None = None
    sales: int | None = None
    sales_micros: int | None = None


def campaign_week_outcomes(*, weeks: int = 26, limit: int = 20_000,
                           at: dt.datetime | None = None, campaign_id: int | None = None) -> list[WeekOutcome]:
    """Finished budget weeks (ended before ``at``, default now) of the last ``weeks``
    weeks, newest first, at most ``limit`` rows, in one query (of one campaign if given).

    Spend and charged clicks (charges minus refunded charges) come from the ledger.
    Weeks that opened with nothing to promote are left out: they say nothing about demand.
    """
    at = at or clock.now()
    since = at - dt.timedelta(weeks=weeks)
    periods = BudgetPeriod.objects.filter(week_end__lte=at, week_start__gte=since, promoted_listings__gt=0)
    if campaign_id is not None:
        periods = periods.filter(campaign_id=campaign_id)
    rows = (
        periods.order_by("-week_start", "-id")
        .annotate(
            charges=Count("entries", filter=Q(entries__kind=LedgerEntry.Kind.CHARGE)),
            refunds=Count("entries", filter=Q(entries__kind=LedgerEntry.Kind.REFUND)),
        )
        .values_list("pk", "campaign_id", "campaign__seller_id", "week_start", "week_end", "budget_micros",
                     "spent_micros", "charges", "refunds", "exhausted_at", "campaign__bidding",
                     "campaign__launched_at", "promoted_listings", "average_price_micros", "main_category")
    )[:limit]
    outcomes = []
    for (pk, campaign_id, seller_id, start, end, budget_micros, spent, charges, refunds, exhausted_at,
         bidding, launched_at, listings, avg_price, category) in rows:
        outcomes.append(WeekOutcome(
            period_id=pk, campaign_id=campaign_id, seller_id=seller_id, week_start=start,
            budget_micros=budget_micros, week_share=budget.week_fraction_left(launched_at or start, start, end),
            spent_micros=spent, charged_clicks=max(0, charges - refunds), exhausted=exhausted_at is not None,
            bidding=bidding, promoted_listings=listings, average_price_micros=avg_price,
            main_category=category or "Other",
        ))
    return outcomes


@dataclass(frozen=True)
class ForecastCheck:
    """A finished full week set against the forecast in force for it."""

    period_id: int
    campaign_id: int
    week_start: dt.datetime
    method: str
    clicks_low: int
    clicks_high: int
    clicks: int
    sales_low: int
    sales_high: int
    sales: int | None  # None until the analytics rollups fill outcomes in

    @property
    def clicks_inside(self) -> bool:
        return self.clicks_low <= self.clicks <= self.clicks_high


def forecast_checks(outcomes: list[WeekOutcome] | None = None) -> list[ForecastCheck]:
    """Finished full weeks (not a launch week) with the forecast shown before they ended.

    The forecast in force for a week is the latest one recorded for the budget the week
    ran with before the week's first day was over (the forecasts job records one as each
    week opens): what the seller saw going into the week, not one made knowing most of it.
    Reads ``campaign_week_outcomes()`` unless given
    outcomes (so impressions and sales from the rollups flow through), plus one query.
    """
    outcomes = campaign_week_outcomes() if outcomes is None else outcomes
    full = [o for o in outcomes if o.week_share >= 1.0]
    by_campaign: dict[int, list[BudgetForecast]] = {}
    for forecast in BudgetForecast.objects.filter(campaign_id__in={o.campaign_id for o in full}).order_by("created_at"):
        by_campaign.setdefault(forecast.campaign_id, []).append(forecast)
    checks = []
    for outcome in full:
        first_day_end = outcome.week_start + dt.timedelta(days=1)
        shown = [f for f in by_campaign.get(outcome.campaign_id, [])
                 if f.created_at < first_day_end and f.weekly_budget_micros == outcome.budget_micros]
        if shown:
            f = shown[-1]
            checks.append(ForecastCheck(outcome.period_id, outcome.campaign_id, outcome.week_start, f.method,
                                        f.clicks_low, f.clicks_high, outcome.charged_clicks, f.sales_low,
                                        f.sales_high, outcome.sales))
    return checks


def forecast_check_latest(campaign_id: int) -> ForecastCheck | None:
    """The campaign's latest finished full week set against its forecast (the campaign page)."""
    checks = forecast_checks(campaign_week_outcomes(weeks=2, limit=2, campaign_id=campaign_id))
    return max(checks, key=lambda c: c.week_start, default=None)
