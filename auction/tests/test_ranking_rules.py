"""One table test per ranking rule (plain data, no database)."""

from dataclasses import replace

import pytest

from auction import ranking
from auction.position import power_curve
from auction.ranking import RankingSettings, run_auction
from auction.tests.factories import OPEN, SEARCH, UNKNOWN, campaign_state, organic, promoted

# Every place on the page worth the same: moving results changes no one's sales, so the
# incrementality gate (tested in test_incrementality_gate.py) never decides here.
FLAT = power_curve(0.0, 40)


def run(candidates, *, slots=4, organic_top_k=0, settings=OPEN, rng=None):
    kwargs = {"rng": rng} if rng is not None else {}
    return run_auction(candidates, placement=SEARCH, slots=slots, organic_top_k=organic_top_k, settings=settings,
                       curve=FLAT, **kwargs)


def winner_ids(outcome):
    return [w.listing_id for w in outcome.winners]


# --- eligibility ----------------------------------------------------------------------


@pytest.mark.parametrize("candidate, reason", [
    (UNKNOWN, ranking.UNKNOWN),
    (promoted(1, available=False), ranking.SOLD),
    (organic(1), ranking.NOT_IN_CAMPAIGN),
    (promoted(1, campaign=campaign_state(1, chosen=frozenset({99}))), ranking.NOT_IN_CAMPAIGN),
    (promoted(1, campaign=campaign_state(1, active=False)), ranking.CAMPAIGN_PAUSED),
    (promoted(1, campaign=campaign_state(1, exhausted=True)), ranking.BUDGET_EXHAUSTED),
    (promoted(1, campaign=campaign_state(1, remaining=99_999)), ranking.BUDGET_EXHAUSTED),
    (promoted(1, campaign=campaign_state(1, manual=True, max_cpc=90_000)), ranking.BELOW_RESERVE),
    (promoted(1, relevance=0.19), ranking.BELOW_RELEVANCE_FLOOR),
    (promoted(1, campaign=campaign_state(1, throttle=0.0)), ranking.PACED_OUT),
])
def test_an_ineligible_candidate_never_wins_and_says_why(candidate, reason):
    outcome = run([candidate])
    assert outcome.winners == []
    assert outcome.reasons == [reason]


@pytest.mark.parametrize("candidate", [
    promoted(1),
    promoted(1, campaign=campaign_state(1, chosen=frozenset({1}))),
    promoted(1, relevance=0.2),  # exactly the floor
    promoted(1, campaign=campaign_state(1, remaining=100_000)),  # exactly the reserve left
    promoted(1, campaign=campaign_state(1, manual=True, max_cpc=100_000)),
])
def test_an_eligible_candidate_alone_wins_slot_one(candidate):
    outcome = run([candidate])
    assert winner_ids(outcome) == [1]
    assert outcome.reasons == [None]


def test_the_first_organic_top_k_candidates_are_never_promoted():
    outcome = run([promoted(1), promoted(2), promoted(3, ctr=0.001)], organic_top_k=2)
    assert outcome.reasons[:2] == [ranking.ORGANIC_TOP_K, ranking.ORGANIC_TOP_K]
    assert winner_ids(outcome) == [3]


def test_unknown_ids_are_ignored_but_keep_their_organic_position():
    outcome = run([UNKNOWN, promoted(2), UNKNOWN, promoted(3)], organic_top_k=2)
    assert outcome.reasons == [ranking.UNKNOWN, ranking.ORGANIC_TOP_K, ranking.UNKNOWN, None]
    assert [w.position for w in outcome.winners] == [3]


def test_the_throttle_is_drawn_once_per_campaign_per_auction():
    shared = campaign_state(7, throttle=0.5)
    candidates = [promoted(1, seller_id=7, campaign=shared), promoted(2, seller_id=7, campaign=shared)]
    draws = []

    def rng():
        draws.append(1)
        return 0.3 if len(draws) == 1 else 0.9

    two_per_seller = replace(OPEN, max_winners_per_seller=2)
    assert winner_ids(run(candidates, settings=two_per_seller, rng=rng)) == [1, 2]
    assert len(draws) == 1
    out = run(candidates, settings=two_per_seller, rng=lambda: 0.7)
    assert out.reasons == [ranking.PACED_OUT, ranking.PACED_OUT]


def test_a_full_throttle_draws_nothing():
    def rng():
        raise AssertionError("no draw expected")

    assert winner_ids(run([promoted(1)], rng=rng)) == [1]


# --- bids -------------------------------------------------------------------------------


def bid_of(candidate, settings=OPEN):
    return ranking.bid_for(candidate.listing, candidate.campaign, candidate.listing.scores[SEARCH][1], settings)


