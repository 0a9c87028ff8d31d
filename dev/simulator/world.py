"""The synthetic resale marketplace: sellers, closets, buyers and their tastes.

Plain data, deterministic for a seed. Nothing here touches the platform; the runner
syncs it through the catalog services (or the HTTP API).

Listings carry a latent *appeal* that buyers respond to. It is built from features the
platform can see (brand popularity, condition, price against the category's typical price,
the seller's closet size and tenure) plus noise it cannot, so that a model trained on
organic traffic can learn more than category averages, but not everything.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from auction.holdout import is_held_out
from dev.simulator.vocabulary import ADJECTIVES, BRANDS, CATEGORIES, SELLER_NAMES

CONDITIONS = ("nwt", "like_new", "good", "fair")
CONDITION_WEIGHTS = (0.12, 0.33, 0.43, 0.12)
CONDITION_APPEAL = {"nwt": 0.35, "like_new": 0.2, "good": 0.0, "fair": -0.35}
# Brand popularity: the first brands of the list are the hottest.
BRAND_APPEAL = {brand: 0.45 - 0.9 * i / (len(BRANDS) - 1) for i, brand in enumerate(BRANDS)}
# Searches a buyer makes in a week: exponential across buyers (most shop now and then, a
# few every day), mean SESSIONS_PER_WEEK (docs/simulator.md).
SESSIONS_PER_WEEK = 4.0
MAX_SESSIONS_PER_WEEK = 28.0
DEPARTMENTS = sorted({path.split("/", 1)[0] for path, _, _ in CATEGORIES})


@dataclass
class SimListing:
    key: str  # marketplace id
    seller: int  # index into World.sellers
    category: str
    department: str
    brand: str
    size: str
    condition: str
    price_cents: int
    appeal: float  # latent log-odds bonus
    created_at: dt.datetime
    title: str
    available: bool = True

    @property
    def price(self) -> float:
        return self.price_cents / 100


@dataclass
class SimSeller:
    index: int
    key: str
    username: str
    joined_at: dt.datetime
    quality: float  # latent: well-photographed, responsive closets sell more
    listings: list[str] = field(default_factory=list)
    promotes: bool = False
    own_budget_dollars: int | None = None  # None: takes the recommendation


@dataclass
class SimBuyer:
    index: int
    key: str  # opaque user id
    categories: list[str]  # favourite categories, most liked first
    brands: set[str]
    sizes: dict[str, str]  # category -> size they wear
    max_price: float
    sessions_per_week: float
    buy_propensity: float  # multiplies purchase probabilities
    holdout: bool = False


@dataclass
class World:
    seed: int
    start: dt.datetime
    sellers: list[SimSeller]
    listings: dict[str, SimListing]
    buyers: list[SimBuyer]
    by_category: dict[str, list[str]]  # available listing keys per category
    next_listing_number: int = 0
    prefix: str = ""  # before every marketplace id (runs sharing a database must not collide)
    # Per category, the available listings as arrays (the storefront's ranking is vectorised);
    # dropped when the category's listings change.
    _arrays: dict[str, CategoryArrays] = field(default_factory=dict, repr=False)

    def available_in(self, category: str) -> list[SimListing]:
        return [self.listings[k] for k in self.by_category.get(category, ()) if self.listings[k].available]

    def category_arrays(self, category: str) -> CategoryArrays:
        """The category's available listings as parallel arrays (cached until it changes)."""
        arrays = self._arrays.get(category)
        if arrays is None:
            arrays = self._arrays[category] = CategoryArrays.of(self.available_in(category))
        return arrays

    def category_changed(self, category: str) -> None:
        self._arrays.pop(category, None)

    def mark_sold(self, key: str) -> None:
        listing = self.listings[key]
        if listing.available:
            listing.available = False
            bucket = self.by_category[listing.category]
            bucket.remove(key)
            self.category_changed(listing.category)


@dataclass(frozen=True)
class CategoryArrays:
    """One category's available listings, column by column, in ``by_category`` order."""

    keys: list[str]
    size: np.ndarray
    one_size: np.ndarray
    brand: np.ndarray
    price: np.ndarray  # dollars
    appeal: np.ndarray

    @classmethod
    def of(cls, listings: list[SimListing]) -> CategoryArrays:
        return cls(
            keys=[item.key for item in listings],
            size=np.array([item.size for item in listings], dtype=object),
            one_size=np.array([item.size == "OS" for item in listings], dtype=bool),
            brand=np.array([item.brand for item in listings], dtype=object),
            price=np.array([item.price for item in listings], dtype=float),
            appeal=np.array([item.appeal for item in listings], dtype=float),
        )


