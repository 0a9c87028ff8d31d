"""Applying the attribution rules (analytics.attribution_rules) to stored purchases and clicks.

``attribution_apply`` is the one writer: for each purchase it computes the credits the
rules give now and, if they differ from the live ones, reverses the live ones (reversal
rows) and writes the new ones. Running it again changes nothing, so every caller (the
minute task, the ``attribute`` command, the simulator) can re-run any range safely.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db import transaction

from analytics import attribution_rules
from analytics.horizon import committed_horizons
from analytics.models import AttributionCredit, Cancellation, Click, Purchase, PurchaseItem
from analytics.services.watermarks import watermark_advance, watermark_positions, watermarks_lock
from analytics.sql import any_of, fetch_rows, fetch_rows_per_key, insert_rows
from auction.models import AuctionSettings
from core import clock
from core.marketplace_rules import attribution_window
from core.memory import collector_paused

CHUNK = 2000
# Held (FOR UPDATE) while credits are written, so two runs never write the same items at once.
MUTEX = "attribution.lock"
PURCHASES_MARK = "attribution.purchases"
CLICKS_MARK = "attribution.clicks"
CANCELLATIONS_MARK = "attribution.cancellations"


@dataclass
class AttributionResult:
    purchases: int = 0
    credited: int = 0
    reversed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# The primary key, then attribution_rules.Credit's fields in order.
_CREDIT_COLUMNS = ("pk", "item_id", "purchase_id", "click_id", "kind", "campaign_id", "listing_id", "seller_id",
                   "amount_micros", "order_count", "purchased_at")
_NEW_CREDIT_FIELDS = ("item", "purchase", "click", "kind", "campaign", "listing", "seller", "amount_micros",
                      "order_count", "purchased_at", "created_at")


def _apply_chunk(purchase_ids: list[int], *, window: dt.timedelta, halo: bool, result: AttributionResult) -> None:
    # The ids are sorted; their range lets the planner read an index range instead of the table.
    span = (purchase_ids[0], purchase_ids[-1])
    purchases = {pk: (order_id, user, at) for pk, order_id, user, at in fetch_rows(
        Purchase.objects.filter(any_of("pk", purchase_ids), pk__range=span).values_list(
            "pk", "order_id", "opaque_user_id", "occurred_at"))}
    if not purchases:
        return
    cancelled = {order for (order,) in fetch_rows(Cancellation.objects.filter(
        any_of("purchase_order_id", [p[0] for p in purchases.values()])).values_list("purchase_order_id"))}
    # Items and credits carry their order's time: its range keeps PostgreSQL to those weeks' partitions.
    times = {"purchased_at__gte": min(p[2] for p in purchases.values()),
             "purchased_at__lte": max(p[2] for p in purchases.values())}
    items = []
    for pk, purchase_id, listing_id, seller_id, price, quantity in fetch_rows(PurchaseItem.objects.filter(
            any_of("purchase_id", purchases), purchase_id__gte=span[0], purchase_id__lte=span[1], **times).values_list(
                "pk", "purchase_id", "listing_id", "seller_id", "unit_price_micros", "quantity")):
        order_id, user, at = purchases[purchase_id]
        items.append(attribution_rules.PurchasedItem(pk, purchase_id, user, listing_id, seller_id, at, price * quantity,
                                               cancelled=order_id in cancelled))
    users = {i.user for i in items if i.user and not i.cancelled}
    clicks = []
    if users:
        clicks = [attribution_rules.AdClick(*row) for row in fetch_rows_per_key(Click.objects.filter(
            charged=True, occurred_at__gte=times["purchased_at__gte"] - window,
            occurred_at__lt=times["purchased_at__lte"]).values_list(
                "pk", "opaque_user_id", "listing_id", "seller_id", "campaign_id", "occurred_at"),
            "opaque_user_id", sorted(users))]
    wanted: dict[int, set] = defaultdict(set)
    for credit in attribution_rules.attribute(items, clicks, window=window, halo=halo):
        wanted[credit.purchase_id].add(credit)
    live: dict[int, dict[int, attribution_rules.Credit]] = defaultdict(dict)
    for row in fetch_rows(AttributionCredit.objects.filter(
            any_of("purchase_id", purchases), purchase_id__gte=span[0], purchase_id__lte=span[1],
            reversed_at__isnull=True, reversal_of__isnull=True, **times).values_list(*_CREDIT_COLUMNS)):
        live[row[2]][row[0]] = attribution_rules.Credit(*row[1:])

    now = clock.now()
    to_reverse: dict[int, attribution_rules.Credit] = {}
    to_create: list[attribution_rules.Credit] = []
    for purchase_id in purchases:
        have = live.get(purchase_id, {})
        want = wanted.get(purchase_id, set())
        if set(have.values()) == want:
            continue
        # Replace the order's credits as a whole, so each order is counted once per click and kind.
        to_reverse.update(have)
        to_create.extend(sorted(want))
    if to_reverse:
        AttributionCredit.objects.filter(any_of("pk", to_reverse)).update(reversed_at=now)
        insert_rows(AttributionCredit, ("reversal_of", *_NEW_CREDIT_FIELDS), [
            (pk, c.item_id, c.purchase_id, c.click_id, c.kind, c.campaign_id, c.listing_id, c.seller_id,
             -c.amount_micros, -c.order_count, c.purchased_at, now)
            for pk, c in sorted(to_reverse.items())])
    # One statement with one array per column (analytics.sql), not bulk_create's placeholder per value.
    insert_rows(AttributionCredit, _NEW_CREDIT_FIELDS, [
        (c.item_id, c.purchase_id, c.click_id, c.kind, c.campaign_id, c.listing_id, c.seller_id, c.amount_micros,
         c.order_count, c.purchased_at, now) for c in to_create])
    result.purchases += len(purchases)
    result.credited += len(to_create)
    result.reversed += len(to_reverse)


def attribution_apply(purchase_ids: Iterable[int]) -> AttributionResult:
    """Make the credits of these purchases what the rules say now; idempotent.

    Window and halo switch come from AuctionSettings. Works in chunks of 2,000 purchases,
    one transaction each, holding the attribution lock (a row lock) so concurrent runs
    queue instead of racing. Credits that no longer hold are reversed, not deleted.
    """
    settings = AuctionSettings.load()
    window = attribution_window(settings.attribution_window_days)
    ids = sorted(set(purchase_ids))
    result = AttributionResult()
    for start in range(0, len(ids), CHUNK):
        # A chunk builds ~10,000 tuples and no cycles: the collector's passes only cost time (core.memory).
        with transaction.atomic(), collector_paused():
            watermarks_lock([MUTEX])
            _apply_chunk(ids[start:start + CHUNK], window=window, halo=settings.halo_enabled, result=result)
    return result


def _purchases_after_clicks(clicks: list[tuple[str, dt.datetime]], window: dt.timedelta) -> set[int]:
    """Purchases that a (late) click could now credit: the buyer's, after the click, within the window."""
    spans: dict[str, list[dt.datetime]] = {}
    for user, at in clicks:
        if user:
            span = spans.setdefault(user, [at, at])
            span[0], span[1] = min(span[0], at), max(span[1], at)
    if not spans:
        return set()
    lowest = min(s[0] for s in spans.values())
    highest = max(s[1] for s in spans.values())
    affected = set()
    for pk, user, at in Purchase.objects.filter(
            opaque_user_id__in=list(spans), occurred_at__gt=lowest, occurred_at__lte=highest + window
    ).values_list("pk", "opaque_user_id", "occurred_at"):
        first, last = spans[user]
        if first < at <= last + window:
            affected.add(pk)
    return affected


