"""Reads for Promoted Closet campaigns: the campaign page, listing picker, statements and
the observed weekly outcomes the budget recommendation learns from.

Money is integer micros. Week bounds are in the marketplace time zone
(``closetads.clock.marketplace_tz()``), stored as UTC.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from campaigns import budget
from campaigns.models import BudgetForecast, BudgetPeriod, Campaign, CampaignListing, LedgerEntry
from closetads import clock
from sellers.models import Listing, Seller

LISTINGS_PER_PAGE = 50


# --- Campaigns ------------------------------------------------------------------------

def campaign_live_for_seller(seller: Seller) -> Campaign | None:
    """The seller's live (draft, active or paused) campaign, or None. At most one exists."""
    return Campaign.objects.filter(seller=seller).exclude(status=Campaign.Status.ENDED).first()


def campaign_latest_for_seller(seller: Seller) -> Campaign | None:
    """The live campaign, else the most recently created ended one, else None."""
    return campaign_live_for_seller(seller) or Campaign.objects.filter(seller=seller).order_by("-created_at").first()


def seller_needs_onboarding(seller: Seller) -> bool:
    """True when the seller has never launched a campaign (none at all, or only a draft)."""
    return not Campaign.objects.filter(seller=seller).exclude(status=Campaign.Status.DRAFT).exists()


def promoted_listings(campaign: Campaign) -> QuerySet[Listing]:
    """The available listings a campaign promotes (whole closet, or the chosen ones)."""
    listings = Listing.objects.filter(seller_id=campaign.seller_id, status=Listing.Status.AVAILABLE)
    if campaign.selection == Campaign.Selection.CHOSEN:
        listings = listings.filter(campaign_choices__campaign=campaign)
    return listings


@dataclass(frozen=True)
class ClosetSnapshot:
    promoted_listings: int
    average_price_micros: int
    main_category: str


def campaign_closet_snapshot(campaign: Campaign) -> ClosetSnapshot:
    """Count, average price and main top-level category of what a campaign promotes now.

    Two queries (an aggregate and a GROUP BY category over the seller's listings).
    """
    listings = promoted_listings(campaign)
    totals = listings.aggregate(n=Count("id"), avg=Avg("price_micros"))
    return ClosetSnapshot(int(totals["n"] or 0), int(totals["avg"] or 0), _main_category(listings))


def _main_category(listings: QuerySet[Listing]) -> str:
    tops: Counter[str] = Counter()
    for category, n in listings.order_by().values_list("category").annotate(n=Count("id")):
        tops[top_level(category)] += n
    return tops.most_common(1)[0][0] if tops else ""


def top_level(category: str) -> str:
    """'Women/Shoes/Sneakers' -> 'Women'; blank -> 'Other'."""
    head = (category or "").split("/", 1)[0].strip()
    return head[:100] or "Other"


@dataclass(frozen=True)
class CampaignOverview:
    """What the campaign page shows about this budget week."""

    campaign: Campaign
    week_start: dt.datetime
    week_end: dt.datetime
    budget_micros: int
    spent_micros: int
    exhausted: bool
    days_left: int
    in_first_week: bool
    promoted_listings: int

    @property
    def spent_percent(self) -> int:
        if self.budget_micros <= 0:
            return 100 if self.spent_micros else 0
        return min(100, math.floor(self.spent_micros * 100 / self.budget_micros))

    @property
    def remaining_micros(self) -> int:
        return max(0, self.budget_micros - self.spent_micros)

    @property
    def budget_change_applies_now(self) -> bool:
        return self.campaign.status == Campaign.Status.DRAFT or self.in_first_week


def campaign_overview(campaign: Campaign) -> CampaignOverview:
    """This week's budget, spend and days left for a campaign, without creating anything.

    When the week's period does not exist yet (paused, or no click this week), shows what
    it would get: the weekly budget, or its pending change. Three small queries.
    """
    now = clock.now()
    tz = clock.marketplace_tz()
    start, end = budget.week_bounds(now, tz)
    period = BudgetPeriod.objects.filter(campaign=campaign, week_start=start).first()
    in_first_week = campaign.launched_at is None or campaign.launched_at >= start
    if period is not None:
        budget_micros, spent, exhausted = period.budget_micros, period.spent_micros, period.exhausted_at is not None
    else:
        weekly = campaign.weekly_budget_micros
        due = campaign.next_weekly_budget_from is None or campaign.next_weekly_budget_from <= start
        if campaign.next_weekly_budget_micros and not in_first_week and due:
            weekly = campaign.next_weekly_budget_micros
        if campaign.status != Campaign.Status.DRAFT and in_first_week and campaign.launched_at:
            weekly = budget.prorated_budget(weekly, campaign.launched_at, start, end)
        budget_micros, spent, exhausted = weekly, 0, False
    days_left = (end.astimezone(tz).date() - now.astimezone(tz).date()).days
    return CampaignOverview(
        campaign=campaign, week_start=start, week_end=end, budget_micros=budget_micros, spent_micros=spent,
        exhausted=exhausted, days_left=days_left, in_first_week=in_first_week,
        promoted_listings=promoted_listings(campaign).count(),
    )


