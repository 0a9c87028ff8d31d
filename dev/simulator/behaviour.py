"""How buyers search, see a page, click and buy: the simulator's ground truth.

Every session draws its random numbers per *candidate* (not per position), so the page
with ads and the same page without them (the counterfactual) are judged with the same
draws ("common random numbers"). A purchase that happens with ads and not without them
was caused by the ads: that is the ground truth no real marketplace gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from dev.simulator.world import SimBuyer, SimListing, World

# Every figure below is listed in docs/simulator.md with the published figure it stands on.
PAGE_ORGANIC = 24  # organic results on the page the buyer sees
CANDIDATES = 100  # candidates the storefront sends to the auction, in organic order
RETRIEVAL = 400  # listings the storefront scores for one query
DEFAULT_SLOT_POSITIONS = (1, 5, 9, 13)  # where the storefront puts sponsored slots 1..4 (1-based)
HALO_BROWSE = 0.15  # after a click without a purchase, chance of browsing the closet
SPONSORED_CLICK_DISCOUNT = 0.9  # a "Sponsored" label costs a little attention
# Levels of the buyer's latent click and purchase log-odds (calibrated: a few percent of
# viewed top results are clicked, a few percent of clicks buy).
CLICK_BASE = -4.6
BUY_BASE = -5.0
# The storefront's organic ranking: what it knows of the shopper (size, the query's brand,
# price against their budget, a noisy view of the listing's appeal) and its noise.
STOREFRONT_NOISE = 0.6


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


POSITION_EXPONENT = 0.65  # how fast a result's worth in clicks falls with its position


def position_bias(position: int) -> float:
    """How much a result at this position (1-based) is worth in clicks, against position 1.

    Split into viewing (the storefront reports an impression only for a result that was
    in view) and clicking given a view, both falling with position.
    """
    return position ** -POSITION_EXPONENT


VIEW_SHARE = 0.7  # of the position bias's exponent that acts through viewing


def view_probability(position: int) -> float:
    return position_bias(position) ** VIEW_SHARE


def click_given_view(position: int, click_logit: float) -> float:
    return position_bias(position) ** (1 - VIEW_SHARE) * sigmoid(click_logit)


@dataclass
class Candidate:
    listing: SimListing
    relevance: float  # storefront's organic score, normalised to (0, 1]
    click_logit: float  # buyer's true attraction (latent)
    buy_prob: float  # buyer's true purchase probability after a click


@dataclass
class Outcome:
    """What the buyer did on one version of the page."""

    shown: list[tuple[int, int, bool]] = field(default_factory=list)  # viewed: (candidate idx, position, sponsored)
    clicks: list[tuple[int, int, bool]] = field(default_factory=list)
    purchase: tuple[str, str, int] | None = None  # (listing key, path, candidate idx)
    # path: organic | sponsored | organic_halo | sponsored_halo


def buyer_fit(buyer: SimBuyer, listing: SimListing, brand_query: str | None) -> tuple[float, float]:
    """(click logit, purchase probability) of ``buyer`` for ``listing``: the latent truth."""
    size_match = 1.0 if buyer.sizes.get(listing.category) == listing.size or listing.size == "OS" else 0.0
    brand_fav = 1.0 if listing.brand in buyer.brands or listing.brand == brand_query else 0.0
    over = max(0.0, listing.price / buyer.max_price - 1.0)
    price_fit = -2.0 * over
    click_logit = CLICK_BASE + listing.appeal + 0.7 * size_match + 0.6 * brand_fav + price_fit
    buy_logit = BUY_BASE + 0.6 * listing.appeal + 1.1 * size_match + 0.4 * brand_fav + 1.5 * price_fit
    buy = min(0.9, sigmoid(buy_logit) * buyer.buy_propensity)
    return click_logit, buy


def storefront_candidates(world: World, buyer: SimBuyer, category: str, brand_query: str | None,
                          rng: np.random.Generator) -> list[Candidate]:
    """The storefront's organic ranking for a search: best first, at most CANDIDATES.

    The storefront scores text and filters (category, brand, size, price), plus a noisy
    view of popularity; it does not know the buyer's latent taste (favourite brands,
    purchase propensity). Vectorised over the category's listings (``World.category_arrays``).
    """
    pool = world.category_arrays(category)
    n = len(pool.keys)
    if n == 0:
        return []
    picks = rng.choice(n, size=RETRIEVAL, replace=False) if n > RETRIEVAL else np.arange(n)
    noise = rng.normal(0, STOREFRONT_NOISE, size=len(picks))
    size_match = (pool.size[picks] == buyer.sizes.get(category)) | pool.one_size[picks]
    brand_is_query = pool.brand[picks] == brand_query if brand_query else np.zeros(len(picks), dtype=bool)
    over = np.maximum(0.0, pool.price[picks] / buyer.max_price - 1.0)
    appeal = pool.appeal[picks]
    score = 0.8 * brand_is_query + 0.5 * size_match + 0.5 * appeal - 0.8 * over + noise
    order = np.argsort(-score, kind="stable")[:CANDIDATES]
    top = score[order]
    best, worst = float(top[0]), float(top.min())
    span = (best - worst) or 1.0
    relevance = np.round(0.05 + 0.95 * (top - worst) / span, 4)
    chosen = picks[order]
    brands = buyer.brands
    brand_fav = np.array([b in brands for b in pool.brand[chosen].tolist()], dtype=bool) | brand_is_query[order]
    size_fit = size_match[order]
    price_fit = -2.0 * over[order]
    appeal_top = appeal[order]
    click_logit = CLICK_BASE + appeal_top + 0.7 * size_fit + 0.6 * brand_fav + price_fit
    buy_logit = BUY_BASE + 0.6 * appeal_top + 1.1 * size_fit + 0.4 * brand_fav + 1.5 * price_fit
    buy = np.minimum(0.9, buyer.buy_propensity / (1.0 + np.exp(-buy_logit)))
    listings, keys = world.listings, pool.keys
    # Python floats and ints first: a numpy scalar per element costs more than the list.
    return [Candidate(listings[keys[j]], r, c, b)
            for j, r, c, b in zip(chosen.tolist(), relevance.tolist(), click_logit.tolist(), buy.tolist(),
                                  strict=True)]


@dataclass
class Draws:
    """Uniform draws per candidate, shared by both versions of the page."""

    view: np.ndarray
    click: np.ndarray
    buy: np.ndarray
    halo: np.ndarray
    halo_buy: np.ndarray
    halo_pick: np.ndarray

    @classmethod
    def for_session(cls, rng: np.random.Generator, n: int) -> Draws:
        block = rng.random((6, max(n, 1)))
        return cls(*block)


def compose_page(candidates: list[Candidate], winners: list[int],
                 positions: Sequence[int] = DEFAULT_SLOT_POSITIONS) -> list[tuple[int, int, bool]]:
    """The page: organic results with sponsored winners (candidate indexes) at their page
    positions (``winners[j]`` at ``positions[j]``, 1-based); organic results fill the rest.

    A sponsored listing that also ranks organically on the page shows once, as sponsored.
    """
    sponsored = {}
    for slot, idx in zip(positions, winners, strict=False):
        sponsored[slot] = idx
    organic = [i for i in range(len(candidates)) if i not in set(winners)][:PAGE_ORGANIC]
    page, position, it = [], 1, iter(organic)
    total = len(organic) + len(sponsored)
    while position <= total:
        if position in sponsored:
            page.append((sponsored[position], position, True))
        else:
            nxt = next(it, None)
            if nxt is None:
                break
            page.append((nxt, position, False))
        position += 1
    return page


def play(candidates: list[Candidate], page: list[tuple[int, int, bool]], draws: Draws,
         world: World, buyer: SimBuyer, brand_query: str | None) -> Outcome:
    """What the buyer does on ``page``: views and clicks top to bottom, at most one purchase."""
    outcome = Outcome()
    for idx, position, sponsored in page:
        cand = candidates[idx]
        if draws.view[idx] >= view_probability(position):
            continue
        outcome.shown.append((idx, position, sponsored))
        p_click = click_given_view(position, cand.click_logit)
        if sponsored:
            p_click *= SPONSORED_CLICK_DISCOUNT
        if draws.click[idx] >= p_click:
            continue
        outcome.clicks.append((idx, position, sponsored))
        if draws.buy[idx] < cand.buy_prob:
            outcome.purchase = (cand.listing.key, "sponsored" if sponsored else "organic", idx)
            return outcome
        if draws.halo[idx] < HALO_BROWSE:
            other = halo_pick(world, buyer, cand.listing, draws.halo_pick[idx], brand_query)
            if other is not None:
                _, buy = buyer_fit(buyer, other, brand_query)
                if draws.halo_buy[idx] < 0.6 * buy:
                    outcome.purchase = (other.key, "sponsored_halo" if sponsored else "organic_halo", idx)
                    return outcome
    return outcome


def expected_sales(candidates: list[Candidate], page: list[tuple[int, int, bool]],
                   promoted: set[int]) -> tuple[float, float]:
    """Expected direct purchases on ``page`` in cents: (all, of the candidates in ``promoted``).

    The same cascade as ``play`` in expectation rather than in draws: each result in turn is
    seen, clicked and bought with its probabilities, if no purchase came before. Halo
    purchases are left out (a small share of sales). Far less noisy than the drawn outcome,
    it is what an engineer can compare two rankings with on one seed.
    """
    reach, total, of_promoted = 1.0, 0.0, 0.0
    for idx, position, sponsored in page:
        cand = candidates[idx]
        p_click = view_probability(position) * click_given_view(position, cand.click_logit)
        if sponsored:
            p_click *= SPONSORED_CLICK_DISCOUNT
        bought = reach * p_click * cand.buy_prob
        value = bought * cand.listing.price_cents
        total += value
        if idx in promoted:
            of_promoted += value
        reach -= bought
    return total, of_promoted


def halo_pick(world: World, buyer: SimBuyer, clicked: SimListing, u: float,
              brand_query: str | None) -> SimListing | None:
    """The item a buyer browsing ``clicked``'s closet likes best (a draw among the top few)."""
    seller = world.sellers[clicked.seller]
    keys = [k for k in seller.listings[-60:] if k != clicked.key and world.listings[k].available]
    if not keys:
        return None
    ranked = sorted((world.listings[k] for k in keys),
                    key=lambda item: buyer_fit(buyer, item, brand_query)[0], reverse=True)[:3]
    return ranked[min(len(ranked) - 1, int(u * len(ranked)))]


