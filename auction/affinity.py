"""Shoppers' tastes: what the auction knows of one shopper, and what it is worth.

An ad can add sales where it fits *this* shopper better than a ranking built for everyone
(design.md, Models). The plainest signs the platform has are what a shopper searches for,
clicks and buys. ``ShopperTaste`` keeps, with the time each was first and last seen:

- ``brand:<name>``: brands named in the shopper's searches (``searchQuery`` matched against
  the catalog's brand names, ``BrandNames``; each web process notes them in memory at once,
  ``QueryTastes``, and writes them every ``QUERY_FLUSH_SECONDS`` of marketplace time), and
  the brands of the listings they click or buy (``shopper_tastes_record``, at ingestion);
- ``size:<category>:<size>``: the sizes of the listings they click or buy, per category.

``ShopperPrice`` keeps their price level (mean log price of what they click or buy).

Every write bumps the ``shoppers`` topic; each auction index keeps the tastes and price
levels of shoppers seen in the last ``AFFINITY_DAYS`` in memory, patched incrementally (no
query per auction). The auction multiplies a candidate's predicted click rate by what
training learnt these are worth (``auction.ranking.Shopper``): a lift for a listing of one
of the shopper's brands, another for one in one of their sizes (``affinity_learn``), and a
factor per band of price against their level (``price_fit_learn``). Until learnt, each is
1: nothing changes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Max

from auction.models import ShopperPrice, ShopperTaste
from auction.pending import PendingWrites
from closetads import changes, clock, state
from closetads.money import log_dollars

AFFINITY_DAYS = 28  # tastes shown this long ago still count
KINDS = ("brand", "size")
MIN_AFFINE_IMPRESSIONS = 200
MIN_AFFINE_CLICKS = 20
PURCHASE_PSEUDO_CLICKS = 200.0  # shrinks the purchase ratio toward 1 when purchases are few
LIFT_BOUNDS = (0.5, 10.0)
CLICK_WINDOW = dt.timedelta(minutes=30)
PURCHASE_WINDOW = dt.timedelta(days=1)
QUERY_FLUSH_SECONDS = 60.0
# A listing's log price against the shopper's mean log price, in bands: far below, ...,
# far above (e^0.7 = about twice what they usually pay).
PRICE_EDGES = (-0.7, -0.35, 0.35, 0.7, 1.1)
MIN_PRICE_EVENTS = 2  # a price level needs this many clicks or purchases
MIN_BAND_IMPRESSIONS = 200
PRICE_FACTOR_BOUNDS = (0.05, 3.0)
MAX_BRAND_WORDS = 4
_WORD = re.compile(r"[\w'&+.-]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


class BrandNames:
    """The catalog's brand names by their words (casefolded), to find them in a search."""

    def __init__(self, brands: Iterable[str] = ()) -> None:
        self.by_words: dict[tuple[str, ...], str] = {}
        self.add(brands)

    def add(self, brands: Iterable[str]) -> None:
        for brand in brands:
            words = tuple(_words(brand))
            if brand and 0 < len(words) <= MAX_BRAND_WORDS:
                self.by_words.setdefault(words, brand)

    def in_query(self, query: str | None) -> set[str]:
        """The brands whose whole name appears, word for word, in ``query``."""
        if not query or not self.by_words:
            return set()
        words = _words(query)
        found = set()
        for n in range(1, MAX_BRAND_WORDS + 1):
            for start in range(len(words) - n + 1):
                brand = self.by_words.get(tuple(words[start:start + n]))
                if brand is not None:
                    found.add(brand)
        return found


def brand_taste(brand: str) -> str:
    return f"brand:{brand}" if brand else ""


def size_taste(category: str, size: str) -> str:
    return f"size:{category}:{size}"[:200] if category and size else ""


def listing_tastes(brand: str, category: str, size: str) -> tuple[str, str]:
    """A listing's (brand, size) taste keys, "" where it has none."""
    return brand_taste(brand), size_taste(category, size)


