"""Raw events as the storefront reports them, stored once each (idempotent by the storefront's id).

Foreign keys to the catalog and campaigns are declared without database constraints
(``db_constraint=False``, ``DO_NOTHING``): a row-level FK check per inserted event would
cost as much as the insert, deleting a listing must not touch its history, and the future
daily partitions should not carry cross-table constraints. The ORM still joins them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from campaigns.models import Campaign, LedgerEntry
from core import clock
from sellers.models import Listing, Seller

PLACEMENTS = frozenset({"search", "category", "feed", "listing", "closet"})
EVENT_ID_MAX = 100
USER_ID_MAX = 256


def loose_fk(model, **kwargs):
    # No index either unless a query needs one (declared in Meta.indexes with its reason).
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                             related_name="+", **kwargs)


class _AdEvent(models.Model):
    """What an impression and a click share: who, when, which listing, and the resolved bid.

    Both tables are partitioned by week of ``occurred_at`` on PostgreSQL
    (``analytics.services.partitions``): a partitioned table's unique keys must include the
    partition key, so the storefront's id is unique with the time (a resent event carries the
    same ``occurredAt``), and the database's primary key is ``(id, occurred_at)`` (Django still
    addresses rows by ``id``, which one sequence hands out).
    """

    event_id = models.CharField(max_length=EVENT_ID_MAX,
                                help_text="The storefront's id (idempotency key, with the time).")
    occurred_at = models.DateTimeField()
    opaque_user_id = models.CharField(max_length=USER_ID_MAX, blank=True,
                                      help_text="The storefront's user id, as given.")
    listing = loose_fk(Listing, null=True, blank=True)
    placement = models.CharField(max_length=16, blank=True)
    # Organic: the 1-based position on the page. Sponsored: null (the slot is below).
    position = models.PositiveIntegerField(null=True, blank=True)
    # Sponsored only, copied from the verified resolved bid so nothing needs a lookup later.
    auction_id = models.CharField(max_length=64, blank=True)
    campaign = loose_fk(Campaign, null=True, blank=True)
    price_micros = models.BigIntegerField(null=True, blank=True, help_text="The resolved bid's click price, in micros.")
    slot = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        abstract = True
        # Named per table: impression_event_once, impression_time; click_event_once, click_time.
        constraints = [
            models.UniqueConstraint(fields=["event_id", "occurred_at"], name="%(class)s_event_once"),
        ]
        indexes = [
            # Rollup recompute and model training read events by time range.
            models.Index(fields=["occurred_at"], name="%(class)s_time"),
        ]

    @property
    def sponsored(self) -> bool:
        return bool(self.auction_id)


class Impression(_AdEvent):
    """A listing shown on a page: sponsored (with its resolved bid) or organic (with its position).

    Partitioned by week of ``occurred_at`` on PostgreSQL, unique by the storefront's id with the
    time (``_AdEvent``).
    """

    def __str__(self) -> str:
        return f"impression {self.event_id}"


class Click(_AdEvent):
    """A click on a listing. A sponsored click is validated once, when it arrives, and charged at
    most once; an invalid one is kept, free, with its reason.

    Partitioned by week of ``occurred_at`` on PostgreSQL, as impressions are (``_AdEvent``): the
    storefront's id is unique with the time, and the claim that lets only a bid's first click be
    charged lives in ``ClickBid`` (a unique key on this table could not span its weeks).
    """

    class Reason(models.TextChoices):
        BAD_SIGNATURE = "bad_signature", "Bad signature (tampered resolved bid)"
        EXPIRED = "expired", "Resolved bid expired"
        CLICK_BEFORE_AUCTION = "click_before_auction", "Click before its auction"
        DUPLICATE = "duplicate", "Duplicate click on the same resolved bid"
        REPEAT_CLICK = "repeat_click", "Repeat click by the same user within the dedup window"
        SELF_CLICK = "self_click", "Seller clicked their own listing"
        BUDGET_EXHAUSTED = "budget_exhausted", "Budget exhausted (free click)"
        CAMPAIGN_NOT_ACTIVE = "campaign_not_active", "Campaign no longer active"

    # Denormalised from the listing at ingestion: halo attribution looks for clicks by seller.
    seller = loose_fk(Seller, null=True, blank=True)
    charged = models.BooleanField(default=False)
    reason = models.CharField(max_length=24, choices=Reason.choices, null=True, blank=True,
                              help_text="Why a sponsored click was not charged; empty when charged (or organic).")
    # The charge in the ledger (LedgerEntry.click_id points back here, refunds too).
    ledger_entry = loose_fk(LedgerEntry, null=True, blank=True)
    # "<auction id>:<listing pk>" on the click that claimed its resolved bid (ClickBid).
    bid_key = models.CharField(max_length=100, null=True, blank=True, editable=False)

    class Meta(_AdEvent.Meta):
        indexes = [
            *_AdEvent.Meta.indexes,
            # Attribution (a buyer's valid clicks in the window) and the repeat-click check
            # (the same buyer's charged clicks around this one).
            models.Index(fields=["opaque_user_id", "occurred_at"], condition=Q(charged=True),
                         name="click_user_charged_time"),
            # Admin: invalid clicks by reason, newest first.
            models.Index(fields=["reason", "-id"], condition=Q(reason__isnull=False), name="click_invalid_reason"),
        ]

    def __str__(self) -> str:
        return f"click {self.event_id}"


class ClickBid(models.Model):
    """A resolved bid that has had its first sponsored click: the claim that makes every later
    click on it a duplicate, never charged. The insert of the claim is atomic (a concurrent
    second click waits for the first's transaction, then conflicts). Kept as long as clicks
    are (``CLOSETADS_RETENTION_CLICKS_DAYS``); a bid expires within hours anyway."""

    bid_key = models.CharField(max_length=100, primary_key=True, help_text="<auction id>:<listing pk>.")
    claimed_at = models.DateTimeField(help_text="When the claiming click occurred.")

    class Meta:
        indexes = [
            # Retention drops claims by age.
            models.Index(fields=["claimed_at"], name="click_bid_claimed"),
        ]

    def __str__(self) -> str:
        return f"bid {self.bid_key}"


class Purchase(models.Model):
    """An order reported by the storefront; its listings become sold.

    Partitioned by week of ``occurred_at`` on PostgreSQL, with its items and their credits
    (``analytics.services.partitions``): the order id is unique with the order's time (a
    resent order carries the same ``occurredAt``), and the database's primary key is ``(id,
    occurred_at)`` (Django still addresses rows by ``id``, which one sequence hands out).
    """

    order_id = models.CharField(max_length=EVENT_ID_MAX,
                                help_text="The storefront's order id (idempotency key, with the time).")
    occurred_at = models.DateTimeField()
    opaque_user_id = models.CharField(max_length=USER_ID_MAX, blank=True)
    received_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            # Idempotent ingestion; cancellations, the admin and attribution look orders up by id.
            models.UniqueConstraint(fields=["order_id", "occurred_at"], name="purchase_order_once"),
        ]
        indexes = [
            # `attribute --since --until`: purchases by time range.
            models.Index(fields=["occurred_at"], name="purchase_time"),
            # Re-attribution after a late click: the buyer's purchases after that click.
            models.Index(fields=["opaque_user_id", "occurred_at"], name="purchase_user_time"),
        ]

    def __str__(self) -> str:
        return f"order {self.order_id}"


class PurchaseItem(models.Model):
    """One listing bought in an order (a listing is one of a kind; quantity is kept as sent).

    Carries its order's time (``purchased_at``): on PostgreSQL the items are partitioned by
    week of it, so an order's week of items is dropped with the order's week. The foreign
    key to the order has no database constraint (a key to a partitioned table would have to
    name its time too); Django still joins it and cascades a deletion.
    """

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="items", db_constraint=False,
                                 db_index=False)  # the unique key below leads with it
    purchased_at = models.DateTimeField(help_text="The order's time (Purchase.occurred_at): the partition key.")
    listing = loose_fk(Listing)
    # Denormalised from the listing at ingestion: halo attribution matches on the seller.
    seller = loose_fk(Seller)
    unit_price_micros = models.BigIntegerField()
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            # Attribution reads an order's items by purchase id (and time).
            models.UniqueConstraint(fields=["purchase", "listing", "purchased_at"], name="purchase_item_once"),
            models.CheckConstraint(condition=Q(unit_price_micros__gt=0) & Q(quantity__gte=1),
                                   name="purchase_item_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x listing {self.listing_id} in {self.purchase_id}"

    @property
    def sales_micros(self) -> int:
        return self.unit_price_micros * self.quantity


class Cancellation(models.Model):
    """A cancelled order. Kept by the order id as sent, so it may arrive before its purchase."""

    event_id = models.CharField(max_length=EVENT_ID_MAX, unique=True)
    purchase_order_id = models.CharField(max_length=EVENT_ID_MAX, db_index=True,
                                         help_text="Purchase.order_id (attribution: is this order cancelled?).")
    occurred_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"cancellation {self.event_id} of {self.purchase_order_id}"


class SellerIdentity(models.Model):
    """The storefront's opaque user id of a seller, so a seller clicking their own ad is free.

    Filled by ``seller_identity_link`` (admin, catalog sync, the simulator).
    """

    opaque_user_id = models.CharField(max_length=USER_ID_MAX, unique=True)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name_plural = "seller identities"

    def __str__(self) -> str:
        return f"{self.opaque_user_id} is seller {self.seller_id}"
