"""The simulator's ground truth on a tiny world checked by hand."""

import datetime as dt

import numpy as np

from simulator import behaviour
from simulator.behaviour import Candidate, Draws, compose_page, play
from simulator.runner import Options, Simulation
from simulator.world import SimBuyer, SimListing, SimSeller, World

T0 = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)


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


def draws(click, buy, halo=(1, 1, 1, 1), halo_buy=(1, 1, 1, 1), pick=(0, 0, 0, 0)) -> Draws:
    return Draws(*(np.array(v, dtype=float) for v in (click, buy, halo, halo_buy, pick)))


def candidates(world: World) -> list[Candidate]:
    # Organic order A, B, C, D. Everyone is very attractive (logit 10): clicks depend on position only.
    return [Candidate(world.listings[k], 1.0, 10.0, 0.5) for k in "ABCD"]


def test_the_page_puts_sponsored_winners_in_their_slots_once():
    world, _ = tiny_world()
    page = compose_page(candidates(world), [3])
    assert page[0] == (3, 1, True)
    assert [idx for idx, _, _ in page] == [3, 0, 1, 2]
    assert [pos for _, pos, _ in page] == [1, 2, 3, 4]


def test_a_sale_that_happens_only_with_the_ad_is_ad_caused():
    world, buyer = tiny_world()
    cands = candidates(world)
    # D (index 3) at position 1 is clicked (draw 0.5 < bias(1)=1) and bought (0.1 < 0.5);
    # without ads D sits at position 4: bias(4) = 4**-0.65 = 0.406 < 0.5, so no click, no sale.
    d = draws(click=(0.99, 0.99, 0.99, 0.5), buy=(0.9, 0.9, 0.9, 0.1))
    with_ads = play(cands, compose_page(cands, [3]), d, world, buyer, None)
    without = play(cands, compose_page(cands, []), d, world, buyer, None)
    assert with_ads.purchase == ("D", "sponsored", 3)
    assert without.purchase is None
    sim = Simulation(Options(), platform=None)
    sim.world = world
    sim._truth(buyer, with_ads, without)
    assert sim.truth.ad_caused_cents == 7000
    assert sim.truth.ad_displaced_cents == 0
    assert sim.truth.exposed_promoted_with_ads_cents == 7000
    assert sim.truth.exposed_promoted_without_ads_cents == 0


def test_a_sale_the_buyer_would_have_made_anyway_is_not_ad_caused():
    world, buyer = tiny_world()
    cands = candidates(world)
    # C (index 2) is bought in both worlds: promoted at slot 1, or organically at position 3.
    d = draws(click=(0.99, 0.99, 0.3, 0.99), buy=(0.9, 0.9, 0.1, 0.9))
    with_ads = play(cands, compose_page(cands, [2]), d, world, buyer, None)
    without = play(cands, compose_page(cands, []), d, world, buyer, None)
    assert with_ads.purchase[0] == without.purchase[0] == "C"
    sim = Simulation(Options(), platform=None)
    sim.world = world
    sim._truth(buyer, with_ads, without)
    assert sim.truth.ad_caused_cents == 0
    assert sim.truth.purchases == 1 and sim.truth.gmv_cents == 5000


def test_an_ad_that_pushes_down_an_organic_sale_is_counted_as_displacement():
    world, buyer = tiny_world()
    cands = candidates(world)
    # Without ads A is bought at position 1. With D in slot 1, A moves to position 2 where
    # bias(2) = 0.637 < 0.7: no click on A; D is clicked but not bought.
    d = draws(click=(0.7, 0.99, 0.99, 0.2), buy=(0.1, 0.9, 0.9, 0.9))
    with_ads = play(cands, compose_page(cands, [3]), d, world, buyer, None)
    without = play(cands, compose_page(cands, []), d, world, buyer, None)
    assert with_ads.purchase is None
    assert without.purchase == ("A", "organic", 0)
    sim = Simulation(Options(), platform=None)
    sim.world = world
    sim._truth(buyer, with_ads, without)
    assert sim.truth.ad_caused_cents == 0
    assert sim.truth.ad_displaced_cents == 2000


def test_a_halo_sale_after_a_sponsored_click_is_ad_caused_when_it_would_not_happen_otherwise():
    world, buyer = tiny_world()
    cands = candidates(world)
    # D clicked at slot 1, not bought; the buyer browses the closet (halo draw 0), picks C and
    # buys it (halo_buy 0 < 0.6 * p). Without ads nothing is clicked.
    d = draws(click=(0.99, 0.99, 0.99, 0.5), buy=(0.9, 0.9, 0.9, 0.9), halo=(1, 1, 1, 0), halo_buy=(1, 1, 1, 0))
    with_ads = play(cands, compose_page(cands, [3]), d, world, buyer, None)
    without = play(cands, compose_page(cands, []), d, world, buyer, None)
    assert with_ads.purchase == ("C", "sponsored_halo", 3)
    assert without.purchase is None
    sim = Simulation(Options(), platform=None)
    sim.world = world
    sim._truth(buyer, with_ads, without)
    assert sim.truth.ad_caused_cents == 5000


def test_position_bias_falls_with_position():
    assert behaviour.position_bias(1) == 1.0
    assert behaviour.position_bias(1) > behaviour.position_bias(5) > behaviour.position_bias(20) > 0
