"""Pieces every kind of event shares: the batch result, per-item parsing, the batch's one
listing lookup, and reading impressions and clicks (``ad_events_read``, ``ad_events_organic``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q

from analytics import parsing
from auction import tokens
from core.db import select_bound
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
    # Change signals (core.changes topics) to bump with the batch's commit, all at once.
    signals: set[str] = field(default_factory=set)

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


def verify_signature(token: str, key: tuple[Any, Any] | None = None) -> tokens.ResolvedBid:
    """The resolved bid in ``token`` if its signature holds (expiry is judged later); TokenError
    otherwise. ``key``: ``tokens.signing_key()``, looked up once for a batch."""
    return tokens.verify(token, _BEFORE_ANY_TOKEN, key=key)


def parse_batch(items: list, kind: str, parse: Callable, result: IngestResult) -> list:
    """Parsed items in request order; bad ones rejected, repeats of an id within the batch counted as duplicates."""
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append(parse(item, f"{kind}[{index}]", index))
        except FieldError as error:
            result.reject(kind, index, item.get("id") if isinstance(item, dict) else None, error)
    return first_of_each_id(parsed, result, order=kind == "purchases")


def first_of_each_id(events: list, result: IngestResult, *, order: bool = False) -> list:
    """``events`` without the repeats of an id (the order id with ``order``) within the batch,
    which count as duplicates."""
    distinct = []
    seen: set[str] = set()
    for event in events:
        key = event.order_id if order else event.event_id
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        distinct.append(event)
    return distinct


@dataclass
class Listings:
    """The catalog listings a batch names, read once for all its kinds (``listings_find``)."""

    by_marketplace_id: dict[str, tuple[int, int]] = field(default_factory=dict)  # (listing pk, seller pk)
    seller_by_pk: dict[int, int] = field(default_factory=dict)
    # pk -> (brand, category, size, price micros): what shoppers' tastes are made of (auction.affinity)
    facts: dict[int, tuple[str, str, str, int]] = field(default_factory=dict)


def listings_find(marketplace_ids: Iterable[str], pks: Iterable[int]) -> Listings:
    """The listings with these marketplace ids (organic events, purchases) or primary keys (the
    resolved bids of sponsored clicks) that exist, with what shoppers' tastes need of them:
    one query for the whole batch."""
    marketplace_ids, pks = set(marketplace_ids), set(pks)
    found = Listings()
    if not marketplace_ids and not pks:
        return found
    if connection.vendor == "postgresql":
        # Two array parameters bound by the server: the ORM's IN list of a batch's ~250 ids
        # was quoted into the statement in Python and parsed again by PostgreSQL. One probe of
        # the unique index per marketplace id (LIMIT 1 keeps the planner from making the join
        # a scan): given ``marketplace_id = ANY(~240 ids)`` it read the whole catalog instead,
        # 2.3 ms a batch for the benchmark's 10,000 listings against 0.6 ms, and more as the
        # catalog grows (docs/decisions/0009-event-ingest.md).
        meta = Listing._meta
        columns = f"marketplace_id, {meta.pk.column}, seller_id, brand, category, size, price_micros"
        rows = select_bound(
            f"SELECT l.* FROM unnest(%b::text[]) AS wanted(marketplace_id) CROSS JOIN LATERAL "  # noqa: S608
            f"(SELECT {columns} FROM {meta.db_table} "  # the model's names
            f"WHERE marketplace_id = wanted.marketplace_id LIMIT 1) AS l "
            f"UNION ALL SELECT {columns} FROM {meta.db_table} WHERE {meta.pk.column} = ANY(%b::bigint[])",
            [list(marketplace_ids), list(pks)])
    else:
        rows = list(Listing.objects.filter(Q(marketplace_id__in=marketplace_ids) | Q(pk__in=pks)).values_list(
            "marketplace_id", "pk", "seller_id", "brand", "category", "size", "price_micros"))
    for mid, pk, seller, brand, category, size, price in rows:
        found.by_marketplace_id[mid] = (pk, seller)
        found.seller_by_pk[pk] = seller
        found.facts[pk] = (brand, category, size, price)
    return found


def unknown_listing(path: str, marketplace_id: str) -> FieldError:
    return FieldError(path, f"unknown listing {marketplace_id!r}: sync it through /api/v1/catalog/listings first")


class AdEvent(NamedTuple):
    """An impression or click as read: sponsored with its resolved bid (``bid``, or
    ``token_error`` when the signature does not hold), or organic with its listing."""

    event: parsing.AdEventIn
    bid: tokens.ResolvedBid | None = None
    token_error: str | None = None
    listing_id: int | None = None
    seller_id: int | None = None


def ad_events_read(items: list, kind: str, result: IngestResult,
                   signatures: dict[str, tuple[tokens.ResolvedBid | None, str | None]] | None = None) -> list[AdEvent]:
    """Parse impressions or clicks and verify the sponsored ones' signatures (no database);
    bad items are rejected. The organic ones' listings are found later (``ad_events_organic``)."""
    return ad_events_verified(parse_batch(items, kind, parsing.parse_ad_event, result), signatures)


def ad_events_verified(events: list[parsing.AdEventIn],
                       signatures: dict[str, tuple[tokens.ResolvedBid | None, str | None]] | None = None
                       ) -> list[AdEvent]:
    """The parsed events with each sponsored one's signature checked, once per distinct token
    (``signatures``, shared by a batch's impressions and clicks: the impression and the
    click of one ad carry the same token)."""
    if signatures is None:
        signatures = {}
    key = tokens.signing_key()
    read = []
    for event in events:
        token = event.token
        if token is None:
            read.append(AdEvent(event))
            continue
        checked = signatures.get(token)
        if checked is None:
            try:
                checked = (verify_signature(token, key), None)
            except tokens.TokenError as error:
                checked = (None, str(error))
            signatures[token] = checked
        read.append(AdEvent(event, checked[0], checked[1]))
    return read


def ad_events_organic(events: list[AdEvent], kind: str, listings: Listings, result: IngestResult) -> list[AdEvent]:
    """The events with each organic one's listing filled in; an organic event naming a listing
    the catalog does not know is rejected (its ``entity.id``)."""
    resolved = []
    for read in events:
        entity_id = read.event.entity_id
        if entity_id is None:
            resolved.append(read)
            continue
        found = listings.by_marketplace_id.get(entity_id)
        if found is None:
            result.reject(kind, read.event.index, read.event.event_id,
                          unknown_listing(f"{kind}[{read.event.index}].entity.id", entity_id))
            continue
        resolved.append(read._replace(listing_id=found[0], seller_id=found[1]))
    return resolved


AD_EVENT_FIELDS = ("event_id", "occurred_at", "opaque_user_id", "listing", "placement", "position", "auction_id",
                   "campaign", "price_micros", "slot")


def ad_event_row(event: parsing.AdEventIn, listing_id: int | None, bid: tokens.ResolvedBid | None) -> tuple:
    """Values of an impression or click row, in AD_EVENT_FIELDS order."""
    if bid is None:
        return (event.event_id, event.occurred_at, event.user, listing_id, event.placement, event.position, "",
                None, None, None)
    return (event.event_id, event.occurred_at, event.user, bid.listing_id, bid.placement[:16], None,
            bid.auction_id, bid.campaign_id, bid.price_micros, bid.slot)
