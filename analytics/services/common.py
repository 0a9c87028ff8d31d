"""Pieces every kind of event shares: the batch result, per-item parsing, listing lookups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from analytics import parsing
from auction import tokens
from core.validation import FieldError, echo_id
from sellers.models import Listing

# verify() at this instant checks the signature only: nothing expires before it.
_BEFORE_ANY_TOKEN = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass
class IngestResult:
    """What happened to a batch: the events API's response body."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, kind: str, index: int, event_id: Any, error: FieldError) -> None:
        if isinstance(event_id, bool) or not isinstance(event_id, (str, int)):
            event_id = None
        self.rejected.append({"kind": kind, "index": index, "id": echo_id(event_id),
                              "field": error.field, "message": error.message})

    def stored(self, inserted: int, sent: int) -> None:
        self.accepted += inserted
        self.duplicates += sent - inserted

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": sorted(self.rejected, key=lambda r: (parsing.KINDS.index(r["kind"]), r["index"]))}


def verify_signature(token: str) -> tokens.ResolvedBid:
    """The resolved bid in ``token`` if its signature holds (expiry is judged later); TokenError otherwise."""
    return tokens.verify(token, _BEFORE_ANY_TOKEN)


def parse_batch(items: list, kind: str, parse: Callable, result: IngestResult) -> list:
    """Parsed items in request order; bad ones rejected, repeats of an id within the batch counted as duplicates."""
    parsed = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        path = f"{kind}[{index}]"
        try:
            event = parse(item, path, index)
        except FieldError as error:
            result.reject(kind, index, item.get("id") if isinstance(item, dict) else None, error)
            continue
        key = event.order_id if kind == "purchases" else event.event_id
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        parsed.append(event)
    return parsed


def listings_by_marketplace_id(marketplace_ids) -> dict[str, tuple[int, int]]:
    """{marketplace id: (listing pk, seller pk)} for the ids that exist (one query)."""
    if not marketplace_ids:
        return {}
    rows = Listing.objects.filter(marketplace_id__in=set(marketplace_ids)).values_list("marketplace_id", "pk",
                                                                                     "seller_id")
    return {mid: (pk, seller) for mid, pk, seller in rows}


def unknown_listing(path: str, marketplace_id: str) -> FieldError:
    return FieldError(path, f"unknown listing {marketplace_id!r}: sync it through /api/v1/catalog/listings first")


AD_EVENT_FIELDS = ("event_id", "occurred_at", "opaque_user_id", "listing", "placement", "position", "auction_id",
                   "campaign", "price_micros", "slot")


def ad_event_row(event: parsing.AdEventIn, listing_id: int | None, bid: tokens.ResolvedBid | None) -> tuple:
    """Values of an impression or click row, in AD_EVENT_FIELDS order."""
    if bid is None:
        return (event.event_id, event.occurred_at, event.user, listing_id, event.placement, event.position, "",
                None, None, None)
    return (event.event_id, event.occurred_at, event.user, bid.listing_id, bid.placement[:16], None,
            bid.auction_id, bid.campaign_id, bid.price_micros, bid.slot)
