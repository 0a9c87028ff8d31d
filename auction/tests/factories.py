"""Factories and helpers for auction tests: plain ranking data and promoted closets in the DB."""

from __future__ import annotations

import datetime as dt

from auction.predict import PLACEMENTS
from auction.ranking import CampaignState, Candidate, ListingState, RankingSettings
from campaigns.models import Campaign
from campaigns.services import campaign_launch
from campaigns.tests.factories import CampaignFactory
from core import clock
from sellers.models import Listing
from sellers.tests.factories import ListingFactory, SellerFactory

MONDAY = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)  # a budget week starts; tests run with TIME_ZONE=UTC
SEARCH = PLACEMENTS.index("search")

# --- plain ranking data -------------------------------------------------------------------


def listing_state(listing_id: int = 1, *, seller_id: int | None = None, price: int = 50_000_000,
                  ctr: float = 0.02, cvr: float = 0.03, available: bool = True) -> ListingState:
    return ListingState(listing_id, listing_id if seller_id is None else seller_id, price, available,
                        tuple((ctr, cvr) for _ in PLACEMENTS))


def campaign_state(campaign_id: int = 1, *, seller_id: int | None = None, active: bool = True,
                   manual: bool = False, max_cpc: int | None = None, multiplier: float = 1.0,
                   throttle: float = 1.0, remaining: int = 100_000_000, exhausted: bool = False,
                   chosen: frozenset[int] | None = None, budget: int = 0) -> CampaignState:
    return CampaignState(campaign_id, campaign_id if seller_id is None else seller_id, active, manual, max_cpc,
                         multiplier, throttle, remaining, exhausted, chosen, budget)


def promoted(listing_id: int, *, relevance: float = 1.0, seller_id: int | None = None,
             campaign: CampaignState | None = None, **listing_kwargs) -> Candidate:
    """A candidate whose seller (default: its own, id = listing id) runs an active campaign."""
    listing = listing_state(listing_id, seller_id=seller_id, **listing_kwargs)
    if campaign is None:
        campaign = campaign_state(listing.seller_id, seller_id=listing.seller_id)
    return Candidate(listing, relevance, campaign)


def organic(listing_id: int, *, relevance: float = 1.0, **listing_kwargs) -> Candidate:
    """A known listing whose seller runs no campaign."""
    return Candidate(listing_state(listing_id, **listing_kwargs), relevance, None)


UNKNOWN = Candidate(None)
# Loose rules so that a table test isolates the one rule it is about. The incrementality
# gate is at its most lenient (no substitution, no margin): an ad that changes nothing on
# the page (its listing already in that place, or equally valued results pushed down)
# passes, so rule tests need not build pages where ads add; test_incrementality_gate.py
# tests the gate with realistic settings.
OPEN = RankingSettings(reserve_micros=100_000, auto_max_cpc_micros=5_000_000, relevance_floor=0.2, gamma=1.0,
                       beta=1.0, take_rate=0.2, max_winners_per_seller=1, substitution_share=0.0, margin=0.0)

# --- the database -------------------------------------------------------------------------


def promoted_closet(listings: int = 3, *, weekly_budget_micros: int = 50_000_000, prefix: str | None = None,
                    price_micros: int = 45_000_000, **campaign_kwargs) -> tuple[Campaign, list[Listing]]:
    """A seller with ``listings`` available listings and a launched (active) campaign."""
    if not clock.is_pinned():
        clock.set_now(MONDAY)
    seller = SellerFactory()
    prefix = prefix or f"{seller.marketplace_id}-"
    items = [ListingFactory(seller=seller, marketplace_id=f"{prefix}{i}", price_micros=price_micros)
             for i in range(listings)]
    campaign = CampaignFactory(seller=seller, weekly_budget_micros=weekly_budget_micros, **campaign_kwargs)
    campaign_launch(campaign)
    return campaign, items


def auction_body(ids: list[str], *, slots: int = 4, organic_top_k: int = 0, **extra) -> dict:
    return {"auctions": [{"type": "listings", "slots": slots, "products": {"ids": ids},
                          "organicTopK": organic_top_k, **extra}]}


# The incrementality gate refuses an ad that only lifts its listing a few places (from
# organic result 1 to slot 1 it adds nothing: it takes its own organic sales), so a page
# of promoted ids alone wins almost nothing. Realistic pages put them below organic
# results; here ids the index does not know (not in the catalog, so pushing them down
# takes nothing), enough of them that slots 1-4 (positions 1, 5, 9, 13) lift each
# promoted listing well above its own organic place (4 ahead would let only slot 1 pass).
ORGANIC_AHEAD = 20


def page_ids(promoted_ids: list[str], *, ahead: int = ORGANIC_AHEAD) -> list[str]:
    """``ahead`` organic results unknown to the index, then ``promoted_ids`` in order."""
    return [f"organic-{i}" for i in range(ahead)] + list(promoted_ids)


def page_body(promoted_ids: list[str], *, slots: int = 4, organic_top_k: int = 0, ahead: int = ORGANIC_AHEAD,
              **extra) -> dict:
    """``auction_body`` for ``page_ids(promoted_ids)``; ``organic_top_k`` counts from the
    first promoted id (the organic results ahead are visible organically too)."""
    return auction_body(page_ids(promoted_ids, ahead=ahead), slots=slots, organic_top_k=ahead + organic_top_k,
                        **extra)
