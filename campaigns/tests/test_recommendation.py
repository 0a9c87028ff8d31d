"""Recommended weekly budgets: the rules while history is short, the learned model after."""

import dataclasses
import datetime as dt
import math
import re

import numpy as np
import pytest
from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st

from auction.models import AuctionSettings
from campaigns import budget_model
from campaigns.budget_model import MIN_CAMPAIGNS, MIN_WEEKS, budget_model_train
from campaigns.models import CampaignSettings
from campaigns.recommendation import (
    LEVELS,
    ClosetProfile,
    _ordered,
    _rules_levels,
    budget_forecast,
    budget_model_current,
    budget_recommend,
    expected_cpc_micros,
    rules_forecast,
)
from campaigns.selectors import campaign_week_outcomes
from campaigns.services import charge_refund, click_charge
from campaigns.tests.conftest import MONDAY_NOON
from campaigns.tests.factories import campaign_history, launched_campaign, synthetic_outcomes
from core import clock
from sellers.models import Listing
from sellers.tests.factories import ListingFactory, SellerFactory


def _factors(recommendation):
    return {reason.factor for reason in recommendation.reasons}


def _assert_well_formed(recommendation):
    bounds = CampaignSettings.load()
    amounts = [o.weekly_budget_micros for o in recommendation.options]
    assert [o.level for o in recommendation.options] == list(LEVELS)
    assert amounts == sorted(amounts)
    for option in recommendation.options:
        assert bounds.min_weekly_budget_micros <= option.weekly_budget_micros <= bounds.max_weekly_budget_micros
        assert option.weekly_budget_micros % 1_000_000 == 0  # whole dollars
        forecast = option.forecast
        for r in (forecast.impressions, forecast.clicks, forecast.sales):
            assert 0 <= r.low <= r.high
    assert {"closet size", "average price", "categories", "demand", "history"} <= _factors(recommendation)


# --- Rules ----------------------------------------------------------------------------

def test_with_no_history_the_rules_recommend_and_say_why(seller):
    recommendation = budget_recommend(seller)
    assert recommendation.method == "rules"
    _assert_well_formed(recommendation)
    # 12 listings at $45 draw about 3.6 clicks a week: under a dollar at capacity, so the least
    # budget whose automatic bids are not capped below their value (20 bids).
    from campaigns.recommendation import SECOND_PRICE_DISCOUNT, expected_cpc_micros

    bids = 20 * expected_cpc_micros(45_000_000) / SECOND_PRICE_DISCOUNT
    assert recommendation.recommended.weekly_budget_micros == max(5, math.ceil(bids / 1e6)) * 1_000_000
    assert any("too few finished campaign weeks" in r.text and "one click a week for every 3 listings" in r.text
               for r in recommendation.reasons)
    # Plain words for a seller: no indices or model thresholds.
    assert not any("index" in r.text or "model" in r.text for r in recommendation.reasons)
    assert any("12 available listings" in r.text for r in recommendation.reasons)


def test_bigger_closets_and_pricier_items_get_bigger_rule_budgets(db):
    clock.set_now(MONDAY_NOON)
    small, big, pricey = SellerFactory(), SellerFactory(), SellerFactory()
    # Closets big enough that every budget is above the $5 minimum.
    ListingFactory.create_batch(200, seller=small, price_micros=30_000_000)
    ListingFactory.create_batch(800, seller=big, price_micros=30_000_000)
    ListingFactory.create_batch(200, seller=pricey, price_micros=120_000_000)
    rec = {name: budget_recommend(s).recommended.weekly_budget_micros
           for name, s in (("small", small), ("big", big), ("pricey", pricey))}
    assert rec["big"] > rec["small"] and rec["pricey"] > rec["small"]


def test_demand_for_the_closets_categories_moves_the_rule_budget(db):
    clock.set_now(MONDAY_NOON)
    hot, cold = SellerFactory(), SellerFactory()
    ListingFactory.create_batch(200, seller=hot, category="Women/Bags")
    ListingFactory.create_batch(200, seller=cold, category="Home/Decor")
    market = SellerFactory()  # the rest of the marketplace: bags sell, decor does not
    ListingFactory.create_batch(30, seller=market, category="Women/Bags", status=Listing.Status.SOLD,
                                updated_at=MONDAY_NOON - dt.timedelta(days=3))
    ListingFactory.create_batch(30, seller=market, category="Home/Decor")
    hot_rec, cold_rec = budget_recommend(hot), budget_recommend(cold)
    assert hot_rec.profile.demand_index > 1 > cold_rec.profile.demand_index
    assert hot_rec.recommended.weekly_budget_micros > cold_rec.recommended.weekly_budget_micros
    assert any("sold faster than the marketplace average" in r.text for r in hot_rec.reasons)


