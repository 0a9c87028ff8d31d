"""Invariants of the auction over random candidate sets (hypothesis)."""

import random
from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from auction import ranking
from auction.position import DEFAULT_CURVE
from auction.predict import PLACEMENTS
from auction.ranking import Bid, CampaignState, Candidate, ListingState, RankingSettings, run_auction
from auction.tests.test_incrementality_gate import displacement, sales_weight

CENT = ranking.CENT
SELLERS = range(1, 7)

probabilities = st.floats(min_value=0.0, max_value=0.2, allow_nan=False)
money = st.integers(min_value=1, max_value=50_000).map(lambda cents: cents * CENT)


@st.composite
def campaigns(draw, seller_id: int, listing_ids: list[int]):
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    manual = draw(st.booleans())
    chosen = None
    if draw(st.booleans()) and listing_ids:
        chosen = frozenset(draw(st.lists(st.sampled_from(listing_ids), max_size=len(listing_ids))))
    return CampaignState(
        campaign_id=100 + seller_id, seller_id=seller_id, active=draw(st.booleans()) or draw(st.booleans()),
        manual=manual, max_cpc_micros=draw(money) if manual else None,
        pacing_multiplier=draw(st.floats(min_value=0.05, max_value=3.0)),
        pacing_throttle=draw(st.sampled_from([0.0, 0.3, 0.7, 1.0, 1.0])),
        remaining_micros=draw(st.integers(min_value=0, max_value=50_000_000)),
        exhausted=draw(st.booleans()) and draw(st.booleans()), chosen=chosen,
    )


@st.composite
def auctions(draw):
    size = draw(st.integers(min_value=1, max_value=30))
    rows = []
    for listing_id in range(1, size + 1):
        if draw(st.integers(0, 9)) == 0:
            rows.append(None)
            continue
        ctr, cvr = draw(probabilities), draw(probabilities)
        rows.append(ListingState(listing_id, draw(st.sampled_from(SELLERS)),
                                 draw(st.integers(min_value=1, max_value=900)) * 1_000_000,
                                 draw(st.integers(0, 9)) > 0, tuple((ctr, cvr) for _ in PLACEMENTS)))
    by_seller = {}
    for seller_id in SELLERS:
        own = [row.listing_id for row in rows if row is not None and row.seller_id == seller_id]
        by_seller[seller_id] = draw(campaigns(seller_id, own))
    candidates = [
        Candidate(None) if row is None else Candidate(
            row, draw(st.floats(min_value=0.01, max_value=1.0)), by_seller[row.seller_id])
        for row in rows
    ]
    rules = RankingSettings(
        reserve_micros=draw(st.integers(min_value=10_000, max_value=500_000)),
        auto_max_cpc_micros=draw(st.integers(min_value=10_000, max_value=5_000_000)),
        relevance_floor=draw(st.floats(min_value=0.0, max_value=1.0)),
        gamma=draw(st.floats(min_value=0.0, max_value=5.0)), beta=draw(st.floats(min_value=0.0, max_value=5.0)),
        take_rate=draw(st.floats(min_value=0.0, max_value=0.9)),
        max_winners_per_seller=draw(st.integers(min_value=1, max_value=3)), first_price=draw(st.booleans()),
        least_bid_share=draw(st.sampled_from([0.0, 0.0, 0.25, 0.5, 1.0])),
    )
    return candidates, rules, draw(st.integers(1, 10)), draw(st.integers(0, 10)), draw(st.integers(0, 2**32))


def bids_of(candidates, reasons, rules):
    """The Bid of every candidate that passed eligibility, in score order."""
    bids = []
    for position, (candidate, reason) in enumerate(zip(candidates, reasons, strict=True)):
        if not ranking.is_eligible_reason(reason):
            continue
        listing, campaign = candidate.listing, candidate.campaign
        ctr, cvr = listing.scores[0]
        bid = ranking.bid_for(listing, campaign, cvr, rules)
        k = ctr * candidate.relevance ** rules.gamma
        e = rules.beta * rules.take_rate * cvr * listing.price_micros
        bids.append(Bid(position, listing.listing_id, listing.seller_id, campaign.campaign_id, bid, k, e,
                        k * (bid + e)))
    return sorted(bids, key=lambda b: (-b.score, b.position))


