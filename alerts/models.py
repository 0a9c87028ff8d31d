"""Alerts to sellers and each seller's choice of how to receive them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from sellers.models import Seller


class Kind(models.TextChoices):
    BUDGET_SPENT = "budget_spent", _("Budget spent before the week ended")
    LOW_ROAS = "low_roas", _("Low return on ad spend")
    CAMPAIGN_STOPPED = "campaign_stopped", _("Campaign stopped")
    REFUND = "refund", _("A credited sale was cancelled")


class Alert(models.Model):
    """One event a seller is told about, stored once whatever the number of runs that see it.

    ``key`` names the event (``budget_spent:<period>``, ``refund:<purchase>``, ...); the unique
    (seller, key) constraint is what makes raising idempotent under concurrent runs.
    ``in_app`` and ``email_to`` are the seller's preferences at the time it was raised: a row
    is kept even when both are off, so turning them on later does not replay old events.
    """

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, help_text="The event, unique per seller (raising twice makes one alert).")
    params = models.JSONField(default=dict, blank=True, help_text="What the message is rendered from.")
    in_app = models.BooleanField(default=True, help_text="Shown under the bell (the seller's choice when raised).")
    email_to = models.EmailField(blank=True, help_text="Where it is emailed; blank: not emailed.")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The alert list: a seller's alerts, newest first.
            models.Index(fields=["seller", "-created_at", "-id"], name="alert_seller_time"),
            # The bell's unread count on every seller page.
            models.Index(fields=["seller"], condition=Q(read_at__isnull=True, in_app=True), name="alert_unread"),
            # The email sender: alerts still to email.
            models.Index(fields=["id"], condition=Q(emailed_at__isnull=True) & ~Q(email_to=""),
                         name="alert_email_pending"),
        ]
        constraints = [models.UniqueConstraint(fields=["seller", "key"], name="one_alert_per_event")]

    def __str__(self) -> str:
        return f"{self.kind} for seller {self.seller_id} ({self.key})"


class AlertPreference(models.Model):
    """How a seller wants each kind of alert: under the bell, by email, both or neither.

    A seller without a row gets every alert both ways (the defaults).
    """

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="alert_preference")
    budget_spent_in_app = models.BooleanField(_("Budget spent early: in the app"), default=True)
    budget_spent_email = models.BooleanField(_("Budget spent early: by email"), default=True)
    low_roas_in_app = models.BooleanField(_("Low return on ad spend: in the app"), default=True)
    low_roas_email = models.BooleanField(_("Low return on ad spend: by email"), default=True)
    campaign_stopped_in_app = models.BooleanField(_("Campaign stopped: in the app"), default=True)
    campaign_stopped_email = models.BooleanField(_("Campaign stopped: by email"), default=True)
    refund_in_app = models.BooleanField(_("Credited sale cancelled: in the app"), default=True)
    refund_email = models.BooleanField(_("Credited sale cancelled: by email"), default=True)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"alert preferences of seller {self.seller_id}"

    def wants(self, kind: str, channel: str) -> bool:
        """Whether ``kind`` goes to ``channel`` ("in_app" or "email")."""
        return getattr(self, f"{kind}_{channel}")