def test_rule_budgets_respect_the_admins_bounds(db):
    clock.set_now(MONDAY_NOON)
    bounds = CampaignSettings.load()
    bounds.max_weekly_budget_micros = 50_000_000
    bounds.save()
    huge = SellerFactory()
    Listing.objects.bulk_create([Listing(marketplace_id=f"H{i}", seller=huge, title="x", price_micros=200_000_000)
                                 for i in range(3000)])
    assert budget_recommend(huge).option("high").weekly_budget_micros == 50_000_000
    empty = SellerFactory()
    recommendation = budget_recommend(empty)
    assert recommendation.recommended.weekly_budget_micros == 5_000_000
    assert recommendation.recommended.forecast.clicks.high == 0


def test_the_expected_cpc_follows_the_auction_settings(db):
    auction = AuctionSettings.load()
    assert expected_cpc_micros(1_000_000, auction) == auction.reserve_cpc_micros  # cheap items: the reserve
    assert expected_cpc_micros(10_000_000_000, auction) <= auction.auto_max_cpc_micros
    assert expected_cpc_micros(45_000_000, auction) % 10_000 == 0


def test_the_expected_cpc_of_a_small_budget_is_capped_like_its_bids(db):
    auction = AuctionSettings.load()
    pricey = 10_000_000_000  # bids at the automatic maximum without a budget
    assert expected_cpc_micros(pricey, auction, 5_000_000) <= 250_000  # at most $5 / 20, less second price
    assert expected_cpc_micros(pricey, auction, 5_000_000) < expected_cpc_micros(pricey, auction)
    assert expected_cpc_micros(pricey, auction, 1_000_000) == auction.reserve_cpc_micros


profiles = st.builds(
    ClosetProfile, available_listings=st.integers(0, 100_000), average_price_micros=st.integers(0, 10**10),
    top_categories=st.just([]), main_category=st.sampled_from(["Women", "Men", "Other"]),
    demand_index=st.floats(0.5, 2.0), demand_known=st.booleans())


def test_the_launch_forecasts_rate_moves_the_forecast_but_not_the_money_the_levels_recommend(monkeypatch):
    from campaigns import recommendation

    auction, bounds = AuctionSettings(), CampaignSettings()
    profile = ClosetProfile(available_listings=60, average_price_micros=40_000_000, top_categories=[],
                            main_category="Women", demand_index=1.0, demand_known=False)
    levels = _rules_levels(profile, auction, bounds)
    forecast = rules_forecast(profile, 200_000_000, auction)  # a budget larger than the clicks: the rate decides
    monkeypatch.setattr(recommendation, "CLICKS_PER_LISTING_WEEK", recommendation.CLICKS_PER_LISTING_WEEK * 2)
    assert _rules_levels(profile, auction, bounds) == levels
    assert rules_forecast(profile, 200_000_000, auction).clicks.high > forecast.clicks.high


@settings(max_examples=200, deadline=None)
@given(profile=profiles, budget_dollars=st.integers(5, 1000))
def test_rule_levels_are_ordered_and_forecasts_are_sane_for_any_closet(profile, budget_dollars):
    auction, bounds = AuctionSettings(), CampaignSettings()
    levels = _ordered(_rules_levels(profile, auction, bounds))
    assert bounds.min_weekly_budget_micros <= levels["low"] <= levels["recommended"] <= levels["high"]
    assert levels["high"] <= bounds.max_weekly_budget_micros
    forecast = rules_forecast(profile, budget_dollars * 1_000_000, auction)
    assert 0 <= forecast.clicks.low <= forecast.clicks.high
    # No click is ever cheaper than the reserve, so a budget cannot buy more clicks than this.
    assert forecast.clicks.high <= budget_dollars * 1_000_000 // auction.reserve_cpc_micros


# --- Observed outcomes ------------------------------------------------------------------

def test_week_outcomes_are_finished_weeks_with_spend_and_net_charged_clicks(seller):
    clock.set_now(MONDAY_NOON + dt.timedelta(days=3))  # launched Thursday noon: half the week left
    campaign = launched_campaign(seller, weekly_budget_micros=20_000_000)
    charges = [click_charge(campaign.pk, 500_000, click_id=i) for i in range(4)]
    charge_refund(charges[0].entry_id)
    assert campaign_week_outcomes() == []  # the week is not over
    clock.set_now(MONDAY_NOON + dt.timedelta(days=7))
    click_charge(campaign.pk, 500_000, click_id=99)  # opens the second week
    (row,) = campaign_week_outcomes()
    assert (row.campaign_id, row.seller_id, row.charged_clicks, row.spent_micros) == (
        campaign.pk, seller.pk, 3, 1_500_000)
    assert row.budget_micros == 10_000_000 and row.week_share == pytest.approx(0.5)
    assert (row.promoted_listings, row.average_price_micros, row.main_category) == (12, 45_000_000, "Women")
    assert row.impressions is None and row.sales is None  # until the analytics rollups fill them


