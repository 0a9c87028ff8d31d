"""Promoted Closet campaigns, their weekly budget periods and the ledger of charges."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core import clock
from sellers.models import Listing, Seller

DEFAULT_MIN_WEEKLY_BUDGET = 5_000_000  # $5
DEFAULT_MAX_WEEKLY_BUDGET = 1_000_000_000  # $1,000


class CampaignSettings(models.Model):
    """Marketplace-wide campaign rules (a singleton row, edited in admin)."""

    min_weekly_budget_micros = models.BigIntegerField(
        default=DEFAULT_MIN_WEEKLY_BUDGET, help_text="Smallest weekly budget a seller may set, in micros.")
    max_weekly_budget_micros = models.BigIntegerField(
        default=DEFAULT_MAX_WEEKLY_BUDGET, help_text="Largest weekly budget a seller may set, in micros.")

    class Meta:
        verbose_name = "campaign settings"
        verbose_name_plural = "campaign settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_weekly_budget_micros__gt=0)
                & Q(max_weekly_budget_micros__gte=F("min_weekly_budget_micros")),
                name="campaign_settings_budget_bounds",
            ),
        ]

    def __str__(self) -> str:
        return "Campaign settings"

    @classmethod
    def load(cls) -> CampaignSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


# The name every seller campaign gets: the product's name, shown translated (campaign_name filter).
DEFAULT_CAMPAIGN_NAME = "Promoted Closet"


class Campaign(models.Model):
    """A seller's Promoted Closet: a weekly budget, a bidding mode and the listings promoted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    class Bidding(models.TextChoices):
        AUTO = "auto", _("Automatic (ClosetAds bids for you)")
        MANUAL = "manual", _("Manual maximum cost per click")

    class Selection(models.TextChoices):
        ALL = "all", _("Whole closet (new listings join automatically)")
        CHOSEN = "chosen", _("Chosen listings")

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=100, default=DEFAULT_CAMPAIGN_NAME)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    weekly_budget_micros = models.BigIntegerField(help_text="Weekly budget in micros.")
    # A budget change made after the first week waits for the next Monday.
    next_weekly_budget_micros = models.BigIntegerField(
        null=True, blank=True, help_text="Weekly budget from the next budget week on, in micros.")
    # The budget week the pending budget applies from (so a week whose period opens late,
    # after the change was made, still keeps the budget it had when the change was made).
    next_weekly_budget_from = models.DateTimeField(
        null=True, blank=True, help_text="Start of the budget week the pending budget applies from.")
    bidding = models.CharField(max_length=10, choices=Bidding.choices, default=Bidding.AUTO)
    max_cpc_micros = models.BigIntegerField(
        null=True, blank=True, help_text="Manual bidding: the most a click may cost, in micros.")
    selection = models.CharField(max_length=10, choices=Selection.choices, default=Selection.ALL)
    listings = models.ManyToManyField(Listing, through="CampaignListing", blank=True, related_name="+")
    # Pacing state, moved every minute by the pacing controller.
    # A new campaign starts bidding a quarter of a click's expected value to the seller (a
    # return on ad spend of about 4-5x); pacing moves it between 0.05 and 1 from there.
    pacing_multiplier = models.FloatField(default=0.25, help_text="Bid multiplier (lambda) set by pacing.")
    # Starting in a fifth of the auctions and opening up when behind is safer than starting
    # in all of them: under-spending early is recovered later, overspending is not.
    pacing_throttle = models.FloatField(
        default=0.2, help_text="Share of auctions the campaign enters (1 = all), set by pacing.")
    launched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="campaign_status")]
        constraints = [
            # One live Promoted Closet per seller; ended ones stay for history.
            models.UniqueConstraint(
                fields=["seller"], condition=~Q(status="ended"), name="one_live_campaign_per_seller"),
            models.CheckConstraint(condition=Q(weekly_budget_micros__gt=0), name="campaign_budget_positive"),
            models.CheckConstraint(
                condition=~Q(bidding="manual") | Q(max_cpc_micros__gt=0), name="manual_campaign_has_max_cpc"),
        ]

    def __str__(self) -> str:
        return f"{self.name} of {self.seller.username}" if self.seller_id else self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class CampaignListing(models.Model):
    """A listing chosen for a campaign whose selection is ``chosen``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="chosen")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="campaign_choices")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "listing"], name="campaign_listing_once")]

    def __str__(self) -> str:
        return f"listing {self.listing_id} in campaign {self.campaign_id}"


class BudgetPeriod(models.Model):
    """One budget week of one campaign: Monday 00:00 to Monday 00:00, marketplace time.

    Invariants (checked by the database): 0 <= spent <= budget. ``spent`` moves only
    through ledger entries, and equals their sum.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="periods")
    week_start = models.DateTimeField(help_text="Monday 00:00 in the marketplace time zone (stored UTC).")
    week_end = models.DateTimeField()
    budget_micros = models.BigIntegerField()
    spent_micros = models.BigIntegerField(default=0)
    exhausted_at = models.DateTimeField(null=True, blank=True)
    # What was promoted when the week opened: the features the budget recommendation learns
    # from (the catalog changes later; these do not).
    promoted_listings = models.PositiveIntegerField(
        default=0, help_text="Available promoted listings when the week opened.")
    average_price_micros = models.BigIntegerField(
        default=0, help_text="Their average price when the week opened, in micros.")
    main_category = models.CharField(
        max_length=100, blank=True, help_text="Top-level category with most of them (Women, Men, ...).")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "week_start"], name="one_period_per_campaign_week"),
            models.CheckConstraint(
                condition=Q(spent_micros__gte=0) & Q(spent_micros__lte=F("budget_micros")),
                name="period_spent_within_budget"),
            models.CheckConstraint(condition=Q(budget_micros__gte=0), name="period_budget_not_negative"),
        ]
        # The auction index reads the current week's periods every few seconds.
        indexes = [models.Index(fields=["week_start"], name="budget_period_week")]

    def __str__(self) -> str:
        return f"{self.campaign_id} week of {self.week_start:%Y-%m-%d}"

    @property
    def remaining_micros(self) -> int:
        return self.budget_micros - self.spent_micros