@pytest.mark.parametrize("price, cvr, multiplier, expected", [
    (50_000_000, 0.03, 1.0, 1_200_000),     # 0.03 x $50 x (1 - 0.2) = $1.20
    (50_000_000, 0.03, 0.5, 600_000),       # the pacing multiplier scales it
    (45_678_000, 0.03, 1.0, 1_090_000),     # $1.096272 rounds down to the cent
    (1_000_000, 0.03, 1.0, 100_000),        # $0.024 is lifted to the reserve
    (900_000_000, 0.05, 1.0, 5_000_000),    # $36 is capped at the max CPC
])
def test_an_automatic_bid_is_the_expected_sale_value_clamped_to_whole_cents(price, cvr, multiplier, expected):
    candidate = promoted(1, price=price, cvr=cvr, campaign=campaign_state(1, multiplier=multiplier))
    assert bid_of(candidate) == expected


def test_a_manual_campaign_bids_its_max_cpc_whatever_the_multiplier():
    candidate = promoted(1, campaign=campaign_state(1, manual=True, max_cpc=730_000, multiplier=0.1))
    assert bid_of(candidate) == 730_000


def test_a_bid_never_exceeds_what_is_left_of_the_budget():
    candidate = promoted(1, campaign=campaign_state(1, remaining=456_789))
    assert bid_of(candidate) == 450_000


@pytest.mark.parametrize("budget, expected", [
    (5_000_000, 250_000),      # $5 a week: at most $0.25 a click (20 clicks)
    (12_345_000, 610_000),     # $0.61725 rounds down to the cent
    (1_000_000, 100_000),      # never below the reserve
    (500_000_000, 1_200_000),  # a big budget leaves the value bid alone
])
def test_an_automatic_bid_is_at_most_a_twentieth_of_the_period_budget(budget, expected):
    candidate = promoted(1, campaign=campaign_state(1, budget=budget, remaining=budget))
    assert bid_of(candidate) == expected


def test_a_manual_max_cpc_is_not_capped_by_the_budget():
    candidate = promoted(1, campaign=campaign_state(1, manual=True, max_cpc=730_000, budget=5_000_000))
    assert bid_of(candidate) == 730_000


def test_settings_round_reserve_up_and_cap_down_to_whole_cents():
    settings = RankingSettings(reserve_micros=123_456, auto_max_cpc_micros=1_999_999)
    assert (settings.reserve_micros, settings.auto_max_cpc_micros) == (130_000, 1_990_000)
    inverted = RankingSettings(reserve_micros=500_000, auto_max_cpc_micros=200_000)
    assert inverted.auto_max_cpc_micros == 500_000


# --- scores and order ----------------------------------------------------------------------


def test_the_score_is_ad_revenue_plus_expected_commission_weighted_by_click_and_relevance():
    settings = replace(OPEN, gamma=2.0, beta=0.5)
    outcome = run([promoted(1, relevance=0.8, ctr=0.04, cvr=0.02, price=30_000_000)], settings=settings)
    bid = 480_000  # 0.02 x $30 x 0.8
    expected = 0.04 * 0.8 ** 2 * (bid + 0.5 * 0.2 * 0.02 * 30_000_000)
    assert outcome.winners[0].bid_micros == bid
    assert outcome.winners[0].score == pytest.approx(expected)


def test_winners_come_by_score_then_organic_order():
    outcome = run([promoted(1, ctr=0.01), promoted(2, ctr=0.03), promoted(3, ctr=0.02), promoted(4, ctr=0.02)])
    assert winner_ids(outcome) == [2, 3, 4, 1]
    assert [w.rank for w in outcome.winners] == [1, 2, 3, 4]


def test_relevance_counts_by_gamma():
    relevant, popular = promoted(1, relevance=1.0, ctr=0.02), promoted(2, relevance=0.5, ctr=0.03)
    assert winner_ids(run([relevant, popular], slots=1, settings=replace(OPEN, gamma=0.0))) == [2]
    assert winner_ids(run([relevant, popular], slots=1, settings=replace(OPEN, gamma=1.0))) == [1]


def test_more_eligible_candidates_than_slots_are_outranked():
    outcome = run([promoted(i, ctr=0.01 * i) for i in range(1, 6)], slots=2)
    assert winner_ids(outcome) == [5, 4]
    assert outcome.reasons == [ranking.OUTRANKED] * 3 + [None, None]


# --- seller cap ---------------------------------------------------------------------------


@pytest.mark.parametrize("cap, winners", [(1, [1, 3]), (2, [1, 2, 3])])
def test_at_most_n_winners_per_seller(cap, winners):
    shared = campaign_state(7, seller_id=7)
    candidates = [promoted(1, seller_id=7, campaign=shared, ctr=0.05),
                  promoted(2, seller_id=7, campaign=shared, ctr=0.04),
                  promoted(3, ctr=0.01)]
    outcome = run(candidates, settings=replace(OPEN, max_winners_per_seller=cap))
    assert winner_ids(outcome) == winners
    if cap == 1:
        assert outcome.reasons[1] == ranking.SELLER_CAP