def _tastes_upsert(latest: Mapping[tuple[str, str], tuple[dt.datetime, dt.datetime]]) -> int:
    """Write (shopper, taste) -> (first, last) times: a new pair with both, a known one
    with its new last time (its first time stays). Bumps the shoppers topic."""
    if not latest:
        return 0
    now = clock.now()
    ShopperTaste.objects.bulk_create(
        [ShopperTaste(opaque_user_id=user, taste=taste, first_at=first, last_at=last, updated_at=now)
         for (user, taste), (first, last) in sorted(latest.items())],
        update_conflicts=True, unique_fields=["opaque_user_id", "taste"], update_fields=["last_at", "updated_at"],
        batch_size=500)
    changes.bump(changes.SHOPPERS)
    return len(latest)


def _merge(latest: dict, user: str, taste: str, at: dt.datetime) -> None:
    key = (user[:256], taste[:200])
    first, last = latest.get(key, (at, at))
    latest[key] = (min(first, at), max(last, at))


def shopper_tastes_record(rows: Iterable[tuple[str, int, dt.datetime]]) -> int:
    """Remember the brands, sizes and prices of the listings shoppers clicked or bought.

    ``rows``: ``(opaque user id, listing pk, when)``; rows without a user are skipped. One
    query for the listings, one upsert of tastes and one of price levels. Returns the
    number of (shopper, taste) pairs written.
    """
    rows = [(user, listing_id, at) for user, listing_id, at in rows if user and listing_id]
    if not rows:
        return 0
    from sellers.models import Listing

    facts = {pk: (listing_tastes(brand, category, size), price) for pk, brand, category, size, price in
             Listing.objects.filter(pk__in={listing_id for _, listing_id, _ in rows})
             .values_list("pk", "brand", "category", "size", "price_micros")}
    latest: dict = {}
    prices: dict[str, list[float]] = defaultdict(list)
    for user, listing_id, at in rows:
        tastes, price = facts.get(listing_id, (("", ""), 0))
        for taste in tastes:
            if taste:
                _merge(latest, user, taste, at)
        if price > 0:
            prices[user[:256]].append(log_dollars(price))
    _prices_add(prices)
    return _tastes_upsert(latest)


def _prices_add(prices: Mapping[str, list[float]]) -> None:
    """Add log prices to shoppers' price levels (read, add, upsert: two concurrent batches of
    one shopper may lose one's addition; a price level is a hint, not money)."""
    if not prices:
        return
    known = {user: (total, n) for user, total, n in ShopperPrice.objects.filter(
        opaque_user_id__in=list(prices)).values_list("opaque_user_id", "log_price_sum", "events")}
    now = clock.now()
    rows = []
    for user, logs in sorted(prices.items()):
        total, n = known.get(user, (0.0, 0))
        rows.append(ShopperPrice(opaque_user_id=user, log_price_sum=total + sum(logs), events=n + len(logs),
                                 updated_at=now))
    ShopperPrice.objects.bulk_create(rows, update_conflicts=True, unique_fields=["opaque_user_id"],
                                     update_fields=["log_price_sum", "events", "updated_at"], batch_size=500)
    changes.bump(changes.SHOPPERS)


class QueryTastes(PendingWrites):
    """Brands named in shoppers' searches, held in memory until written (one per process),
    every ``QUERY_FLUSH_SECONDS`` of marketplace time."""

    def __init__(self) -> None:
        super().__init__(QUERY_FLUSH_SECONDS)

    def note(self, user: str, brands: Iterable[str], at: dt.datetime) -> None:
        with self._lock:
            for brand in brands:
                _merge(self._pending, user, brand_taste(brand), at)

    def _write(self, pending: dict) -> int:
        return _tastes_upsert(pending)


query_tastes = QueryTastes()
state.register("shoppers' tastes", query_tastes.clear)


def shopper_tastes(since: dt.datetime, *, written_since: dt.datetime | None = None
                   ) -> tuple[dict[str, set[str]], dt.datetime | None]:
    """Tastes per shopper shown since ``since`` (only the rows written since
    ``written_since`` when given), and the newest write time seen (for the next read)."""
    rows = ShopperTaste.objects.filter(last_at__gte=since)
    if written_since is not None:
        rows = rows.filter(updated_at__gte=written_since)
    tastes: dict[str, set[str]] = defaultdict(set)
    for user, taste in rows.values_list("opaque_user_id", "taste").iterator(chunk_size=5000):
        tastes[user].add(taste)
    newest = ShopperTaste.objects.aggregate(n=Max("updated_at"))["n"]
    return dict(tastes), newest


