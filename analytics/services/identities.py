"""Which storefront user is which seller (so a seller clicking their own ad is not charged)."""

from __future__ import annotations

from analytics.models import SellerIdentity
from sellers.models import Seller


def seller_identity_link(seller: Seller, opaque_user_id: str) -> SellerIdentity:
    """Record that the storefront's ``opaque_user_id`` is ``seller`` (idempotent; re-pointing moves it)."""
    opaque_user_id = opaque_user_id.strip()
    if not opaque_user_id:
        raise ValueError("an opaque user id must not be blank")
    identity, _ = SellerIdentity.objects.update_or_create(opaque_user_id=opaque_user_id,
                                                          defaults={"seller": seller})
    return identity
