"""The admin's marketplace-wide overview: totals, top sellers, invalid-click share, linked from the admin index."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from analytics.tests.conftest import NOW, stat

OVERVIEW = reverse("admin:analytics_marketplaceoverview_changelist")


def test_the_overview_is_reachable_from_the_admin_index(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert OVERVIEW in html
    assert "Marketplace overview" in html


def test_the_overview_shows_totals_top_sellers_and_invalid_click_share(admin_client, shop, rival):
    stat(shop["campaign"], shop["listings"][0], NOW - dt.timedelta(days=2), impressions=1, clicks=1, charged_clicks=0,
         spend_micros=0)
    stat(shop["campaign"], shop["listings"][0], NOW - dt.timedelta(days=40), impressions=5000, clicks=10)  # too old
    response = admin_client.get(OVERVIEW)
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.totals.impressions == 1000
    assert overview.totals.clicks == 100
    assert [line.username for line in overview.top_sellers] == ["thrift_theo", "vintage_vera"]
    html = response.content.decode()
    assert '<td id="invalid-share">1.0%</td>' in html
    assert "$99.00" in html


def test_a_bad_period_falls_back_to_30_days(admin_client, db):
    response = admin_client.get(f"{OVERVIEW}?days=zzz")
    assert response.status_code == 200
    assert response.context["days"] == 30


def test_the_overview_shows_the_ads_net_effect_and_lift_by_category(admin_client, market):
    from analytics.services.lift import lift_estimates_store

    html = admin_client.get(OVERVIEW).content.decode()
    assert "No estimate yet" in html
    lift_estimates_store(NOW)
    html = admin_client.get(OVERVIEW).content.decode()
    assert "All sellers&#x27; sales" in html and "Promoted sellers&#x27; sales" in html
    assert "Women/Dresses" in html and 'id="lift-off"' not in html
    changelist = admin_client.get(reverse("admin:analytics_liftestimate_changelist") + "?scope=seller")
    assert changelist.status_code == 200 and "+12%" in changelist.content.decode()
