"""The seller dashboard: KPIs equal to the rollups and the CSV, local days, changes, empty states, htmx."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.selectors import stats_totals
from analytics.tests.conftest import NOW, stat
from auction.models import AuctionSettings
from core.money import format_money
from sellers.tests.factories import SellerFactory

DASH = reverse("analytics:dashboard")
EXPORT = reverse("analytics:export")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "dashboard-body"}


def kpi_values(html: str) -> dict[str, str]:
    pattern = r'data-kpi="(\w+)">\s*<span class="kpi-label">[^<]*</span>\s*<span class="kpi-value">([^<]*)<'
    return dict(re.findall(pattern, html))


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def busy_shop(shop, rival):
    """Rollups spread over the last 40 days on two listings (and the rival's, never shown)."""
    campaign, (a, b, _) = shop["campaign"], shop["listings"]
    for days_ago in range(40):
        hour = NOW.replace(hour=10) - dt.timedelta(days=days_ago)
        stat(campaign, a, hour, impressions=100 + days_ago, clicks=5, charged_clicks=4, spend_micros=1_200_000,
             direct_orders=1 if days_ago % 7 == 0 else 0,
             direct_sales_micros=45_000_000 if days_ago % 7 == 0 else 0)
        stat(campaign, b, hour + dt.timedelta(hours=3), impressions=50, clicks=2, charged_clicks=2,
             spend_micros=600_000, halo_orders=1 if days_ago % 10 == 0 else 0,
             halo_sales_micros=30_000_000 if days_ago % 10 == 0 else 0)
    return shop


def test_every_kpi_on_the_page_equals_the_csv_and_the_rollups(shop_client, busy_shop):
    for query in ("range=7", "range=30", "start=2026-11-20&end=2026-12-05"):
        page = shop_client.get(f"{DASH}?{query}")
        assert page.status_code == 200
        days = page.context["days"]
        shown = kpi_values(page.content.decode())
        rows = csv_rows(shop_client.get(f"{EXPORT}?start={days.start}&end={days.end}"))
        csv_sum = {k: sum(Decimal(r[k]) for r in rows) for k in rows[0] if k not in ("date", "listing_id")}
        start, end = days.utc_bounds()
        rollup = stats_totals(campaign_ids=[busy_shop["campaign"].pk], start=start, end=end)

        assert shown["impressions"] == f"{int(csv_sum['impressions']):,}" == f"{rollup['impressions']:,}"
        assert shown["clicks"] == f"{int(csv_sum['clicks']):,}" == f"{rollup['clicks']:,}"
        assert shown["spend"] == format_money(int(csv_sum["spend"] * 1_000_000)) == format_money(rollup["spend_micros"])
        orders = csv_sum["orders_direct"] + csv_sum["orders_halo"]
        assert shown["orders"] == f"{int(orders):,}" == f"{rollup['direct_orders'] + rollup['halo_orders']:,}"
        sales = (csv_sum["sales_direct"] + csv_sum["sales_halo"]) * 1_000_000
        assert shown["sales"] == format_money(int(sales)) == format_money(
            rollup["direct_sales_micros"] + rollup["halo_sales_micros"])
        ctr = csv_sum["clicks"] / csv_sum["impressions"] * 100
        assert shown["ctr"] == f"{ctr.quantize(Decimal('0.01'))}%"
        roas = sales / (csv_sum["spend"] * 1_000_000)
        assert shown["roas"] == f"{roas.quantize(Decimal('0.01'))}x"
        cpc = rollup["spend_micros"] // rollup["charged_clicks"]
        assert shown["cpc"] == format_money(cpc)


def test_csv_has_the_exact_header_marketplace_ids_and_decimal_money(shop_client, busy_shop):
    response = shop_client.get(f"{EXPORT}?start=2026-12-15&end=2026-12-16")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    lines = body.splitlines()
    assert lines[0] == "date,listing_id,impressions,clicks,spend,orders_direct,sales_direct,orders_halo,sales_halo"
    assert lines[1:] == [
        "2026-12-15,V0,101,5,1.20,0,0.00,0,0.00",
        "2026-12-15,V1,50,2,0.60,0,0.00,0,0.00",
        "2026-12-16,V0,100,5,1.20,1,45.00,0,0.00",
        "2026-12-16,V1,50,2,0.60,0,0.00,1,30.00",
    ]


def test_days_follow_the_sellers_time_zone(shop_client, shop):
    seller = shop["seller"]
    seller.time_zone = "America/New_York"
    seller.save()
    # 03:00 UTC on Dec 16 is 22:00 on Dec 15 in New York.
    stat(shop["campaign"], shop["listings"][0], dt.datetime(2026, 12, 16, 3, tzinfo=dt.UTC), impressions=7)
    rows = csv_rows(shop_client.get(f"{EXPORT}?start=2026-12-15&end=2026-12-16"))
    assert [(r["date"], r["impressions"]) for r in rows] == [("2026-12-15", "7")]
    page = shop_client.get(f"{DASH}?start=2026-12-16&end=2026-12-16")
    assert kpi_values(page.content.decode())["impressions"] == "0"
    assert "America/New_York" in page.content.decode()


def test_each_kpi_shows_its_change_against_the_previous_period(shop_client, shop):
    campaign, listing = shop["campaign"], shop["listings"][0]
    stat(campaign, listing, NOW - dt.timedelta(days=1), impressions=150, clicks=6, charged_clicks=6,
         spend_micros=3_000_000)
    stat(campaign, listing, NOW - dt.timedelta(days=8), impressions=100, clicks=6, charged_clicks=6,
         spend_micros=2_000_000)
    page = shop_client.get(f"{DASH}?range=7")
    cards = {card.key: card for card in page.context["cards"]}
    assert cards["impressions"].change_text == "+50.0% vs previous period"
    assert cards["clicks"].change_text == "0.0% vs previous period"
    assert cards["spend"].change_text == "+50.0% vs previous period"
    assert cards["orders"].change_text == "no earlier data"
    assert page.context["dashboard"].previous.impressions == 100


def test_a_seller_without_a_campaign_is_invited_to_start_one(client, db, django_user_model):
    user = django_user_model.objects.create_user("nina", password="a-long-password-3")
    SellerFactory(user=user)
    client.force_login(user)
    page = client.get(DASH)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="empty-no-campaign"' in html
    assert reverse("campaigns:wizard_start") in html
    assert 'id="kpis"' not in html


def test_a_campaign_without_data_yet_says_so_and_draws_no_chart(shop_client, shop):
    html = shop_client.get(DASH).content.decode()
    assert 'id="empty-no-data"' in html
    assert "numbers appear here a few minutes" in html
    assert "data-chart" not in html
    # No clicks at all: nothing "can still earn sales".
    assert 'id="window-note"' not in html


def test_the_attribution_window_note_shows_only_while_the_window_is_open(shop_client, busy_shop):
    settings = AuctionSettings.load()
    settings.attribution_window_days = 14
    settings.save()
    recent = shop_client.get(f"{DASH}?range=7").content.decode()
    assert 'id="window-note"' in recent
    assert "Dec 3" in recent  # Dec 16 - 13 days: clicks since then can still earn sales
    old = shop_client.get(f"{DASH}?start=2026-11-01&end=2026-11-30").content.decode()
    assert 'id="window-note"' not in old


def test_htmx_range_switch_answers_the_section_alone_and_pushes_the_url(shop_client, busy_shop):
    response = shop_client.get(f"{DASH}?range=14", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="dashboard-body"')
    assert "<html" not in html
    assert response["HX-Push-Url"] == f"{DASH}?range=14"
    assert 'id="chart-data"' in html


def test_charts_get_one_point_per_day_of_the_range(shop_client, busy_shop):
    charts = shop_client.get(f"{DASH}?range=14").context["charts"]
    assert len(charts["days"]) == 14
    assert charts["days"][-1] == "2026-12-16"
    assert charts["spend"][-1] == pytest.approx(1.8)
    assert charts["sales_halo"][-1] == pytest.approx(30.0)


def test_the_page_loads_plotly_from_this_server(shop_client, busy_shop):
    html = shop_client.get(DASH).content.decode()
    assert 'src="/static/vendor/plotly/plotly-basic.min.js"' in html


def test_the_vendored_plotly_bundle_is_the_small_one_and_found_by_the_finders():
    """plotly.js's basic bundle (bar, scatter: all the dashboard draws), 1.2 MB against 4.8 MB
    for the full one (docs/decisions/0004-a-smaller-plotly.md)."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    path = finders.find("vendor/plotly/plotly-basic.min.js")
    assert path
    head = Path(path).read_bytes()[:200]
    assert b"plotly.js (basic - minified)" in head
    assert Path(path).stat().st_size < 1_500_000


def test_signed_out_visitors_go_to_the_login_page(client, db):
    response = client.get(DASH)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_free_clicks_are_explained_beside_the_charged_ones():
    from analytics.presenters import _charged_detail

    assert _charged_detail(405, 405) == "405 charged"
    assert _charged_detail(406, 405).startswith("405 charged · 1 free (repeat clicks by the same shopper")


def test_each_chart_has_a_summary_and_its_numbers_for_readers_without_the_chart(shop_client, busy_shop):
    page = shop_client.get(f"{DASH}?range=14")
    views = {view.key: view for view in page.context["chart_views"]}
    assert list(views) == ["money", "traffic", "ctr", "cpc", "roas"]
    money = views["money"]
    assert money.summary == ("In these 14 days you spent $25.20 and made $150.00 in sales ($90.00 direct, "
                             "$60.00 halo). Most sales on Dec 16: $75.00.")
    assert money.columns == ("Day", "Spend", "Direct sales", "Halo sales")
    assert len(money.rows) == 14 and money.rows[-1] == ["Dec 16", "$1.80", "$45.00", "$30.00"]
    assert views["cpc"].summary == "A click cost $0.30 on average."  # the same every day: no range
    assert views["roas"].rows[-1] == ["Dec 16", "41.67x"]
    assert "Most clicks on Dec 3: 7." in views["traffic"].summary  # a tie: the earliest day
    html = page.content.decode()
    # Without JavaScript (or with a screen reader) the summary and the table are in the page.
    assert 'id="chart-money-summary"' in html and html.count('<details class="chart-table">') == 5
    assert page.context["charts"]["cpc"][-1] == pytest.approx(0.3)
