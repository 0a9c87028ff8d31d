"""The simulator's ground truth on a tiny world checked by hand."""

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pytest

from dev.simulator import behaviour
from dev.simulator.behaviour import DEFAULT_SLOT_POSITIONS, Candidate, Draws, Outcome, compose_page, play
from dev.simulator.runner import Options, Simulation, Truth
from dev.simulator.world import SimBuyer, SimListing, SimSeller, World

T0 = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)


NOW = dt.datetime(2026, 10, 5, 12, tzinfo=dt.UTC)


def tiny_world() -> tuple[World, SimBuyer]:
    sellers = [SimSeller(0, "S0", "organic_olga", T0, 0.0, promotes=False),
               SimSeller(1, "S1", "promoted_pia", T0, 0.0, promotes=True)]
    listings = {}
    for key, seller, price in [("A", 0, 2000), ("B", 0, 3000), ("C", 1, 5000), ("D", 1, 7000)]:
        listings[key] = SimListing(key, seller, "Women/Shoes/Boots", "Women", "Frye", "8", "good", price, 0.0,
                                   T0, key)
        sellers[seller].listings.append(key)
    buyer = SimBuyer(0, "u-0", ["Women/Shoes/Boots"], {"Frye"}, {"Women/Shoes/Boots": "8"}, 500.0, 1.0, 1.0)
    world = World(1, T0, sellers, listings, [buyer], {"Women/Shoes/Boots": ["A", "B", "C", "D"]})
    return world, buyer


def draws(click, buy, halo=(1, 1, 1, 1), halo_buy=(1, 1, 1, 1), pick=(0, 0, 0, 0), view=(0, 0, 0, 0)) -> Draws:
    # view draws of 0: every result on the page is in view unless a test says otherwise.
    return Draws(*(np.array(v, dtype=float) for v in (view, click, buy, halo, halo_buy, pick)))


def candidates(world: World) -> list[Candidate]:
    # Organic order A, B, C, D. Everyone is very attractive (logit 10): clicks depend on position only.
    return [Candidate(world.listings[k], 1.0, 10.0, 0.5) for k in "ABCD"]


def play_both(world: World, buyer: SimBuyer, d: Draws, winners: list[int],
              positions: Sequence[int] = DEFAULT_SLOT_POSITIONS) -> tuple[Outcome, Outcome]:
    """The buyer's session on the page with ``winners`` in the sponsored slots, and on the
    same page without ads, on the same draws."""
    cands = candidates(world)
    with_ads = play(cands, compose_page(cands, winners, positions), d, world, buyer, None)
    without = play(cands, compose_page(cands, []), d, world, buyer, None)
    return with_ads, without


def simulation(world: World, options: Options | None = None) -> Simulation:
    sim = Simulation(options or Options(), platform=None)
    sim.world = world
    return sim


def session_truth(world: World, buyer: SimBuyer, with_ads: Outcome, without: Outcome,
                  options: Options | None = None) -> Truth:
    """The ground truth after one session seen with and without ads, at NOW."""
    sim = simulation(world, options)
    sim._truth(buyer, with_ads, without, NOW)
    return sim.truth


def both_pages(d: Draws, winners: list[int], positions: Sequence[int] = DEFAULT_SLOT_POSITIONS,
               options: Options | None = None) -> tuple[Outcome, Outcome, Truth]:
    """The tiny world's buyer on the page with ``winners`` and on the same page without ads
    (``play_both``), and the ground truth of that session (``session_truth``)."""
    world, buyer = tiny_world()
    with_ads, without = play_both(world, buyer, d, winners, positions)
    return with_ads, without, session_truth(world, buyer, with_ads, without, options)


def test_the_page_puts_sponsored_winners_in_their_slots_once():
    world, _ = tiny_world()
    page = compose_page(candidates(world), [3])
    assert page[0] == (3, 1, True)
    assert [idx for idx, _, _ in page] == [3, 0, 1, 2]
    assert [pos for _, pos, _ in page] == [1, 2, 3, 4]


