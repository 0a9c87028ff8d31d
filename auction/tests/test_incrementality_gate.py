"""The incrementality gate: an ad is shown only where it adds more sales than it takes.

Hand-checked pages, and properties against a slow reference that lays the page out in
full and adds up every result's expected sales (design.md, Auction).
"""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auction import ranking
from auction.position import power_curve
from auction.ranking import run_auction
from auction.tests.factories import OPEN, SEARCH, UNKNOWN, organic, promoted

GATE = replace(OPEN, substitution_share=0.3, margin=0.0)
SHORT = power_curve(1.0, 6)  # v = 1, 1/2, 1/3, 1/4, 1/5, 1/6; nothing past position 6


def sales_weight(candidate, gamma=1.0):
    """Expected sales at position 1: ctr * r**gamma * cvr * price (0 for unknown or sold)."""
    listing = candidate.listing
    if listing is None or not listing.available:
        return 0.0
    ctr, cvr = listing.scores[SEARCH]
    return ctr * candidate.relevance ** gamma * cvr * listing.price_micros


def organic_places(candidates, ads, curve):
    """Where each organic result sits on a page with ``ads`` ({page position: index})."""
    free = [k for k in range(1, curve.depth + 1) if k not in ads]
    organic_order = [i for i in range(len(candidates)) if i not in ads.values()]
    return dict(zip(organic_order, free, strict=False))


def displacement(candidates, ads, position, index, curve, gamma=1.0):
    """What the organic results lose when the ad ``index`` goes to ``position`` (reference):
    each result's sales before less after, added up result by result (a difference of two
    page totals would lose small results' changes to rounding beside a large one)."""
    before = organic_places(candidates, ads, curve)
    after = organic_places(candidates, {**ads, position: index}, curve)
    return sum(sales_weight(candidates[i], gamma) * (curve.at(k) - (curve.at(after[i]) if i in after else 0.0))
               for i, k in before.items())


def test_a_hand_checked_page_where_the_gate_refuses_slot_1_and_2_and_accepts_slot_3():
    # Weights (ctr x 100; price $10, cvr 0.1 for all): organic 8, 6, 1, 1, 1, 1 on positions
    # 1-6; the ad weighs 3 and is not on the page (7th result, past the depth of 6).
    def listing_args(ctr):
        return {"ctr": ctr, "cvr": 0.1, "price": 10_000_000}

    page = [organic(10, **listing_args(0.08)), organic(11, **listing_args(0.06))]
    page += [organic(12 + i, **listing_args(0.01)) for i in range(4)]
    ad = promoted(1, **listing_args(0.03))
    outcome = run_auction([*page, ad], placement=SEARCH, slots=3, organic_top_k=0, settings=GATE,
                          slot_positions=(1, 2, 4), curve=SHORT)
    # In units of 0.01 x 0.1 x $10:
    # slot 1 at position 1: adds 3 x 1 = 3, takes 8(1 - 1/2) + 6(1/2 - 1/3) + 1(1/3 - 1/4)
    #   + 1(1/4 - 1/5) + 1(1/5 - 1/6) + 1(1/6) = 5.33; 0.7 x 3 = 2.1 < 5.33: refused.
    # slot 2 at position 2: adds 3/2, takes 6(1/2 - 1/3) + 1/3 = 1.33; 1.05 < 1.33: refused.
    # slot 3 at position 4: adds 3/4, takes 1(1/4 - 1/5) + 1(1/5 - 1/6) + 1/6 = 1/4; 0.525 >= 0.25.
    assert [(w.listing_id, w.rank, w.page_position) for w in outcome.winners] == [(1, 3, 4)]
    unit = 0.01 * 0.1 * 10_000_000
    assert displacement([*page, ad], {}, 1, 6, SHORT) == pytest.approx((5 + 1 / 3) * unit, rel=1e-9)
    assert displacement([*page, ad], {}, 4, 6, SHORT) == pytest.approx(0.25 * unit, rel=1e-9)


def test_a_refused_ad_says_it_would_displace_more_than_it_adds():
    page = [organic(10, ctr=0.2, price=900_000_000)]
    outcome = run_auction([*page, promoted(1, ctr=0.01)], placement=SEARCH, slots=1, organic_top_k=0,
                          settings=GATE, curve=SHORT)
    assert outcome.winners == []
    assert outcome.reasons[1] == ranking.NOT_INCREMENTAL


def test_an_ad_moved_down_the_page_is_refused():
    # The listing is organic result 2; slot 1 sits at position 5: it would lose place, not gain.
    page = [organic(10), promoted(1), organic(11), organic(12), organic(13), organic(14)]
    outcome = run_auction(page, placement=SEARCH, slots=1, organic_top_k=0, settings=GATE,
                          slot_positions=(5,), curve=SHORT)
    assert outcome.winners == [] and outcome.reasons[1] == ranking.NOT_INCREMENTAL


def test_its_own_organic_sales_move_with_the_ad():
    # Only the ad's listing has value: moving it from position 3 to 1 adds 1 - 1/3 of its
    # sales; counted whole (no substitution), that passes; counted 70%, 0.7 < 1/3 + ... fails
    # only when the gain is below what it leaves, here 0.7 x 1 >= 1/3: passes.
    page = [UNKNOWN, UNKNOWN, promoted(1)]
    outcome = run_auction(page, placement=SEARCH, slots=1, organic_top_k=0, settings=GATE, curve=SHORT)
    assert [w.listing_id for w in outcome.winners] == [1]
    # With a margin of 2 it must add three times what it takes: 0.7 < 3 x 1/3: refused.
    strict = run_auction(page, placement=SEARCH, slots=1, organic_top_k=0, settings=replace(GATE, margin=2.0),
                         curve=SHORT)
    assert strict.winners == []