@settings(max_examples=400, deadline=None)
@given(auctions())
def test_auction_invariants_hold_for_any_candidate_set(case):
    candidates, rules, slots, top_k, seed = case
    outcome = run_auction(candidates, placement=0, slots=slots, organic_top_k=top_k, settings=rules,
                          rng=random.Random(seed).random)
    winners = outcome.winners

    # Every candidate either won or has exactly one reason; unknown ids are "unknown".
    assert len(outcome.reasons) == len(candidates)
    won_positions = {w.position for w in winners}
    for position, (candidate, reason) in enumerate(zip(candidates, outcome.reasons, strict=True)):
        assert (reason is None) == (position in won_positions)
        assert reason is None or reason in ranking.REASONS
        if candidate.listing is None:
            assert reason == ranking.UNKNOWN

    # Winners only from the request, ranks 1..n, at most `slots`, by score.
    # Ranks are slots (1..slots, top first); a slot the gate leaves empty is skipped.
    assert len(won_positions) == len(winners) <= slots
    ranks = [w.rank for w in winners]
    assert ranks == sorted(set(ranks)) and all(1 <= r <= slots for r in ranks)
    per_seller = {}
    for w in winners:
        candidate = candidates[w.position]
        listing, campaign = candidate.listing, candidate.campaign
        assert listing is not None and listing.listing_id == w.listing_id
        assert campaign.campaign_id == w.campaign_id
        # Eligibility.
        assert listing.available and campaign.active and campaign.promotes(listing.listing_id)
        assert not campaign.exhausted and campaign.remaining_micros >= rules.reserve_micros
        assert w.position >= top_k
        assert candidate.relevance >= rules.relevance_floor
        # Money: whole cents, reserve <= price <= bid <= what the budget has left.
        assert w.price_micros % CENT == 0 and w.bid_micros % CENT == 0
        assert rules.reserve_micros <= w.price_micros <= w.bid_micros <= campaign.remaining_micros
        # A winner pays at least the admin's share of its bid (rounded up to a cent).
        assert w.price_micros >= min(w.bid_micros, rules.least_bid_share * w.bid_micros)
        if rules.first_price:
            assert w.price_micros == w.bid_micros
        per_seller[listing.seller_id] = per_seller.get(listing.seller_id, 0) + 1
    assert all(count <= rules.max_winners_per_seller for count in per_seller.values())

    # Second price = the least bid that beats the runner-up for the same slot: the next
    # bid by score that the seller cap and the gate (reference: test_incrementality_gate)
    # would have let into it.
    bids = bids_of(candidates, outcome.reasons, rules)
    curve, keep, need = DEFAULT_CURVE, 1.0 - rules.substitution_share, 1.0 + rules.margin
    earlier: dict[int, int] = {}
    for w in winners:
        ads = dict(earlier)
        earlier[w.page_position] = w.position
        if rules.first_price:
            continue
        sellers = Counter(candidates[i].listing.seller_id for i in ads.values())
        beat, ambiguous = None, False
        for b in bids:
            if b.position == w.position or b.position in ads.values():
                continue
            if b.score > next(x.score for x in bids if x.position == w.position):
                continue
            if sellers[b.seller_id] >= rules.max_winners_per_seller:
                continue
            gain = sales_weight(candidates[b.position], rules.gamma) * curve.at(w.page_position)
            taken = displacement(candidates, ads, w.page_position, b.position, curve, rules.gamma)
            margin = keep * gain - need * taken
            if gain > 0 and abs(margin) <= 1e-6 * max(gain, abs(taken)):
                # A tie to rounding: the reference (the page laid out in full) and the
                # auction (prefix sums) may fairly decide it apart; who is runner-up is moot.
                ambiguous = True
                break
            if gain > 0 and margin >= 0:
                beat = b.score
                break
        if ambiguous:
            continue
        bid = next(b for b in bids if b.position == w.position)

        def keeps(price, bid=bid, beat=beat):
            return beat is None or bid.score_at(price) > beat

        assert keeps(w.price_micros) or w.price_micros == w.bid_micros
        floor = ranking.bid_reserve(w.bid_micros, rules.reserve_micros, rules.least_bid_share)
        assert w.price_micros == floor or not keeps(w.price_micros - CENT)


def agree_with_the_reference_functions(candidates, rules, slots, top_k, seed):
    outcome = run_auction(candidates, placement=0, slots=slots, organic_top_k=top_k, settings=rules,
                          rng=random.Random(seed).random)
    replay, draws = random.Random(seed).random, {}

    def admitted(campaign):
        if campaign.campaign_id not in draws:
            draws[campaign.campaign_id] = campaign.pacing_throttle > 0.0 and replay() < campaign.pacing_throttle
        return draws[campaign.campaign_id]

    for position, (candidate, reason) in enumerate(zip(candidates, outcome.reasons, strict=True)):
        expected = ranking.ineligibility(candidate, position, top_k, rules, admitted)
        if expected is None:
            assert ranking.is_eligible_reason(reason)
        else:
            assert reason == expected
    by_position = {bid.position: bid for bid in bids_of(candidates, outcome.reasons, rules)}
    for w in outcome.winners:
        bid = by_position[w.position]
        assert (w.bid_micros, w.score) == (bid.bid_micros, bid.score)


@settings(max_examples=400, deadline=None)
@given(auctions(), st.sampled_from([0, 20_000_000, 1_000_000_000]))
def test_the_auction_loop_agrees_with_ineligibility_and_bid_for(case, budget):
    # run_auction_columns inlines both functions for speed: the same reasons, bids and
    # scores. Once as drawn, and once with every slot open and caps that do not hide the
    # bid formula (drawn budgets and caps are mostly small: most bids would be clamped).
    candidates, rules, slots, top_k, seed = case
    agree_with_the_reference_functions(candidates, rules, slots, top_k, seed)
    campaigns = {}
    for candidate in candidates:
        if candidate.campaign is not None and candidate.campaign.seller_id not in campaigns:
            campaigns[candidate.campaign.seller_id] = replace(
                candidate.campaign, remaining_micros=candidate.campaign.remaining_micros + 1_000_000_000,
                budget_micros=budget)
    roomy = [replace(c, campaign=campaigns[c.campaign.seller_id]) if c.campaign is not None else c
             for c in candidates]
    roomy_rules = replace(rules, auto_max_cpc_micros=rules.auto_max_cpc_micros + 100_000_000,
                          max_winners_per_seller=len(candidates))
    agree_with_the_reference_functions(roomy, roomy_rules, len(candidates), top_k, seed)