def test_a_sale_that_happens_only_with_the_ad_is_ad_caused():
    # Every result is in view (view draws 0). Clicking given a view: ~1.0 at position 1 (0.9
    # when sponsored), 4**-0.195 = 0.763 at position 4. D (index 3) in slot 1 is clicked
    # (0.85 < 0.9) and bought (0.1 < 0.5); without ads D is at position 4: no click, no sale.
    # (A is clicked at position 1 without ads, but not bought: 0.9 > 0.5.)
    d = draws(click=(0.99, 0.99, 0.99, 0.85), buy=(0.9, 0.9, 0.9, 0.1))
    with_ads, without, truth = both_pages(d, [3])
    assert with_ads.purchase == ("D", "sponsored", 3)
    assert without.purchase is None
    assert truth.ad_caused_cents == truth.ad_caused_sponsored_cents == 7000
    assert truth.ad_displaced_cents == 0
    assert truth.exposed_promoted_with_ads_cents == 7000
    assert truth.exposed_promoted_without_ads_cents == 0


def test_a_sale_the_buyer_would_have_made_anyway_is_not_ad_caused():
    # C (index 2) is bought in both worlds: promoted at slot 1, or organically at position 3.
    d = draws(click=(0.99, 0.99, 0.3, 0.99), buy=(0.9, 0.9, 0.1, 0.9))
    with_ads, without, truth = both_pages(d, [2])
    assert with_ads.purchase[0] == without.purchase[0] == "C"
    assert truth.ad_caused_cents == 0
    assert truth.purchases == 1 and truth.gmv_cents == 5000


def test_an_ad_that_pushes_down_an_organic_sale_is_counted_as_displacement():
    # Without ads A is bought at position 1. With D in slot 1, A moves to position 2 where
    # clicking given a view is 2**-0.195 = 0.874 < 0.95: no click on A; D is clicked, not bought.
    d = draws(click=(0.95, 0.99, 0.99, 0.2), buy=(0.1, 0.9, 0.9, 0.9))
    with_ads, without, truth = both_pages(d, [3])
    assert with_ads.purchase is None
    assert without.purchase == ("A", "organic", 0)
    assert truth.ad_caused_cents == 0
    assert truth.ad_displaced_cents == 2000


def test_an_organic_sale_reached_only_because_the_ad_moved_the_page_is_caused_too():
    # Without ads A is clicked at position 1 (1.0 > 0.95) and bought. With D in slot 1 (not
    # clicked: 0.95 > 0.9), A at position 2 is not clicked (0.874 < 0.95); B at position 3 is
    # (0.5 < 0.807) and bought. The ads turned a $20 sale into a $30 one: caused $30 (none of
    # it through the ad), displaced $20, net +$10 = gmv - gmv_without_ads.
    d = draws(click=(0.95, 0.5, 0.99, 0.95), buy=(0.1, 0.1, 0.9, 0.9))
    with_ads, without, truth = both_pages(d, [3])
    assert with_ads.purchase == ("B", "organic", 1) and without.purchase == ("A", "organic", 0)
    assert (truth.ad_caused_cents, truth.ad_caused_sponsored_cents, truth.ad_displaced_cents) == (3000, 0, 2000)
    assert truth.ad_caused_cents - truth.ad_displaced_cents == truth.gmv_cents - truth.gmv_without_ads_cents


def test_a_halo_sale_after_a_sponsored_click_is_ad_caused_when_it_would_not_happen_otherwise():
    # D clicked at slot 1, not bought; the buyer browses the closet (halo draw 0), picks C and
    # buys it (halo_buy 0 < 0.6 * p). Without ads nothing is clicked.
    d = draws(click=(0.99, 0.99, 0.99, 0.85), buy=(0.9, 0.9, 0.9, 0.9), halo=(1, 1, 1, 0), halo_buy=(1, 1, 1, 0))
    with_ads, without, truth = both_pages(d, [3])
    assert with_ads.purchase == ("C", "sponsored_halo", 3)
    assert without.purchase is None
    assert truth.ad_caused_cents == 5000


def test_a_result_out_of_view_is_neither_reported_nor_clicked():
    world, buyer = tiny_world()
    cands = candidates(world)
    d = draws(click=(0, 0, 0, 0), buy=(1, 1, 1, 1), view=(0, 0.999, 0, 0))
    outcome = play(cands, compose_page(cands, []), d, world, buyer, None)
    assert [idx for idx, _, _ in outcome.shown] == [0, 2, 3]
    assert [idx for idx, _, _ in outcome.clicks] == [0, 2, 3]


def test_position_bias_falls_with_position():
    assert behaviour.position_bias(1) == 1.0
    assert behaviour.position_bias(1) > behaviour.position_bias(5) > behaviour.position_bias(20) > 0


