"""Shoppers' brands: what the auction knows of one shopper's taste, and what it is worth.

An ad can add sales where it fits *this* shopper better than a ranking built for everyone
(design.md, Models). The plainest signs the platform has are the brands a shopper searches
for, clicks and buys. They are kept in ``ShopperBrand`` with the time each was first seen:

- brands named in the shopper's searches (``searchQuery`` of their auctions, matched
  against the catalog's brand names, ``BrandNames``): each web process notes them in
  memory at once (``QueryTastes``; its own index knows them for the shopper's next search)
  and writes them every ``QUERY_FLUSH_SECONDS`` of marketplace time, on the request path,
  like the decision counts;
- brands of the listings they click or buy (``shopper_brands_record``, from ingestion).

Every write bumps the ``shoppers`` topic; each auction index keeps the brands of shoppers
seen in the last ``AFFINITY_DAYS`` in memory, patched incrementally (no query per
auction). The auction multiplies a candidate's predicted click rate by the learnt
``lift`` when its brand is one of the shopper's (``auction.ranking``).

The lift is learnt at each training (``affinity_learn``): the click rate of organic
impressions whose brand the shopper had shown before, against the others', times the same
ratio for purchases per click (shrunk toward 1 when purchases are few). Until there is
one, the lift is 1: the shopper's brands change nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Max

from auction.models import ShopperBrand
from closetads import changes, clock

AFFINITY_DAYS = 28  # brands shown this long ago still count
MIN_AFFINE_IMPRESSIONS = 200
MIN_AFFINE_CLICKS = 20
PURCHASE_PSEUDO_CLICKS = 200.0  # shrinks the purchase ratio toward 1 when purchases are few
LIFT_BOUNDS = (0.5, 10.0)
CLICK_WINDOW = dt.timedelta(minutes=30)
PURCHASE_WINDOW = dt.timedelta(days=1)
QUERY_FLUSH_SECONDS = 60.0
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


def _brands_upsert(latest: Mapping[tuple[str, str], tuple[dt.datetime, dt.datetime]]) -> int:
    """Write (shopper, brand) -> (first, last) times: a new pair with both, a known one
    with its new last time (its first time stays). Bumps the shoppers topic."""
    if not latest:
        return 0
    now = clock.now()
    ShopperBrand.objects.bulk_create(
        [ShopperBrand(opaque_user_id=user, brand=brand, first_at=first, last_at=last, updated_at=now)
         for (user, brand), (first, last) in sorted(latest.items())],
        update_conflicts=True, unique_fields=["opaque_user_id", "brand"], update_fields=["last_at", "updated_at"],
        batch_size=500)
    changes.bump(changes.SHOPPERS)
    return len(latest)


def _merge(latest: dict, user: str, brand: str, at: dt.datetime) -> None:
    key = (user[:256], brand[:100])
    first, last = latest.get(key, (at, at))
    latest[key] = (min(first, at), max(last, at))


def shopper_brands_record(rows: Iterable[tuple[str, int, dt.datetime]]) -> int:
    """Remember the brands of the listings shoppers clicked or bought.

    ``rows``: ``(opaque user id, listing pk, when)``; rows without a user, or whose listing
    has no brand, are skipped. One query for the brands and one upsert. Returns the number
    of (shopper, brand) pairs written.
    """
    rows = [(user, listing_id, at) for user, listing_id, at in rows if user and listing_id]
    if not rows:
        return 0
    from sellers.models import Listing

    brands = dict(Listing.objects.filter(pk__in={listing_id for _, listing_id, _ in rows}).exclude(brand="")
                  .values_list("pk", "brand"))
    latest: dict = {}
    for user, listing_id, at in rows:
        brand = brands.get(listing_id)
        if brand:
            _merge(latest, user, brand, at)
    return _brands_upsert(latest)


class QueryTastes:
    """Brands named in shoppers' searches, held in memory until written (one per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict = {}
        self._last_flush: dt.datetime | None = None

    def note(self, user: str, brands: Iterable[str], at: dt.datetime) -> None:
        with self._lock:
            for brand in brands:
                _merge(self._pending, user, brand, at)

    def flush_if_due(self, now: dt.datetime) -> int:
        """Write what is pending when ``QUERY_FLUSH_SECONDS`` of marketplace time have passed
        since the last write (marketplace time: the simulator's runs stay repeatable)."""
        if self._last_flush is not None and (now - self._last_flush).total_seconds() < QUERY_FLUSH_SECONDS \
                and now >= self._last_flush:
            return 0
        return self.flush(now)

    def flush(self, now: dt.datetime | None = None) -> int:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = now or clock.now()
        return _brands_upsert(pending)

    def clear(self) -> None:
        with self._lock:
            self._pending, self._last_flush = {}, None


