"""Admin changelists and detail pages of the analytics tables render, filter and search."""

import datetime as dt

import pytest

from analytics.models import AttributionCredit, Click, Impression, Purchase
from analytics.services import attribution_run_pending, events_ingest, rollups_fold, seller_identity_link
from analytics.tests.factories import T0, bid_token, cancellation, organic, promoted_listing, purchase, sponsored
from core import clock


@pytest.fixture
def data(db):
    clock.set_now(T0)
    campaign, listing = promoted_listing()
    seller_identity_link(listing.seller, "u-seller")
    token = bid_token(campaign, listing)
    events_ingest({"impressions": [sponsored(token), organic(listing)],
                   "clicks": [sponsored(token, id="c1", user="u"), sponsored(token, id="c2", user="u"),
                              sponsored("garbage", id="c3")]})
    clock.advance(dt.timedelta(hours=1))
    events_ingest({"purchases": [purchase(listing, id="ord-1", user="u")], "cancellations": [cancellation("x")]})
    attribution_run_pending()
    rollups_fold()
    return campaign, listing


@pytest.mark.parametrize("model, params", [
    ("click", {}), ("click", {"reason": "duplicate"}), ("click", {"charged__exact": "1"}),
    ("click", {"sponsored": "0"}), ("click", {"q": "c1"}),
    ("impression", {}), ("impression", {"sponsored": "1"}), ("impression", {"q": "u"}),
    ("purchase", {}), ("purchase", {"q": "ord-1"}),
    ("cancellation", {}),
    ("attributioncredit", {}), ("attributioncredit", {"status": "live"}), ("attributioncredit", {"kind": "halo"}),
    ("attributioncredit", {"q": "ord-1"}),
    ("hourlystat", {}), ("watermark", {}), ("selleridentity", {}),
])
def test_changelists_render(admin_client, data, model, params):
    response = admin_client.get(f"/admin/analytics/{model}/", params)
    assert response.status_code == 200


@pytest.mark.parametrize("params, sponsored", [({"sponsored": "1"}, [True]), ({"sponsored": "0"}, [False]),
                                               ({}, [False, True])])
def test_the_kind_filter_selects_sponsored_or_organic_impressions(admin_client, data, params, sponsored):
    response = admin_client.get("/admin/analytics/impression/", params)
    assert sorted(row.auction_id != "" for row in response.context["cl"].queryset) == sponsored


def test_a_click_page_links_its_ledger_entry(admin_client, data):
    click = Click.objects.get(event_id="c1")
    page = admin_client.get(f"/admin/analytics/click/{click.pk}/change/").content.decode()
    assert f"ledger entry #{click.ledger_entry_id}" in page


@pytest.mark.parametrize("model", [Impression, Purchase, AttributionCredit])
def test_detail_pages_render(admin_client, data, model):
    row = model.objects.first()
    response = admin_client.get(f"/admin/analytics/{model._meta.model_name}/{row.pk}/change/")
    assert response.status_code == 200


def test_a_purchase_page_shows_its_items(admin_client, data):
    order = Purchase.objects.get()
    page = admin_client.get(f"/admin/analytics/purchase/{order.pk}/change/").content.decode()
    assert "$45.00" in page


def test_events_cannot_be_added_or_edited_in_admin(admin_client, data):
    assert admin_client.get("/admin/analytics/click/add/").status_code == 403


def test_changelists_do_not_query_per_row(admin_client, data, django_assert_max_num_queries):
    campaign, listing = data
    for i in range(60):
        events_ingest({"clicks": [sponsored(bid_token(campaign, listing), id=f"bulk{i}", user=f"b{i}")],
                       "purchases": [purchase(listing, id=f"bulk-ord{i}", user=f"b{i}")]})
    for model in ("click", "purchase", "attributioncredit", "impression"):
        with django_assert_max_num_queries(12):
            assert admin_client.get(f"/admin/analytics/{model}/").status_code == 200