def test_the_layout_puts_each_winner_at_its_page_position():
    world, _ = tiny_world()
    # Slots at positions 2 and 4: D (index 3) at 2, C (index 2) at 4; organic A, B fill 1 and 3.
    page = compose_page(candidates(world), [3, 2], positions=(2, 4))
    assert page == [(0, 1, False), (3, 2, True), (1, 3, False), (2, 4, True)]
    # A winner at a position past the end of the page is not shown.
    assert [idx for idx, _, sponsored in compose_page(candidates(world), [3], positions=(9,)) if sponsored] == []


def test_with_the_ad_lower_on_the_page_a_sale_is_caused_without_displacing_the_top_result():
    # The same draws as the displacement test, but the ad goes to position 3 (layout 3,...):
    # A stays at position 1 and is bought on both pages; nothing is caused or displaced.
    d = draws(click=(0.95, 0.99, 0.99, 0.2), buy=(0.1, 0.9, 0.9, 0.9))
    with_ads, without, truth = both_pages(d, [3], positions=(3,), options=Options(slot_positions=(3, 8, 13, 18)))
    assert with_ads.purchase == without.purchase == ("A", "organic", 0)
    assert (truth.ad_caused_cents, truth.ad_displaced_cents) == (0, 0)
    assert truth.gmv_cents == truth.gmv_without_ads_cents == 2000


def test_the_page_without_ads_is_counted_for_the_net_change():
    # The ad (D at slot 1) is bought; without ads A would have been: caused 7000, displaced 2000.
    d = draws(click=(0.5, 0.99, 0.99, 0.2), buy=(0.1, 0.9, 0.9, 0.1))
    with_ads, without, truth = both_pages(d, [3])
    assert with_ads.purchase == ("D", "sponsored", 3) and without.purchase == ("A", "organic", 0)
    assert (truth.ad_caused_cents, truth.ad_caused_sponsored_cents, truth.ad_displaced_cents) == (7000, 7000, 2000)
    assert (truth.gmv_cents, truth.gmv_without_ads_cents) == (7000, 2000)


def test_expected_sales_follow_the_cascade_in_expectation():
    world, _ = tiny_world()
    # Attraction logit 10 (clicked ~always once seen), purchase 0.5 each; A, B at 1, 2.
    cands = candidates(world)[:2]
    page = compose_page(cands, [])
    total, promoted = behaviour.expected_sales(cands, page, promoted={1})
    p1 = behaviour.view_probability(1) * behaviour.click_given_view(1, 10.0) * 0.5
    p2 = (1 - p1) * behaviour.view_probability(2) * behaviour.click_given_view(2, 10.0) * 0.5
    assert total == pytest.approx(p1 * 2000 + p2 * 3000)
    assert promoted == pytest.approx(p2 * 3000)
    # As an ad, B is first and pays the label's discount.
    total_ad, _ = behaviour.expected_sales(cands, compose_page(cands, [1]), promoted={1})
    q1 = behaviour.SPONSORED_CLICK_DISCOUNT * behaviour.click_given_view(1, 10.0) * 0.5
    q2 = (1 - q1) * behaviour.view_probability(2) * behaviour.click_given_view(2, 10.0) * 0.5
    assert total_ad == pytest.approx(q1 * 3000 + q2 * 2000)


def test_an_ad_purchase_that_replaced_another_counts_toward_the_observed_substitution():
    d = draws(click=(0.5, 0.99, 0.99, 0.2), buy=(0.1, 0.9, 0.9, 0.1))  # as in the net-change test
    *_, truth = both_pages(d, [3])
    assert (truth.sponsored_purchases, truth.sponsored_purchases_instead) == (1, 1)


def test_the_exposed_population_counts_a_sellers_sales_from_their_first_win_within_the_window():
    world, buyer = tiny_world()
    d = draws(click=(0.99, 0.99, 0.99, 0.85), buy=(0.9, 0.9, 0.9, 0.1))
    with_ads, without = play_both(world, buyer, d, [3])
    sim = simulation(world)
    seller = world.listings["D"].seller
    sim._truth(buyer, with_ads, without, NOW)  # no win yet: not in the population
    assert sim.truth.triggered_with_ads_cents == 0
    sim.first_win[buyer.index] = {seller: NOW}
    sim._truth(buyer, with_ads, without, NOW + dt.timedelta(days=13))
    sim._truth(buyer, with_ads, without, NOW + dt.timedelta(days=14))  # past the attribution window
    assert (sim.truth.triggered_with_ads_cents, sim.truth.triggered_without_ads_cents) == (7000, 0)
