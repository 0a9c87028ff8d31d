"""Pieces every kind of event shares: the batch result, per-item parsing, listing lookups, and
reading impressions and clicks (``ad_events_read``)."""

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
    # (shopper, listing pk, when) of the new clicks and purchases: recorded once per batch
    # (auction.affinity), not part of the response.
    tastes: list[tuple[str, int, dt.datetime]] = field(default_factory=list)

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


@dataclass(frozen=True)
class AdEvent:
    """An impression or click as read: sponsored with its resolved bid (``bid``, or
    ``token_error`` when the signature does not hold), or organic with its listing."""

    event: parsing.AdEventIn
    bid: tokens.ResolvedBid | None = None
    token_error: str | None = None
    listing_id: int | None = None
    seller_id: int | None = None


def ad_events_read(items: list, kind: str, result: IngestResult) -> list[AdEvent]:
    """Parse impressions or clicks; verify the sponsored ones' signatures and look up the organic
    ones' listings (one query). Bad items and organic events naming an unknown listing are rejected."""
    parsed = parse_batch(items, kind, parsing.parse_ad_event, result)
    listings = listings_by_marketplace_id([e.entity_id for e in parsed if e.entity_id is not None])
    read = []
    for event in parsed:
        if event.token is not None:
            try:
                read.append(AdEvent(event, bid=verify_signature(event.token)))
            except tokens.TokenError as error:
                read.append(AdEvent(event, token_error=str(error)))
            continue
        found = listings.get(event.entity_id)
        if found is None:
            result.reject(kind, event.index, event.event_id,
                          unknown_listing(f"{kind}[{event.index}].entity.id", event.entity_id))
            continue
        read.append(AdEvent(event, listing_id=found[0], seller_id=found[1]))
    return read


AD_EVENT_FIELDS = ("event_id", "occurred_at", "opaque_user_id", "listing", "placement", "position", "auction_id",
                   "campaign", "price_micros", "slot")


def ad_event_row(event: parsing.AdEventIn, listing_id: int | None, bid: tokens.ResolvedBid | None) -> tuple:
    """Values of an impression or click row, in AD_EVENT_FIELDS order."""
    if bid is None:
        return (event.event_id, event.occurred_at, event.user, listing_id, event.placement, event.position, "",
                None, None, None)
    return (event.event_id, event.occurred_at, event.user, bid.listing_id, bid.placement[:16], None,
            bid.auction_id, bid.campaign_id, bid.price_micros, bid.slot)