def shopper_price_levels(*, written_since: dt.datetime | None = None, active_since: dt.datetime | None = None
                         ) -> dict[str, float]:
    """Mean log price per shopper with at least ``MIN_PRICE_EVENTS`` prices: only the rows
    written since ``written_since`` (a patch), or of shoppers active since ``active_since``.
    (The mean is over all their prices, not windowed.)"""
    rows = ShopperPrice.objects.filter(events__gte=MIN_PRICE_EVENTS)
    for since in (written_since, active_since):
        if since is not None:
            rows = rows.filter(updated_at__gte=since)
    return {user: total / n for user, total, n in rows.values_list("opaque_user_id", "log_price_sum", "events")
            .iterator(chunk_size=5000)}


def price_band(log_price: float, level: float) -> int:
    """The band of a listing's log price against a shopper's level (``PRICE_EDGES``)."""
    return bisect.bisect_right(PRICE_EDGES, log_price - level)


@dataclass(frozen=True)
class AffinityFigures:
    """What one kind of taste (brand, size) is worth, learnt from organic traffic."""

    lift: float  # click_lift * purchase_lift, bounded
    click_lift: float
    purchase_lift: float
    impressions_affine: int
    impressions_other: int
    clicks_affine: int
    clicks_other: int

    def as_dict(self) -> dict:
        return {"lift": round(self.lift, 4), "click_lift": round(self.click_lift, 4),
                "purchase_lift": round(self.purchase_lift, 4), "impressions_affine": self.impressions_affine,
                "impressions_other": self.impressions_other, "clicks_affine": self.clicks_affine,
                "clicks_other": self.clicks_other}


@dataclass
class _Traffic:
    """Organic impressions and valid clicks of a window, with what followed each."""

    impressions: list[tuple[str, int, dt.datetime, bool]]  # (shopper, listing, when, sponsored)
    clicks: list[tuple[str, int, dt.datetime]]
    facts: dict[int, tuple[tuple[str, str], int]]  # listing -> ((brand, size) tastes, price micros)
    clicked: dict[tuple[str, int], list[dt.datetime]]
    bought: dict[tuple[str, int], list[dt.datetime]]

    @classmethod
    def load(cls, since: dt.datetime, until: dt.datetime, limit: int) -> _Traffic:
        from analytics.models import Click, Impression, PurchaseItem
        from sellers.models import Listing

        impressions = [(user, listing_id, at, bool(auction_id)) for user, listing_id, at, auction_id in (
            Impression.objects.filter(occurred_at__gte=since, occurred_at__lt=until, listing_id__isnull=False)
            .exclude(opaque_user_id="").order_by("-occurred_at")
            .values_list("opaque_user_id", "listing_id", "occurred_at", "auction_id")[:limit])]
        clicks = list(
            Click.objects.filter(occurred_at__gte=since, occurred_at__lt=until + CLICK_WINDOW,
                                 listing_id__isnull=False, reason__isnull=True).exclude(opaque_user_id="")
            .values_list("opaque_user_id", "listing_id", "occurred_at"))
        bought: dict[tuple[str, int], list[dt.datetime]] = defaultdict(list)
        for user, listing_id, at in PurchaseItem.objects.filter(
                purchase__occurred_at__gte=since, purchase__occurred_at__lt=until + PURCHASE_WINDOW).values_list(
                "purchase__opaque_user_id", "listing_id", "purchase__occurred_at"):
            bought[(user, listing_id)].append(at)
        clicked: dict[tuple[str, int], list[dt.datetime]] = defaultdict(list)
        for user, listing_id, at in clicks:
            clicked[(user, listing_id)].append(at)
        for times in (*clicked.values(), *bought.values()):
            times.sort()
        facts = {pk: (listing_tastes(brand, category, size), price) for pk, brand, category, size, price in
                 Listing.objects.filter(pk__in={r[1] for r in impressions} | {r[1] for r in clicks})
                 .values_list("pk", "brand", "category", "size", "price_micros")}
        return cls(impressions, [c for c in clicks if c[2] < until], facts, clicked, bought)

    def organic_impressions(self) -> int:
        return sum(1 for *_, is_ad in self.impressions if not is_ad)

    @staticmethod
    def followed(times: list[dt.datetime] | None, at: dt.datetime, window: dt.timedelta) -> bool:
        if not times:
            return False
        i = bisect.bisect_left(times, at)
        return i < len(times) and times[i] <= at + window

    def rates(self, side, *, sponsored: bool = False) -> tuple[dict, dict]:
        """Per ``side(shopper, listing, when)`` (None: left out): [impressions, clicked] and
        [clicks, bought]. Organic impressions only, unless ``sponsored``: then sponsored ones
        too, keyed ``(True, side)`` apart from organic ``(False, side)``."""
        shown: dict = defaultdict(lambda: [0, 0])
        for user, listing_id, at, is_ad in self.impressions:
            if is_ad and not sponsored:
                continue
            key = side(user, listing_id, at)
            if key is not None and sponsored:
                key = (is_ad, key)
            if key is not None:
                shown[key][0] += 1
                shown[key][1] += self.followed(self.clicked.get((user, listing_id)), at, CLICK_WINDOW)
        clicked: dict = defaultdict(lambda: [0, 0])
        for user, listing_id, at in self.clicks:
            key = side(user, listing_id, at)
            if key is not None:
                clicked[key][0] += 1
                clicked[key][1] += self.followed(self.bought.get((user, listing_id)), at, PURCHASE_WINDOW)
        return shown, clicked