def attribution_run_pending() -> AttributionResult:
    """Attribute what changed since the last run: new purchases, new cancellations, and purchases
    that a click arriving after them could now credit. Safe to run twice (and concurrently)."""
    horizons = committed_horizons([Purchase, Click, Cancellation])
    marks = watermark_positions([PURCHASES_MARK, CLICKS_MARK, CANCELLATIONS_MARK])
    window = attribution_window(AuctionSettings.load().attribution_window_days)
    affected: set[int] = set()
    upto = {PURCHASES_MARK: horizons[Purchase], CLICKS_MARK: horizons[Click],
            CANCELLATIONS_MARK: horizons[Cancellation]}
    if upto[PURCHASES_MARK] is not None:
        affected.update(Purchase.objects.filter(pk__gt=marks[PURCHASES_MARK], pk__lte=upto[PURCHASES_MARK])
                        .values_list("pk", flat=True))
    if upto[CLICKS_MARK] is not None:
        late = list(Click.objects.filter(pk__gt=marks[CLICKS_MARK], pk__lte=upto[CLICKS_MARK], charged=True)
                    .values_list("opaque_user_id", "occurred_at"))
        affected |= _purchases_after_clicks(late, window)
    if upto[CANCELLATIONS_MARK] is not None:
        orders = list(Cancellation.objects.filter(pk__gt=marks[CANCELLATIONS_MARK], pk__lte=upto[CANCELLATIONS_MARK])
                      .values_list("purchase_order_id", flat=True))
        if orders:
            affected.update(Purchase.objects.filter(order_id__in=orders).values_list("pk", flat=True))
    result = attribution_apply(affected)
    for name, position in upto.items():
        if position is not None:
            watermark_advance(name, position)
    return result


def attribution_recompute(since: dt.datetime, until: dt.datetime) -> AttributionResult:
    """Re-apply the rules to every purchase made in [since, until) (UTC); idempotent."""
    ids = list(Purchase.objects.filter(occurred_at__gte=since, occurred_at__lt=until).values_list("pk", flat=True))
    return attribution_apply(ids)
