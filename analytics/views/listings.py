"""The per-listing table and the "why isn't my listing showing?" page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from analytics.diagnosis import diagnose
from analytics.presenters import kpis_row
from analytics.ranges import PRESETS
from analytics.selectors.listings import FILTERS, SORTS, listing_stats_page
from analytics.views.common import page_number, requested_range
from auction.selectors import listing_auction_stats
from campaigns.models import Campaign
from campaigns.selectors import campaign_live_for_seller, promoted_among, promoted_listings
from core import clock
from sellers.models import Listing
from sellers.portal import SellerRequest, render_page, seller_required

DIAGNOSIS_DAYS = 7
# (sort key or "", header, numeric)
COLUMNS = [("title", gettext_lazy("Listing"), False), ("price", gettext_lazy("Price"), True),
           ("impressions", gettext_lazy("Impressions"), True), ("clicks", gettext_lazy("Clicks"), True),
           ("ctr", gettext_lazy("CTR"), True), ("cpc", gettext_lazy("Avg CPC"), True),
           ("spend", gettext_lazy("Spend"), True), ("orders", gettext_lazy("Orders"), True),
           ("sales", gettext_lazy("Sales"), True), ("roas", gettext_lazy("ROAS"), True), ("", "", False)]


def _columns(sort: str, toggle: bool = False) -> list[dict]:
    """Header cells: a click sorts descending first, a second click on the same column ascending.
    ``toggle``: a "Promoted" column before the last (the seller has a campaign to toggle in)."""
    out = []
    columns = [*COLUMNS[:-1], ("", gettext_lazy("Promoted"), False), COLUMNS[-1]] if toggle else COLUMNS
    for key, label, numeric in columns:
        state = "descending" if sort == f"-{key}" else "ascending" if sort == key else ""
        out.append({"key": key, "label": label, "numeric": numeric, "state": state,
                    "next": key if state == "descending" else f"-{key}",
                    "arrow": {"descending": " ▼", "ascending": " ▲"}.get(state, "")})
    return out


@require_GET
@seller_required
def listing_table(request: SellerRequest) -> HttpResponse:
    """The seller's listings with their metrics over the range: sortable, filterable, paginated (in SQL)."""
    days, error = requested_range(request)
    table = listing_stats_page(request.seller, days, sort=request.GET.get("sort", ""),
                               filter_=request.GET.get("filter", "all"), page=page_number(request))
    base = reverse("analytics:listings")
    url = None if error else f"{base}?{days.query()}&filter={table.filter}&sort={table.sort}&page={table.page}"
    campaign = campaign_live_for_seller(request.seller)
    promoted = (promoted_among(campaign, [(row.listing_id, row.status) for row in table.rows])
                if campaign is not None else set())
    context = {
        "nav": "listings", "days": days, "error": error, "presets": PRESETS, "table": table, "filters": FILTERS,
        "sorts": SORTS, "rows": [(row, kpis_row(row.kpis), row.listing_id in promoted) for row in table.rows],
        "query": f"{days.query()}&filter={table.filter}", "base_url": base,
        "columns": _columns(table.sort, toggle=campaign is not None), "campaign": campaign,
        "hidden": [("filter", table.filter), ("sort", table.sort)], "next_url": url or base,
    }
    return render_page(request, "analytics/listings.html", "analytics/_listings.html", context,
                       status=400 if error else 200, url=url)


def _current_blockers(listing: Listing) -> list[str]:
    """What stops the listing from showing right now (before the counters say anything)."""
    if listing.status != Listing.Status.AVAILABLE:
        if listing.status == Listing.Status.SOLD:
            return [_("It is sold: only available items are promoted.")]
        return [_("It is removed: only available items are promoted.")]
    campaign = campaign_live_for_seller(listing.seller)
    if campaign is None:
        return [_("You have no Promoted Closet campaign: start one to promote your listings.")]
    if campaign.status == Campaign.Status.PAUSED:
        return [_("Your campaign is paused: resume it on your campaign page.")]
    if campaign.status == Campaign.Status.DRAFT:
        return [_("Your campaign is not launched yet: finish setting it up.")]
    if not promoted_listings(campaign).filter(pk=listing.pk).exists():
        return [_("It is not among the listings your campaign promotes: add it on your campaign page.")]
    return []


@require_GET
@seller_required
def why_not_showing(request: SellerRequest, listing_id: int) -> HttpResponse:
    """How the listing fared in auctions over the last 7 days and why it did not show; another seller's: 404."""
    listing = get_object_or_404(Listing.objects.select_related("seller"), pk=listing_id, seller=request.seller)
    today = clock.local_now().date()  # the auction counts its days in the marketplace time zone
    start = today - dt.timedelta(days=DIAGNOSIS_DAYS - 1)
    stats = listing_auction_stats(listing.pk, start, today + dt.timedelta(days=1))
    context = {"nav": "listings", "listing": listing, "diagnosis": diagnose(stats), "stats": stats,
               "start": start, "end": today, "blockers": _current_blockers(listing)}
    return render(request, "analytics/why.html", context)