def shopper_traffic(since: dt.datetime, until: dt.datetime, limit: int = 1_000_000) -> _Traffic:
    """The organic traffic both learners read (loaded once per training)."""
    return _Traffic.load(since, until, limit)


def _purchase_ratio(clicked: dict, key, keys) -> float:
    """Purchases per click of ``key`` against all ``keys``, each side given
    ``PURCHASE_PSEUDO_CLICKS`` clicks at the overall rate (1.0 with no purchase at all)."""
    total = sum(clicked[k][0] for k in keys)
    rate = sum(clicked[k][1] for k in keys) / total if total else 0.0
    if rate <= 0:
        return 1.0
    k = PURCHASE_PSEUDO_CLICKS
    return ((clicked[key][1] + k * rate) / (clicked[key][0] + k)) / rate


def affinity_learn(since: dt.datetime, until: dt.datetime, limit: int = 1_000_000,
                   traffic: _Traffic | None = None) -> dict[str, AffinityFigures]:
    """The lift of a shopper's own brands and sizes, from organic traffic in [since, until).

    For each kind (``KINDS``), an impression (or click) is *affine* when its listing's taste
    of that kind was among the shopper's (``ShopperTaste.first_at`` before it). Click lift:
    the click rate (a click by the same shopper on the same listing within 30 minutes) of
    affine organic impressions over the others'. Purchase lift: the same for purchases
    (within a day) per valid click, each side given ``PURCHASE_PSEUDO_CLICKS`` clicks at the
    overall rate. A kind with fewer than ``MIN_AFFINE_IMPRESSIONS`` affine impressions or
    ``MIN_AFFINE_CLICKS`` affine clicks is left out.
    """
    first_seen = {(user, taste): first for user, taste, first in ShopperTaste.objects.filter(
        first_at__lt=until).values_list("opaque_user_id", "taste", "first_at").iterator(chunk_size=5000)}
    if not first_seen:
        return {}
    traffic = traffic or _Traffic.load(since, until, limit)
    facts = traffic.facts
    learnt = {}
    for kind_index, kind in enumerate(KINDS):
        def affine(user: str, listing_id: int, at: dt.datetime, kind_index=kind_index) -> bool:
            taste = facts.get(listing_id, (("", ""), 0))[0][kind_index]
            first = first_seen.get((user, taste)) if taste else None
            return first is not None and first < at

        shown, clicked = traffic.rates(affine)
        (imp_a, clk_a), (imp_o, clk_o) = shown[True], shown[False]
        if imp_a < MIN_AFFINE_IMPRESSIONS or clk_a < MIN_AFFINE_CLICKS or not imp_o or not clk_o:
            continue
        click_lift = (clk_a / imp_a) / (clk_o / imp_o)
        purchase_lift = (_purchase_ratio(clicked, True, (True, False))
                         / _purchase_ratio(clicked, False, (True, False)))
        lift = min(max(click_lift * purchase_lift, LIFT_BOUNDS[0]), LIFT_BOUNDS[1])
        learnt[kind] = AffinityFigures(lift, click_lift, purchase_lift, imp_a, imp_o, clk_a, clk_o)
    return learnt


