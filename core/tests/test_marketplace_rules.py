"""core/marketplace_rules.py: one formula for the ranking and the recommendation."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auction.models import AuctionSettings
from auction.ranking import CampaignState, ListingState, RankingSettings, bid_for
from core import marketplace_rules
from core.marketplace_rules import MIN_CLICKS_PER_BUDGET, auto_bid_micros


@given(multiplier=st.floats(0.0, 5.0), cvr=st.floats(0.0, 1.0), price=st.integers(1, 10_000_000_000),
       budget=st.integers(0, 1_000_000_000))
def test_the_automatic_bid_is_whole_cents_within_reserve_cap_and_a_twentieth_of_the_budget(
        multiplier, cvr, price, budget):
    bid = auto_bid_micros(multiplier, cvr, price, take_rate=0.2, reserve_micros=100_000,
                          max_cpc_micros=2_000_000, budget_micros=budget)
    assert bid % 10_000 == 0
    assert bid >= 100_000
    assert bid <= max(100_000, 2_000_000)
    if budget and budget // MIN_CLICKS_PER_BUDGET >= 100_000:
        assert bid <= budget // MIN_CLICKS_PER_BUDGET


def test_the_ranking_bids_by_the_shared_formula():
    settings = RankingSettings(reserve_micros=100_000, auto_max_cpc_micros=2_000_000, take_rate=0.2)
    listing = ListingState(listing_id=1, seller_id=1, price_micros=50_000_000, available=True,
                           scores=((0.05, 0.03),) * 4)
    campaign = CampaignState(campaign_id=1, seller_id=1, active=True, manual=False, max_cpc_micros=None,
                             pacing_multiplier=1.5, pacing_throttle=1.0, remaining_micros=25_000_000,
                             exhausted=False, chosen=None, budget_micros=25_000_000)
    assert bid_for(listing, campaign, 0.03, settings) == auto_bid_micros(
        1.5, 0.03, 50_000_000, take_rate=0.2, reserve_micros=100_000, max_cpc_micros=2_000_000,
        budget_micros=25_000_000)


@pytest.mark.django_db
def test_the_current_rules_are_the_admins_auction_settings():
    row = AuctionSettings.load()
    row.reserve_cpc_micros, row.attribution_window_days = 150_000, 7
    row.save()
    rules = marketplace_rules.rules_current()
    assert rules.reserve_cpc_micros == 150_000
    assert rules.attribution_window == dt.timedelta(days=7)
    assert rules.click_dedup_window == dt.timedelta(minutes=row.click_dedup_minutes)