def test_a_slot_past_what_shoppers_scan_stays_empty():
    outcome = run_auction([promoted(1)], placement=SEARCH, slots=1, organic_top_k=0, settings=GATE,
                          slot_positions=(7,), curve=SHORT)
    assert outcome.winners == []
    assert outcome.reasons == [ranking.NOT_INCREMENTAL]  # not "outranked": nothing won


def test_the_sellers_bid_is_not_in_the_gate():
    page = [organic(10, ctr=0.05, price=200_000_000)]
    rich = promoted(1, ctr=0.01, campaign=None)
    for multiplier in (0.1, 10.0):
        candidate = replace(rich, campaign=replace(rich.campaign, pacing_multiplier=multiplier))
        outcome = run_auction([*page, candidate], placement=SEARCH, slots=1, organic_top_k=0, settings=GATE,
                              curve=SHORT)
        assert outcome.winners == []


weights = st.floats(min_value=1e-4, max_value=0.3, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    extra=st.integers(min_value=0, max_value=20),
    ctr=weights, cvr=weights, price_dollars=st.integers(min_value=1, max_value=900),
    sigma=st.floats(min_value=0.0, max_value=0.95), margin=st.floats(min_value=0.0, max_value=10.0),
    exponent=st.floats(min_value=0.0, max_value=2.0), depth=st.integers(min_value=1, max_value=60),
    first=st.integers(min_value=1, max_value=60), zero_ctr=st.booleans(),
)
def test_an_ad_that_displaces_nothing_and_sells_something_always_passes(
        extra, ctr, cvr, price_dollars, sigma, margin, exponent, depth, first, zero_ctr):
    # The results ahead are unknown to the index or nobody clicks them: pushing them down
    # takes nothing. The ad's listing is below what shoppers scan (no organic sales of its
    # own to move). Any sigma < 1 and any margin let it through.
    blanks = depth + extra
    ahead = [UNKNOWN if not zero_ctr else organic(100 + i, ctr=0.0) for i in range(blanks)]
    ad = promoted(1, ctr=ctr, cvr=cvr, price=price_dollars * 1_000_000)
    curve = power_curve(exponent, depth)
    position = min(first, depth)
    outcome = run_auction([*ahead, ad], placement=SEARCH, slots=1, organic_top_k=0,
                          settings=replace(GATE, substitution_share=sigma, margin=margin),
                          slot_positions=(position,), curve=curve)
    assert [(w.listing_id, w.page_position) for w in outcome.winners] == [(1, position)]


@st.composite
def pages(draw):
    size = draw(st.integers(min_value=1, max_value=25))
    candidates = []
    for i in range(size):
        kind = draw(st.integers(0, 4))
        ctr, cvr = draw(weights), draw(weights)
        price = draw(st.integers(min_value=1, max_value=500)) * 1_000_000
        relevance = draw(st.floats(min_value=0.2, max_value=1.0))
        if kind == 0:
            candidates.append(UNKNOWN)
        elif kind == 1:
            candidates.append(organic(100 + i, ctr=ctr, cvr=cvr, price=price, relevance=relevance))
        else:
            candidates.append(promoted(1 + i, ctr=ctr, cvr=cvr, price=price, relevance=relevance))
    slots = draw(st.integers(min_value=1, max_value=4))
    positions = sorted(draw(st.sets(st.integers(min_value=1, max_value=30), min_size=slots, max_size=slots)))
    curve = power_curve(draw(st.floats(min_value=0.0, max_value=1.5)), draw(st.integers(min_value=1, max_value=30)))
    rules = replace(GATE, substitution_share=draw(st.floats(0.0, 0.9)), margin=draw(st.floats(0.0, 3.0)),
                    gamma=draw(st.sampled_from([0.0, 1.0, 2.0])))
    return candidates, tuple(positions), curve, rules


@settings(max_examples=300, deadline=None)
@given(pages())
def test_every_winner_passes_the_gate_on_the_page_the_ads_above_it_left(case):
    candidates, positions, curve, rules = case
    outcome = run_auction(candidates, placement=SEARCH, slots=len(positions), organic_top_k=0, settings=rules,
                          slot_positions=positions, curve=curve)
    ads: dict[int, int] = {}
    keep, need = 1.0 - rules.substitution_share, 1.0 + rules.margin
    ranks = [w.rank for w in outcome.winners]
    assert ranks == sorted(set(ranks))
    for w in outcome.winners:
        assert w.page_position == positions[w.rank - 1]
        gain = sales_weight(candidates[w.position], rules.gamma) * curve.at(w.page_position)
        taken = displacement(candidates, ads, w.page_position, w.position, curve, rules.gamma)
        assert gain > 0
        assert keep * gain >= need * taken - 1e-6 * max(gain, abs(taken))
        ads[w.page_position] = w.position
    # Nothing refused by the gate would have passed in a slot that stayed empty.
    filled = {w.rank for w in outcome.winners}
    for rank, position in enumerate(positions, start=1):
        if rank in filled or position > curve.depth:
            continue
        placed = {w.page_position: w.position for w in outcome.winners if w.rank < rank}
        for index, reason in enumerate(outcome.reasons):
            if reason != ranking.NOT_INCREMENTAL:
                continue
            if candidates[index].listing.seller_id in {candidates[w.position].listing.seller_id
                                                       for w in outcome.winners if w.rank < rank}:
                continue
            gain = sales_weight(candidates[index], rules.gamma) * curve.at(position)
            taken = displacement(candidates, placed, position, index, curve, rules.gamma)
            assert not (gain > 0 and keep * gain > need * taken + 1e-6 * max(gain, abs(taken)))
