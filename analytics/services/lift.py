"""What the ads added: exposed shoppers against held-out shoppers (ghost ads), with an interval.

Shoppers held out by ``AuctionSettings.holdout_share`` see no ads, and who would have won
their auctions is recorded as a ghost win (``auction.holdout``). For a seller, the shoppers
with a real win and the held-out shoppers with a ghost win were picked by the same auction,
so what the held-out ones bought from the seller after their first ghost win is what the
exposed ones would have bought without ads. Per exposed shopper the ads added the
difference of the two means; times the exposed shoppers, the sales the ads added.

Estimates, recomputed by the periodic job ``lift`` (hourly) and stored in ``LiftEstimate``:
- ``seller:<id>``: the seller's sales to shoppers with a (ghost) win of theirs;
- ``marketplace``: per shopper, their purchases from every seller they had a (ghost) win of;
- ``category:<path>``: the same, of listings in one category;
- ``net``: per shopper, purchases from *every* seller, promoted or not, after their first
  (ghost) win: the ads' net effect on the marketplace, displaced organic sales included.

Purchases count from the first (ghost) win for ``horizon`` (the attribution window) and
cancelled orders not at all. Shoppers whose group changed (the admin moved the share)
are left out. The interval is the normal one on the difference of two means (Welch), the
held-out group's variance floored at the pooled one: a small group that happens to have
bought nothing must not look certain. Lift (the ratio of the means) uses the delta method
on its log. Docs: docs/architecture/lift.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction

from analytics.models import Cancellation, LiftEstimate, PurchaseItem
from auction.models import AdExposure, AuctionSettings
from core import clock
from core.marketplace_rules import attribution_window

Z90 = 1.6449
Z95 = 1.9600
LOOKBACK_DAYS = 28  # first (ghost) wins this recent are counted


@dataclass
class Moments:
    """Count, sum and sum of squares of one group's per-shopper outcomes (zeros count in n only)."""

    n: int = 0
    total: float = 0.0
    squares: float = 0.0
    values: list[float] = field(default_factory=list)  # the non-zero outcomes (for the bootstrap)

    def add(self, value: float) -> None:
        self.total += value
        self.squares += value * value
        self.values.append(value)

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        if self.n < 2:
            return 0.0
        return max(0.0, (self.squares - self.n * self.mean ** 2) / (self.n - 1))


@dataclass(frozen=True)
class Difference:
    """What the ads added to ``exposed`` shoppers' outcome (in its unit), with an interval."""

    incremental: float  # exposed shoppers x (exposed mean - held-out mean)
    low: float
    high: float
    lift: float | None  # exposed mean / held-out mean - 1
    lift_low: float | None
    lift_high: float | None


def difference_estimate(exposed: Moments, held_out: Moments, z: float = Z90) -> Difference | None:
    """The sum the ads added over the exposed group, and the lift; None below two shoppers a group.

    The interval is the wider of two: the normal one (Welch, the held-out variance floored
    at the pooled one; the lift's by the delta method on its log) and a percentile bootstrap
    of the shoppers (``_bootstrap``), which stays honest when the held-out group made only a
    handful of purchases and the normal approximation is optimistic. ``lift_high`` is None
    when the held-out group may have bought nothing at all (no upper bound).
    """
    a, b = exposed, held_out
    normal = normal_difference(a, b, z)
    if normal is None:
        return None
    boot = _bootstrap(a, b, z)
    low, high = min(normal.low, a.n * boot.low), max(normal.high, a.n * boot.high)
    lift_low, lift_high = normal.lift_low, normal.lift_high
    if normal.lift is not None:
        # A lift comes with its interval: both estimates have a lower bound then.
        assert normal.lift_low is not None and normal.lift_high is not None and boot.lift_low is not None
        lift_low = min(normal.lift_low, boot.lift_low)
        lift_high = None if boot.lift_high is None else max(normal.lift_high, boot.lift_high)
    return Difference(normal.incremental, low, high, normal.lift, lift_low, lift_high)


