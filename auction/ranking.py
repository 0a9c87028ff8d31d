"""The auction: eligibility, BIDLESS bids, scores, incrementality gate, seller cap, pricing.

Plain functions over plain data (no database): the index resolves each requested id to a
``ListingState`` and its seller's ``CampaignState``; ``run_auction`` decides. Money is
integer micros; every bid and price is a whole number of cents.

For candidate i (request order = organic order, ``position`` 0-based):

- eligible when the listing is available, in a campaign that is active, whose budget
  period is not exhausted and can still pay the reserve, that bids at least the reserve
  (manual bidding), not among the first ``organic_top_k`` positions, with relevance
  ``r >= relevance_floor``, and let through by the campaign's pacing throttle (one draw
  per campaign per auction);
- bid (automatic): ``clamp(lambda * cvr * price * (1 - take_rate), reserve, max_cpc)``
  rounded down to the cent; manual campaigns bid their max CPC. Never more than what
  is left of the budget period;
- score ``ctr * r**gamma * (bid + beta * take_rate * cvr * price)``;
- winners by score (ties: the earlier organic position), at most
  ``max_winners_per_seller`` per seller, slot by slot from the top of the page: slot j
  goes at page position ``slot_positions[j]`` and takes the best-scoring bid that passes
  the slot's incrementality gate; a slot no bid passes stays empty;
- the gate (design.md, Auction) weighs shoppers' purchases, not revenue: with
  ``w_i = ctr_i * r_i**gamma * cvr_i * price_i`` (expected sales at position 1) and the
  position curve ``v``, the ad at position p adds ``g = w_a * v(p)`` and takes ``D``: the
  sales the organic results it pushes down lose (``w_o * (v(k) - v(k'))`` each, k' the next
  free position), plus its own organic sales when it was on the page (the results below
  its old place move up, a gain). It passes when ``g > 0`` and
  ``(1 - substitution_share) * g >= (1 + margin) * D``. The seller's CPC is not in it;
- price (second price): the least whole-cent bid whose score is still above the next
  eligible candidate's score (in score order); never below the reserve, never above the
  bid. First price: the bid.

Every candidate that does not win gets one reason code (``REASONS``).

``ineligibility`` and ``bid_for`` state the rules one candidate at a time;
``run_auction_columns``, the loop the request path runs, inlines them (calls and an object
per candidate were most of an auction's CPU) and a property test keeps the two in step.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from auction.position import DEFAULT_CURVE, DEFAULT_SLOT_POSITIONS, PositionCurve, slot_positions_for
from core.marketplace_rules import auto_bid_micros, budget_bid_cap
from core.money import MICROS_PER_CENT, log_dollars

# Why a candidate did not win. The first group is decided before bidding (not eligible),
# the second among eligible candidates.
SOLD = "sold"
NOT_IN_CAMPAIGN = "not_in_campaign"
CAMPAIGN_PAUSED = "campaign_paused"
BUDGET_EXHAUSTED = "budget_exhausted"
BELOW_RESERVE = "below_reserve"
ORGANIC_TOP_K = "organic_top_k"
BELOW_RELEVANCE_FLOOR = "below_relevance_floor"
PACED_OUT = "paced_out"
UNKNOWN = "unknown"
OUTRANKED = "outranked"
SELLER_CAP = "seller_cap"
NOT_INCREMENTAL = "not_incremental"
# Set by the auction service, not here: an eligible winner withheld from a held-out user.
HELD_OUT = "held_out"

INELIGIBLE_REASONS = (SOLD, NOT_IN_CAMPAIGN, CAMPAIGN_PAUSED, BUDGET_EXHAUSTED, BELOW_RESERVE,
                      ORGANIC_TOP_K, BELOW_RELEVANCE_FLOOR, PACED_OUT)
ELIGIBLE_LOSS_REASONS = (OUTRANKED, SELLER_CAP, NOT_INCREMENTAL, HELD_OUT)
REASONS = (*INELIGIBLE_REASONS, *ELIGIBLE_LOSS_REASONS, UNKNOWN)

CENT = MICROS_PER_CENT


@dataclass(frozen=True, slots=True)
class RankingSettings:
    """The admin's auction rules, in the units the ranking uses (money in whole cents)."""

    reserve_micros: int = 100_000
    auto_max_cpc_micros: int = 2_000_000
    relevance_floor: float = 0.2
    gamma: float = 1.0
    beta: float = 1.0
    take_rate: float = 0.2
    max_winners_per_seller: int = 1
    first_price: bool = False
    least_bid_share: float = 0.0  # second price: a winner pays at least this share of its bid (admin: 0.5)
    substitution_share: float = 0.3  # sigma
    margin: float = 0.0  # m

    def __post_init__(self) -> None:
        # Bids and prices are whole cents: the reserve rounds up, the cap down, and a cap
        # set below the reserve cannot push a bid under it.
        reserve = -(-self.reserve_micros // CENT) * CENT
        object.__setattr__(self, "reserve_micros", max(CENT, reserve))
        object.__setattr__(self, "auto_max_cpc_micros",
                           max(self.reserve_micros, self.auto_max_cpc_micros // CENT * CENT))


@dataclass(frozen=True, slots=True)
class ListingState:
    """A listing as the auction sees it; ``scores`` holds (ctr, cvr) per placement index."""

    listing_id: int
    seller_id: int
    price_micros: int
    available: bool
    scores: tuple[tuple[float, float], ...]
    tastes: tuple[str, str] = ("", "")  # (brand, size) taste keys (auction.affinity.listing_tastes)
    size: str = ""  # as the catalog names it (matched against the sizes a request names)


@dataclass(frozen=True, slots=True)
class Shopper:
    """What the auction knows of the shopper of this request (``auction.affinity``): their
    tastes (brand and size keys) and how much more a listing of one of their brands, or in
    one of their sizes, is worth (``brand_lift``, ``size_lift``); their price level (mean
    log price paid, None: unknown) and a factor per band of price against it
    (``price_factors``, bands at ``price_edges``); the sizes the request names
    (``sizes``: the storefront's "My Size" or size filter), which count as the shopper's
    sizes in every category."""

    tastes: frozenset[str] = frozenset()
    brand_lift: float = 1.0
    size_lift: float = 1.0
    price_level: float | None = None
    price_edges: tuple[float, ...] = ()
    price_factors: tuple[float, ...] = ()
    sizes: frozenset[str] = frozenset()

    def knows(self) -> bool:
        """Whether it changes anything."""
        return bool(self.tastes and (self.brand_lift != 1.0 or self.size_lift != 1.0)) or (
            bool(self.sizes) and self.size_lift != 1.0) or (
            self.price_level is not None and any(f != 1.0 for f in self.price_factors))

    def factor(self, listing: ListingState) -> float:
        """How much likelier this shopper clicks and buys ``listing`` than the models say."""
        brand, size = listing.tastes
        factor = 1.0
        if brand and brand in self.tastes:
            factor *= self.brand_lift
        # A size taste is per category; a size the request names fits any category.
        if size and (size in self.tastes or listing.size in self.sizes):
            factor *= self.size_lift
        if self.price_level is not None and self.price_factors and listing.price_micros > 0:
            gap = log_dollars(listing.price_micros) - self.price_level
            factor *= self.price_factors[bisect.bisect_right(self.price_edges, gap)]
        return factor


NO_SHOPPER = Shopper()


@dataclass(frozen=True, slots=True)
class CampaignState:
    """A seller's live campaign as the auction sees it (budget of the current period)."""

    campaign_id: int
    seller_id: int
    active: bool
    manual: bool
    max_cpc_micros: int | None
    pacing_multiplier: float
    pacing_throttle: float
    remaining_micros: int
    exhausted: bool
    chosen: frozenset[int] | None  # None: the whole closet is promoted
    budget_micros: int = 0  # this budget period's budget; 0: unknown (no per-click cap)

    def promotes(self, listing_id: int) -> bool:
        return self.chosen is None or listing_id in self.chosen


# Candidates and bids are the readable form for tests and tools; the request path makes
# neither per candidate (see run_auction_columns and the bid tuple layout below it).
@dataclass(slots=True)
class Candidate:
    """One requested id: its listing (None when unknown), relevance, and seller's campaign."""

    listing: ListingState | None
    relevance: float = 1.0
    campaign: CampaignState | None = None


@dataclass(slots=True)
class Bid:
    """An eligible candidate's bid and score; ``k`` and ``e`` give its score for any bid."""

    position: int
    listing_id: int
    seller_id: int
    campaign_id: int
    bid_micros: int
    k: float  # ctr * r**gamma
    e: float  # beta * take_rate * cvr * price
    score: float
    value: float = 0.0  # ctr * r**gamma * cvr * price: expected sales at position 1 (micros)

    def score_at(self, bid_micros: int) -> float:
        return self.k * (bid_micros + self.e)


@dataclass(frozen=True, slots=True)
class Winner:
    rank: int
    position: int
    listing_id: int
    campaign_id: int
    bid_micros: int
    price_micros: int
    score: float
    page_position: int = 0  # 1-based, ads and organic results counted together


@dataclass(frozen=True, slots=True)
class Outcome:
    """Winners by rank, and per candidate (request order) None for a winner or a reason."""

    winners: list[Winner]
    reasons: list[str | None]


def is_eligible_reason(reason: str | None) -> bool:
    """Whether a candidate with this outcome had passed eligibility (won or lost on rank)."""
    return reason is None or reason in ELIGIBLE_LOSS_REASONS


def ineligibility(candidate: Candidate, position: int, organic_top_k: int, settings: RankingSettings,
                  admitted: Callable[[CampaignState], bool]) -> str | None:
    """Why ``candidate`` may not bid in this auction, or None when it may.

    ``admitted`` is the pacing throttle's decision for a campaign throttled below 1; it
    is asked last, so a throttle draw is spent only on otherwise eligible candidates.
    """
    listing = candidate.listing
    if listing is None:
        return UNKNOWN
    if not listing.available:
        return SOLD
    campaign = candidate.campaign
    if campaign is None or not campaign.promotes(listing.listing_id):
        return NOT_IN_CAMPAIGN
    if not campaign.active:
        return CAMPAIGN_PAUSED
    if campaign.exhausted or campaign.remaining_micros < settings.reserve_micros:
        return BUDGET_EXHAUSTED
    if campaign.manual and (campaign.max_cpc_micros or 0) < settings.reserve_micros:
        return BELOW_RESERVE
    if position < organic_top_k:
        return ORGANIC_TOP_K
    if candidate.relevance < settings.relevance_floor:
        return BELOW_RELEVANCE_FLOOR
    if campaign.pacing_throttle < 1.0 and not admitted(campaign):
        return PACED_OUT
    return None


def bid_for(listing: ListingState, campaign: CampaignState, cvr: float, settings: RankingSettings) -> int:
    """The campaign's bid for one click on ``listing``, in whole-cent micros (>= reserve
    for an eligible candidate)."""
    if campaign.manual:
        bid = (campaign.max_cpc_micros or 0) // CENT * CENT
    else:
        bid = auto_bid_micros(campaign.pacing_multiplier, cvr, listing.price_micros, take_rate=settings.take_rate,
                              reserve_micros=settings.reserve_micros, max_cpc_micros=settings.auto_max_cpc_micros,
                              budget_micros=campaign.budget_micros)
    # Never bid what the budget period cannot pay.
    return min(bid, campaign.remaining_micros // CENT * CENT)


def bid_reserve(bid_micros: int, reserve: int, share: float) -> int:
    """The reserve for one bid: the marketplace's reserve, or ``share`` of the bid rounded up
    to a cent if that is more, never above the bid."""
    if share <= 0.0:
        return reserve
    return min(bid_micros, max(reserve, -(-int(bid_micros * share) // CENT) * CENT))


def least_price(bid: Bid, beat: float | None, clear: float, reserve: int) -> int:
    """The least whole-cent bid, within [reserve, bid], whose score is above ``beat`` (the
    next competitor's score; None: no competitor) and at least ``clear`` (the slot's bar)."""

    def keeps(price: int) -> bool:
        score = bid.score_at(price)
        return score >= clear and (beat is None or score > beat)

    if bid.k <= 0:
        # The score is the same at any price (a click-through rate of 0): the reserve keeps
        # the rank whenever the bid does.
        return min(reserve, bid.bid_micros) if keeps(reserve) else bid.bid_micros
    needed = clear / bid.k - bid.e
    if beat is not None:
        needed = max(needed, beat / bid.k - bid.e)
    price = max(reserve, min(bid.bid_micros, math.floor(needed / CENT) * CENT))
    # The division above is within a cent of the answer; settle it with the score itself
    # so that "keeps the rank" means exactly what the ranking compared.
    while price < bid.bid_micros and not keeps(price):
        price += CENT
    while price - CENT >= reserve and keeps(price - CENT):
        price -= CENT
    return min(price, bid.bid_micros)


def run_auction(candidates: Sequence[Candidate], *, placement: int, slots: int, organic_top_k: int,
                settings: RankingSettings, rng: Callable[[], float] = random.random,
                slot_positions: Sequence[int] | None = None, curve: PositionCurve = DEFAULT_CURVE,
                shopper: Shopper = NO_SHOPPER) -> Outcome:
    """Decide one auction: the winners by rank with their prices, and a reason per loser.

    ``placement`` indexes each listing's scores; ``rng`` draws the pacing throttle;
    ``slot_positions`` are the page positions of slots 1..``slots`` (default 1, 5, 9, 13...);
    ``curve`` is the position curve the incrementality gate weighs them with; ``shopper``
    what is known of the shopper (see ``run_auction_columns``).
    """
    return run_auction_columns(
        [c.listing for c in candidates], [c.relevance for c in candidates], [c.campaign for c in candidates],
        placement=placement, slots=slots, organic_top_k=organic_top_k, settings=settings, rng=rng,
        slot_positions=slot_positions, curve=curve, shopper=shopper,
    )


# (position, listing_id, seller_id, campaign_id, bid_micros, k, e, score, value): ``Bid``'s fields
# in its order. ``run_auction_columns`` keeps each eligible candidate's bid as a plain
# tuple in this layout (a tuple costs a fraction of a dataclass instance, and there are
# about a hundred per auction); only the winners become ``Bid`` instances, for pricing.
_SCORE = 7
_by_score = itemgetter(_SCORE)


def run_auction_columns(listings: Sequence[ListingState | None], relevances: Sequence[float],
                        campaigns: Sequence[CampaignState | None], *, placement: int, slots: int,
                        organic_top_k: int, settings: RankingSettings,
                        rng: Callable[[], float] = random.random, slot_positions: Sequence[int] | None = None,
                        curve: PositionCurve = DEFAULT_CURVE, shopper: Shopper = NO_SHOPPER) -> Outcome:
    """``run_auction`` over parallel columns instead of ``Candidate`` objects.

    Candidate ``i`` is ``listings[i]`` (None: unknown), ``relevances[i]`` and
    ``campaigns[i]`` (``relevances`` may be longer than ``listings``). The request path
    calls this: it has the columns at hand and makes no object per candidate.

    ``shopper``: what is known of the shopper (``Shopper``); each candidate's predicted
    click rate is multiplied by ``shopper.factor(listing)`` (in its score, and in the sales
    the gate weighs, as an ad and as an organic result).

    The loop below inlines ``ineligibility`` and ``bid_for`` (a function call per check
    and per bid was a third of the auction's time): the same tests in the same order, the
    same floating-point expressions. ``test_ranking_properties`` checks that they agree.
    """
    reasons: list[str | None] = [None] * len(listings)
    draws: dict[int, bool] = {}

    def admitted(campaign: CampaignState) -> bool:
        if campaign.campaign_id not in draws:
            throttle = campaign.pacing_throttle
            draws[campaign.campaign_id] = throttle > 0.0 and rng() < throttle
        return draws[campaign.campaign_id]

    reserve, floor = settings.reserve_micros, settings.relevance_floor
    auto_max_cpc = settings.auto_max_cpc_micros
    gamma, take_rate = settings.gamma, settings.take_rate
    keep = 1.0 - take_rate
    commission = settings.beta * take_rate  # beta * take_rate * cvr * price, multiplied left to right
    personal = shopper.knows()
    bids: list[tuple[Any, ...]] = []  # in Bid's layout, see above
    append = bids.append
    for position, listing in enumerate(listings):
        # --- ineligibility(), inlined
        if listing is None:
            reasons[position] = UNKNOWN
            continue
        if not listing.available:
            reasons[position] = SOLD
            continue
        campaign = campaigns[position]
        if campaign is None or (campaign.chosen is not None and listing.listing_id not in campaign.chosen):
            reasons[position] = NOT_IN_CAMPAIGN
            continue
        if not campaign.active:
            reasons[position] = CAMPAIGN_PAUSED
            continue
        remaining = campaign.remaining_micros
        if campaign.exhausted or remaining < reserve:
            reasons[position] = BUDGET_EXHAUSTED
            continue
        manual = campaign.manual
        if manual and (campaign.max_cpc_micros or 0) < reserve:
            reasons[position] = BELOW_RESERVE
            continue
        if position < organic_top_k:
            reasons[position] = ORGANIC_TOP_K
            continue
        relevance = relevances[position]
        if relevance < floor:
            reasons[position] = BELOW_RELEVANCE_FLOOR
            continue
        if campaign.pacing_throttle < 1.0 and not admitted(campaign):
            reasons[position] = PACED_OUT
            continue
        # --- bid_for(), inlined (core.marketplace_rules.auto_bid_micros: keep them the same)
        ctr, cvr = listing.scores[placement]
        if personal:
            ctr *= shopper.factor(listing)
        price = listing.price_micros
        if manual:
            bid = (campaign.max_cpc_micros or 0) // CENT * CENT
        else:
            raw = campaign.pacing_multiplier * cvr * price * keep
            bid = int(raw) // CENT * CENT if raw > 0 else 0
            cap = auto_max_cpc
            budget_micros = campaign.budget_micros
            if budget_micros:
                budget_cap = budget_bid_cap(budget_micros)
                if budget_cap < cap:
                    cap = budget_cap
            if bid > cap:
                bid = cap
            if bid < reserve:
                bid = reserve
        left = remaining // CENT * CENT
        if bid > left:
            bid = left
        # --- the score
        k = ctr * (relevance if gamma == 1.0 else relevance ** gamma)
        e = commission * cvr * price
        append((position, listing.listing_id, listing.seller_id, campaign.campaign_id, bid, k, e, k * (bid + e),
                k * cvr * price))
    # Highest score first; the sort is stable, so ties keep the organic order.
    bids.sort(key=_by_score, reverse=True)

    positions = slot_positions_for(DEFAULT_SLOT_POSITIONS if slot_positions is None else slot_positions, slots)
    chosen = _fill_slots(bids, listings, relevances, reasons, positions, placement=placement, gamma=gamma,
                         curve=curve, settings=settings, shopper=shopper if personal else None)
    winners = []
    for index, page_position, rank, beat in chosen:
        won = Bid(*bids[index])
        if settings.first_price:
            price = won.bid_micros
        else:
            price = least_price(won, beat, 0.0, bid_reserve(won.bid_micros, reserve, settings.least_bid_share))
        winners.append(Winner(rank, won.position, won.listing_id, won.campaign_id, won.bid_micros, price,
                              won.score, page_position))
    return Outcome(winners, reasons)


def _fill_slots(bids: list[tuple[Any, ...]], listings: Sequence[ListingState | None], relevances: Sequence[float],
                reasons: list[str | None], positions: Sequence[int], *, placement: int, gamma: float,
                curve: PositionCurve, settings: RankingSettings, shopper: Shopper | None = None
                ) -> list[tuple[int, int, int, float | None]]:
    """Slots top to bottom, each to the best-scoring bid (``bids`` in score order) that
    passes the seller cap and the incrementality gate on the page the slots above left.

    Returns ``(index in bids, page position, rank, runner-up score)`` per filled slot: the
    runner-up is the next bid by score that could have taken that same slot (seller cap
    and gate passed; None when no other could), the one second price must beat. Sets the
    losers' reasons: refused by the gate where it would have won, ``NOT_INCREMENTAL``;
    over the seller cap, ``SELLER_CAP``; never reached, ``OUTRANKED``.
    """
    v = curve.values
    depth = len(v)
    keep = 1.0 - settings.substitution_share
    need = 1.0 + settings.margin
    cap_per_seller = settings.max_winners_per_seller
    slots = len(positions)
    # Expected sales at position 1 of the organic results that can be on the page: the
    # first depth + slots candidates (ads leave the organic list; results below move up).
    reach = min(len(listings), depth + slots)
    weight = [0.0] * reach
    for i in range(reach):
        listing = listings[i]
        if listing is not None and listing.available:
            ctr, cvr = listing.scores[placement]
            if shopper is not None:
                ctr *= shopper.factor(listing)
            r = relevances[i]
            weight[i] = ctr * (r if gamma == 1.0 else r ** gamma) * cvr * listing.price_micros
    taken: set[int] = set()  # page positions of the ads placed so far
    won: set[int] = set()  # their candidate positions
    per_seller: dict[int, int] = {}
    chosen: list[tuple[int, int, int, float | None]] = []
    examined: dict[int, str] = {}  # index in bids -> why it lost where it was looked at
    reachable = False  # some slot within what shoppers scan
    for rank, p in enumerate(positions, start=1):
        if p > depth or not bids:
            continue  # past what shoppers scan: an ad there adds nothing
        reachable = True
        page = _SlotPage(weight, v, taken, won, p)

        winner = None
        for index, bid in enumerate(bids):
            if examined.get(index) == "won":
                continue
            if per_seller.get(bid[2], 0) >= cap_per_seller:
                if winner is None:
                    examined[index] = SELLER_CAP
                continue
            if not page.passes(bid[0], bid[8], keep, need):
                if winner is None:
                    examined[index] = NOT_INCREMENTAL
                continue
            if winner is None:
                winner = index
                continue
            chosen.append((winner, p, rank, bid[_SCORE]))  # the runner-up for this slot
            break
        else:
            if winner is not None:
                chosen.append((winner, p, rank, None))
        if winner is not None:
            examined[winner] = "won"
            taken.add(p)
            won.add(bids[winner][0])
            per_seller[bids[winner][2]] = per_seller.get(bids[winner][2], 0) + 1
    # Never looked at: outranked by the winners above, or, when every slot lay past what
    # shoppers scan, not incremental (no slot could add a sale).
    unexamined = OUTRANKED if reachable else NOT_INCREMENTAL
    for index, bid in enumerate(bids):
        reason = examined.get(index, unexamined)
        reasons[bid[0]] = None if reason == "won" else reason
    return chosen


class _SlotPage:
    """The page as the ads above left it, seen from one slot at page position ``p``.

    Organic results fill the free positions (1..depth, less the ads') in their order. For
    free place t, ``down_sum``/``up_sum`` are prefix sums of what the result there loses
    when pushed to the next free place, and gains when moved up to the previous one: the
    displacement of any ad at ``p`` is then a difference of two sums (O(1) per bid).
    """

    __slots__ = ("count", "down_sum", "free", "ip", "place_of", "pushed_all", "up_sum", "v", "vp", "weight")

    def __init__(self, weight: list[float], v: tuple[float, ...], taken: set[int], won: set[int], p: int) -> None:
        depth = len(v)
        free = [k for k in range(1, depth + 1) if k not in taken]
        organic = [i for i in range(len(weight)) if i not in won][:len(free)]
        count = len(organic)
        down_sum = [0.0] * (count + 1)
        up_sum = [0.0] * (count + 1)
        for t in range(count):
            w = weight[organic[t]]
            here = v[free[t] - 1]
            below = v[free[t + 1] - 1] if t + 1 < len(free) else 0.0
            down_sum[t + 1] = down_sum[t] + w * (here - below)
            up_sum[t + 1] = up_sum[t] + (w * (v[free[t - 1] - 1] - here) if t else 0.0)
        self.weight, self.v, self.free = weight, v, free
        self.place_of = {candidate: t for t, candidate in enumerate(organic)}
        self.ip = min(free.index(p), count)
        self.count, self.down_sum, self.up_sum = count, down_sum, up_sum
        self.pushed_all = down_sum[count] - down_sum[self.ip]
        self.vp = v[p - 1]

    def displaced(self, position: int) -> float:
        """Sales the organic results lose when candidate ``position`` takes the slot (its
        own organic sales included when it was on the page; results it leaves move up)."""
        t = self.place_of.get(position)
        if t is None:
            return self.pushed_all
        ip, own = self.ip, self.weight[position] * self.v[self.free[t] - 1]
        if t >= ip:
            return self.down_sum[t] - self.down_sum[ip] + own
        return own - (self.up_sum[ip + 1 if ip < self.count else self.count] - self.up_sum[t + 1])

    def passes(self, position: int, value: float, keep: float, need: float) -> bool:
        """The gate: ``keep * gain >= need * displaced`` with something gained (an exact
        tie passes; the tolerance keeps rounding from deciding one)."""
        gain = value * self.vp
        return gain > 0.0 and keep * gain >= need * self.displaced(position) - 1e-9 * gain
