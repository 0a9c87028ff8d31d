"""Plays the synthetic marketplace against ClosetAds on the platform's clock.

One run: build the world, sync its catalog, launch the promoting sellers' campaigns, then
play every buyer session in time order: search, auction, page, clicks, purchases (and the
counterfactual page without ads), reporting events in batches and running the periodic
work (pacing, rollups, attribution, nightly training) at the simulated times.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core import changes, clock
from dev.simulator import behaviour
from dev.simulator.platform import Platform, result_winners
from dev.simulator.traffic import session_times
from dev.simulator.world import SimBuyer, World, build_world, new_listing

logger = logging.getLogger(__name__)

# "Enough demand" to spend a budget: the expected spend, at this price per click, of the
# closet's best incremental placement on every page (``Simulation._demand``).
DEMAND_BID_MICROS = 500_000
WARMUP_SESSIONS = 10**9  # warm-up sessions are numbered from here (their event ids and draws)
CANCEL_SHARE = 0.03


@dataclass
class Options:
    days: int = 7
    sellers: int = 200
    buyers: int = 20_000
    seed: int = 1
    start: dt.datetime = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)  # a Monday
    pacing: bool = True
    fixed_cpc: float | None = None  # --bidding fixed:0.30
    budget_scale: float = 1.0  # --budget-scale: every campaign's weekly budget times this (equal-spend comparisons)
    holdout: float = 0.0
    promote_share: float = 0.35
    organic_impressions: bool = True
    first_seller_budget: int | None = None  # dollars: seller 0 promotes with it (the demo's seller)
    tick_minutes: int = 30  # periodic work (pacing, rollups, attribution) every so many simulated minutes
    # --warmup-days: organic-only days played before the campaigns launch at ``start`` (the
    # marketplace's history: models, shoppers' tastes). Not measured; 0: a cold start, as
    # load_demo and the tests build it (`simulate` defaults to DEFAULT_WARMUP_DAYS).
    warmup_days: int = 0
    prefix: str = ""  # before every marketplace and event id: runs sharing a database (--http) must not collide
    slot_positions: tuple[int, ...] = behaviour.DEFAULT_SLOT_POSITIONS  # --slot-positions: the page layout
    # --margin / --sigma: the incrementality gate's admin settings for this run (None: as the admin set them).
    margin: float | None = None
    sigma: float | None = None
    # --pricing / --reserve-cpc: the auction's pricing and reserve for this run (None: as set).
    pricing: str | None = None
    reserve_cpc_micros: int | None = None
    least_bid_share: float | None = None  # --least-bid-share
    # --organic-impression-share: the share of sessions whose organic impressions are reported
    # (chosen by a hash of the session; clicks and purchases are always reported). The models
    # need a sample, not every view; reporting them all was a third of a run's time.
    organic_impression_share: float = 0.25


@dataclass
class Truth:
    """Ground truth the platform never sees."""

    purchases: int = 0
    gmv_cents: int = 0
    # Bought with ads, not bought on the same page without them: through the ad (or its
    # closet), or an organic result the shopper reached because the page changed.
    ad_caused_cents: int = 0
    ad_caused_sponsored_cents: int = 0  # of which through a sponsored click (the ad or its closet)
    ad_displaced_cents: int = 0  # bought without ads, not with them
    gmv_without_ads_cents: int = 0  # the same sessions' purchases on the pages without ads
    exposed_promoted_with_ads_cents: int = 0
    exposed_promoted_without_ads_cents: int = 0
    # Per buyer: GMV of promoted sellers (the holdout lift over all shoppers).
    promoted_gmv_by_buyer: dict[int, int] = field(default_factory=dict)
    # Shoppers not held out, from their first win for a seller on (for the attribution
    # window): that seller's sales with ads and on the same pages without (the population
    # the platform's ghost-ads lift measures).
    triggered_with_ads_cents: int = 0
    triggered_without_ads_cents: int = 0
    sessions: int = 0
    auctions: int = 0
    impressions: int = 0
    clicks: int = 0
    sponsored_clicks: int = 0
    # Expected direct sales (cents) of the same pages with and without ads (behaviour.expected_sales),
    # and of promoted sellers for shoppers not held out: a low-noise view of the same effect.
    expected_with_ads_cents: float = 0.0
    expected_without_ads_cents: float = 0.0
    expected_promoted_with_ads_cents: float = 0.0
    expected_promoted_without_ads_cents: float = 0.0
    sponsored_purchases: int = 0  # bought through an ad (direct or halo), shoppers not held out
    sponsored_purchases_instead: int = 0  # of which the same page without ads would have sold something
    sponsored_impressions: int = 0  # viewed
    organic_impressions_position_1: int = 0  # viewed organic results at page position 1
    organic_clicks_position_1: int = 0


@dataclass
class EventBatch:
    impressions: list[dict] = field(default_factory=list)
    clicks: list[dict] = field(default_factory=list)
    purchases: list[dict] = field(default_factory=list)
    cancellations: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.impressions) + len(self.clicks) + len(self.purchases) + len(self.cancellations)

    def chunks(self, size: int = 500):
        """API-sized bodies (at most ``size`` items per list), in a safe order."""
        for name in ("impressions", "clicks", "purchases", "cancellations"):
            items = getattr(self, name)
            for start in range(0, len(items), size):
                yield {name: items[start:start + size]}


def _session_share(seed: int, number: int) -> float:
    """A stable value in [0, 1) for one session (which sessions report organic impressions)."""
    return ((seed * 0x9E3779B1 + number * 0x85EBCA77) & 0xFFFFFFFF) / 2**32


def _schedule(rng: np.random.Generator, world: World, first: dt.datetime, days: int
              ) -> tuple[np.ndarray, list[dt.datetime]]:
    """Who searches when over ``days`` days from ``first``: each buyer's sessions (Poisson
    at their weekly rate), shuffled, at times drawn from the week's traffic profile."""
    counts = rng.poisson([b.sessions_per_week * days / 7 for b in world.buyers])
    owners = np.repeat(np.arange(len(world.buyers)), counts)
    rng.shuffle(owners)
    return owners, session_times(rng, first, days, len(owners))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class Simulation:
    def __init__(self, options: Options, platform: Platform,
                 periodic: Callable[[set[str]], object] | None = None,
                 campaign_setup: Callable[[World, Options], dict] | None = None) -> None:
        self.o = options
        self.platform = platform
        self.periodic = periodic
        self.campaign_setup = campaign_setup
        self.truth = Truth()
        self._world: World | None = None
        self.batch = EventBatch()
        self.cancellations: list[tuple[dt.datetime, str]] = []
        self.event_seq = 0
        self.rejected = 0
        self.failed_open = 0  # auctions answered error: true (fault or deadline: no ads shown)
        self.setup_info: dict = {}
        self.elapsed = 0.0
        self.demand_by_seller: dict[str, float] = {}  # incremental demand (``_demand``)
        self.eligible_demand_by_seller: dict[str, float] = {}
        self.organic_top_k = 4
        self.relevance_floor = 0.0
        self.horizon = dt.timedelta(days=14)
        self.first_win: dict[int, dict[int, dt.datetime]] = {}  # buyer -> seller -> first win (shown)

    # -- setup ---------------------------------------------------------------------------
    @property
    def world(self) -> World:
        """The run's world: ``run`` builds it (a test may set its own)."""
        if self._world is None:
            raise RuntimeError("no world yet: run() builds it")
        return self._world

    @world.setter
    def world(self, world: World) -> None:
        self._world = world

    def _sync_catalog(self, world: World) -> None:
        sellers = [{"id": s.key, "username": s.username, "email": f"{s.username}@sim.example",
                    "joinedAt": _iso(s.joined_at)} for s in world.sellers]
        for start in range(0, len(sellers), 1000):
            self.platform.sync_sellers(sellers[start:start + 1000])
        self._sync_listings(list(world.listings.values()))

    def _sync_listings(self, listings) -> None:
        items = [{
            "id": item.key, "sellerId": self.world.sellers[item.seller].key, "title": item.title,
            "brand": item.brand, "category": item.category, "size": item.size, "condition": item.condition,
            "price": f"{item.price_cents / 100:.2f}", "status": "available" if item.available else "sold",
            "createdAt": _iso(item.created_at),
        } for item in listings]
        for start in range(0, len(items), 1000):
            result = self.platform.sync_listings(items[start:start + 1000])
            self.rejected += len(result.get("rejected", []))

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> dict:
        began = time.perf_counter()
        o = self.o
        clock.set_now(o.start - dt.timedelta(days=o.warmup_days))
        from auction.index import auction_index
        from auction.models import AuctionSettings
        from auction.services import throttle_random

        # Deterministic for a seed: the auction's throttle draws are seeded, and index
        # reloads follow signals rather than wall-clock timers.
        throttle_random.seed(o.seed)
        auction_index().background_reloads = False
        rules = AuctionSettings.load()
        changed = {"holdout_share": o.holdout,  # the platform holds shoppers out (ghost ads)
                   "incrementality_margin": o.margin, "substitution_share": o.sigma,
                   "pricing": o.pricing, "reserve_cpc_micros": o.reserve_cpc_micros,
                   "least_bid_share": o.least_bid_share}
        changed = {name: value for name, value in changed.items()
                   if value is not None and getattr(rules, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(rules, name, value)
            rules.save()
        self.organic_top_k, self.relevance_floor = rules.organic_top_k, rules.relevance_floor
        self.horizon = dt.timedelta(days=rules.attribution_window_days)
        self._world = world = build_world(o.seed, o.sellers, o.buyers, o.start, o.promote_share, o.holdout,
                                          o.first_seller_budget, o.prefix)
        self._sync_catalog(world)
        if o.warmup_days:
            self._warm_up(world)
        if self.campaign_setup is not None:
            self.setup_info = self.campaign_setup(world, o)
        rng = np.random.default_rng(o.seed)
        owners, times = _schedule(rng, world, o.start, o.days)
        end = o.start + dt.timedelta(days=o.days)
        every = dt.timedelta(minutes=o.tick_minutes)
        next_periodic = o.start + every
        next_day = o.start + dt.timedelta(days=1)
        for session_number, (buyer_index, moment) in enumerate(zip(owners, times, strict=True)):
            while next_periodic <= moment:
                if next_day <= next_periodic:
                    self._new_day(next_day, rng)
                    next_day += dt.timedelta(days=1)
                self._periodic_at(next_periodic)
                next_periodic += every
            clock.set_now(moment)
            self._session(session_number, world.buyers[int(buyer_index)], moment)
        while next_periodic <= end:
            self._periodic_at(next_periodic)
            next_periodic += every
        self._flush()
        self.elapsed = time.perf_counter() - began
        return self.setup_info

    def _warm_up(self, world: World) -> None:
        """``warmup_days`` of organic traffic before ``start``, no campaign running: the pages
        are played without ads and their events reported, so the platform's models, shoppers'
        tastes and price levels start from history, as on a marketplace that has been running.
        Its own random streams (the measured days draw as in a cold run) and a throwaway truth."""
        o = self.o
        first = o.start - dt.timedelta(days=o.warmup_days)
        owners, times = _schedule(np.random.default_rng([o.seed, 1_000]), world, first, o.warmup_days)
        measured, self.truth = self.truth, Truth()
        every = dt.timedelta(minutes=o.tick_minutes)
        next_periodic = first + every
        for number, (buyer_index, moment) in enumerate(zip(owners, times, strict=True)):
            while next_periodic <= moment:
                self._report_due(next_periodic)
                next_periodic += every
            clock.set_now(moment)
            buyer = world.buyers[int(buyer_index)]
            session = WARMUP_SESSIONS + number
            session_rng, _, brand_query, candidates = self._search(session, buyer)
            if candidates:
                draws = behaviour.Draws.for_session(session_rng, len(candidates))
                page = behaviour.play(candidates, behaviour.compose_page(candidates, []), draws, world, buyer,
                                      brand_query)
                self._report(session, buyer, moment, candidates, page, {})
        while next_periodic <= o.start:
            self._report_due(next_periodic)
            next_periodic += every
        self._flush()
        if self.periodic is not None:
            # The platform's jobs once, at the launch: training reads the last 28 days of
            # events whenever it runs, and with no campaign there is nothing to pace, credit
            # or forecast tick by tick.
            self.periodic({"attribution", "rollups", "training"})
        self.truth = measured
        clock.set_now(o.start)

    def _report_due(self, moment: dt.datetime) -> None:
        """The storefront's side of a tick: cancellations that are due, then the events."""
        clock.set_now(moment)
        self._due_cancellations(moment)
        self._flush()

    def _periodic_at(self, moment: dt.datetime) -> None:
        self._report_due(moment)
        if self.periodic is not None:
            names = {"rollups", "attribution", "forecasts"}
            if self.o.pacing:
                names.add("pacing")
            if moment.hour == 3 and moment.minute == 0:
                names.add("training")
            self.periodic(names)

    def _new_day(self, moment: dt.datetime, rng: np.random.Generator) -> None:
        """Sellers list new items every day (about 2% of their closet)."""
        import random as pyrandom

        day_rng = pyrandom.Random(f"{self.o.seed}-{moment.date()}")
        fresh = []
        for seller in self.world.sellers:
            for _ in range(int(rng.poisson(max(0.2, 0.02 * len(seller.listings))))):
                fresh.append(new_listing(self.world, day_rng, seller, moment))
        clock.set_now(moment)
        if fresh:
            self._sync_listings(fresh)

    def _due_cancellations(self, moment: dt.datetime) -> None:
        while self.cancellations and self.cancellations[0][0] <= moment:
            at, purchase_id = heapq.heappop(self.cancellations)
            self.event_seq += 1
            self.batch.cancellations.append({"id": f"{self.o.prefix}can-{self.o.seed}-{self.event_seq}",
                                             "purchaseId": purchase_id, "occurredAt": _iso(at)})

    def _flush(self) -> None:
        if not len(self.batch):
            return
        for body in self.batch.chunks():
            result = self.platform.events(body)
            self.rejected += len(result.get("rejected", []))
        self.batch = EventBatch()
        # Spend moved: let the auction index re-read what budgets have left (in a server,
        # its background reload does this every few seconds).
        changes.bump(changes.BUDGETS)

    # -- one buyer session ---------------------------------------------------------------------
    def _search(self, number: int, buyer: SimBuyer
                ) -> tuple[np.random.Generator, str, str | None, list[behaviour.Candidate]]:
        """Session ``number``'s search: its random stream (for the draws that follow), the
        category and brand searched, and the storefront's organic candidates."""
        rng = np.random.default_rng([self.o.seed, number])
        category = buyer.categories[int(rng.integers(len(buyer.categories)))]
        brand_query = sorted(buyer.brands)[int(rng.integers(3))] if rng.random() < 0.3 else None
        return rng, category, brand_query, behaviour.storefront_candidates(self.world, buyer, category,
                                                                           brand_query, rng)

    def _session(self, number: int, buyer: SimBuyer, moment: dt.datetime) -> None:
        world = self.world
        rng, category, brand_query, candidates = self._search(number, buyer)
        self.truth.sessions += 1
        if not candidates:
            return
        self._demand(candidates)
        draws = behaviour.Draws.for_session(rng, len(candidates))
        positions = self.o.slot_positions
        request = {
            "type": "listings", "slots": len(positions), "slotPositions": list(positions),
            "products": {"ids": [c.listing.key for c in candidates],
                         "qualityScores": [c.relevance for c in candidates]},
            "placementId": "search", "searchQuery": (brand_query + " " if brand_query else "") + category,
            "opaqueUserId": buyer.key,
        }
        if buyer.sizes.get(category):  # the storefront ranks with the shopper's size: it tells the auction too
            request["shopperSizes"] = [buyer.sizes[category]]
        response = self.platform.auction(request)
        self.truth.auctions += 1
        self.failed_open += sum(1 for result in response.get("results") or [] if result.get("error"))
        index_of = {c.listing.key: i for i, c in enumerate(candidates)}
        winners = [w for w in result_winners(response) if w["id"] in index_of
                   and world.listings[w["id"]].available]
        winner_idx = [index_of[w["id"]] for w in winners]
        # Each winner goes to its page position (rank j: slotPositions[j-1]; the gate may leave a slot empty).
        winner_positions = [int(w.get("position") or positions[int(w["rank"]) - 1]) for w in winners]
        token_of = {index_of[w["id"]]: w["resolvedBidId"] for w in winners}
        if winners:
            seen = self.first_win.setdefault(buyer.index, {})
            for w in winners:
                seen.setdefault(world.listings[w["id"]].seller, moment)

        page_with = behaviour.compose_page(candidates, winner_idx, winner_positions)
        with_ads = behaviour.play(candidates, page_with, draws, world, buyer, brand_query)
        if winner_idx:
            without_ads = behaviour.play(candidates, behaviour.compose_page(candidates, []), draws, world,
                                         buyer, brand_query)
        else:
            without_ads = with_ads
        self._truth(buyer, with_ads, without_ads, moment)
        if not buyer.holdout:
            self._expected(candidates, page_with, winner_idx)
        self._report(number, buyer, moment, candidates, with_ads, token_of)

    def _demand(self, candidates: list[behaviour.Candidate]) -> None:
        """Add this page to each promoted closet's demand (``demand_by_seller``): the expected
        spend, at DEMAND_BID_MICROS a click, of its best placement where an ad adds sales
        (``behaviour.incremental_ad_clicks``), the budget a closet can spend without taking
        sales from other results. ``eligible_demand_by_seller`` keeps the older, looser
        figure: its best listing at slot 1 of every page it is eligible on, gate or not."""
        sellers = self.world.sellers
        eligible = [i >= self.organic_top_k and sellers[c.listing.seller].promotes
                    and c.relevance >= self.relevance_floor for i, c in enumerate(candidates)]
        if not any(eligible):
            return
        clicks = behaviour.incremental_ad_clicks(candidates, self.o.slot_positions, eligible)
        best: dict[int, float] = {}
        best_eligible: dict[int, float] = {}
        for i, cand in enumerate(candidates):
            if eligible[i]:
                seller = cand.listing.seller
                best[seller] = max(best.get(seller, 0.0), float(clicks[i]))
                p = behaviour.SPONSORED_CLICK_DISCOUNT * behaviour.sigmoid(cand.click_logit)
                best_eligible[seller] = max(best_eligible.get(seller, 0.0), p)
        for target, found in ((self.demand_by_seller, best), (self.eligible_demand_by_seller, best_eligible)):
            for seller, p in found.items():
                key = sellers[seller].key
                target[key] = target.get(key, 0.0) + p * DEMAND_BID_MICROS

    def _expected(self, candidates: list[behaviour.Candidate], page_with: list, winner_idx: list[int]) -> None:
        promoted = {i for i, c in enumerate(candidates) if self.world.sellers[c.listing.seller].promotes}
        with_total, with_promoted = behaviour.expected_sales(candidates, page_with, promoted)
        if winner_idx:
            without_total, without_promoted = behaviour.expected_sales(
                candidates, behaviour.compose_page(candidates, []), promoted)
        else:
            without_total, without_promoted = with_total, with_promoted
        t = self.truth
        t.expected_with_ads_cents += with_total
        t.expected_without_ads_cents += without_total
        t.expected_promoted_with_ads_cents += with_promoted
        t.expected_promoted_without_ads_cents += without_promoted

    def _promoted(self, listing_key: str) -> bool:
        return self.world.sellers[self.world.listings[listing_key].seller].promotes

    def _truth(self, buyer: SimBuyer, with_ads: behaviour.Outcome, without_ads: behaviour.Outcome,
               moment: dt.datetime) -> None:
        t = self.truth
        got = with_ads.purchase[0] if with_ads.purchase else None
        would = without_ads.purchase[0] if without_ads.purchase else None
        got_path = with_ads.purchase[1] if with_ads.purchase else ""
        won = self.first_win.get(buyer.index)
        if won:
            for key, with_ads_side in ((got, True), (would, False)):
                if key is None:
                    continue
                listing = self.world.listings[key]
                since = won.get(listing.seller)
                if since is not None and since <= moment < since + self.horizon:
                    if with_ads_side:
                        t.triggered_with_ads_cents += listing.price_cents
                    else:
                        t.triggered_without_ads_cents += listing.price_cents
        if would is not None:
            t.gmv_without_ads_cents += self.world.listings[would].price_cents
        if got is not None:
            t.purchases += 1
            t.gmv_cents += self.world.listings[got].price_cents
            if self._promoted(got):
                t.promoted_gmv_by_buyer[buyer.index] = (
                    t.promoted_gmv_by_buyer.get(buyer.index, 0) + self.world.listings[got].price_cents)
                if not buyer.holdout:
                    t.exposed_promoted_with_ads_cents += self.world.listings[got].price_cents
        if would is not None and self._promoted(would) and not buyer.holdout:
            t.exposed_promoted_without_ads_cents += self.world.listings[would].price_cents
        if got is not None and got_path.startswith("sponsored") and not buyer.holdout:
            t.sponsored_purchases += 1
            t.sponsored_purchases_instead += would is not None
        if got != would:
            if got is not None:
                t.ad_caused_cents += self.world.listings[got].price_cents
                if got_path.startswith("sponsored"):
                    t.ad_caused_sponsored_cents += self.world.listings[got].price_cents
            if would is not None:
                t.ad_displaced_cents += self.world.listings[would].price_cents

    def _report(self, number: int, buyer: SimBuyer, moment: dt.datetime, candidates, outcome: behaviour.Outcome,
                token_of: dict[int, str]) -> None:
        t = self.truth
        seed, prefix = self.o.seed, self.o.prefix
        report_organic = self.o.organic_impressions and (
            self.o.organic_impression_share >= 1.0
            or _session_share(seed, number) < self.o.organic_impression_share)
        for idx, position, sponsored in outcome.shown:
            if sponsored:
                t.sponsored_impressions += 1
            elif position == 1:
                t.organic_impressions_position_1 += 1
            if sponsored:
                self.batch.impressions.append({
                    "id": f"{prefix}imp-{seed}-{number}-{position}", "occurredAt": _iso(moment),
                    "opaqueUserId": buyer.key, "resolvedBidId": token_of[idx]})
            elif report_organic:
                self.batch.impressions.append({
                    "id": f"{prefix}imp-{seed}-{number}-{position}", "occurredAt": _iso(moment),
                    "opaqueUserId": buyer.key,
                    "entity": {"type": "listing", "id": candidates[idx].listing.key},
                    "placement": {"placementId": "search", "position": position}})
            t.impressions += 1
        for k, (idx, position, sponsored) in enumerate(outcome.clicks):
            at = _iso(moment + dt.timedelta(seconds=5 * (k + 1)))
            click: dict[str, Any] = {"id": f"{prefix}clk-{seed}-{number}-{k}", "occurredAt": at,
                                     "opaqueUserId": buyer.key}
            if sponsored:
                click["resolvedBidId"] = token_of[idx]
                t.sponsored_clicks += 1
            else:
                if position == 1:
                    t.organic_clicks_position_1 += 1
                click["entity"] = {"type": "listing", "id": candidates[idx].listing.key}
                click["placement"] = {"placementId": "search", "position": position}
            self.batch.clicks.append(click)
            t.clicks += 1
        if outcome.purchase is not None:
            key = outcome.purchase[0]
            listing = self.world.listings[key]
            order_id = f"{prefix}ord-{seed}-{number}"
            bought_at = moment + dt.timedelta(seconds=60 + 5 * len(outcome.clicks))
            self.batch.purchases.append({
                "id": order_id, "occurredAt": _iso(bought_at), "opaqueUserId": buyer.key,
                "items": [{"listingId": key, "unitPrice": f"{listing.price_cents / 100:.2f}", "quantity": 1}]})
            self.world.mark_sold(key)
            rng = np.random.default_rng([seed, number, 7])
            if rng.random() < CANCEL_SHARE:
                heapq.heappush(self.cancellations,
                               (bought_at + dt.timedelta(hours=float(rng.uniform(6, 72))), order_id))