# --- Learned model ------------------------------------------------------------------------

def test_below_the_minimum_history_there_is_no_model():
    assert budget_model_train(synthetic_outcomes(MIN_WEEKS - 1, campaigns=40)) is None
    assert budget_model_train(synthetic_outcomes(MIN_WEEKS * 2, campaigns=MIN_CAMPAIGNS - 1)) is None
    assert budget_model_train([]) is None


def test_the_model_learns_that_clicks_grow_with_budget_then_flatten():
    model = budget_model_train(synthetic_outcomes(3000, campaigns=300))
    assert model is not None and set(model.fits) == {"clicks"}
    budgets = [m * 1_000_000 for m in (5, 10, 20, 40, 80, 160, 320, 1000)]
    x = model.features(budgets_micros=budgets, listings=120, average_price_micros=45_000_000, category="Women")
    low, mid, high = model.predict("clicks", x)
    assert np.all(np.diff(mid) >= -1e-9)  # never fewer clicks for more budget
    assert mid[-1] - mid[-3] < mid[2] - mid[0]  # diminishing returns at the top
    assert np.all(low <= mid) and np.all(mid <= high)
    assert 0.6 <= model.fits["clicks"].holdout_coverage <= 0.95  # ~80% ranges on held-out closets


def test_training_is_deterministic():
    rows = synthetic_outcomes(1000, campaigns=100)
    a, b = budget_model_train(rows), budget_model_train(rows)
    x = a.features(budgets_micros=[10_000_000, 50_000_000], listings=30, average_price_micros=25_000_000,
                   category="Men")
    assert np.array_equal(a.predict("clicks", x)[1], b.predict("clicks", x)[1])
    assert a.summary == b.summary


def test_impressions_and_sales_are_learned_when_the_rows_carry_them():
    model = budget_model_train(synthetic_outcomes(1000, campaigns=100, impressions=True, sales=True))
    assert set(model.fits) == {"clicks", "impressions", "sales"}
    x = model.features(budgets_micros=[40_000_000], listings=100, average_price_micros=40_000_000, category="Women")
    assert model.predict("impressions", x)[1][0] > 10 * model.predict("clicks", x)[1][0]


def test_with_enough_history_the_model_is_used_only_where_it_beats_the_markets_evidence(seller, monkeypatch):
    campaign_history(campaigns=MIN_CAMPAIGNS + 10, weeks=8, end=MONDAY_NOON)
    ListingFactory.create_batch(100, seller=seller)
    assert len(campaign_week_outcomes()) == (MIN_CAMPAIGNS + 10) * 8 >= MIN_WEEKS
    state = budget_model_current()
    clicks = state.model.fits["clicks"]
    # On this history the market's clicks per listing and CPC forecast held-out weeks better.
    assert clicks.evidence_mae is not None and clicks.evidence_mae < clicks.holdout_mae
    recommendation = budget_recommend(seller)
    assert recommendation.method == "market"
    _assert_well_formed(recommendation)
    assert any(re.match(r"Lately, campaigns like yours \(\d+ finished weeks\)", r.text) for r in recommendation.reasons)
    assert not any("2 ad clicks a week" in r.text for r in recommendation.reasons)  # the rules' prior is not shown
    # The same trained model, had the evidence done worse on its held-out weeks, is used.
    worse = dataclasses.replace(clicks, evidence_mae=clicks.holdout_mae + 1)
    model = dataclasses.replace(state.model, fits={**state.model.fits, "clicks": worse})
    monkeypatch.setattr("campaigns.recommendation.budget_model_current",
                        lambda: dataclasses.replace(state, model=model))
    recommendation = budget_recommend(seller)
    assert recommendation.method == "model"
    _assert_well_formed(recommendation)
    assert recommendation.history_weeks == (MIN_CAMPAIGNS + 10) * 8
    assert any(r.text.startswith("Learned from 240 finished campaign weeks") for r in recommendation.reasons)
    assert all(o.forecast.method == "model" for o in recommendation.options)
    assert budget_forecast(seller, 30_000_000).method == "model"
    low, recommended, high = (o.forecast.clicks for o in recommendation.options)
    assert low.high <= recommended.high <= high.high  # more budget, never fewer clicks


