"""What the ads added, measured against held-out shoppers (ghost ads): stored estimates."""

from __future__ import annotations

from django.db import models

from core import clock
from sellers.models import Seller


class LiftEstimate(models.Model):
    """One stored estimate of what the ads added (``analytics.services.lift``), with its 90% interval.

    Exposed shoppers (a real win) against held-out shoppers (a ghost win), both from their
    first (ghost) win on, over ``horizon_days``. Recomputed by the periodic job ``lift``;
    pages read the latest rows, never compute them.
    """

    class Scope(models.TextChoices):
        SELLER = "seller", "One seller's sales"
        MARKETPLACE = "marketplace", "Promoted sellers' sales"
        CATEGORY = "category", "Promoted sellers' sales in one category"
        NET = "net", "All sellers' sales (the ads' net effect on the marketplace)"

    key = models.CharField(max_length=240, unique=True, help_text="scope, and the seller id or category.")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    category = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField(default=clock.now)
    window_start = models.DateTimeField(help_text="First (ghost) wins from this time on are counted.")
    window_end = models.DateTimeField()
    horizon_days = models.PositiveIntegerField(help_text="Purchases up to this many days after the first win.")
    exposed_shoppers = models.PositiveIntegerField(help_text="Shoppers with a real win (they could see the ad).")
    held_out_shoppers = models.PositiveIntegerField(help_text="Held-out shoppers with a ghost win.")
    exposed_orders = models.PositiveIntegerField(default=0)
    held_out_orders = models.PositiveIntegerField(default=0)
    exposed_sales_micros = models.BigIntegerField(default=0)
    held_out_sales_micros = models.BigIntegerField(default=0)
    incremental_sales_micros = models.BigIntegerField(help_text="Exposed shoppers' sales minus what they would "
                                                                "have bought without ads (held-out rate).")
    incremental_sales_low_micros = models.BigIntegerField()
    incremental_sales_high_micros = models.BigIntegerField()
    incremental_orders = models.FloatField()
    incremental_orders_low = models.FloatField()
    incremental_orders_high = models.FloatField()
    lift = models.FloatField(null=True, blank=True, help_text="Sales per exposed shopper over sales per held-out "
                                                              "shopper, minus 1 (none without held-out sales).")
    lift_low = models.FloatField(null=True, blank=True)
    lift_high = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["scope", "key"]
        indexes = [models.Index(fields=["scope", "computed_at"], name="lift_scope")]

    def __str__(self) -> str:
        return f"{self.key}: {self.incremental_sales_micros / 1e6:+.2f}"

    @property
    def enough_data(self) -> bool:
        """Whether the interval is narrower than the estimate (otherwise: "not enough data yet")."""
        width = self.incremental_sales_high_micros - self.incremental_sales_low_micros
        return self.held_out_shoppers > 0 and width < abs(self.incremental_sales_micros)