class LedgerEntry(models.Model):
    """A movement of a period's spend: a click charge (+), a refund (-) or an adjustment."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"

    period = models.ForeignKey(BudgetPeriod, on_delete=models.PROTECT, related_name="entries")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount_micros = models.BigIntegerField(help_text="Added to the period's spend: charges > 0, refunds < 0.")
    # The analytics click this entry is about (no FK: the ledger must not depend on event storage).
    click_id = models.BigIntegerField(null=True, blank=True)
    refund_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refund",
        help_text="For a refund: the charge it reverses (each charge is refunded at most once).")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            # Weekly statements: a campaign's entries by time.
            models.Index(fields=["campaign", "created_at"], name="ledger_campaign_time"),
        ]
        constraints = [
            # A click is charged at most once, whatever the races.
            models.UniqueConstraint(fields=["click_id"], condition=Q(kind="charge", click_id__isnull=False),
                                    name="ledger_one_charge_per_click"),
            models.CheckConstraint(
                condition=(Q(kind="charge") & Q(amount_micros__gt=0))
                | (Q(kind="refund") & Q(amount_micros__lt=0))
                | Q(kind="adjustment"),
                name="ledger_sign_matches_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_micros} on {self.period_id}"


class BudgetForecast(models.Model):
    """The forecast a seller was shown for the weekly budget they chose.

    Kept so forecasts can be checked against what the following weeks delivered.
    """

    class Method(models.TextChoices):
        RULES = "rules", "Rules"
        MODEL = "model", "Learned model"
        HISTORY = "history", "The campaign's own weeks"
        MARKET = "market", "The market's recent weeks"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="forecasts")
    weekly_budget_micros = models.BigIntegerField()
    method = models.CharField(max_length=10, choices=Method.choices)
    history_weeks = models.PositiveIntegerField(default=0, help_text="Finished campaign weeks it learned from.")
    impressions_low = models.PositiveIntegerField()
    impressions_high = models.PositiveIntegerField()
    clicks_low = models.PositiveIntegerField()
    clicks_high = models.PositiveIntegerField()
    sales_low = models.PositiveIntegerField()
    sales_high = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "The forecast in force for this campaign": latest by time.
            models.Index(fields=["campaign", "created_at"], name="forecast_campaign_time"),
        ]

    def __str__(self) -> str:
        return f"forecast for campaign {self.campaign_id} at {self.weekly_budget_micros}"
