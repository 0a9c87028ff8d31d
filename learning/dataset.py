"""Training rows from the marketplace's traffic, read from the events tables.

Click model: organic impressions, labelled 1 when the same buyer clicked the same listing
within ``CLICK_WINDOW`` after it. Purchase model: clicks (organic and valid sponsored),
labelled 1 when the same buyer bought that listing within ``PURCHASE_WINDOW``. Rows are
the most recent ones, at most ``limit``. Position curve: organic impressions and clicks
counted by page position (``position_counts``), two aggregate queries.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Count

from analytics.models import Click, Impression, PurchaseItem
from learning.features import ItemFeatures, Vocabulary, feature_matrix
from sellers.models import Listing, Seller

CLICK_WINDOW = dt.timedelta(minutes=30)
PURCHASE_WINDOW = dt.timedelta(days=1)


@dataclass
class Dataset:
    X: np.ndarray
    y: np.ndarray
    vocabulary: Vocabulary


def _item_features(listing_ids: set[int]) -> dict[int, tuple]:
    rows = {}
    listings = list(Listing.objects.filter(pk__in=listing_ids).values_list(
        "pk", "seller_id", "category", "brand", "condition", "price_micros", "listed_at", "created_at"))
    seller_ids = {r[1] for r in listings}
    closet = dict(Listing.objects.filter(seller_id__in=seller_ids).values_list("seller_id")
                  .annotate(n=Count("id")).values_list("seller_id", "n"))
    joined = dict(Seller.objects.filter(pk__in=seller_ids).values_list("pk", "joined_at"))
    for pk, seller_id, category, brand, condition, price, listed_at, created_at in listings:
        rows[pk] = (category, brand, condition, price, listed_at or created_at, closet.get(seller_id, 1),
                    joined.get(seller_id))
    return rows


def _features(info: tuple, at: dt.datetime) -> ItemFeatures:
    category, brand, condition, price, listed_at, closet_size, joined_at = info
    return ItemFeatures(
        category=category, brand=brand, condition=condition, price_micros=price,
        age_days=max(0.0, (at - listed_at).total_seconds() / 86400) if listed_at else 0.0,
        closet_size=closet_size,
        seller_tenure_days=max(0.0, (at - joined_at).total_seconds() / 86400) if joined_at else 0.0,
    )


def _times_by_pair(rows) -> dict[tuple[str, int], list[dt.datetime]]:
    pairs: dict[tuple[str, int], list[dt.datetime]] = defaultdict(list)
    for user, listing_id, at in rows:
        pairs[(user, listing_id)].append(at)
    for times in pairs.values():
        times.sort()
    return pairs


def _within(times: list[dt.datetime] | None, start: dt.datetime, window: dt.timedelta) -> bool:
    if not times:
        return False
    i = bisect.bisect_left(times, start)
    return i < len(times) and times[i] <= start + window


def _build(events: list[tuple], outcomes, window: dt.timedelta) -> Dataset | None:
    if not events:
        return None
    info = _item_features({e[1] for e in events})
    events = [e for e in events if e[1] in info]
    items = [_features(info[listing_id], at) for _, listing_id, _, _, at in events]
    vocab = Vocabulary.learn(items)
    X = feature_matrix(items, [e[2] or "search" for e in events], [e[3] or 1 for e in events], vocab)
    y = np.array([1 if _within(outcomes.get((user, lid)), at, window) else 0 for user, lid, _, _, at in events])
    return Dataset(X, y, vocab)


def click_dataset(since: dt.datetime, until: dt.datetime, limit: int = 1_000_000) -> Dataset | None:
    """Organic impressions in [since, until), newest first, labelled by a click after them."""
    impressions = list(
        Impression.objects.filter(occurred_at__gte=since, occurred_at__lt=until, auction_id="",
                                  listing_id__isnull=False)
        .exclude(opaque_user_id="").order_by("-occurred_at")
        .values_list("opaque_user_id", "listing_id", "placement", "position", "occurred_at")[:limit])
    clicks = _times_by_pair(
        Click.objects.filter(occurred_at__gte=since, occurred_at__lt=until + CLICK_WINDOW, auction_id="")
        .values_list("opaque_user_id", "listing_id", "occurred_at"))
    return _build(impressions, clicks, CLICK_WINDOW)


def purchase_dataset(since: dt.datetime, until: dt.datetime, limit: int = 1_000_000) -> Dataset | None:
    """Clicks (organic, and sponsored ones that were valid) labelled by a purchase of that listing."""
    clicks = list(
        Click.objects.filter(occurred_at__gte=since, occurred_at__lt=until, listing_id__isnull=False,
                             reason__isnull=True)
        .exclude(opaque_user_id="").order_by("-occurred_at")
        .values_list("opaque_user_id", "listing_id", "placement", "position", "occurred_at")[:limit])
    bought = _times_by_pair(
        # Both times (the same value): PostgreSQL then reads only those weeks of items and orders.
        PurchaseItem.objects.filter(purchased_at__gte=since, purchased_at__lt=until + PURCHASE_WINDOW,
                                    purchase__occurred_at__gte=since,
                                    purchase__occurred_at__lt=until + PURCHASE_WINDOW)
        .values_list("purchase__opaque_user_id", "listing_id", "purchase__occurred_at"))
    return _build(clicks, bought, PURCHASE_WINDOW)


def position_counts(since: dt.datetime, until: dt.datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Organic impressions and organic clicks in [since, until) per 1-based page position.

    One ``GROUP BY position`` query each (the time index serves the range). Organic means
    no auction id; sponsored events carry no position anyway. Anonymous events count too:
    the position curve is about pages, not about who looked at them.
    """
    def by_position(model) -> dict[int, int]:
        rows = (model.objects.filter(occurred_at__gte=since, occurred_at__lt=until, auction_id="",
                                     position__gte=1)
                .order_by().values("position").annotate(n=Count("id")).values_list("position", "n"))
        return {int(position): int(n) for position, n in rows}

    return by_position(Impression), by_position(Click)
