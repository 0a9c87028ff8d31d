"""Reads for Promoted Closet campaigns (import from here: ``campaigns.selectors``).

- ``campaigns``: the campaign page, its overview and the listing picker;
- ``statements``: weekly statements and their CSV rows;
- ``outcomes``: finished weeks the budget recommendation learns from, forecast checks.
"""

from campaigns.selectors.campaigns import (
    LISTINGS_PER_PAGE,
    CampaignOverview,
    ClosetSnapshot,
    ListingPage,
    ListingRow,
    campaign_closet_snapshot,
    campaign_latest_for_seller,
    campaign_listing_ids_matching,
    campaign_listing_page,
    campaign_live_for_seller,
    campaign_overview,
    forecast_latest,
    listing_is_promoted,
    next_week_start,
    promoted_among,
    promoted_listings,
    seller_needs_onboarding,
    top_level,
)
from campaigns.selectors.outcomes import (
    ForecastCheck,
    WeekOutcome,
    campaign_week_outcomes,
    forecast_check_latest,
    forecast_checks,
)
from campaigns.selectors.statements import (
    StatementDay,
    StatementDetail,
    StatementLine,
    statement_detail_for_seller,
    statement_entries,
    statement_lines_for_seller,
)

__all__ = [
    "LISTINGS_PER_PAGE", "CampaignOverview", "ClosetSnapshot", "ForecastCheck", "ListingPage", "ListingRow",
    "StatementDay", "StatementDetail", "StatementLine", "WeekOutcome", "campaign_closet_snapshot",
    "campaign_latest_for_seller", "campaign_listing_ids_matching", "campaign_listing_page", "campaign_live_for_seller",
    "campaign_overview", "campaign_week_outcomes", "forecast_check_latest", "forecast_checks", "forecast_latest",
    "listing_is_promoted", "next_week_start", "promoted_among",
    "promoted_listings", "seller_needs_onboarding", "statement_detail_for_seller", "statement_entries",
    "statement_lines_for_seller", "top_level",
]
