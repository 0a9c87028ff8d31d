
import pytest

from analytics.selectors import seller_receipts, stats_by_listing, stats_totals
from analytics.services import attribution_run_pending, events_ingest, rollups_fold
from analytics.tests.factories import T0, H, bid_token, promoted_listing, promoted_listings, purchase, sponsored
from core import clock


@pytest.fixture
def world(db):
    clock.set_now(T0)
    campaign, (first, second) = promoted_listings(2)
    other_campaign, elsewhere = promoted_listing()
    events_ingest({
        "impressions": [sponsored(bid_token(campaign, first)), sponsored(bid_token(campaign, second)),
                        sponsored(bid_token(other_campaign, elsewhere))],
        "clicks": [sponsored(bid_token(campaign, first, price_micros=250_000), id="c1", user="u"),
                   sponsored(bid_token(other_campaign, elsewhere), id="c2", user="v")],
    })
    clock.advance(2 * H)
    events_ingest({"purchases": [purchase(second, id="ord-halo", user="u"),
                                 purchase(elsewhere, id="ord-other", user="v")]})
    attribution_run_pending()
    rollups_fold()
    return campaign, first, second, other_campaign


def test_totals_sum_the_rollups_of_a_range(world):
    campaign, *_ = world
    totals = stats_totals(campaign_ids=[campaign.pk], start=T0, end=T0 + 3 * H)
    assert totals == {"impressions": 2, "clicks": 1, "charged_clicks": 1, "spend_micros": 250_000,
                      "direct_orders": 0, "direct_sales_micros": 0, "halo_orders": 1,
                      "halo_sales_micros": 45_000_000}
    assert stats_totals(campaign_ids=[campaign.pk], start=T0 + H, end=T0 + 2 * H)["impressions"] == 0


def test_per_listing_stats_credit_halo_sales_to_the_clicked_listing(world):
    campaign, first, second, _ = world
    rows = stats_by_listing(campaign_ids=[campaign.pk], start=T0, end=T0 + 3 * H)
    assert rows[first.pk]["halo_sales_micros"] == 45_000_000
    assert rows[second.pk]["impressions"] == 1 and rows[second.pk]["halo_orders"] == 0


def test_receipts_show_which_click_earned_which_sale_for_that_seller_only(world):
    _, first, second, other_campaign = world
    [receipt] = seller_receipts(first.seller_id, start=T0, end=T0 + 3 * H)
    assert receipt["order_id"] == "ord-halo" and receipt["kind"] == "halo"
    assert (receipt["bought_listing_id"], receipt["clicked_listing_id"]) == (second.pk, first.pk)
    assert receipt["days_before_purchase"] == pytest.approx(2 / 24)
    assert [r["order_id"] for r in seller_receipts(other_campaign.seller_id, start=T0, end=T0 + 3 * H)] == [
        "ord-other"]
