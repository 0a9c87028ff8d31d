"""Auction settings (admin-tunable) and what auctions decided (daily counts per listing)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core import changes, clock
from core.marketplace_rules import MarketplaceRules


def default_slot_positions() -> dict[str, list[int]]:
    """Every placement's sponsored slots at page positions 1, 5, 9, 13 (one ad per row of
    a four-column grid, the first row's first place included)."""
    from auction.position import DEFAULT_SLOT_POSITIONS
    from auction.predict import PLACEMENTS

    return {placement: list(DEFAULT_SLOT_POSITIONS) for placement in PLACEMENTS}


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
    least_bid_share = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="With second price, the least share of its own bid a winner pays (a reserve per bid: 0.5 = "
                  "at least half the bid; 0: only the reserve). With thin competition a second price falls "
                  "to the reserve whatever a click is worth; this keeps the price near the click's value.")
    slot_positions = models.JSONField(
        default=default_slot_positions,
        help_text="Per placement, the page positions (1-based, ads and organic results counted together) where "
                  "the storefront puts sponsored slots 1, 2, 3...: used when an auction request sends no "
                  "slotPositions.")
    substitution_share = models.FloatField(
        default=0.3, validators=[MinValueValidator(0.0), MaxValueValidator(0.95)],
        help_text="Sigma: the share of an ad's sales that replace a purchase the shopper would have made anyway "
                  "(0.3 = 30%). The incrementality gate counts only the rest as added.")
    incrementality_margin = models.FloatField(
        default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(10.0)],
        help_text="m: an ad is shown only when the sales it adds exceed the sales it takes from the organic "
                  "results it pushes down by this share of them (0: at least level; 0.5: 50% more).")
    holdout_share = models.FloatField(
        default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
        help_text="Ghost ads: the share of shoppers (by a hash of their opaque user id) whose auctions run in "
                  "full but show no ads, so that what the ads add can be measured against them (0.1 = 10%; "
                  "0 turns it off). Changing it moves shoppers between the groups: lift restarts from then.")
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

    def marketplace_rules(self) -> MarketplaceRules:
        """The values of the marketplace rules (core/marketplace_rules.py) in this row."""
        return MarketplaceRules(
            reserve_cpc_micros=self.reserve_cpc_micros, auto_max_cpc_micros=self.auto_max_cpc_micros,
            take_rate=self.take_rate, attribution_window_days=self.attribution_window_days,
            halo_enabled=self.halo_enabled, click_dedup_minutes=self.click_dedup_minutes)


