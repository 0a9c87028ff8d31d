"""Auction settings (admin-tunable) and, later, what auctions decided."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from closetads import changes


class AuctionSettings(models.Model):
    """The marketplace's auction and attribution rules: one row, edited in Django admin."""

    class Pricing(models.TextChoices):
        SECOND = "second", "Second price (least bid that keeps the rank, + $0.01)"
        FIRST = "first", "First price (the bid)"

    reserve_cpc_micros = models.BigIntegerField(
        default=100_000, validators=[MinValueValidator(10_000)],
        help_text="Least a click may cost, in micros ($0.10 = 100000).")
    auto_max_cpc_micros = models.BigIntegerField(
        default=2_000_000, validators=[MinValueValidator(10_000)],
        help_text="Most an automatic bid may be, in micros ($2.00 = 2000000).")
    relevance_floor = models.FloatField(
        default=0.2, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Candidates with a quality score below this never win.")
    gamma = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(5.0)],
        help_text="Weight of relevance in the score (score uses relevance ** gamma).")
    beta = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(5.0)],
        help_text="Weight of the marketplace's expected commission in the score.")
    take_rate = models.FloatField(
        default=0.2, validators=[MinValueValidator(0.0), MaxValueValidator(0.9)],
        help_text="The marketplace's commission on a sale (0.2 = 20%).")
    organic_top_k = models.PositiveIntegerField(
        default=4, validators=[MaxValueValidator(1000)],
        help_text="Default number of first organic results never promoted (already visible).")
    max_slots = models.PositiveIntegerField(
        default=40, validators=[MinValueValidator(1), MaxValueValidator(40)],
        help_text="Most sponsored slots one auction may fill.")
    max_winners_per_seller = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(40)],
        help_text="Most winners from one seller in one auction.")
    pricing = models.CharField(max_length=10, choices=Pricing.choices, default=Pricing.SECOND)
    resolved_bid_lifetime_seconds = models.PositiveIntegerField(
        default=3600, validators=[MinValueValidator(60), MaxValueValidator(7 * 86400)],
        help_text="How long after the auction an impression or click on its winner still counts.")
    deadline_ms = models.PositiveIntegerField(
        default=100, validators=[MinValueValidator(5), MaxValueValidator(2000)],
        help_text="Past this, an auction answers with no winners (fails open).")
    attribution_window_days = models.PositiveIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="A purchase is credited to a sponsored click at most this many days before it.")
    halo_enabled = models.BooleanField(
        default=True, help_text="Credit purchases of other listings of the clicked seller (halo).")
    click_dedup_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(0), MaxValueValidator(24 * 60)],
        help_text="A repeat click by the same user on the same listing within this window is free.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "auction settings"
        verbose_name_plural = "auction settings"

    def __str__(self) -> str:
        return "Auction settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        changes.bump(changes.SETTINGS)

    @classmethod
    def load(cls) -> AuctionSettings:
        """The settings row (created with the defaults on first use)."""
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _ = cls.objects.get_or_create(pk=1)
        return obj
