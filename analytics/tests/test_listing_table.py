"""The per-listing table: the same metrics per listing, sorted, filtered and paged in SQL."""

from __future__ import annotations

import datetime as dt
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.ranges import last_days
from analytics.selectors.listings import listing_stats_page
from analytics.tests.conftest import NOW, stat
from campaigns.models import Campaign
from campaigns.services import campaign_pause
from sellers.tests.factories import ListingFactory

LISTINGS = reverse("analytics:listings")


def _range(days: int = 7):
    import zoneinfo

    return last_days(days, today=NOW.date(), tz=zoneinfo.ZoneInfo("UTC"))


def test_each_row_sums_its_listings_rollups_in_the_range(shop):
    campaign, (a, b, _) = shop["campaign"], shop["listings"]
    stat(campaign, a, NOW - dt.timedelta(days=1), impressions=100, clicks=4, charged_clicks=4, spend_micros=2_000_000,
         direct_orders=1, direct_sales_micros=50_000_000)
    stat(campaign, a, NOW - dt.timedelta(days=2), impressions=100, clicks=1, charged_clicks=0)
    stat(campaign, b, NOW - dt.timedelta(days=30), impressions=999)  # outside the 7 days
    page = listing_stats_page(shop["seller"], _range(7), sort="-impressions")
    by_id = {row.marketplace_id: row.kpis for row in page.rows}
    assert by_id["V0"].impressions == 200
    assert by_id["V0"].clicks == 5
    assert by_id["V0"].cpc_micros == 500_000
    assert by_id["V0"].roas == 25
    assert by_id["V1"].impressions == 0
    assert page.total == 3
    assert page.rows[0].marketplace_id == "V0"


def test_sorting_by_a_ratio_puts_empty_ratios_last_either_way(shop):
    campaign, (a, b, _) = shop["campaign"], shop["listings"]
    stat(campaign, a, NOW - dt.timedelta(days=1), impressions=100, clicks=1)
    stat(campaign, b, NOW - dt.timedelta(days=1), impressions=100, clicks=5)
    down = listing_stats_page(shop["seller"], _range(), sort="-ctr")
    up = listing_stats_page(shop["seller"], _range(), sort="ctr")
    assert [r.marketplace_id for r in down.rows] == ["V1", "V0", "V2"]
    assert [r.marketplace_id for r in up.rows] == ["V0", "V1", "V2"]


def test_filters_split_sold_available_and_promoted(shop):
    seller, campaign = shop["seller"], shop["campaign"]
    ListingFactory(seller=seller, status="sold", marketplace_id="VS")
    assert listing_stats_page(seller, _range(), filter_="sold").total == 1
    assert listing_stats_page(seller, _range(), filter_="available").total == 3
    assert listing_stats_page(seller, _range(), filter_="promoted").total == 3  # whole closet, available only
    campaign.selection = Campaign.Selection.CHOSEN
    campaign.save()
    campaign.chosen.create(listing=shop["listings"][1])
    promoted = listing_stats_page(seller, _range(), filter_="promoted")
    assert [r.marketplace_id for r in promoted.rows] == ["V1"]
    campaign_pause(campaign)
    assert listing_stats_page(seller, _range(), filter_="promoted").total == 0


def test_pages_are_cut_in_sql_and_clamped_to_the_last(shop):
    ListingFactory.create_batch(120, seller=shop["seller"])
    page = listing_stats_page(shop["seller"], _range(), page=3, per_page=50)
    assert (page.page, page.pages, len(page.rows), page.total) == (3, 3, 23, 123)
    assert listing_stats_page(shop["seller"], _range(), page=99).page == 3
    with CaptureQueriesContext(connection) as queries:
        listing_stats_page(shop["seller"], _range(), page=2)
    assert len(queries) <= 4  # count, campaigns, page (promoted filter adds one)


def test_the_page_sorts_through_header_links_and_keeps_range_and_filter(shop_client, shop):
    stat(shop["campaign"], shop["listings"][2], NOW - dt.timedelta(days=1), spend_micros=3_000_000, charged_clicks=1)
    response = shop_client.get(f"{LISTINGS}?range=14&filter=available&sort=-spend")
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert f'href="{LISTINGS}?range=14&filter=available&sort=spend"' in html  # second click: ascending
    assert 'aria-sort="descending"' in html
    assert response.context["table"].rows[0].marketplace_id == "V2"
    assert reverse("analytics:why", args=[shop["listings"][2].pk]) in html


def test_htmx_answers_the_table_section_and_pushes_its_url(shop_client, shop):
    response = shop_client.get(f"{LISTINGS}?range=7&filter=sold", HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<section id="listings-body"')
    assert response["HX-Push-Url"] == f"{LISTINGS}?range=7&filter=sold&sort=-spend&page=1"