def normal_difference(exposed: Moments, held_out: Moments, z: float = Z90) -> Difference | None:
    """The normal-approximation part of ``difference_estimate``."""
    a, b = exposed, held_out
    if a.n < 2 or b.n < 2:
        return None
    pooled = ((a.n - 1) * a.variance + (b.n - 1) * b.variance) / (a.n + b.n - 2)
    var_b = max(b.variance, pooled)
    se = math.sqrt(a.variance / a.n + var_b / b.n)
    delta = a.mean - b.mean
    lift = lift_low = lift_high = None
    if a.mean > 0 and b.mean > 0:
        ratio = a.mean / b.mean
        se_log = math.sqrt(a.variance / (a.n * a.mean ** 2) + var_b / (b.n * b.mean ** 2))
        lift, lift_low, lift_high = ratio - 1, ratio * math.exp(-z * se_log) - 1, ratio * math.exp(z * se_log) - 1
    return Difference(a.n * delta, a.n * (delta - z * se), a.n * (delta + z * se), lift, lift_low, lift_high)


BOOTSTRAP_DRAWS = 400


@dataclass(frozen=True)
class _Percentiles:
    low: float  # of the difference of the means
    high: float
    lift_low: float
    lift_high: float | None  # None: some resamples' held-out group bought nothing


def _bootstrap(a: Moments, b: Moments, z: float) -> _Percentiles:
    """Percentile bootstrap of both groups' means: each resample draws how many shoppers
    bought (binomial) and which of the non-zero outcomes (uniformly); seeded, so the stored
    estimate does not move between runs on the same data."""
    rng = np.random.default_rng(0)
    tail = 100 * (1 - math.erf(z / math.sqrt(2))) / 2

    def means(m: Moments) -> np.ndarray:
        values = np.asarray(m.values, dtype=float)
        if not len(values):
            return np.zeros(BOOTSTRAP_DRAWS)
        buyers = rng.binomial(m.n, len(values) / m.n, size=BOOTSTRAP_DRAWS)
        picks = rng.integers(0, len(values), size=int(buyers.sum()))
        draw_of_pick = np.repeat(np.arange(BOOTSTRAP_DRAWS), buyers)
        return np.bincount(draw_of_pick, weights=values[picks], minlength=BOOTSTRAP_DRAWS) / m.n

    mean_a, mean_b = means(a), means(b)
    low, high = np.percentile(mean_a - mean_b, [tail, 100 - tail])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(mean_b > 0, mean_a / np.where(mean_b > 0, mean_b, 1.0), np.inf)
    # Nearest ranks, outward (no interpolation between a finite ratio and an infinite one).
    lift_low = np.percentile(ratios, tail, method="lower")
    lift_high = np.percentile(ratios, 100 - tail, method="higher")
    return _Percentiles(float(low), float(high), float(lift_low) - 1,
                        None if not np.isfinite(lift_high) else float(lift_high) - 1)


@dataclass
class _Groups:
    """Sales (micros) and orders per shopper, exposed and held out, for one estimate."""

    sales: tuple[Moments, Moments] = field(default_factory=lambda: (Moments(), Moments()))
    orders: tuple[Moments, Moments] = field(default_factory=lambda: (Moments(), Moments()))

    def shopper(self, held_out: bool, sales_micros: int, orders: int) -> None:
        self.count(held_out)
        self.bought(held_out, sales_micros, orders)

    def count(self, held_out: bool, shoppers: int = 1) -> None:
        self.sales[int(held_out)].n += shoppers
        self.orders[int(held_out)].n += shoppers

    def bought(self, held_out: bool, sales_micros: int, orders: int) -> None:
        if sales_micros:
            self.sales[int(held_out)].add(sales_micros)
            self.orders[int(held_out)].add(orders)


@dataclass(frozen=True)
class _Bought:
    at: dt.datetime
    order: str
    seller_id: int
    category: str
    micros: int


