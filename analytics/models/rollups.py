"""Hourly rollups (what dashboards read) and the watermarks that fold new events into them."""

from __future__ import annotations

from django.db import models

from analytics.models.events import loose_fk
from campaigns.models import Campaign
from core import clock
from sellers.models import Listing

METRICS = ("impressions", "clicks", "charged_clicks", "spend_micros", "direct_orders", "direct_sales_micros",
           "halo_orders", "halo_sales_micros")


class RollupMetrics(models.Model):
    """The metrics both rollup tables hold (``METRICS``), money in micros."""

    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    charged_clicks = models.BigIntegerField(default=0)
    spend_micros = models.BigIntegerField(default=0)
    direct_orders = models.BigIntegerField(default=0)
    direct_sales_micros = models.BigIntegerField(default=0)
    halo_orders = models.BigIntegerField(default=0)
    halo_sales_micros = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class HourlyStat(RollupMetrics):
    """One campaign x listing x UTC hour of sponsored activity.

    impressions and clicks (sponsored clicks with a genuine resolved bid, valid or not) by
    the hour they occurred; charged clicks and spend from the ledger by the hour of the
    ledger entry (a refund takes its click back in the hour it is made, as statements do);
    direct / halo orders and sales by the hour of the purchase, credited to the clicked listing.
    """

    campaign = loose_fk(Campaign)
    listing = loose_fk(Listing)
    hour = models.DateTimeField(help_text="Start of the UTC hour.")

    class Meta:
        constraints = [
            # The upsert target of the fold; also serves the per-listing table of a campaign.
            models.UniqueConstraint(fields=["campaign", "listing", "hour"], name="hourly_stat_cell"),
        ]
        indexes = [
            # Dashboards: a campaign's totals over a date range.
            models.Index(fields=["campaign", "hour"], name="hourly_stat_campaign_hour"),
            # Recompute of a range: delete the range's rows.
            models.Index(fields=["hour"], name="hourly_stat_hour"),
        ]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} listing {self.listing_id} @ {self.hour:%Y-%m-%d %H:00}"


class CampaignHourlyStat(RollupMetrics):
    """One campaign x UTC hour: ``HourlyStat`` summed over the listings, for reads that need no listing.

    Written in the same transaction as the ``HourlyStat`` cells it sums (the fold and the
    recompute), so each row is always exactly the sum of its campaign's listing cells in that
    hour; a row exists exactly when at least one such cell does. About 40x fewer rows than
    ``HourlyStat`` for a busy closet: the dashboard's days and totals read this.
    """

    campaign = loose_fk(Campaign)
    hour = models.DateTimeField(help_text="Start of the UTC hour.")

    class Meta:
        constraints = [
            # The upsert target of the fold; also the dashboard's index: a campaign's days over a date range.
            models.UniqueConstraint(fields=["campaign", "hour"], name="campaign_hourly_stat_cell"),
        ]
        indexes = [
            # Recompute of a range (delete the range's rows) and the admin's marketplace overview.
            models.Index(fields=["hour"], name="campaign_hourly_stat_hour"),
        ]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} @ {self.hour:%Y-%m-%d %H:00}"


class Watermark(models.Model):
    """How far a periodic job has read a source table, as the highest id it has processed.

    Ids (ingestion order), not event times: a late event gets a new, higher id and is still
    folded; see ``analytics.horizon`` for why every id up to the position is final.
    """

    name = models.CharField(max_length=50, unique=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class MarketplaceOverview(HourlyStat):
    """No table of its own: the admin's marketplace-wide overview page, listed on the admin index."""

    class Meta:
        proxy = True
        verbose_name = "marketplace overview"
        verbose_name_plural = "marketplace overview"
