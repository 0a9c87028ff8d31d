"""Shoppers' brands: what the auction knows of one shopper's taste, and what it is worth.

An ad can add sales where it fits *this* shopper better than a ranking built for everyone
(design.md, Models). The plainest sign the platform has is the brands a shopper keeps
clicking and buying: the events fill ``ShopperBrand`` (``shopper_brands_record``), each
auction index keeps the brands of shoppers seen lately in memory (``shopper_brands``,
read incrementally, no query per auction), and the auction multiplies a candidate's
predicted click-and-purchase rate by the learnt ``lift`` when its brand is one of the
shopper's (``auction.ranking``).

The lift is learnt at each training (``affinity_learn``) from organic traffic: the click
rate of impressions whose brand the shopper had clicked or bought before, against the
others', times the same ratio for purchases per click (shrunk toward 1 when purchases are
few). Until there is one, the lift is 1: the shopper's brands change nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max

from auction.models import ShopperBrand
from closetads import changes, clock

AFFINITY_DAYS = 28  # brands clicked or bought this long ago still count
# A listing's brand counts as the shopper's if they clicked or bought another listing of it
# in the AFFINITY_DAYS before.
MIN_AFFINE_IMPRESSIONS = 200
MIN_AFFINE_CLICKS = 20
PURCHASE_PSEUDO_CLICKS = 200.0  # shrinks the purchase ratio toward 1 when purchases are few
LIFT_BOUNDS = (0.5, 10.0)
CLICK_WINDOW = dt.timedelta(minutes=30)
PURCHASE_WINDOW = dt.timedelta(days=1)


def shopper_brands_record(rows: Iterable[tuple[str, int, dt.datetime]]) -> int:
    """Remember the brands of the listings shoppers clicked or bought.

    ``rows``: ``(opaque user id, listing pk, when)``; rows without a user, or whose listing
    has no brand, are skipped. One query for the brands and one upsert; bumps the
    ``shoppers`` change topic after commit. Returns the number of (shopper, brand) pairs
    written.
    """
    rows = [(user, listing_id, at) for user, listing_id, at in rows if user and listing_id]
    if not rows:
        return 0
    from sellers.models import Listing

    brands = dict(Listing.objects.filter(pk__in={listing_id for _, listing_id, _ in rows}).exclude(brand="")
                  .values_list("pk", "brand"))
    latest: dict[tuple[str, str], dt.datetime] = {}
    for user, listing_id, at in rows:
        brand = brands.get(listing_id)
        if brand:
            key = (user[:256], brand)
            if key not in latest or at > latest[key]:
                latest[key] = at
    if not latest:
        return 0
    now = clock.now()
    ShopperBrand.objects.bulk_create(
        [ShopperBrand(opaque_user_id=user, brand=brand, last_at=at, updated_at=now)
         for (user, brand), at in sorted(latest.items())],
        update_conflicts=True, unique_fields=["opaque_user_id", "brand"], update_fields=["last_at", "updated_at"],
        batch_size=500)
    changes.bump(changes.SHOPPERS)
    return len(latest)


def shopper_brands(since: dt.datetime, *, written_since: dt.datetime | None = None
                   ) -> tuple[dict[str, set[str]], dt.datetime | None]:
    """Brands per shopper clicked or bought since ``since`` (only the rows written since
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


def _history(since: dt.datetime, until: dt.datetime) -> dict[tuple[str, str], list[tuple[dt.datetime, int]]]:
    """(shopper, brand) -> sorted (time, listing) of their valid clicks and purchases."""
    from analytics.models import Click, PurchaseItem
    from sellers.models import Listing

    events: list[tuple[str, int, dt.datetime]] = list(
        Click.objects.filter(occurred_at__gte=since, occurred_at__lt=until, listing_id__isnull=False,
                             reason__isnull=True).exclude(opaque_user_id="")
        .values_list("opaque_user_id", "listing_id", "occurred_at"))
    events += list(PurchaseItem.objects.filter(purchase__occurred_at__gte=since, purchase__occurred_at__lt=until)
                   .exclude(purchase__opaque_user_id="")
                   .values_list("purchase__opaque_user_id", "listing_id", "purchase__occurred_at"))
    brands = dict(Listing.objects.filter(pk__in={e[1] for e in events}).exclude(brand="")
                  .values_list("pk", "brand"))
    history: dict[tuple[str, str], list[tuple[dt.datetime, int]]] = defaultdict(list)
    for user, listing_id, at in events:
        brand = brands.get(listing_id)
        if brand:
            history[(user, brand)].append((at, listing_id))
    for times in history.values():
        times.sort()
    return history


def _affine(history, user: str, brand: str, listing_id: int, at: dt.datetime) -> bool:
    """Whether ``user`` clicked or bought another listing of ``brand`` in the days before ``at``."""
    times = history.get((user, brand))
    if not times:
        return False
    start = bisect.bisect_left(times, (at - dt.timedelta(days=AFFINITY_DAYS), 0))
    end = bisect.bisect_left(times, (at, 0))
    return any(other != listing_id for _, other in times[start:end])


def affinity_learn(since: dt.datetime, until: dt.datetime, limit: int = 1_000_000) -> AffinityFigures | None:
    """The lift of a shopper's own brands, from organic impressions and clicks in [since, until).

    Click lift: organic impressions whose listing's brand the shopper had clicked or bought
    (another listing of it) before, clicked within 30 minutes, against the other
    impressions. Purchase lift: the same for purchases (within a day) per organic or valid
    click, with ``PURCHASE_PSEUDO_CLICKS`` clicks at the overall rate added to each side.
    None with fewer than ``MIN_AFFINE_IMPRESSIONS`` affine impressions or
    ``MIN_AFFINE_CLICKS`` affine clicks.
    """
    from analytics.models import Click, Impression, PurchaseItem
    from sellers.models import Listing

    history = _history(since - dt.timedelta(days=AFFINITY_DAYS), until)
    if not history:
        return None
    impressions = list(
        Impression.objects.filter(occurred_at__gte=since, occurred_at__lt=until, auction_id="",
                                  listing_id__isnull=False).exclude(opaque_user_id="")
        .order_by("-occurred_at").values_list("opaque_user_id", "listing_id", "occurred_at")[:limit])
    clicks = list(
        Click.objects.filter(occurred_at__gte=since, occurred_at__lt=until, listing_id__isnull=False,
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

    def followed(times: list[dt.datetime] | None, at: dt.datetime, window: dt.timedelta) -> bool:
        if not times:
            return False
        i = bisect.bisect_left(times, at)
        return i < len(times) and times[i] <= at + window

    counts = {True: [0, 0], False: [0, 0]}  # affine -> [impressions, clicks]
    for user, listing_id, at in impressions:
        brand = brands.get(listing_id)
        affine = bool(brand) and _affine(history, user, brand, listing_id, at)
        counts[affine][0] += 1
        counts[affine][1] += followed(clicked.get((user, listing_id)), at, CLICK_WINDOW)
    buys = {True: [0, 0], False: [0, 0]}  # affine -> [clicks, purchases]
    for user, listing_id, at in clicks:
        brand = brands.get(listing_id)
        affine = bool(brand) and _affine(history, user, brand, listing_id, at)
        buys[affine][0] += 1
        buys[affine][1] += followed(bought.get((user, listing_id)), at, PURCHASE_WINDOW)
    (imp_a, clk_a), (imp_o, clk_o) = counts[True], counts[False]
    if imp_a < MIN_AFFINE_IMPRESSIONS or clk_a < MIN_AFFINE_CLICKS or not imp_o or not clk_o:
        return None
    click_lift = (clk_a / imp_a) / (clk_o / imp_o)
    total_clicks = buys[True][0] + buys[False][0]
    rate = (buys[True][1] + buys[False][1]) / total_clicks if total_clicks else 0.0
    if rate > 0:
        k = PURCHASE_PSEUDO_CLICKS
        affine_rate = (buys[True][1] + k * rate) / (buys[True][0] + k)
        other_rate = (buys[False][1] + k * rate) / (buys[False][0] + k)
        purchase_lift = affine_rate / other_rate
    else:
        purchase_lift = 1.0
    lift = min(max(click_lift * purchase_lift, LIFT_BOUNDS[0]), LIFT_BOUNDS[1])
    return AffinityFigures(lift, click_lift, purchase_lift, imp_a, imp_o, clk_a, clk_o)
