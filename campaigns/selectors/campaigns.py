"""Reads for the campaign page and the listing picker.

Money is integer micros. Week bounds are in the marketplace time zone
(``core.clock.marketplace_tz()``), stored as UTC.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet

from campaigns import budget
from campaigns.models import BudgetForecast, BudgetPeriod, Campaign, CampaignListing
from core import clock
from core.paging import PageNavigation
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


def promoted_among(campaign: Campaign, listings: Iterable[tuple[int, str]]) -> set[int]:
    """Which of ``listings`` ((id, status) pairs: a page of a table) the campaign promotes
    now: available, and chosen unless the whole closet is promoted. One query at most."""
    available = {pk for pk, status in listings if status == Listing.Status.AVAILABLE}
    if campaign.selection != Campaign.Selection.CHOSEN or not available:
        return available
    return set(campaign.chosen.filter(listing_id__in=available).values_list("listing_id", flat=True))


def listing_is_promoted(campaign: Campaign, listing: Listing) -> bool:
    return bool(promoted_among(campaign, [(listing.pk, listing.status)]))


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
    image_url: str
    chosen: bool


@dataclass(frozen=True)
class ListingPage(PageNavigation):
    rows: list[ListingRow]
    total: int
    page: int
    pages: int
    query: str
    status: str
    chosen_filter: str
    chosen_total: int

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
            "pk", "marketplace_id", "title", "brand", "category", "price_micros", "status", "image_url", "is_chosen",
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
