"""Attribution credits: which sponsored click earned which purchased item."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from analytics.models.events import loose_fk
from campaigns.models import Campaign
from core import clock
from sellers.models import Listing, Seller


class AttributionCredit(models.Model):
    """A purchased item credited to a click (direct or halo), or the reversal of such a credit.

    Rows are never deleted or edited except ``reversed_at``: a credit that no longer holds
    (the order was cancelled, or a late click changed the answer) gets ``reversed_at`` and a
    reversal row (``reversal_of`` set, negated amount and order count). Sums over all rows are
    therefore always the live totals, and the hourly rollups fold new rows by id alone.
    At most one live credit per purchased item, and one reversal per credit (database
    constraints). On PostgreSQL partitioned by week of ``purchased_at`` with the purchases
    (``analytics.services.partitions``): the database's primary key is ``(id, purchased_at)``.
    """

    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct (the clicked listing was bought)"
        HALO = "halo", "Halo (another listing of the clicked seller was bought)"

    # No database constraints: purchases, items and credits are partitioned by week on PostgreSQL,
    # and a foreign key to a partitioned table would have to name its time too.
    item = models.ForeignKey("analytics.PurchaseItem", on_delete=models.CASCADE, related_name="credits",
                             db_constraint=False)
    purchase = models.ForeignKey("analytics.Purchase", on_delete=models.CASCADE, related_name="credits",
                                 db_constraint=False)
    click = loose_fk("analytics.Click")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    # The ad that earned it: the click's campaign and listing (the rollup cell).
    campaign = loose_fk(Campaign)
    listing = loose_fk(Listing, help_text="The clicked listing (for halo, not the one bought).")
    seller = loose_fk(Seller)
    amount_micros = models.BigIntegerField(help_text="Sales credited (unit price x quantity); negative on a reversal.")
    # 1 on one credit per (order, click, kind), 0 on the others: orders, not items, are counted.
    order_count = models.SmallIntegerField(default=1)
    purchased_at = models.DateTimeField(help_text="Sales are reported on the purchase date (the partition key).")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    reversed_at = models.DateTimeField(null=True, blank=True)
    # At most one reversal per credit (a unique key with the time, below).
    reversal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="reversals",
                                    db_constraint=False, db_index=False)

    class Meta:
        indexes = [
            # Attribution receipts: a seller's credited orders by purchase date.
            models.Index(fields=["seller", "purchased_at"], name="credit_seller_time"),
            # Rollup recompute: credits by purchase date.
            models.Index(fields=["purchased_at"], name="credit_time"),
        ]
        constraints = [
            # An item's credits all carry its order's time, so with the time this is still one per item.
            models.UniqueConstraint(fields=["item", "purchased_at"],
                                    condition=Q(reversed_at__isnull=True, reversal_of__isnull=True),
                                    name="one_live_credit_per_item"),
            models.UniqueConstraint(fields=["reversal_of", "purchased_at"], condition=Q(reversal_of__isnull=False),
                                    name="one_reversal_per_credit"),
        ]

    def __str__(self) -> str:
        label = "reversal of" if self.reversal_of_id else self.kind
        return f"{label} credit for item {self.item_id} to click {self.click_id}"

    @property
    def is_live(self) -> bool:
        return self.reversed_at is None and self.reversal_of_id is None