query_tastes = QueryTastes()


def shopper_brands(since: dt.datetime, *, written_since: dt.datetime | None = None
                   ) -> tuple[dict[str, set[str]], dt.datetime | None]:
    """Brands per shopper shown since ``since`` (only the rows written since
    ``written_since`` when given), and the newest write time seen (for the next read)."""
    rows = ShopperBrand.objects.filter(last_at__gte=since)
    if written_since is not None:
        rows = rows.filter(updated_at__gte=written_since)
    brands: dict[str, set[str]] = defaultdict(set)
    for user, brand in rows.values_list("opaque_user_id", "brand").iterator(chunk_size=5000):
        brands[user].add(brand)
    newest = ShopperBrand.objects.aggregate(n=Max("updated_at"))["n"]
    return dict(brands), newest


@dataclass(frozen=True)
class AffinityFigures:
    """What a shopper's own brand is worth, learnt from organic traffic."""

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


def affinity_learn(since: dt.datetime, until: dt.datetime, limit: int = 1_000_000) -> AffinityFigures | None:
    """The lift of a shopper's own brands, from organic impressions and clicks in [since, until).

    An impression (or click) is *affine* when its listing's brand was among the shopper's
    (``ShopperBrand.first_at`` before it). Click lift: the click rate (a click by the same
    shopper on the same listing within 30 minutes) of affine organic impressions over the
    others'. Purchase lift: the same for purchases (within a day) per valid click, with
    ``PURCHASE_PSEUDO_CLICKS`` clicks at the overall rate added to each side. None with
    fewer than ``MIN_AFFINE_IMPRESSIONS`` affine impressions or ``MIN_AFFINE_CLICKS``
    affine clicks.
    """
    from analytics.models import Click, Impression, PurchaseItem
    from sellers.models import Listing

    first_seen = {(user, brand): first for user, brand, first in ShopperBrand.objects.filter(
        first_at__lt=until).values_list("opaque_user_id", "brand", "first_at").iterator(chunk_size=5000)}
    if not first_seen:
        return None
    impressions = list(
        Impression.objects.filter(occurred_at__gte=since, occurred_at__lt=until, auction_id="",
                                  listing_id__isnull=False).exclude(opaque_user_id="")
        .order_by("-occurred_at").values_list("opaque_user_id", "listing_id", "occurred_at")[:limit])
    clicks = list(
        Click.objects.filter(occurred_at__gte=since, occurred_at__lt=until + CLICK_WINDOW, listing_id__isnull=False,
                             reason__isnull=True).exclude(opaque_user_id="")
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
    brands = dict(Listing.objects.filter(pk__in={r[1] for r in impressions} | {r[1] for r in clicks})
                  .exclude(brand="").values_list("pk", "brand"))

    def affine(user: str, listing_id: int, at: dt.datetime) -> bool:
        first = first_seen.get((user, brands.get(listing_id, "")))
        return first is not None and first < at

    def followed(times: list[dt.datetime] | None, at: dt.datetime, window: dt.timedelta) -> bool:
        if not times:
            return False
        i = bisect.bisect_left(times, at)
        return i < len(times) and times[i] <= at + window

    counts = {True: [0, 0], False: [0, 0]}  # affine -> [impressions, clicked]
    for user, listing_id, at in impressions:
        side = counts[affine(user, listing_id, at)]
        side[0] += 1
        side[1] += followed(clicked.get((user, listing_id)), at, CLICK_WINDOW)
    buys = {True: [0, 0], False: [0, 0]}  # affine -> [clicks, bought]
    for user, listing_id, at in clicks:
        if at >= until:
            continue
        side = buys[affine(user, listing_id, at)]
        side[0] += 1
        side[1] += followed(bought.get((user, listing_id)), at, PURCHASE_WINDOW)
    (imp_a, clk_a), (imp_o, clk_o) = counts[True], counts[False]
    if imp_a < MIN_AFFINE_IMPRESSIONS or clk_a < MIN_AFFINE_CLICKS or not imp_o or not clk_o:
        return None
    click_lift = (clk_a / imp_a) / (clk_o / imp_o)
    total = buys[True][0] + buys[False][0]
    rate = (buys[True][1] + buys[False][1]) / total if total else 0.0
    purchase_lift = 1.0
    if rate > 0:
        k = PURCHASE_PSEUDO_CLICKS
        purchase_lift = ((buys[True][1] + k * rate) / (buys[True][0] + k)) / (
            (buys[False][1] + k * rate) / (buys[False][0] + k))
    lift = min(max(click_lift * purchase_lift, LIFT_BOUNDS[0]), LIFT_BOUNDS[1])
    return AffinityFigures(lift, click_lift, purchase_lift, imp_a, imp_o, clk_a, clk_o)