def closet_size(rng: random.Random) -> int:
    """A long tail: most closets hold a few dozen listings, a few hold thousands."""
    return max(3, min(3000, int(rng.paretovariate(1.05) * 9)))


def _category_price(rng: random.Random, low: int, high: int) -> int:
    # Log-uniform within the category's range: many cheap items, a few dear ones.
    price = math.exp(rng.uniform(math.log(low), math.log(high)))
    return max(300, round(price) * 100)


def new_listing(world: World, rng: random.Random, seller: SimSeller, at: dt.datetime) -> SimListing:
    """A new listing in ``seller``'s closet, registered in the world."""
    category, (low, high), sizes = rng.choice(CATEGORIES)
    brand = rng.choice(BRANDS)
    condition = rng.choices(CONDITIONS, CONDITION_WEIGHTS)[0]
    price_cents = _category_price(rng, low, high)
    typical = math.sqrt(low * high) * 100
    price_term = -0.35 * math.log(price_cents / typical)  # cheaper than typical: more appealing
    tenure_years = (at - seller.joined_at).days / 365
    appeal = (BRAND_APPEAL[brand] + CONDITION_APPEAL[condition] + price_term + seller.quality
              + 0.05 * min(tenure_years, 5) + rng.gauss(0, 0.35))
    world.next_listing_number += 1
    key = f"{world.prefix}SL{world.seed}-{world.next_listing_number:07d}"
    kind = category.rsplit("/", 1)[1]
    listing = SimListing(
        key=key, seller=seller.index, category=category, department=category.split("/", 1)[0],
        brand=brand, size=rng.choice(sizes), condition=condition, price_cents=price_cents,
        appeal=appeal, created_at=at, title=f"{rng.choice(ADJECTIVES)} {brand} {kind.rstrip('s')}",
    )
    world.listings[key] = listing
    world.by_category[category].append(key)
    world.category_changed(category)
    seller.listings.append(key)
    return listing


def build_world(seed: int, n_sellers: int, n_buyers: int, start: dt.datetime,
                promote_share: float = 0.35, holdout: float = 0.0, first_seller_budget: int | None = None,
                prefix: str = "") -> World:
    """A deterministic world for ``seed``; ``prefix`` goes before every marketplace id and
    changes nothing else, except who is held out with ``holdout`` (the platform hashes the id it is sent)."""
    rng = random.Random(seed)
    world = World(seed=seed, start=start, sellers=[], listings={}, buyers=[], by_category=defaultdict(list),
                  prefix=prefix)
    for i in range(n_sellers):
        seller = SimSeller(
            index=i, key=f"{prefix}SS{seed}-{i:05d}",
            username=SELLER_NAMES[i] if i < len(SELLER_NAMES) else f"sim_seller_{seed}_{i}",
            joined_at=start - dt.timedelta(days=rng.randint(30, 3000)), quality=rng.gauss(0, 0.25),
        )
        seller.promotes = rng.random() < promote_share
        if seller.promotes and rng.random() < 0.3:
            seller.own_budget_dollars = rng.choice([10, 15, 20, 25, 40, 60, 100])
        if i == 0 and first_seller_budget:  # the demo's seller always promotes
            seller.promotes, seller.own_budget_dollars = True, first_seller_budget
        world.sellers.append(seller)
        for _ in range(120 if i == 0 and first_seller_budget else closet_size(rng)):
            new_listing(world, rng, seller, start - dt.timedelta(days=rng.randint(0, 120)))
    category_names = [c for c, _, _ in CATEGORIES]
    for i in range(n_buyers):
        department = rng.choices(DEPARTMENTS, weights=[0.08, 0.12, 0.25, 0.55][: len(DEPARTMENTS)])[0]
        own = [c for c in category_names if c.startswith(department + "/")] or category_names
        favourites = rng.sample(own, k=min(len(own), rng.randint(1, 3)))
        if rng.random() < 0.3:
            favourites.append(rng.choice(category_names))
        sizes = {c: rng.choice(s) for c, _, s in CATEGORIES}
        buyer = SimBuyer(
            index=i, key=f"{prefix}u-{seed}-{i:06d}", categories=favourites,
            brands=set(rng.sample(BRANDS, k=3)), sizes=sizes,
            max_price=math.exp(rng.uniform(math.log(30), math.log(400))),
            sessions_per_week=min(MAX_SESSIONS_PER_WEEK, rng.expovariate(1 / SESSIONS_PER_WEEK)),
            buy_propensity=math.exp(rng.gauss(0, 0.4)),
        )
        # The platform holds shoppers out itself (ghost ads, AuctionSettings.holdout_share, which
        # the run sets to ``holdout``); the world knows who by the same hash of the id sent.
        buyer.holdout = is_held_out(buyer.key, holdout)
        world.buyers.append(buyer)
    return world