def price_fit_learn(since: dt.datetime, until: dt.datetime, limit: int = 1_000_000,
                    traffic: _Traffic | None = None) -> dict | None:
    """How a listing's price against the shopper's usual price moves clicks and purchases.

    The shopper's level before an impression is the mean log price of their valid clicks
    and purchases in the ``AFFINITY_DAYS`` before it (at least ``MIN_PRICE_EVENTS``). Per
    band (``PRICE_EDGES``), the factor is its click rate over that of all impressions of
    the same kind (organic, sponsored) with a level, times the same for purchases per click
    (shrunk toward 1), the two kinds weighed by the band's impressions. Bands with fewer
    than ``MIN_BAND_IMPRESSIONS`` impressions keep 1. None when no band has enough.
    Returns ``{"edges", "factors", "impressions", "clicks"}``.
    """
    from analytics.models import Click, PurchaseItem

    events = list(Click.objects.filter(occurred_at__gte=since - dt.timedelta(days=AFFINITY_DAYS),
                                       occurred_at__lt=until, listing_id__isnull=False, reason__isnull=True)
                  .exclude(opaque_user_id="").values_list("opaque_user_id", "occurred_at", "listing__price_micros"))
    events += list(PurchaseItem.objects.filter(
        purchase__occurred_at__gte=since - dt.timedelta(days=AFFINITY_DAYS), purchase__occurred_at__lt=until)
        .exclude(purchase__opaque_user_id="")
        .values_list("purchase__opaque_user_id", "purchase__occurred_at", "unit_price_micros"))
    history: dict[str, list[tuple[dt.datetime, float]]] = defaultdict(list)
    for user, at, price in events:
        if price:
            history[user].append((at, log_dollars(price)))
    times: dict[str, list[dt.datetime]] = {}
    sums: dict[str, list[float]] = {}
    for user, seen in history.items():
        seen.sort()
        times[user] = [at for at, _ in seen]
        running, total = [0.0], 0.0
        for _, value in seen:
            total += value
            running.append(total)
        sums[user] = running
    traffic = traffic or _Traffic.load(since, until, limit)
    facts = traffic.facts

    def band(user: str, listing_id: int, at: dt.datetime) -> int | None:
        user_times = times.get(user)
        price = facts.get(listing_id, (("", ""), 0))[1]
        if not user_times or not price:
            return None
        end = bisect.bisect_left(user_times, at)
        start = bisect.bisect_left(user_times, at - dt.timedelta(days=AFFINITY_DAYS))
        if end - start < MIN_PRICE_EVENTS:
            return None
        level = (sums[user][end] - sums[user][start]) / (end - start)
        return price_band(log_dollars(price), level)

    shown, clicked = traffic.rates(band, sponsored=True)
    bands = range(len(PRICE_EDGES) + 1)
    # Organic and sponsored impressions apart (ads sit lower and carry a label): each band's
    # rate against its own kind's, then the two kinds weighed by the band's impressions.
    # Ads are where dear listings from deep in the organic order get shown, so they carry
    # most of what is known about prices far above a shopper's.
    factors, counts, clicks = [], [], []
    for b in bands:
        n_total, weighted = 0, 0.0
        for is_ad in (False, True):
            n, c = shown[(is_ad, b)]
            kind_n = sum(shown[(is_ad, x)][0] for x in bands)
            kind_rate = sum(shown[(is_ad, x)][1] for x in bands) / kind_n if kind_n else 0.0
            if n and kind_rate > 0:
                ratio = (c / n) / kind_rate * _purchase_ratio(clicked, (is_ad, b), [(is_ad, x) for x in bands])
                weighted += n * ratio
                n_total += n
        counts.append(n_total)
        clicks.append(shown[(False, b)][1] + shown[(True, b)][1])
        factor = weighted / n_total if n_total >= MIN_BAND_IMPRESSIONS else 1.0
        factors.append(round(min(max(factor, PRICE_FACTOR_BOUNDS[0]), PRICE_FACTOR_BOUNDS[1]), 4))
    if all(n < MIN_BAND_IMPRESSIONS for n in counts):
        return None
    return {"edges": list(PRICE_EDGES), "factors": factors, "impressions": counts, "clicks": clicks}
