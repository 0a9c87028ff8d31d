"""What shoppers' tastes and price level are worth, learnt nightly from organic traffic.

The auction keeps and reads the tastes themselves (auction/affinity.py); this module reads
the events (analytics) to learn each kind's lift and the price-band factors, stored with the
click model (learning/service.py).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from analytics.models import Click, Impression, PurchaseItem
from auction.affinity import (
    AFFINITY_DAYS,
    CLICK_WINDOW,
    KINDS,
    LIFT_BOUNDS,
    MIN_AFFINE_CLICKS,
    MIN_AFFINE_IMPRESSIONS,
    MIN_BAND_IMPRESSIONS,
    MIN_PRICE_EVENTS,
    PRICE_EDGES,
    PRICE_FACTOR_BOUNDS,
    PURCHASE_PSEUDO_CLICKS,
    PURCHASE_WINDOW,
    AffinityFigures,
    listing_tastes,
    price_band,
)
from auction.models import ShopperTaste
from core.money import log_dollars
from sellers.models import Listing


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
        impressions = [(user, listing_id, at, bool(auction_id)) for user, listing_id, at, auction_id in (
            Impression.objects.filter(occurred_at__gte=since, occurred_at__lt=until, listing_id__isnull=False)
            .exclude(opaque_user_id="").order_by("-occurred_at")
            .values_list("opaque_user_id", "listing_id", "occurred_at", "auction_id")[:limit])]
        clicks = list(
            Click.objects.filter(occurred_at__gte=since, occurred_at__lt=until + CLICK_WINDOW,
                                 listing_id__isnull=False, reason__isnull=True).exclude(opaque_user_id="")
            .values_list("opaque_user_id", "listing_id", "occurred_at"))
        bought: dict[tuple[str, int], list[dt.datetime]] = defaultdict(list)
        for user, listing_id, at in PurchaseItem.objects.filter(  # both times: only those weeks are read
                purchased_at__gte=since, purchased_at__lt=until + PURCHASE_WINDOW,
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
    events = list(Click.objects.filter(occurred_at__gte=since - dt.timedelta(days=AFFINITY_DAYS),
                                       occurred_at__lt=until, listing_id__isnull=False, reason__isnull=True)
                  .exclude(opaque_user_id="").values_list("opaque_user_id", "occurred_at", "listing__price_micros"))
    events += list(PurchaseItem.objects.filter(  # both times: only those weeks are read
        purchased_at__gte=since - dt.timedelta(days=AFFINITY_DAYS), purchased_at__lt=until,
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