def lift_groups(end: dt.datetime, *, lookback_days: int = LOOKBACK_DAYS) -> tuple[dict[str, _Groups], dict]:
    """Every estimate's groups, by key (``seller:<id>``, ``marketplace``, ``category:<path>``, ``net``)."""
    start = end - dt.timedelta(days=lookback_days)
    horizon = attribution_window(AuctionSettings.load().attribution_window_days)
    wins: dict[str, dict[int, dt.datetime]] = defaultdict(dict)
    group_of: dict[str, bool | None] = {}
    for seller_id, user, held_out, at in (AdExposure.objects.filter(first_at__gte=start, first_at__lt=end)
                                          .values_list("seller_id", "opaque_user_id", "held_out", "first_at")
                                          .iterator(chunk_size=5000)):
        known = group_of.setdefault(user, held_out)
        if known is not None and known != held_out:
            group_of[user] = None  # both groups: the share moved; left out
        previous = wins[user].get(seller_id)
        wins[user][seller_id] = at if previous is None else min(previous, at)
    bought: dict[str, list[_Bought]] = defaultdict(list)
    # Both times (the same value): PostgreSQL then reads only those weeks of items and orders.
    items = (PurchaseItem.objects.filter(purchased_at__gte=start, purchased_at__lt=end,
                                         purchase__occurred_at__gte=start, purchase__occurred_at__lt=end)
             .values_list("purchase__opaque_user_id", "purchase__occurred_at", "purchase__order_id", "seller_id",
                          "listing__category", "unit_price_micros", "quantity"))
    orders = set()
    for user, at, order, seller_id, category, price, quantity in items.iterator(chunk_size=5000):
        if group_of.get(user) is not None:
            bought[user].append(_Bought(at, order, seller_id, category or "", price * quantity))
            orders.add(order)
    # Cancellations come after their purchase: those of the window's orders are in it.
    cancelled = set(Cancellation.objects.filter(occurred_at__gte=start).values_list("purchase_order_id", flat=True)
                    .iterator(chunk_size=5000)) & orders
    groups: dict[str, _Groups] = defaultdict(_Groups)
    per_group = [0, 0]  # shoppers exposed, held out
    for user, side in group_of.items():
        if side is None:
            continue
        held_out = side
        per_group[held_out] += 1
        mine = [b for b in bought.get(user, ()) if b.order not in cancelled]
        first = wins[user]
        promoted = [b for b in mine
                    if b.seller_id in first and first[b.seller_id] <= b.at < first[b.seller_id] + horizon]
        for seller_id in first:
            of_seller = [b for b in promoted if b.seller_id == seller_id]
            groups[f"seller:{seller_id}"].shopper(held_out, sum(b.micros for b in of_seller),
                                                  len({b.order for b in of_seller}))
        groups["marketplace"].shopper(held_out, sum(b.micros for b in promoted), len({b.order for b in promoted}))
        for category in {b.category for b in promoted if b.category}:  # every shopper counts: below
            in_category = [b for b in promoted if b.category == category]
            groups[f"category:{category}"].bought(held_out, sum(b.micros for b in in_category),
                                                  len({b.order for b in in_category}))
        since = min(first.values())
        after = [b for b in mine if since <= b.at < since + horizon]
        groups["net"].shopper(held_out, sum(b.micros for b in after), len({b.order for b in after}))
    for key, group in groups.items():
        if key.startswith("category:"):
            group.count(False, per_group[0])
            group.count(True, per_group[1])
    return dict(groups), {"start": start, "horizon_days": horizon.days, "shoppers": sum(per_group)}


def lift_estimate(groups: _Groups, z: float = Z90) -> tuple[Difference, Difference] | None:
    """(sales in micros, orders) the ads added for one estimate's groups; None without enough shoppers."""
    sales = difference_estimate(*groups.sales, z=z)
    orders = difference_estimate(*groups.orders, z=z)
    return None if sales is None or orders is None else (sales, orders)


def lift_estimates_store(now: dt.datetime | None = None) -> dict:
    """Recompute every estimate (90% intervals) and replace the stored ones; counts by scope."""
    end = now or clock.now()
    groups, info = lift_groups(end)
    rows = []
    for key, group in groups.items():
        estimate = lift_estimate(group)
        if estimate is None:
            continue
        sales, orders = estimate
        scope, _, rest = key.partition(":")
        rows.append(LiftEstimate(
            key=key[:240], scope=scope, seller_id=int(rest) if scope == LiftEstimate.Scope.SELLER else None,
            category=rest if scope == LiftEstimate.Scope.CATEGORY else "", computed_at=end,
            window_start=info["start"], window_end=end, horizon_days=info["horizon_days"],
            exposed_shoppers=group.sales[0].n, held_out_shoppers=group.sales[1].n,
            exposed_orders=round(group.orders[0].total), held_out_orders=round(group.orders[1].total),
            exposed_sales_micros=round(group.sales[0].total), held_out_sales_micros=round(group.sales[1].total),
            incremental_sales_micros=round(sales.incremental), incremental_sales_low_micros=round(sales.low),
            incremental_sales_high_micros=round(sales.high), incremental_orders=orders.incremental,
            incremental_orders_low=orders.low, incremental_orders_high=orders.high,
            lift=sales.lift, lift_low=sales.lift_low, lift_high=sales.lift_high,
        ))
    with transaction.atomic():
        LiftEstimate.objects.all().delete()
        LiftEstimate.objects.bulk_create(rows, batch_size=500)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.scope] += 1
    return {"shoppers": info["shoppers"], **counts}
