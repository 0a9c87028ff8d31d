"""Reads for sellers and closets."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from sellers.models import Listing, Seller


@dataclass(frozen=True)
class ClosetSummary:
    listings: int
    available: int
    sold: int
    average_price_micros: int
    top_categories: list[tuple[str, int]]


def seller_for_user(user) -> Seller | None:
    """The seller linked to a Django user, or None (staff, anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Seller.objects.filter(user=user).first()


def closet_summary(seller: Seller) -> ClosetSummary:
    """Counts, average available price and the top categories of a closet (two queries)."""
    totals = Listing.objects.filter(seller=seller).aggregate(
        listings=Count("id"),
        available=Count("id", filter=Q(status=Listing.Status.AVAILABLE)),
        sold=Count("id", filter=Q(status=Listing.Status.SOLD)),
        average=Avg("price_micros", filter=Q(status=Listing.Status.AVAILABLE)),
    )
    top = list(
        Listing.objects.filter(seller=seller, status=Listing.Status.AVAILABLE)
        .values("category").annotate(n=Count("id")).order_by("-n", "category")
        .values_list("category", "n")[:5]
    )
    return ClosetSummary(
        listings=totals["listings"], available=totals["available"], sold=totals["sold"],
        average_price_micros=int(totals["average"] or 0),
        top_categories=[(c or "Uncategorised", n) for c, n in top],
    )
