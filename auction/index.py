"""The in-process auction index: everything an auction reads, with no per-candidate query.

Each web process keeps, in memory:

- every *available* listing of the catalog by marketplace id (``ListingState``: seller,
  price, and (ctr, cvr) per placement computed by the active predictor when the listing
  is loaded, never per request). Not only promoted ones: the incrementality gate needs
  the value of the organic listing an ad would displace;
- every live (draft, active, paused) campaign by seller (``CampaignState``: status,
  bidding, max CPC, pacing multiplier and throttle, what is left of the current budget
  period, the chosen listings);
- the auction settings.

Freshness: ``refresh(now)`` runs at the start of every auction request. It reads the
change counters (``core.changes``, one small query) and reloads only what changed:
settings; campaigns (and their chosen listings); budget state; listings changed since the
last read (by ``updated_at``). Because the counters are read first and the data after, an
auction that starts after a change's service call has returned never sees the state from
before it: a sold listing, a paused campaign or an exhausted budget cannot win again.
Besides, and off the request path (a background thread that swaps its result in),
budget state and pacing are reloaded every few seconds (spend moves without a signal
until a period is exhausted), and the whole index is rebuilt every few minutes as a
safety net (about 15-25 ms per 1,000 listings: no request should wait for that). In the
request run only the signalled reloads above, a reload when the clock leaves the loaded
budget week, the very first build, and a rebuild forced by a counter that went back or
an unknown topic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import logging
import random
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from auction.affinity import (
    AFFINITY_DAYS,
    BrandNames,
    brand_taste,
    listing_tastes,
    shopper_price_levels,
    shopper_tastes,
)
from auction.models import AuctionSettings
from auction.position import DEFAULT_CURVE, DEFAULT_SLOT_POSITIONS, PositionCurve
from auction.predict import PLACEMENTS, ListingFeatures, Predictor, active_predictor, learnt
from auction.ranking import CampaignState, ListingState, RankingSettings
from campaigns import budget
from campaigns.models import BudgetPeriod, Campaign, CampaignListing
from core import changes, clock, state
from sellers.models import Listing

logger = logging.getLogger(__name__)

LIVE_CAMPAIGN_STATUSES = (Campaign.Status.DRAFT, Campaign.Status.ACTIVE, Campaign.Status.PAUSED)
# Topics the index reloads on; any other known topic is someone else's (API keys), and an
# unknown one forces a rebuild.
KNOWN_TOPICS = frozenset({changes.CATALOG, changes.CAMPAIGNS, changes.BUDGETS, changes.SETTINGS, changes.API_KEYS,
                          changes.SHOPPERS, changes.MODELS})
# Budget spend and pacing move without a change signal; reload them this often (seconds).
CAMPAIGN_REFRESH_SECONDS = 5.0
# Rebuild everything this often (seconds), whatever the signals say.
FULL_REFRESH_SECONDS = 300.0
# Web processes start together; spread their periodic reloads so that they do not all
# reload at the same instant (on the bench that made a latency spike every 5 s).
_JITTER = (0.75, 1.25)
# A catalog write stamps updated_at before it commits; re-read rows this much older than
# the newest seen so that a slower transaction committing later is not missed.
CATALOG_OVERLAP = dt.timedelta(seconds=10)

_LISTING_FIELDS = ("pk", "seller_id", "price_micros", "status", "category", "brand", "condition", "size",
                   "listed_at", "marketplace_id", "updated_at")


@dataclass(frozen=True, slots=True)
class AuctionRules:
    """The auction settings as the request path uses them."""

    ranking: RankingSettings
    organic_top_k: int
    max_slots: int
    resolved_bid_lifetime: dt.timedelta
    deadline_seconds: float
    # Per placement, the page positions of sponsored slots 1, 2, ... (the admin default).
    slot_positions: dict[str, tuple[int, ...]] = dataclasses.field(default_factory=dict)
    position_curve: PositionCurve = DEFAULT_CURVE
    # How much more a shopper clicks and buys a listing of one of their brands, or in one of
    # their sizes (learnt; 1: unknown), and per band of price against their usual price
    # (auction.affinity.PRICE_EDGES; empty: unknown).
    brand_lift: float = 1.0
    size_lift: float = 1.0
    price_factors: tuple[float, ...] = ()
    holdout_share: float = 0.0  # ghost ads: the share of shoppers held out (0: nobody)


@dataclass(frozen=True, slots=True)
class IndexView:
    """What one auction request reads: listings by marketplace id, live campaigns by seller."""

    listings: dict[str, ListingState]
    campaigns: dict[int, CampaignState]
    rules: AuctionRules
    shoppers: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)  # tastes per shopper
    price_levels: dict[str, float] = dataclasses.field(default_factory=dict)  # mean log price per shopper
    brand_names: BrandNames = dataclasses.field(default_factory=BrandNames)  # to find brands in searches


def rules_from(row: AuctionSettings, curve: PositionCurve = DEFAULT_CURVE,
               shopper_figures: tuple[float, float, tuple[float, ...]] = (1.0, 1.0, ())) -> AuctionRules:
    """AuctionRules from the settings row and the active position curve."""
    stored = row.slot_positions if isinstance(row.slot_positions, dict) else {}
    slot_positions = {placement: tuple(int(p) for p in stored.get(placement) or DEFAULT_SLOT_POSITIONS)
                      for placement in PLACEMENTS}
    return AuctionRules(
        ranking=RankingSettings(
            reserve_micros=row.reserve_cpc_micros, auto_max_cpc_micros=row.auto_max_cpc_micros,
            relevance_floor=row.relevance_floor, gamma=row.gamma, beta=row.beta, take_rate=row.take_rate,
            max_winners_per_seller=row.max_winners_per_seller,
            first_price=row.pricing == AuctionSettings.Pricing.FIRST, least_bid_share=row.least_bid_share,
            substitution_share=row.substitution_share, margin=row.incrementality_margin,
        ),
        organic_top_k=row.organic_top_k,
        max_slots=row.max_slots,
        resolved_bid_lifetime=dt.timedelta(seconds=row.resolved_bid_lifetime_seconds),
        deadline_seconds=row.deadline_ms / 1000.0,
        slot_positions=slot_positions,
        position_curve=curve,
        brand_lift=shopper_figures[0],
        size_lift=shopper_figures[1],
        price_factors=shopper_figures[2],
        holdout_share=row.holdout_share,
    )


class AuctionIndex:
    """One process's index; thread-safe (refreshes are serialised, reads need no lock)."""

    # Periodic reloads in a background thread. The marketplace simulator turns them off: on
    # its simulated clock, wall-clock timers would make runs differ; it signals instead.
    background_reloads = True
    # After a full build, move every object the process holds into the garbage collector's
    # permanent generation (``gc.freeze``), so that a full collection no longer walks the
    # index's ~200,000 objects: in a web process it stopped every request for 100-250 ms
    # (measured in docs/architecture/auction.md). Only web processes turn it on
    # (config/wsgi.py): a frozen object that ends in a reference cycle is never freed,
    # which a long test run creating cycles by the million should not pile up.
    freeze_after_build = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything; the next refresh rebuilds from the database."""
        self._versions: dict[str, int] | None = None
        self._listings: dict[str, ListingState] = {}
        self._campaigns: dict[int, CampaignState] = {}
        self._chosen: dict[int, frozenset[int]] = {}
        self._rules: AuctionRules | None = None
        self._predictor: Predictor | None = None
        self._catalog_seen: dt.datetime | None = None
        self._catalog_read_at: dt.datetime | None = None
        self._week: tuple[dt.datetime, dt.datetime] | None = None
        self._shoppers: dict[str, frozenset[str]] = {}
        self._price_levels: dict[str, float] = {}
        self._brand_names = BrandNames()
        self._shoppers_read: tuple[dt.datetime | None, dt.datetime] | None = None  # (newest write seen, read at)
        self._full_due = 0.0
        self._campaigns_due = 0.0
        self._worker: threading.Thread | None = None
        self.stats = {"full_builds": 0, "listing_patches": 0, "campaign_loads": 0, "budget_loads": 0}

    def refresh(self, now: dt.datetime, versions: dict[str, int] | None = None) -> IndexView:
        """Bring the index up to date with committed changes (one query when none) and
        return what an auction at ``now`` should read.

        ``versions``: the change counters, when the caller has just read them (the
        endpoint reads them once for the API-key cache and the index).
        """
        with self._lock:
            if versions is None:
                versions = changes.versions_checked()
            # Elapsed-time refreshes use the process's monotonic clock: they are about how
            # old this copy is, not about marketplace time.
            tick = time.monotonic()
            previous = self._versions
            changed = set() if previous is None else {
                topic for topic, version in versions.items() if previous.get(topic) != version}
            if previous is None or self._went_back(previous, versions) or changed - KNOWN_TOPICS:
                self._build(now, tick)
            elif changes.MODELS in changed and not self.background_reloads:
                self._build(now, tick)  # new models: every score (the simulator: at once)
            else:
                if changes.MODELS in changed:
                    # New models or a new curve (every night): a full rebuild, in the
                    # background like the periodic one; the current scores serve meanwhile.
                    self._full_due = 0.0
                if changes.SETTINGS in changed:
                    self._load_rules()
                if changes.CATALOG in changed:
                    self._patch_listings(now)
                if changes.CAMPAIGNS in changed:
                    self._load_chosen()
                if changes.SHOPPERS in changed and not self.background_reloads:
                    # Tastes are hints and every batch of clicks moves them: a web process
                    # picks them up with its periodic budget reload (every few seconds), off
                    # the request path; a process without background reloads (the
                    # simulator) reads them when signalled.
                    self._load_shoppers(now, full=False)
                if changed & {changes.CAMPAIGNS, changes.BUDGETS} or not self._week_holds(now):
                    self._load_campaigns(now, tick)
                self._start_periodic(now, tick)
            self._versions = versions
            assert self._rules is not None  # loaded by the first build
            return IndexView(self._listings, self._campaigns, self._rules, self._shoppers, self._price_levels,
                             self._brand_names)

    def warm_up(self) -> bool:
        """Build now, before the process serves its first auction (config/wsgi.py): a
        first build inside a request counts against its deadline and fails it open. False
        (logged) when the database cannot be read yet: the first request builds instead."""
        try:
            self.refresh(clock.now())
        except Exception:
            logger.exception("could not build the auction index at start; the first auction will")
            return False
        return True

    def wait_for_background(self, timeout: float | None = None) -> None:
        """Wait for a periodic reload in progress, if any (tests, benchmarks)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    # --- periodic reloads, off the request path ---------------------------------------------
    # A background reload swaps its result in with the change counters it read *before*
    # reading the data: if something was signalled meanwhile, the next refresh sees a
    # counter that differs and reloads it synchronously, so a swap never brings back
    # state older than a committed change.

    def _start_periodic(self, now: dt.datetime, tick: float) -> None:
        if self._worker is not None or not self.background_reloads:
            return
        if tick >= self._full_due:
            job = self._rebuild
            self._full_due = tick + FULL_REFRESH_SECONDS * random.uniform(*_JITTER)
        elif tick >= self._campaigns_due:
            job = self._reload_campaigns
        else:
            return
        self._campaigns_due = tick + CAMPAIGN_REFRESH_SECONDS * random.uniform(*_JITTER)
        self._worker = threading.Thread(target=self._in_background, args=(job, now), daemon=True,
                                        name="auction-index-reload")
        self._worker.start()

    def _in_background(self, job, now: dt.datetime) -> None:
        try:
            job(now)
        except Exception:  # the copy in use stays; the next period tries again
            logger.exception("periodic reload of the auction index failed")
        finally:
            self._worker = None
            connection.close()  # this thread's own connection

    def _rebuild(self, now: dt.datetime) -> None:
        versions = _read_versions()
        fresh = AuctionIndex()
        fresh._build(now, time.monotonic())
        with self._lock:
            if self._versions is None:  # reset meanwhile
                return
            for name in ("_listings", "_campaigns", "_chosen", "_rules", "_predictor", "_catalog_seen",
                         "_catalog_read_at", "_week", "_shoppers", "_shoppers_read", "_brand_names",
                         "_price_levels"):
                setattr(self, name, getattr(fresh, name))
            self._versions = versions
            self.stats["full_builds"] += 1

    def _reload_campaigns(self, now: dt.datetime) -> None:
        versions = _read_versions()
        campaigns, week = self._campaign_states(now)
        shoppers = self._read_shoppers(now, full=False)
        with self._lock:
            if self._versions is None:
                return
            self._campaigns, self._week = campaigns, week
            self._apply_shoppers(shoppers)
            for topic in (changes.CAMPAIGNS, changes.BUDGETS):
                if topic in versions:
                    self._versions[topic] = versions[topic]
                else:
                    self._versions.pop(topic, None)

    @staticmethod
    def _went_back(previous: dict[str, int], versions: dict[str, int]) -> bool:
        # A counter that decreased or vanished means another database (tests, a restore).
        return any(versions.get(topic, -1) < version for topic, version in previous.items())

    def _week_holds(self, now: dt.datetime) -> bool:
        return self._week is not None and self._week[0] <= now < self._week[1]

    # --- loading -------------------------------------------------------------------------

    def _build(self, now: dt.datetime, tick: float) -> None:
        self._predictor = active_predictor()
        self._load_rules()
        rows = Listing.objects.filter(status=Listing.Status.AVAILABLE).values_list(*_LISTING_FIELDS)
        self._listings = {}
        self._brand_names = BrandNames()
        self._catalog_seen, self._catalog_read_at = None, now
        self._apply_listing_rows(rows.iterator(chunk_size=5000))
        self._load_chosen()
        self._load_campaigns(now, tick)
        self._load_shoppers(now, full=True)
        self._full_due = tick + FULL_REFRESH_SECONDS * random.uniform(*_JITTER)
        self.stats["full_builds"] += 1
        if self.freeze_after_build:  # the request path's first build and the background rebuild's
            gc.collect(1)  # young garbage first (a few ms): what is frozen is never collected
            gc.freeze()

    def _load_rules(self) -> None:
        self._rules = rules_from(AuctionSettings.load(), learnt.position_curve() or DEFAULT_CURVE,
                                 learnt.shopper_figures())

    def _patch_listings(self, now: dt.datetime) -> None:
        # Rows carry their writer's clock. If it went back since the last read (a simulated
        # clock reset to the real time, a stepped system clock), rows stamped "later" than
        # new writes exist: read everything once, and look from the last read's time rather
        # than from the newest stamp seen.
        read_at, self._catalog_read_at = self._catalog_read_at, now
        if self._catalog_seen is None or read_at is None or now < read_at - CATALOG_OVERLAP:
            rows = Listing.objects.values_list(*_LISTING_FIELDS)
        else:
            since = min(self._catalog_seen, read_at) - CATALOG_OVERLAP
            rows = Listing.objects.filter(updated_at__gte=since).values_list(*_LISTING_FIELDS)
        self._apply_listing_rows(rows.iterator(chunk_size=5000))
        self.stats["listing_patches"] += 1

    def _apply_listing_rows(self, rows: Iterable[tuple]) -> None:
        """Put rows (``_LISTING_FIELDS``) into the listing map, scored in batches."""
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                self._apply_batch(batch)
                batch = []
        if batch:
            self._apply_batch(batch)

    def _apply_batch(self, rows: list[tuple]) -> None:
        features = [ListingFeatures(listing_id=pk, seller_id=seller_id, price_micros=price, category=category,
                                    brand=brand, condition=condition, size=size, listed_at=listed_at)
                    for pk, seller_id, price, _, category, brand, condition, size, listed_at, _, _ in rows]
        assert self._predictor is not None  # set by the build before any batch
        scores = self._predictor.scores_by_placement(features)
        self._brand_names.add({f.brand for f in features})
        listings = self._listings
        seen = self._catalog_seen
        for row, listing_scores in zip(rows, scores, strict=True):
            pk, seller_id, price, status, category, brand, _, size, _, marketplace_id, updated_at = row
            available = status == Listing.Status.AVAILABLE
            if available or marketplace_id in listings:
                # A listing that left the catalog keeps a "sold" entry until the next full
                # build: the diagnosis can say why it stopped winning.
                listings[marketplace_id] = ListingState(pk, seller_id, price, available, listing_scores,
                                                        listing_tastes(brand, category, size), size)
            if updated_at is not None and (seen is None or updated_at > seen):
                seen = updated_at
        self._catalog_seen = seen

    def note_shopper_brands(self, user: str, brands: set[str]) -> None:
        """This process learnt ``brands`` of ``user`` (their search named them): known at once
        to the auctions it serves; other processes read them once they are written."""
        tastes = {brand_taste(brand) for brand in brands}
        known = self._shoppers.get(user, frozenset())
        if not tastes <= known:
            self._shoppers[user] = known | tastes

    def _load_shoppers(self, now: dt.datetime, *, full: bool) -> None:
        """Shoppers' tastes and price levels of the last AFFINITY_DAYS: all of them, or (a
        patch) the rows written since the last read (see ``_read_shoppers``)."""
        self._apply_shoppers(self._read_shoppers(now, full=full))

    def _read_shoppers(self, now: dt.datetime, *, full: bool) -> tuple:
        """The database reads of ``_load_shoppers`` (no lock needed): everything when ``full``,
        at the first read, or when the clock went back since the last one; else the rows
        written since it, less the overlap (a slower writer committing later)."""
        since = now - dt.timedelta(days=AFFINITY_DAYS)
        read = self._shoppers_read
        if full or read is None or now < read[1] - CATALOG_OVERLAP:
            tastes, newest = shopper_tastes(since)
            return True, tastes, shopper_price_levels(active_since=since), (newest, now)
        seen, read_at = read
        cursor = (min(seen, read_at) if seen is not None else read_at) - CATALOG_OVERLAP
        tastes, newest = shopper_tastes(since, written_since=cursor)
        return False, tastes, shopper_price_levels(written_since=cursor), (newest, now)

    def _apply_shoppers(self, result: tuple) -> None:
        """Swap in what ``_read_shoppers`` read. A patch builds new maps only when something
        changed: requests in flight keep the maps they read (a searched brand noted by one of
        them meanwhile may be dropped until it is written and read back)."""
        full, tastes, levels, read = result
        if full:
            self._shoppers = {user: frozenset(found) for user, found in tastes.items()}
            self._price_levels = levels
        else:
            if tastes:
                shoppers = dict(self._shoppers)
                for user, found in tastes.items():
                    shoppers[user] = shoppers.get(user, frozenset()) | found
                self._shoppers = shoppers
            if levels:
                self._price_levels = {**self._price_levels, **levels}
        self._shoppers_read = read

    def _load_chosen(self) -> None:
        chosen: dict[int, set[int]] = {}
        for campaign_id, listing_id in CampaignListing.objects.filter(
                campaign__status__in=LIVE_CAMPAIGN_STATUSES,
                campaign__selection=Campaign.Selection.CHOSEN).values_list("campaign_id", "listing_id"):
            chosen.setdefault(campaign_id, set()).add(listing_id)
        self._chosen = {campaign_id: frozenset(ids) for campaign_id, ids in chosen.items()}
        self.stats["campaign_loads"] += 1

    def _load_campaigns(self, now: dt.datetime, tick: float) -> None:
        self._campaigns, self._week = self._campaign_states(now)
        self._campaigns_due = tick + CAMPAIGN_REFRESH_SECONDS * random.uniform(*_JITTER)

    def _campaign_states(self, now: dt.datetime) -> tuple[dict[int, CampaignState], tuple[dt.datetime, dt.datetime]]:
        """Live campaigns by seller with the budget state of the budget week containing
        ``now``, and that week's bounds."""
        start, end = budget.week_bounds(now, clock.marketplace_tz())
        chosen_by_campaign = self._chosen
        rows = list(Campaign.objects.filter(status__in=LIVE_CAMPAIGN_STATUSES).values_list(
            "pk", "seller_id", "status", "bidding", "max_cpc_micros", "selection", "pacing_multiplier",
            "pacing_throttle", "weekly_budget_micros", "next_weekly_budget_micros"))
        # Every period of the week, by the week_start index: at most one per campaign. Asking
        # for the live campaigns' ids instead cost Django about 12 us an id to prepare (half
        # of this reload with 1,000 campaigns); a period of a campaign no longer live is
        # read and not used.
        periods = {
            campaign_id: (budget_micros - spent, exhausted_at is not None, budget_micros)
            for campaign_id, budget_micros, spent, exhausted_at in BudgetPeriod.objects.filter(
                week_start=start,
            ).values_list("campaign_id", "budget_micros", "spent_micros", "exhausted_at")
        } if rows else {}
        campaigns: dict[int, CampaignState] = {}
        for (pk, seller_id, status, bidding, max_cpc, selection, multiplier, throttle, weekly,
             next_weekly) in rows:
            # No period yet this week: the first charge opens one with the weekly budget.
            budget_now = next_weekly or weekly
            remaining, exhausted, period_budget = periods.get(pk, (budget_now, False, budget_now))
            campaigns[seller_id] = CampaignState(
                campaign_id=pk, seller_id=seller_id, active=status == Campaign.Status.ACTIVE,
                manual=bidding == Campaign.Bidding.MANUAL, max_cpc_micros=max_cpc,
                pacing_multiplier=multiplier, pacing_throttle=throttle, remaining_micros=remaining,
                exhausted=exhausted, budget_micros=period_budget,
                chosen=chosen_by_campaign.get(pk, frozenset()) if selection == Campaign.Selection.CHOSEN else None,
            )
        self.stats["budget_loads"] += 1
        return campaigns, (start, end)


def _read_versions() -> dict[str, int]:
    return changes.versions()


_index = AuctionIndex()
state.register("auction index", _index.reset, settle=lambda: _index.wait_for_background(30))


def auction_index() -> AuctionIndex:
    """This process's auction index."""
    return _index
