"""The incremental demand a campaign's pacing is judged against, checked against the cascade
it stands on (``behaviour.expected_sales`` of the page with and without the one ad)."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dev.simulator import behaviour
from dev.simulator.behaviour import Candidate, compose_page, expected_sales, incremental_ad_clicks
from dev.simulator.world import SimListing

T0 = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)


def listing(i: int, price_cents: int) -> SimListing:
    return SimListing(f"L{i}", i % 7, "Women/Shoes/Boots", "Women", "Frye", "8", "good", price_cents, 0.0, T0, f"L{i}")


def page_of(logits, buys, prices) -> list[Candidate]:
    return [Candidate(listing(i, p), 1.0, c, b) for i, (c, b, p) in enumerate(zip(logits, buys, prices, strict=True))]


def brute_force(cands: list[Candidate], positions, eligible) -> np.ndarray:
    """The same figure the slow way: each candidate alone at each slot, the whole page played in expectation."""
    without, _ = expected_sales(cands, compose_page(cands, []), set())
    best = np.zeros(len(cands))
    for i, cand in enumerate(cands):
        if not eligible[i]:
            continue
        organic = i if i < behaviour.PAGE_ORGANIC else behaviour.PAGE_ORGANIC
        for position in positions:
            if organic < position - 1 or position - 1 > min(behaviour.PAGE_ORGANIC, len(cands)):
                continue
            with_ad, _ = expected_sales(cands, compose_page(cands, [i], [position]), set())
            if with_ad >= without - 1e-9:
                click = (behaviour.view_probability(position) * behaviour.click_given_view(position, cand.click_logit)
                         * behaviour.SPONSORED_CLICK_DISCOUNT)
                best[i] = max(best[i], click)
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40).flatmap(lambda n: st.tuples(
    st.lists(st.floats(-6, 1), min_size=n, max_size=n),
    st.lists(st.floats(0.0, 0.9), min_size=n, max_size=n),
    st.lists(st.integers(500, 40_000), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.sampled_from([(1, 5, 9, 13), (3, 8, 13, 18), (1, 2), (2, 30)]))))
def test_it_agrees_with_playing_the_page_in_expectation(case):
    logits, buys, prices, eligible, positions = case
    cands = page_of(logits, buys, prices)
    fast = incremental_ad_clicks(cands, positions, eligible)
    slow = brute_force(cands, positions, eligible)
    # Placements within a rounding error of break-even may fall either way.
    assert np.allclose(fast, slow, atol=1e-12) or _only_ties(cands, positions, eligible, fast, slow)


def _only_ties(cands, positions, eligible, fast, slow) -> bool:
    without, _ = expected_sales(cands, compose_page(cands, []), set())
    for i in np.flatnonzero(~np.isclose(fast, slow)):
        gaps = [abs(expected_sales(cands, compose_page(cands, [int(i)], [p]), set())[0] - without) for p in positions]
        if min(gaps) > 1e-6:
            return False
    return True


def test_an_ad_that_would_push_a_likely_sale_down_is_not_demand():
    # Result 1 sells often and dearly; the ad rarely sells: at slot 1 it displaces more than
    # it adds. At position 5 below a page of unlikely sellers it adds more than it takes.
    logits = [1.0] + [-6.0] * 10 + [0.5]
    buys = [0.9] + [0.01] * 10 + [0.5]
    prices = [40_000] + [1_000] * 10 + [5_000]
    cands = page_of(logits, buys, prices)
    eligible = [False] * 11 + [True]
    only_top = incremental_ad_clicks(cands, (1,), eligible)
    assert only_top[11] == 0.0
    lower = incremental_ad_clicks(cands, (1, 5), eligible)
    expected_click = behaviour.view_probability(5) * behaviour.click_given_view(5, 0.5) * 0.9
    assert lower[11] == pytest.approx(expected_click)


def test_nothing_on_an_empty_page_and_nothing_for_an_ineligible_listing():
    assert incremental_ad_clicks([], (1, 5), []).size == 0
    cands = page_of([0.0, 0.0], [0.1, 0.1], [1_000, 1_000])
    assert incremental_ad_clicks(cands, (1,), [False, False]).tolist() == [0.0, 0.0]
