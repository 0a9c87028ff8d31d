"""Sellers and their listings, as synced from the marketplace's catalog."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class Seller(models.Model):
    """A marketplace seller; ``marketplace_id`` is the marketplace's own id."""

    marketplace_id = models.CharField(max_length=64, unique=True)
    username = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    joined_at = models.DateTimeField(null=True, blank=True, help_text="When they joined the marketplace.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="seller", help_text="The login of this seller (created on first SSO).",
    )
    time_zone = models.CharField(max_length=64, blank=True, help_text="Blank: the marketplace's.")
    language = models.CharField(
        max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text="The seller's pages, alerts and emails in this language; blank: the browser's (pages) "
                  "or English (alerts and emails).")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["username"]
        indexes = [models.Index(fields=["username"], name="seller_username")]

    def __str__(self) -> str:
        return f"{self.username} ({self.marketplace_id})"


class Listing(models.Model):
    """One item for sale: unique, one quantity, gone once sold."""

    class Condition(models.TextChoices):
        NWT = "nwt", _("New with tags")
        LIKE_NEW = "like_new", _("Like new")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        SOLD = "sold", _("Sold")
        REMOVED = "removed", _("Removed")

    marketplace_id = models.CharField(max_length=64, unique=True)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="listings")
    title = models.CharField(max_length=300)
    brand = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=200, blank=True, help_text="Path such as Women/Shoes/Sneakers.")
    size = models.CharField(max_length=40, blank=True)
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.GOOD)
    price_micros = models.BigIntegerField(help_text="Price in micros (1 unit = 1,000,000).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    listed_at = models.DateTimeField(null=True, blank=True, help_text="createdAt on the marketplace.")
    image_url = models.URLField(max_length=2000, blank=True,
                                help_text="The listing's photo (imageUrl on the marketplace); blank: none.")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # A closet's listings by status: the seller pages and campaign selection.
            models.Index(fields=["seller", "status"], name="listing_seller_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_micros__gt=0), name="listing_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.marketplace_id})"

    @property
    def is_available(self) -> bool:
        return self.status == self.Status.AVAILABLE


class SsoToken(models.Model):
    """A one-time sign-in link from the marketplace for one seller.

    The link carries a signed nonce; using it claims the row in one conditional update
    (``used_at IS NULL AND expires_at > now``), so a link works once and only in time.
    """

    nonce = models.CharField(max_length=64, unique=True)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="sso_tokens")
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "SSO link"

    def __str__(self) -> str:
        return f"SSO link for {self.seller_id} until {self.expires_at:%Y-%m-%d %H:%M}"