def next_week_start(at: dt.datetime | None = None) -> dt.datetime:
    """Start (UTC) of the budget week after the one containing ``at`` (default now)."""
    return budget.week_bounds(at or clock.now(), clock.marketplace_tz())[1]


def forecast_latest(campaign: Campaign) -> BudgetForecast | None:
    """The forecast shown for the campaign's current budget, if one was recorded."""
    return BudgetForecast.objects.filter(campaign=campaign).order_by("-created_at", "-id").first()


# --- Listing picker -------------------------------------------------------------------

STATUS_FILTERS = {"available": [Listing.Status.AVAILABLE], "sold": [Listing.Status.SOLD],
                  "all": [Listing.Status.AVAILABLE, Listing.Status.SOLD, Listing.Status.REMOVED]}
CHOSEN_FILTERS = ("any", "chosen", "not_chosen")


@dataclass(frozen=True)
class ListingRow:
    pk: int
    marketplace_id: str
    title: str
    brand: str
    category: str
    price_micros: int
    status: str
    chosen: bool


@dataclass(frozen=True)
class ListingPage:
    rows: list[ListingRow]
    total: int
    page: int
    pages: int
    query: str
    status: str
    chosen_filter: str
    chosen_total: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * LISTINGS_PER_PAGE + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0


def _picker_queryset(campaign: Campaign, query: str, status: str, chosen_filter: str) -> QuerySet[Listing]:
    # Served by the (seller, status) index; the search is a LIKE over one closet only.
    listings = Listing.objects.filter(seller_id=campaign.seller_id, status__in=STATUS_FILTERS[status])
    if query:
        listings = listings.filter(
            Q(title__icontains=query) | Q(brand__icontains=query) | Q(category__icontains=query)
            | Q(marketplace_id=query))
    is_chosen = Exists(CampaignListing.objects.filter(campaign=campaign, listing=OuterRef("pk")))
    if chosen_filter == "chosen":
        listings = listings.filter(is_chosen)
    elif chosen_filter == "not_chosen":
        listings = listings.exclude(is_chosen)
    return listings


def campaign_listing_page(campaign: Campaign, *, query: str = "", status: str = "available",
                          chosen_filter: str = "any", page: int = 1) -> ListingPage:
    """One page of a closet's listings with whether each is chosen for the campaign.

    Three queries whatever the page size or closet size: the matching count, the chosen
    count, and the page (LIMIT/OFFSET, newest listed first) with its chosen flag as an
    EXISTS.
    Unknown filter values fall back to the defaults; out-of-range pages to the nearest.
    """
    query = (query or "").strip()[:100]
    status = status if status in STATUS_FILTERS else "available"
    chosen_filter = chosen_filter if chosen_filter in CHOSEN_FILTERS else "any"
    listings = _picker_queryset(campaign, query, status, chosen_filter)
    total = listings.count()
    pages = max(1, math.ceil(total / LISTINGS_PER_PAGE))
    page = min(max(1, page), pages)
    offset = (page - 1) * LISTINGS_PER_PAGE
    is_chosen = Exists(CampaignListing.objects.filter(campaign=campaign, listing=OuterRef("pk")))
    # Newest listed first. Not "-id" alone: with ORDER BY id LIMIT, PostgreSQL walks the
    # whole listings table backwards by primary key looking for this seller's rows; on
    # listed_at it starts from the seller's index and sorts one closet (at most a few
    # thousand rows), whatever the size of the marketplace.
    rows = [
        ListingRow(*values)
        for values in listings.annotate(is_chosen=is_chosen).order_by(
            F("listed_at").desc(nulls_last=True), "-id").values_list(
            "pk", "marketplace_id", "title", "brand", "category", "price_micros", "status", "is_chosen",
        )[offset:offset + LISTINGS_PER_PAGE]
    ]
    chosen_total = CampaignListing.objects.filter(campaign=campaign).count()
    return ListingPage(rows, total, page, pages, query, status, chosen_filter, chosen_total)


def campaign_listing_ids_matching(campaign: Campaign, *, query: str = "", status: str = "available",
                                  chosen_filter: str = "any") -> list[int]:
    """Ids of every listing the picker's filters match (for "choose all matching")."""
    status = status if status in STATUS_FILTERS else "available"
    chosen_filter = chosen_filter if chosen_filter in CHOSEN_FILTERS else "any"
    return list(_picker_queryset(campaign, (query or "").strip()[:100], status, chosen_filter)
                .values_list("pk", flat=True))


# --- Statements -----------------------------------------------------------------------

@dataclass(frozen=True)
class StatementLine:
    period_id: int
    campaign_id: int
    campaign_name: str
    week_start: dt.datetime
    week_end: dt.datetime
    budget_micros: int
    charges_micros: int
    refunds_micros: int  # negative or zero
    adjustments_micros: int
    charged_clicks: int
    refunded_clicks: int

    @property
    def net_micros(self) -> int:
        return self.charges_micros + self.refunds_micros + self.adjustments_micros

    @property
    def is_current(self) -> bool:
        return self.week_start <= clock.now() < self.week_end