def test_below_the_models_history_the_markets_recent_weeks_forecast_and_without_them_the_rules(seller):
    weeks = MIN_WEEKS // MIN_CAMPAIGNS - 1  # (MIN_WEEKS / MIN_CAMPAIGNS - 1) weeks of MIN_CAMPAIGNS campaigns
    assert budget_recommend(seller).method == "rules"  # no campaign week anywhere yet
    cache.clear()  # the market's figures are cached for the week: they change when a week closes
    campaign_history(campaigns=MIN_CAMPAIGNS, weeks=weeks, end=MONDAY_NOON)
    assert len(campaign_week_outcomes()) < MIN_WEEKS
    recommendation = budget_recommend(seller)
    assert recommendation.method == "market"
    assert all(o.forecast.method == "market" for o in recommendation.options)


def test_the_trained_model_is_cached_for_the_budget_week(seller, django_assert_max_num_queries, monkeypatch):
    campaign_history(campaigns=MIN_CAMPAIGNS, weeks=10, end=MONDAY_NOON)
    budget_recommend(seller)
    calls = []
    monkeypatch.setattr("campaigns.recommendation.budget_model_train",
                        lambda rows: calls.append(rows) or budget_model.budget_model_train(rows))
    budget_recommend(seller)
    assert calls == []  # no retraining within the week
    clock.set_now(MONDAY_NOON + dt.timedelta(days=7))
    budget_recommend(seller)
    assert len(calls) == 1


def test_no_rule_budget_is_too_small_for_its_bids_to_reach_the_clicks_it_forecasts(db):
    from campaigns.recommendation import SECOND_PRICE_DISCOUNT, expected_cpc_micros
    from core.marketplace_rules import MIN_CLICKS_PER_BUDGET

    clock.set_now(MONDAY_NOON)
    small = SellerFactory()
    ListingFactory.create_batch(3, seller=small, price_micros=80_000_000)  # few clicks to buy, dear ones
    recommendation = budget_recommend(small)
    cpc = expected_cpc_micros(80_000_000)
    bid = cpc / SECOND_PRICE_DISCOUNT
    assert all(o.weekly_budget_micros >= MIN_CLICKS_PER_BUDGET * bid for o in recommendation.options)
    clicks = recommendation.recommended.forecast.clicks
    assert clicks.high < MIN_CLICKS_PER_BUDGET  # the budget is for bidding, the forecast is what 3 listings draw


def test_a_campaigns_own_week_is_shrunk_toward_the_markets_rate_for_its_closet(seller, monkeypatch):
    from campaigns.evidence import MarketRates, market_evidence, own_evidence
    from campaigns.recommendation import click_evidence, closet_profile
    from campaigns.services import campaign_launch, click_charge
    from campaigns.tests.factories import CampaignFactory
    from core.marketplace_rules import rules_current

    clock.set_now(MONDAY_NOON - dt.timedelta(days=8))  # a whole week before the current one
    campaign = CampaignFactory(seller=seller, weekly_budget_micros=20_000_000)
    clock.set_now(MONDAY_NOON - dt.timedelta(days=7, hours=12))
    campaign_launch(campaign)
    for i in range(2):  # a week that left most of its budget: 2 clicks of demand, as counted
        click_charge(campaign.pk, 250_000, click_id=i)
    clock.set_now(MONDAY_NOON)
    settings = rules_current()
    profile = closet_profile(seller, campaign)
    rows = campaign_week_outcomes(weeks=4, campaign_id=campaign.pk)
    assert own_evidence(rows, settings.reserve_cpc_micros).demand_clicks == 2.0
    # Other closets of the market draw 0.5 clicks per listing a week, spread with a cv of 0.6.
    rates = MarketRates(weeks=40, cpc_micros=300_000, per_listing=0.5, per_listing_by_category={}, rate_cv=0.6)
    monkeypatch.setattr("campaigns.recommendation.market_rates_current", lambda: rates)
    market = market_evidence(rates, listings=profile.available_listings, category=profile.main_category)
    assert market.demand_clicks == 6.0  # 12 listings
    evidence = click_evidence(profile, campaign, settings)
    assert evidence.source == "history" and evidence.cpc_micros == 250_000
    shape = 1 / 0.6 ** 2
    assert round(evidence.demand_clicks, 6) == round((shape + 2) / (shape / 6.0 + 1), 6)  # between 2 and 6
    assert budget_forecast(seller, 20_000_000, campaign).method == "history"
