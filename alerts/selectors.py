"""Reads of a seller's alerts (only ever their own, and only those shown in the app)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from alerts.models import Alert
from sellers.models import Seller

ALERTS_PER_PAGE = 20


def seller_alerts(seller: Seller) -> QuerySet[Alert]:
    """The seller's in-app alerts, newest first (the (seller, created_at) index)."""
    return Alert.objects.filter(seller=seller, in_app=True).order_by("-created_at", "-id")


def unread_count(seller: Seller) -> int:
    """How many of the seller's in-app alerts are unread (the partial unread index)."""
    return Alert.objects.filter(seller=seller, in_app=True, read_at__isnull=True).count()


def alerts_page(seller: Seller, page: str | int | None) -> Page:
    """One page of the seller's alerts; a page number out of range gives the last page."""
    return Paginator(seller_alerts(seller), ALERTS_PER_PAGE).get_page(page)