# --- pricing ------------------------------------------------------------------------------


def test_second_price_is_the_least_bid_that_keeps_the_rank_plus_a_cent():
    no_commission = replace(OPEN, beta=0.0)  # score = ctr x bid: easy to price by hand
    high = promoted(1, campaign=campaign_state(1, manual=True, max_cpc=2_000_000))
    low = promoted(2, campaign=campaign_state(2, manual=True, max_cpc=1_200_000))
    outcome = run([UNKNOWN, UNKNOWN, high, low], settings=no_commission)
    assert [(w.listing_id, w.price_micros) for w in outcome.winners] == [(1, 1_210_000), (2, 100_000)]


def test_a_listing_that_no_one_clicks_is_not_shown_and_would_pay_the_reserve():
    # ctr 0: the ad would sell nothing, so the gate refuses it (it adds no sale) ...
    lone = promoted(1, ctr=0.0, campaign=campaign_state(1, manual=True, max_cpc=2_000_000))
    outcome = run([UNKNOWN, lone])
    assert outcome.winners == [] and outcome.reasons[1] == ranking.NOT_INCREMENTAL
    # ... and its score is 0 at any price, so the least price that keeps a rank is the reserve.
    bid = ranking.Bid(1, 1, 1, 1, 2_000_000, 0.0, 0.0, 0.0)
    assert ranking.least_price(bid, None, 0.0, OPEN.reserve_micros) == OPEN.reserve_micros


def test_second_price_with_commission_in_the_score():
    a, b = promoted(1, ctr=0.03), promoted(2, ctr=0.02)
    outcome = run([a, b])
    first = outcome.winners[0]
    bid_a = next(x for x in ranking_bids([a, b]) if x.listing_id == 1)
    runner_up = outcome.winners[1].score
    assert bid_a.score_at(first.price_micros) > runner_up
    assert bid_a.score_at(first.price_micros - ranking.CENT) <= runner_up


def ranking_bids(candidates):
    bids = []
    for position, c in enumerate(candidates):
        ctr, cvr = c.listing.scores[SEARCH]
        bid = ranking.bid_for(c.listing, c.campaign, cvr, OPEN)
        k = ctr * c.relevance ** OPEN.gamma
        e = OPEN.beta * OPEN.take_rate * cvr * c.listing.price_micros
        bids.append(ranking.Bid(position, c.listing.listing_id, c.listing.seller_id, c.campaign.campaign_id, bid, k,
                                e, k * (bid + e)))
    return bids


def test_a_lone_winner_pays_the_reserve():
    outcome = run([promoted(1)])
    assert outcome.winners[0].price_micros == OPEN.reserve_micros


def test_a_tie_is_broken_by_organic_order_and_the_winner_pays_its_bid():
    outcome = run([promoted(1), promoted(2)])
    first, second = outcome.winners
    assert (first.listing_id, first.price_micros) == (1, first.bid_micros)
    assert second.price_micros == OPEN.reserve_micros


@pytest.mark.parametrize("share, price", [(0.0, 100_000), (0.5, 500_000), (0.333, 340_000), (1.0, 1_000_000)])
def test_a_lone_winner_pays_at_least_the_admins_share_of_its_bid(share, price):
    lone = promoted(1, campaign=campaign_state(1, manual=True, max_cpc=1_000_000))
    outcome = run([lone], settings=replace(OPEN, least_bid_share=share))
    assert (outcome.winners[0].bid_micros, outcome.winners[0].price_micros) == (1_000_000, price)


def test_the_share_of_the_bid_never_lowers_a_second_price():
    no_commission = replace(OPEN, beta=0.0, least_bid_share=0.5)
    high = promoted(1, campaign=campaign_state(1, manual=True, max_cpc=2_000_000))
    low = promoted(2, campaign=campaign_state(2, manual=True, max_cpc=1_200_000))
    outcome = run([UNKNOWN, UNKNOWN, high, low], settings=no_commission)
    # 1: the runner-up's bid + a cent is above half its own; 2: half its own bid, not the reserve.
    assert [(w.listing_id, w.price_micros) for w in outcome.winners] == [(1, 1_210_000), (2, 600_000)]


def test_first_price_charges_the_bid():
    outcome = run([promoted(1, ctr=0.03), promoted(2)], settings=replace(OPEN, first_price=True))
    assert all(w.price_micros == w.bid_micros for w in outcome.winners)


def test_is_eligible_reason_separates_losing_on_rank_from_not_bidding():
    assert ranking.is_eligible_reason(None)
    assert all(ranking.is_eligible_reason(r) for r in ranking.ELIGIBLE_LOSS_REASONS)
    assert not any(ranking.is_eligible_reason(r) for r in (*ranking.INELIGIBLE_REASONS, ranking.UNKNOWN))
