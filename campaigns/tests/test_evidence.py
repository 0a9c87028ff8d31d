"""Forecasts from evidence: own weeks, the market's, monotone in the budget, ranges within reach."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from campaigns.evidence import (
    MIN_MARKET_WEEKS,
    PRIOR_RATE_CV,
    ClickEvidence,
    clicks_range,
    expected_clicks,
    market_evidence,
    market_rates,
    own_evidence,
)
from campaigns.selectors import WeekOutcome

WEEK = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
RESERVE = 100_000


def week(clicks: int, spent: int, budget: int = 25_000_000, *, share: float = 1.0, exhausted: bool = False,
         listings: int = 50, category: str = "Women/Dresses", campaign: int = 1, ago: int = 1) -> WeekOutcome:
    return WeekOutcome(
        period_id=ago, campaign_id=campaign, seller_id=campaign, week_start=WEEK - dt.timedelta(weeks=ago),
        budget_micros=budget, week_share=share, spent_micros=spent, charged_clicks=clicks, exhausted=exhausted,
        bidding="auto", promoted_listings=listings, average_price_micros=40_000_000, main_category=category)


def test_a_week_that_left_budget_unspent_caps_clicks_at_its_demand():
    evidence = own_evidence([week(12, 3_000_000), week(8, 2_000_000, ago=2)], RESERVE)
    assert evidence == ClickEvidence(demand_clicks=10.0, cpc_micros=250_000, source="history", weeks=2)
    assert expected_clicks(evidence, 25_000_000) == 10.0  # more budget than demand: demand
    assert expected_clicks(evidence, 1_000_000) == 4.0  # less: budget / CPC


def test_a_campaign_that_ran_out_of_money_grows_with_its_budget():
    evidence = own_evidence([week(40, 10_000_000, budget=10_000_000, exhausted=True)], RESERVE)
    assert evidence.demand_clicks is None and evidence.cpc_micros == 250_000
    assert expected_clicks(evidence, 20_000_000) == 80.0


def test_a_short_launch_week_is_scaled_to_a_full_week_and_a_tiny_one_ignored():
    assert own_evidence([week(5, 1_000_000, share=0.5)], RESERVE).demand_clicks == 10.0
    assert own_evidence([week(5, 1_000_000, share=0.2)], RESERVE) is None


def test_own_weeks_are_shrunk_toward_the_markets_rate_less_with_more_weeks():
    market = ClickEvidence(demand_clicks=10.0, cpc_micros=200_000, source="market", weeks=40, rate_cv=0.5)
    # A gamma prior of mean 10 and shape 1 / 0.5 ** 2 = 4: one week of 2 clicks reads (4 + 2) / (4 / 10 + 1).
    one = own_evidence([week(2, 500_000)], RESERVE, prior=market)
    assert one.source == "history" and one.cpc_micros == 250_000
    assert round(one.demand_clicks, 6) == round(6 / 1.4, 6)
    four = own_evidence([week(2, 500_000, ago=a) for a in (1, 2, 3, 4)], RESERVE, prior=market)
    assert round(four.demand_clicks, 6) == round(12 / 4.4, 6)  # more weeks: nearer the closet's own 2
    assert own_evidence([week(2, 500_000)], RESERVE).demand_clicks == 2.0  # no market yet: as counted
    alike = ClickEvidence(10.0, 200_000, "market", 40, rate_cv=0.0)
    assert own_evidence([week(2, 500_000)], RESERVE, prior=alike).demand_clicks == 2.0
    ran_out = own_evidence([week(40, 10_000_000, budget=10_000_000, exhausted=True)], RESERVE, prior=market)
    assert ran_out.demand_clicks is None  # limited by money: no demand to shrink


@given(clicks=st.lists(st.integers(0, 60), min_size=1, max_size=4), market_rate=st.floats(0.5, 80.0),
       rate_cv=st.floats(0.05, 3.0))
def test_a_shrunk_demand_lies_between_the_closets_own_rate_and_the_markets(clicks, market_rate, rate_cv):
    rows = [week(c, 100_000 * c, ago=i + 1) for i, c in enumerate(clicks)]
    market = ClickEvidence(market_rate, 200_000, "market", 40, rate_cv=rate_cv)
    own = sum(clicks) / len(clicks)
    shrunk = own_evidence(rows, RESERVE, prior=market).demand_clicks
    assert min(own, market_rate) - 1e-9 <= shrunk <= max(own, market_rate) + 1e-9


def test_the_market_rate_is_per_listing_in_the_closets_category_when_it_has_enough_weeks():
    rows = [week(20, 4_000_000, campaign=c, category="Men/Shirts") for c in range(MIN_MARKET_WEEKS)]
    rows += [week(5, 1_000_000, campaign=100 + c, category="Women/Dresses") for c in range(10)]
    rates = market_rates(rows, RESERVE)
    women = market_evidence(rates, listings=100, category="Women/Coats")  # top level: Women
    assert women.demand_clicks == 10.0 and women.source == "market" and women.cpc_micros == 200_000
    kids = market_evidence(rates, listings=100, category="Kids")  # too few weeks of its own: the market's rate
    assert round(kids.demand_clicks, 6) == round(100 * (20 * 20 + 5 * 10) / (50 * 30), 6)
    assert market_evidence(market_rates(rows[:MIN_MARKET_WEEKS - 1], RESERVE), listings=1, category="x") is None


def test_the_market_measures_how_far_closets_rates_spread_around_its_rate():
    # Half the closets draw 4 clicks per 50 listings a week, half 16: the rate is 10 per 50,
    # each closet misses it by 6, which Poisson noise (10) explains only in part.
    rows = [week(4 if c % 2 else 16, 1_000_000, campaign=c) for c in range(MIN_MARKET_WEEKS * 2)]
    rates = market_rates(rows, RESERVE)
    assert rates.per_listing == 10 / 50
    assert round(rates.rate_cv, 6) == round(((36 - 10) / 100) ** 0.5, 6)
    assert market_evidence(rates, listings=50, category="Women").rate_cv == rates.rate_cv
    alike = market_rates([week(10, 1_000_000, campaign=c) for c in range(MIN_MARKET_WEEKS)], RESERVE)
    assert alike.rate_cv == 0.0  # closer to the rate than Poisson noise alone: no spread
    assert market_rates(rows[:MIN_MARKET_WEEKS - 1], RESERVE).rate_cv == PRIOR_RATE_CV  # too few weeks


def test_a_rate_read_from_other_closets_gives_a_range_long_on_the_high_side():
    low, high = clicks_range(10.0, 100_000_000, RESERVE, 1.0, rate_cv=1.0)
    assert (low, high) == (1, 24)  # the 10th and 90th percentiles of a negative binomial of mean 10
    assert high - 10 > 10 - low
    own_low, own_high = clicks_range(10.0, 100_000_000, RESERVE, 1.0)  # own rate: Poisson, about symmetric
    assert own_low < 10 < own_high < high
    assert clicks_range(10.0, 1_500_000, RESERVE, 1.0, rate_cv=1.0)[1] == 15  # never above budget / reserve


@given(demand=st.one_of(st.none(), st.floats(0, 500)), cpc=st.integers(RESERVE, 3_000_000),
       budgets=st.lists(st.integers(1_000_000, 1_000_000_000), min_size=2, max_size=6),
       rate_cv=st.sampled_from([0.0, 0.3, PRIOR_RATE_CV, 2.0]))
def test_more_budget_never_forecasts_fewer_clicks_and_the_range_is_within_budget_over_reserve(demand, cpc, budgets,
                                                                                             rate_cv):
    evidence = ClickEvidence(demand, cpc, "market", 30, rate_cv)
    last = (-1.0, -1, -1)
    for budget in sorted(budgets):
        expected = expected_clicks(evidence, budget)
        low, high = clicks_range(expected, budget, RESERVE, evidence.dispersion, evidence.rate_cv)
        assert all(a >= b for a, b in zip((expected, low, high), last, strict=True))
        assert low <= high <= budget // RESERVE
        assert expected <= budget / cpc + 1e-9
        last = (expected, low, high)
