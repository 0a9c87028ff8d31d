"""Acceptance 3: once a change is committed, a sold listing, a paused campaign or an
exhausted budget never wins again (real commits, no captured callbacks)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from auction.recording import recorder
from auction.selectors import listing_auction_stats
from auction.tests.factories import MONDAY, page_body, promoted_closet
from campaigns.models import Campaign
from campaigns.services import campaign_end, campaign_listings_set, campaign_pause, campaign_resume, click_charge

AUCTIONS = "/api/v1/auctions"
LISTINGS = "/api/v1/catalog/listings"

pytestmark = pytest.mark.django_db(transaction=True)


def winners(api, ids):
    response = api.post(AUCTIONS, page_body(ids, slots=4))
    assert response.status_code == 201
    return [w["id"] for w in response.json()["results"][0]["winners"]]


def catalog_item(listing, **overrides):
    item = {"id": listing.marketplace_id, "sellerId": listing.seller.marketplace_id, "title": listing.title,
            "condition": "good", "price": "45.00", "status": "available", "category": listing.category}
    item.update(overrides)
    return item


def test_a_listing_sold_through_the_catalog_never_wins_again(api):
    _, (listing,) = promoted_closet(1)
    assert winners(api, [listing.marketplace_id]) == [listing.marketplace_id]
    response = api.post(LISTINGS, {"listings": [catalog_item(listing, status="sold")]})
    assert response.json()["updated"] == 1
    for _ in range(3):
        assert winners(api, [listing.marketplace_id]) == []
    recorder.flush()
    stats = listing_auction_stats(listing.pk, MONDAY.date(), MONDAY.date() + dt.timedelta(days=1))
    assert stats["won"] == 1 and stats["reasons"]["sold"] == 3


def test_a_listing_back_on_sale_can_win_again(api):
    _, (listing,) = promoted_closet(1)
    api.post(LISTINGS, {"listings": [catalog_item(listing, status="removed")]})
    assert winners(api, [listing.marketplace_id]) == []
    api.post(LISTINGS, {"listings": [catalog_item(listing, status="available")]})
    assert winners(api, [listing.marketplace_id]) == [listing.marketplace_id]


def test_a_paused_or_ended_campaign_never_wins_again(api):
    campaign, listings = promoted_closet(1)
    other, others = promoted_closet(1)
    ids = [listings[0].marketplace_id, others[0].marketplace_id]
    assert sorted(winners(api, ids)) == sorted(ids)
    campaign_pause(campaign)
    assert winners(api, ids) == [others[0].marketplace_id]
    campaign_resume(Campaign.objects.get(pk=campaign.pk))
    assert sorted(winners(api, ids)) == sorted(ids)
    campaign_end(other)
    assert winners(api, ids) == [listings[0].marketplace_id]


def test_an_exhausted_budget_never_wins_again(api):
    campaign, (listing,) = promoted_closet(1, weekly_budget_micros=5_000_000)
    assert winners(api, [listing.marketplace_id]) == [listing.marketplace_id]
    assert click_charge(campaign.pk, 4_950_000, click_id=1).charged
    # $0.05 left: below the reserve. Not exhausted yet in the database, but it cannot pay.
    assert not click_charge(campaign.pk, 100_000, click_id=2).charged  # refused: marks the period exhausted
    for _ in range(3):
        assert winners(api, [listing.marketplace_id]) == []


def test_a_listing_taken_out_of_a_chosen_selection_stops_winning(api):
    campaign, listings = promoted_closet(2)
    ids = [item.marketplace_id for item in listings]
    campaign_listings_set(campaign, Campaign.Selection.CHOSEN, [listings[1].pk])
    assert winners(api, ids) == [ids[1]]


@pytest.mark.postgres
def test_a_sale_committed_by_another_connection_is_seen_by_the_next_auction(api):
    """A writer on its own connection (another thread) sells listings one by one; after
    each write returns, the very next auction in this thread must not return it."""
    _, listings = promoted_closet(6)
    ids = [item.marketplace_id for item in listings]
    assert len(winners(api, ids)) == 1  # one winner per seller
    from sellers.catalog import listings_upsert

    for listing in listings:
        done = threading.Event()

        def sell(listing=listing, done=done):
            try:
                listings_upsert([catalog_item(listing, status="sold")])
            finally:
                connection.close()
                done.set()

        threading.Thread(target=sell).start()
        assert done.wait(30)
        assert listing.marketplace_id not in winners(api, ids)
    assert winners(api, ids) == []
