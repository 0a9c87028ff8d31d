"""The per-listing table: rollup metrics per listing of a closet, sorted, filtered and paged in SQL.

A 5,000-listing closet is never loaded into Python: one statement aggregates the range's
rollups per listing (the (campaign, hour) index), left-joins them onto the closet's
listings (the (seller, status) index), sorts and cuts one page; a second counts the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from analytics.metrics import Kpis
from analytics.models import HourlyStat
from analytics.models.rollups import METRICS
from analytics.ranges import DayRange
from campaigns.models import Campaign
from campaigns.selectors import campaign_live_for_seller, promoted_listings
from core.paging import PageNavigation
from sellers.models import Listing, Seller

ROWS_PER_PAGE = 50
FILTERS = ("all", "available", "sold", "promoted")
# Sort key -> SQL expression over the joined row (whitelisted: never SQL from the request).
_SORTS = {
    "title": "l.title",
    "price": "l.price_micros",
    "impressions": "impressions",
    "clicks": "clicks",
    "ctr": "CASE WHEN impressions > 0 THEN clicks * 1.0 / impressions END",
    "cpc": "CASE WHEN charged_clicks > 0 THEN spend_micros * 1.0 / charged_clicks END",
    "spend": "spend_micros",
    "orders": "direct_orders + halo_orders",
    "sales": "direct_sales_micros + halo_sales_micros",
    "roas": "CASE WHEN spend_micros > 0 THEN (direct_sales_micros + halo_sales_micros) * 1.0 / spend_micros END",
}
SORTS = tuple(_SORTS)
DEFAULT_SORT = "-spend"


@dataclass(frozen=True)
class ListingStatsRow:
    listing_id: int
    marketplace_id: str
    title: str
    status: str
    price_micros: int
    image_url: str
    kpis: Kpis


@dataclass(frozen=True)
class ListingStatsPage(PageNavigation):
    rows: list[ListingStatsRow]
    total: int
    page: int
    pages: int
    sort: str
    filter: str


def clean_sort(value: str | None) -> str:
    """A known sort key, with "-" for descending; anything else is the default."""
    value = (value or "").strip()
    return value if value.lstrip("-") in _SORTS else DEFAULT_SORT


def _filter_sql(seller: Seller, filter_: str) -> tuple[str, list]:
    if filter_ in ("available", "sold"):
        return " AND l.status = %s", [filter_]
    if filter_ == "promoted":
        campaign = campaign_live_for_seller(seller)
        if campaign is None or campaign.status != Campaign.Status.ACTIVE:
            return " AND 1 = 0", []
        sub_sql, sub_params = promoted_listings(campaign).values("id").query.sql_with_params()
        return f" AND l.id IN ({sub_sql})", list(sub_params)
    return "", []


def listing_stats_page(seller: Seller, days: DayRange, *, sort: str = DEFAULT_SORT, filter_: str = "all",
                       page: int = 1, per_page: int = ROWS_PER_PAGE) -> ListingStatsPage:
    """One page of the seller's listings with their metrics over ``days`` (money in micros).

    ``filter_``: all / available / sold / promoted (in the active campaign now). ``sort``: a
    key of SORTS, "-" first for descending; ties and empty ratios go last, then by newest listing.
    A page past the end is clamped to the last page.
    """
    sort = clean_sort(sort)
    filter_ = filter_ if filter_ in FILTERS else "all"
    listing_table = connection.ops.quote_name(Listing._meta.db_table)
    stat_table = connection.ops.quote_name(HourlyStat._meta.db_table)
    where, where_params = _filter_sql(seller, filter_)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {listing_table} l WHERE l.seller_id = %s{where}",  # noqa: S608
                       [seller.pk, *where_params])
        total = cursor.fetchone()[0]
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        campaign_ids = list(Campaign.objects.filter(seller=seller).values_list("id", flat=True)) or [0]
        start, end = (connection.ops.adapt_datetimefield_value(t) for t in days.utc_bounds())
        sums = ", ".join(f"SUM(s.{m}) AS {m}" for m in METRICS)
        coalesced = ", ".join(f"COALESCE(a.{m}, 0) AS {m}" for m in METRICS)
        descending = sort.startswith("-")
        order = f"{_SORTS[sort.lstrip('-')]} {'DESC' if descending else 'ASC'} NULLS LAST, l.id DESC"
        in_list = ", ".join(["%s"] * len(campaign_ids))
        sql = (
            f"WITH a AS (SELECT s.listing_id, {sums} FROM {stat_table} s "  # noqa: S608
            f"WHERE s.campaign_id IN ({in_list}) AND s.hour >= %s AND s.hour < %s GROUP BY s.listing_id) "
            f"SELECT * FROM (SELECT l.id, l.marketplace_id, l.title, l.status, l.price_micros, l.image_url, "
            f"{coalesced} "
            f"FROM {listing_table} l LEFT JOIN a ON a.listing_id = l.id WHERE l.seller_id = %s{where}) l "
            f"ORDER BY {order} LIMIT %s OFFSET %s"
        )
        params = [*campaign_ids, start, end, seller.pk, *where_params, per_page, (page - 1) * per_page]
        cursor.execute(sql, params)
        rows = [ListingStatsRow(listing_id=r[0], marketplace_id=r[1], title=r[2], status=r[3], price_micros=r[4],
                                image_url=r[5], kpis=Kpis.of(dict(zip(METRICS, r[6:], strict=True))))
                for r in cursor.fetchall()]
    return ListingStatsPage(rows=rows, total=total, page=page, pages=pages, sort=sort, filter=filter_)