class ListingAuctionDay(models.Model):
    """How one listing fared in auctions on one day (marketplace time zone).

    Counts, not events: each web process adds up its auctions in memory and folds them in
    every few seconds with one upsert (``auction.recording``). A candidate either won or
    has exactly one reason count, so ``candidate == won + sum(reasons)``; it was eligible
    when it won or lost on rank (outranked, seller_cap, not_incremental, held_out).
    Only listings of sellers with a live campaign are counted.
    """

    # No separate index: the unique (listing, day) index serves lookups by listing.
    listing = models.ForeignKey("sellers.Listing", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    candidate = models.BigIntegerField(default=0, help_text="Auctions it was a candidate in.")
    eligible = models.BigIntegerField(default=0, help_text="Auctions it could bid in.")
    won = models.BigIntegerField(default=0, help_text="Auctions it won a slot in.")
    sold = models.BigIntegerField(default=0)
    not_in_campaign = models.BigIntegerField(default=0)
    campaign_paused = models.BigIntegerField(default=0)
    budget_exhausted = models.BigIntegerField(default=0)
    below_reserve = models.BigIntegerField(default=0)
    organic_top_k = models.BigIntegerField(default=0)
    below_relevance_floor = models.BigIntegerField(default=0)
    paced_out = models.BigIntegerField(default=0)
    outranked = models.BigIntegerField(default=0)
    seller_cap = models.BigIntegerField(default=0)
    not_incremental = models.BigIntegerField(default=0)
    held_out = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "listing auction day"
        constraints = [
            # The upsert's conflict target; also serves "one listing's days" (the diagnosis page).
            models.UniqueConstraint(fields=["listing", "day"], name="listing_auction_day_once"),
        ]

    def __str__(self) -> str:
        return f"listing {self.listing_id} on {self.day}: {self.won}/{self.candidate} won"


class AuctionHour(models.Model):
    """How many auctions ran in one UTC hour: the traffic profile pacing follows."""

    hour = models.DateTimeField(unique=True, help_text="Start of the UTC hour.")
    auctions = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-hour"]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}:00 {self.auctions} auctions"


class ModelVersion(models.Model):
    """One trained click or purchase model, with its held-out quality. One active per kind."""

    class Kind(models.TextChoices):
        CLICK = "click", "Click given impression"
        PURCHASE = "purchase", "Purchase given click"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    active = models.BooleanField(default=False)
    rows_train = models.IntegerField(default=0)
    rows_test = models.IntegerField(default=0)
    positive_rate = models.FloatField(default=0.0)
    auc = models.FloatField(null=True, blank=True, help_text="Held-out ROC AUC.")
    log_loss = models.FloatField(null=True, blank=True, help_text="Held-out log loss (lower is better).")
    calibration_error = models.FloatField(null=True, blank=True, help_text="Expected calibration error.")
    baseline_auc = models.FloatField(null=True, blank=True, help_text="Category-prior AUC on the same rows.")
    baseline_log_loss = models.FloatField(null=True, blank=True)
    train_seconds = models.FloatField(default=0.0)
    vocabulary = models.JSONField(default=dict)
    position_curve = models.JSONField(
        default=dict, blank=True,
        help_text="Click models: the position curve v(k) learnt from organic clicks by page position "
                  "(exponent of k ** -exponent, depth, and the counts it was fitted on).")
    blob = models.BinaryField(help_text="The fitted scikit-learn estimator (joblib).")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(active=True), name="one_active_model_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} model {self.pk} ({'active' if self.active else 'inactive'})"

    @property
    def method(self) -> str:
        """How its model was fitted, as training records it in ``vocabulary["method"]``
        (``gradient_boosting``, ``segment_rates``, or ``position_curve_only`` for a click
        version that carries only a position curve); versions trained before the methods
        were recorded were all gradient boosting."""
        vocabulary = self.vocabulary if isinstance(self.vocabulary, dict) else {}
        return str(vocabulary.get("method") or "gradient_boosting")


class ShopperTaste(models.Model):
    """Something a shopper showed they like lately: a brand they searched for, clicked or
    bought (``brand:<name>``), a size they clicked or bought in a category
    (``size:<category>:<size>``). What the auction knows of their taste.

    Filled from the brands named in their searches (``auction.affinity.query_tastes``) and
    from event ingestion (``shopper_tastes_record``: clicks and purchases), read by each
    auction index (the tastes of shoppers seen in the last ``AFFINITY_DAYS``). The
    storefront's organic ranking is built for everyone; an ad can beat the results it
    pushes down mostly where it fits *this* shopper better (design.md, Models).
    """

    opaque_user_id = models.CharField(max_length=256)
    taste = models.CharField(max_length=200, help_text="brand:<name> or size:<category>:<size>.")
    first_at = models.DateTimeField(help_text="When this shopper first showed it.")
    last_at = models.DateTimeField(help_text="The latest time they did.")
    updated_at = models.DateTimeField(help_text="When this row was last written (the index reads what changed).")

    class Meta:
        constraints = [
            # The upsert's conflict target.
            models.UniqueConstraint(fields=["opaque_user_id", "taste"], name="shopper_taste_once"),
        ]
        indexes = [
            # The index's incremental read: rows written since its last read.
            models.Index(fields=["updated_at"], name="shopper_taste_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.opaque_user_id}: {self.taste}"


class ShopperPrice(models.Model):
    """A shopper's price level: the mean log price of the listings they clicked or bought.

    Filled at event ingestion with the brands (``auction.affinity``); read by each auction
    index. An ad is worth less to a shopper the further its price lies above what they
    usually pay; the storefront knows their budget, the auction otherwise would not.
    """

    opaque_user_id = models.CharField(max_length=256, unique=True)
    log_price_sum = models.FloatField(default=0.0, help_text="Sum of log(price in dollars) of their clicks and "
                                                               "purchases.")
    events = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(db_index=True, help_text="When this row was last written (the index reads "
                                                             "what changed).")

    def __str__(self) -> str:
        return f"{self.opaque_user_id}: {self.events} prices"


class AdExposure(models.Model):
    """A shopper who had a winning ad of a seller (or, held out, a ghost win): the first time.

    Ghost ads (Johnson, Lewis & Nubbemeyer 2017): a held-out shopper's auction runs in full
    and its winners are recorded here instead of being shown, so that exposed shoppers and
    held-out shoppers are selected the same way. ``analytics.lift`` compares what the two
    groups bought afterwards. Written by each web process in batches
    (``auction.holdout.exposures``); one row per (seller, shopper, group), never updated.
    """

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+", db_index=False)
    opaque_user_id = models.CharField(max_length=256)
    held_out = models.BooleanField(help_text="A ghost win: the shopper is held out and saw no ad.")
    first_at = models.DateTimeField(help_text="The shopper's first (ghost) win for this seller.")

    class Meta:
        constraints = [
            # The insert's conflict target (the first win stays).
            models.UniqueConstraint(fields=["seller", "opaque_user_id", "held_out"], name="ad_exposure_once"),
        ]
        indexes = [
            # The lift estimate reads the exposures that began within its window.
            models.Index(fields=["first_at"], name="ad_exposure_first_at"),
        ]

    def __str__(self) -> str:
        return f"{self.opaque_user_id} {'ghost' if self.held_out else 'real'} win for seller {self.seller_id}"