def incremental_ad_clicks(candidates: list[Candidate], positions: Sequence[int],
                          eligible: Sequence[bool]) -> np.ndarray:
    """Per candidate, the expected clicks of its best *incremental* placement as the page's
    only ad: the most clicks it draws at a slot position where, in expectation, the page
    sells at least as much with it as without it (``expected_sales``: the ad's own sales
    against the organic results it pushes down one place). 0 where no slot is incremental
    or the candidate is not ``eligible``. The truth the incrementality gate estimates: the
    demand a campaign could spend its budget on without taking sales from other results.

    Exact against ``expected_sales(compose_page(candidates, [i], [p]))`` for one ad. A
    placement below the candidate's own organic result (moving it down) is never counted.
    Vectorised: one pass over the page per slot position.
    """
    n = len(candidates)
    clicks = np.zeros(n)
    if n == 0:
        return clicks
    page = min(PAGE_ORGANIC, n)
    extended = min(PAGE_ORGANIC + 1, n)  # with an ad taken off the page, the next result joins at the bottom
    logit = np.array([c.click_logit for c in candidates])
    buy = np.array([c.buy_prob for c in candidates])
    price = np.array([c.listing.price_cents for c in candidates], dtype=float)

    def bought(at_positions: np.ndarray, idx: np.ndarray) -> np.ndarray:
        # view_probability x click_given_view x purchase, for many results at once
        return at_positions.astype(float) ** -POSITION_EXPONENT / (1 + np.exp(-logit[idx])) * buy[idx]

    def tails(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # reach[k]: chance no purchase happened above item k; sums[k]: expected sales from item k on.
        reach = np.concatenate(([1.0], np.cumprod(1 - q)))
        sums = np.concatenate((np.cumsum((price[:len(q)] * q * reach[:-1])[::-1])[::-1], [0.0]))
        return reach, sums

    idx = np.arange(extended)
    reach_u, sums_u = tails(bought(idx + 1, idx))  # the page as it is: item k at position k + 1
    reach_s, sums_s = tails(bought(idx + 2, idx))  # pushed down one place
    rows = np.arange(n)
    own = np.minimum(rows, page)  # a candidate's organic index on the page (``page``: not on it)
    allowed = np.asarray(eligible, dtype=bool)
    for position in positions:
        a = position - 1  # the organic index at this position without ads
        if a > page:
            continue
        # Expected sales from position ``position`` down, reach 1 at the top of that stretch.
        without = (sums_u[a] - sums_u[page]) / reach_u[a]
        # With the ad: results a..own-1 pushed down, then (when it was on the page) the
        # results after it at their own places, and the next one joining at the bottom.
        pushed = (sums_s[a] - sums_s[own]) / reach_s[a]
        after = np.where(own < page, sums_u[np.minimum(own + 1, extended)]
                         / reach_u[np.minimum(own + 1, extended)], 0.0)
        rest = pushed + reach_s[own] / reach_s[a] * after
        click = position_bias(position) / (1 + np.exp(-logit)) * SPONSORED_CLICK_DISCOUNT
        q_ad = click * buy
        gain = q_ad * price + (1 - q_ad) * rest
        ok = allowed & (own >= a) & (gain >= without)
        clicks = np.where(ok, np.maximum(clicks, click), clicks)
    return clicks