def _statement_lines(periods: QuerySet[BudgetPeriod]) -> list[StatementLine]:
    charge, refund, adjustment = (Q(entries__kind=k) for k in LedgerEntry.Kind.values)
    rows = periods.order_by("-week_start", "-id").annotate(
        charges=Sum("entries__amount_micros", filter=charge, default=0),
        refunds=Sum("entries__amount_micros", filter=refund, default=0),
        adjustments=Sum("entries__amount_micros", filter=adjustment, default=0),
        charged_clicks=Count("entries", filter=charge),
        refunded_clicks=Count("entries", filter=refund),
    ).values_list("pk", "campaign_id", "campaign__name", "week_start", "week_end", "budget_micros",
                  "charges", "refunds", "adjustments", "charged_clicks", "refunded_clicks")
    return [StatementLine(*row) for row in rows]


def statement_lines_for_seller(seller: Seller) -> list[StatementLine]:
    """One line per budget week of the seller's campaigns, newest first, in one query.

    Refunds belong to the week of the charge they reverse, so a week's net equals what
    that week's period spent.
    """
    return _statement_lines(BudgetPeriod.objects.filter(campaign__seller=seller))


@dataclass(frozen=True)
class StatementDay:
    day: dt.date
    charges_micros: int
    refunds_micros: int
    adjustments_micros: int
    charged_clicks: int

    @property
    def net_micros(self) -> int:
        return self.charges_micros + self.refunds_micros + self.adjustments_micros


@dataclass(frozen=True)
class StatementDetail:
    line: StatementLine
    period: BudgetPeriod
    days: list[StatementDay]


def statement_detail_for_seller(seller: Seller, period_id: int) -> StatementDetail | None:
    """A week's statement with a line per day (marketplace time), or None when the period
    is not one of the seller's (callers answer 404).
    """
    period = BudgetPeriod.objects.filter(pk=period_id, campaign__seller=seller).select_related("campaign").first()
    if period is None:
        return None
    line = _statement_lines(BudgetPeriod.objects.filter(pk=period.pk))[0]
    kinds = {k: Q(kind=k) for k in LedgerEntry.Kind.values}
    per_day = (
        LedgerEntry.objects.filter(period=period)
        .annotate(day=TruncDate("created_at", tzinfo=clock.marketplace_tz()))
        .order_by().values("day")
        .annotate(
            charges=Sum("amount_micros", filter=kinds["charge"], default=0),
            refunds=Sum("amount_micros", filter=kinds["refund"], default=0),
            adjustments=Sum("amount_micros", filter=kinds["adjustment"], default=0),
            clicks=Count("id", filter=kinds["charge"]),
        ).order_by("day")
    )
    days = [StatementDay(r["day"], r["charges"], r["refunds"], r["adjustments"], r["clicks"]) for r in per_day]
    return StatementDetail(line, period, days)


def statement_entries(period: BudgetPeriod) -> Iterator[tuple]:
    """A week's ledger entries, oldest first, streamed in chunks (for the CSV):
    (created_at, kind, amount_micros, click_id, note).
    """
    return (LedgerEntry.objects.filter(period=period).order_by("created_at", "id")
            .values_list("created_at", "kind", "amount_micros", "click_id", "note").iterator(chunk_size=2000))


# --- Observed outcomes (what the budget recommendation learns from) ------------------

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
                           at: dt.datetime | None = None) -> list[WeekOutcome]:
    """Finished budget weeks (ended before ``at``, default now) of the last ``weeks``
    weeks, newest first, at most ``limit`` rows, in one query.

    Spend and charged clicks (charges minus refunded charges) come from the ledger.
    Weeks that opened with nothing to promote are left out: they say nothing about demand.
    """
    at = at or clock.now()
    since = at - dt.timedelta(weeks=weeks)
    rows = (
        BudgetPeriod.objects.filter(week_end__lte=at, week_start__gte=since, promoted_listings__gt=0)
        .order_by("-week_start", "-id")
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

    The forecast in force for a week is the latest one recorded before the week ended,
    for the budget the week ran with. Reads ``campaign_week_outcomes()`` unless given
    outcomes (so impressions and sales from the rollups flow through), plus one query.
    """
    outcomes = campaign_week_outcomes() if outcomes is None else outcomes
    full = [o for o in outcomes if o.week_share >= 1.0]
    by_campaign: dict[int, list[BudgetForecast]] = {}
    for forecast in BudgetForecast.objects.filter(campaign_id__in={o.campaign_id for o in full}).order_by("created_at"):
        by_campaign.setdefault(forecast.campaign_id, []).append(forecast)
    checks = []
    for outcome in full:
        week_end = outcome.week_start + dt.timedelta(days=7)
        shown = [f for f in by_campaign.get(outcome.campaign_id, [])
                 if f.created_at < week_end and f.weekly_budget_micros == outcome.budget_micros]
        if shown:
            f = shown[-1]
            checks.append(ForecastCheck(outcome.period_id, outcome.campaign_id, outcome.week_start, f.method,
                                        f.clicks_low, f.clicks_high, outcome.charged_clicks, f.sales_low,
                                        f.sales_high, outcome.sales))
    return checks
