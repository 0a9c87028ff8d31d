"""Running auctions: the in-process equivalent of POST /api/v1/auctions.

The endpoint (auction/api.py) and the marketplace simulator both call ``auctions_run``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
from time import perf_counter
from typing import Any

from auction import ranking
from auction.affinity import PRICE_EDGES, query_tastes
from auction.holdout import exposures, is_held_out
from auction.index import IndexView, auction_index
from auction.parsing import MAX_IDS, AuctionRequest, parse_auctions
from auction.predict import PLACEMENT_INDEX
from auction.recording import recorder
from auction.tokens import sign_values
from auction.traffic import counter as traffic_counter
from core import clock

logger = logging.getLogger(__name__)

_NO_SCORES = (1.0,) * MAX_IDS  # every candidate fully relevant when the request sends no scores
# The pacing throttle's draws: a generator of its own, so that a caller that needs
# repeatable runs (the marketplace simulator) can seed it without other code consuming it.
throttle_random = random.Random()


def failed_result() -> dict[str, Any]:
    """The result of an auction that failed open: no winners, ``error: true``."""
    return {"resultType": "listings", "winners": [], "error": True}


def auctions_run(body: Any, *, now: dt.datetime | None = None,
                 started_at: float | None = None, flush: bool = True,
                 deadline_seconds: float | None = None, versions: dict[str, int] | None = None,
                 ) -> dict[str, Any]:
    """Decide the auctions of one request body and return the response body (api.md).

    Validates like the API: raises ``core.validation.FieldError`` for a bad body.
    Fails open per auction: an internal error, or passing ``AuctionSettings.deadline_ms``
    counted from ``started_at`` (a ``time.perf_counter()`` value; default: this call),
    gives that auction ``error: true`` and no winners; the others still stand.

    ``now`` (default ``clock.now()``) dates the resolved bids and picks the budget week.
    Ghost ads (``auction.holdout``): a shopper held out by ``AuctionSettings.holdout_share``
    has their auction decided and counted; it answers no winners and ``heldOut: true``, and
    the would-be winners are recorded as ghost wins (real winners as real wins).
    Decision counts are flushed to the database when due, unless ``flush`` is False (the
    endpoint flushes after its response has been sent). ``deadline_seconds`` overrides the
    admin deadline: the simulator passes ``math.inf``, because a deadline measured on the
    wall clock would make its runs differ with the machine's load. ``versions``: the
    change counters if the caller has just read them (``AuctionIndex.refresh``).
    """
    started = perf_counter() if started_at is None else started_at
    requests = parse_auctions(body)
    now = now or clock.now()
    try:
        view = auction_index().refresh(now, versions)
    except Exception:  # fail open: the storefront shows organic results
        logger.exception("auction index refresh failed; %d auction(s) fail open", len(requests))
        return {"results": [failed_result() for _ in requests]}
    deadline = started + (view.rules.deadline_seconds if deadline_seconds is None else deadline_seconds)
    day = now.astimezone(clock.marketplace_tz()).date()
    results = []
    for request in requests:
        try:
            results.append(_auction_run(request, view, now, day, deadline))
        except Exception:  # fail open for this auction only
            logger.exception("auction failed; failing open")
            results.append(failed_result())
    traffic_counter.count(now, len(requests))
    if flush:
        recorder.flush_if_due()
        try:
            query_tastes.flush_if_due(now)
        except Exception:  # a taste is a hint, not money: the auctions stand
            logger.exception("could not write shoppers' searched brands")
        exposures.flush_if_due(now)
    return {"results": results}


def _auction_run(request: AuctionRequest, view: IndexView, now: dt.datetime, day: dt.date, deadline: float,
                 ) -> dict[str, Any]:
    if perf_counter() > deadline:
        return failed_result()
    rules = view.rules
    # The candidates as columns (ranking.run_auction_columns): no object per candidate.
    listings = list(map(view.listings.get, request.ids))
    campaign_of = view.campaigns.get
    campaigns = [None if listing is None else campaign_of(listing.seller_id) for listing in listings]
    user = request.opaque_user_id or ""
    if user and request.search_query:
        searched = view.brand_names.in_query(request.search_query)
        if searched:
            auction_index().note_shopper_brands(user, searched)
            query_tastes.note(user, searched, now)
    slots = min(request.slots, rules.max_slots)
    # Where the storefront puts slots 1..n: the request's positions, else the placement's default.
    positions = request.slot_positions or rules.slot_positions[request.placement]
    outcome = ranking.run_auction_columns(
        listings, request.quality_scores or _NO_SCORES, campaigns,
        placement=PLACEMENT_INDEX[request.placement], slots=slots,
        organic_top_k=rules.organic_top_k if request.organic_top_k is None else request.organic_top_k,
        settings=rules.ranking, rng=throttle_random.random,
        slot_positions=positions[:slots], curve=rules.position_curve,
        shopper=ranking.Shopper(view.shoppers.get(user, frozenset()), rules.brand_lift, rules.size_lift,
                                view.price_levels.get(user), PRICE_EDGES, rules.price_factors,
                                request.shopper_sizes) if user or request.shopper_sizes
        else ranking.NO_SHOPPER,
    )
    if perf_counter() > deadline:
        return failed_result()
    held_out = is_held_out(user, rules.holdout_share)
    if outcome.winners and user and rules.holdout_share > 0:  # no held-out group: nothing to compare with
        exposures.note(user, [listing.seller_id for w in outcome.winners if (listing := listings[w.position])],
                       held_out, now)
    if held_out:
        reasons = list(outcome.reasons)
        for winner in outcome.winners:
            reasons[winner.position] = ranking.HELD_OUT
        recorder.record(day, listings, campaigns, reasons)
        return {"resultType": "listings", "winners": [], "error": False, "heldOut": True}
    recorder.record(day, listings, campaigns, outcome.reasons)
    auction_id = secrets.token_hex(8)
    issued, expires = int(now.timestamp()), int((now + rules.resolved_bid_lifetime).timestamp())
    placement = request.placement
    winners = [
        {"rank": w.rank, "position": w.page_position, "type": "listing", "id": request.ids[w.position],
         "resolvedBidId": sign_values(auction_id, w.campaign_id, w.listing_id, w.price_micros, w.rank, issued,
                                      expires, placement),
         "campaignId": str(w.campaign_id)}
        for w in outcome.winners
    ]
    return {"resultType": "listings", "winners": winners, "error": False}
