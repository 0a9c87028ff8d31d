"""Reading the events API's items: shape and value checks only, per item, no database.

Each ``parse_*`` takes one item and its path (``clicks[3]``) and returns plain data, or
raises FieldError naming the offending field; the caller rejects that item alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from analytics.models.events import EVENT_ID_MAX, PLACEMENTS, USER_ID_MAX
from core.validation import (
    FieldError,
    join,
    read_datetime,
    read_id,
    read_int,
    read_list,
    read_money,
    read_object,
    read_str,
)

MAX_EVENTS_PER_LIST = 500
MAX_ITEMS_PER_PURCHASE = 100
MAX_QUANTITY = 1000
MAX_POSITION = 10_000
MAX_FUTURE = dt.timedelta(minutes=5)
TOKEN_MAX = 512
KINDS = ("impressions", "clicks", "purchases", "cancellations")


@dataclass(frozen=True, slots=True)
class AdEventIn:
    """An impression or a click as sent: sponsored (``token``) or organic (``entity_id``)."""

    index: int
    event_id: str
    occurred_at: dt.datetime
    user: str
    token: str | None
    entity_id: str | None
    placement: str
    position: int | None


@dataclass(frozen=True, slots=True)
class ItemIn:
    index: int
    listing_id: str
    unit_price_micros: int
    quantity: int


@dataclass(frozen=True, slots=True)
class PurchaseIn:
    index: int
    order_id: str
    occurred_at: dt.datetime
    user: str
    items: tuple[ItemIn, ...]


@dataclass(frozen=True, slots=True)
class CancellationIn:
    index: int
    event_id: str
    purchase_order_id: str
    occurred_at: dt.datetime


def read_body(body: Any) -> dict[str, list]:
    """The four lists of an events body; FieldError (a 400, nothing stored) when it is not such an object."""
    obj = read_object(body, "body")
    unknown = sorted(str(key) for key in obj if key not in KINDS)
    if unknown:
        raise FieldError(unknown[0], f"is not a kind of event; send any of {', '.join(KINDS)}")
    return {kind: read_list(obj, kind, "", max_items=MAX_EVENTS_PER_LIST) or [] for kind in KINDS}


def _common(obj, path: str) -> tuple[str, dt.datetime, str]:
    event_id = read_id(obj, "id", path, max_length=EVENT_ID_MAX)
    occurred_at = read_datetime(obj, "occurredAt", path, required=True, max_future=MAX_FUTURE)
    user = read_str(obj, "opaqueUserId", path, max_length=USER_ID_MAX, default="")
    return event_id, occurred_at, user


def parse_ad_event(item: Any, path: str, index: int) -> AdEventIn:
    """An impression or a click: ``resolvedBidId`` (sponsored) or ``entity`` + ``placement`` (organic)."""
    obj = read_object(item, path)
    event_id, occurred_at, user = _common(obj, path)
    token = read_str(obj, "resolvedBidId", path, max_length=TOKEN_MAX)
    entity = obj.get("entity")
    if token is not None and entity is not None:
        raise FieldError(join(path, "entity"), "give resolvedBidId (sponsored) or entity (organic), not both")
    # Read whenever sent (the contract holds for every event), though only organic ones keep it.
    placement, position = "", None
    if obj.get("placement") is not None:
        placement_path = join(path, "placement")
        placement_obj = read_object(obj["placement"], placement_path)
        placement = read_str(placement_obj, "placementId", placement_path, default="", choices=PLACEMENTS)
        position = read_int(placement_obj, "position", placement_path, minimum=1, maximum=MAX_POSITION)
    if token is not None:
        return AdEventIn(index, event_id, occurred_at, user, token, None, "", None)
    if entity is None:
        raise FieldError(join(path, "resolvedBidId"),
                         "is required for a sponsored event (or send entity for an organic one)")
    entity_path = join(path, "entity")
    entity_obj = read_object(entity, entity_path)
    read_str(entity_obj, "type", entity_path, required=True, choices=frozenset({"listing"}))
    entity_id = read_id(entity_obj, "id", entity_path)
    return AdEventIn(index, event_id, occurred_at, user, None, entity_id, placement, position)


def parse_purchase(item: Any, path: str, index: int) -> PurchaseIn:
    """A purchase: id, occurredAt, opaqueUserId and 1..100 items (listingId, unitPrice > 0, quantity >= 1)."""
    obj = read_object(item, path)
    order_id, occurred_at, user = _common(obj, path)
    raw_items = read_list(obj, "items", path, required=True, min_items=1, max_items=MAX_ITEMS_PER_PURCHASE)
    items: list[ItemIn] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_items):
        item_path = join(join(path, "items"), i)
        item_obj = read_object(raw, item_path)
        listing_id = read_id(item_obj, "listingId", item_path)
        if listing_id in seen:
            raise FieldError(join(item_path, "listingId"), f"repeats items[{seen[listing_id]}].listingId")
        seen[listing_id] = i
        unit_price = read_money(item_obj, "unitPrice", item_path, required=True)
        quantity = read_int(item_obj, "quantity", item_path, minimum=1, maximum=MAX_QUANTITY, default=1)
        items.append(ItemIn(i, listing_id, unit_price, quantity))
    return PurchaseIn(index, order_id, occurred_at, user, tuple(items))


def parse_cancellation(item: Any, path: str, index: int) -> CancellationIn:
    """A cancellation: id, purchaseId (the order's id), occurredAt."""
    obj = read_object(item, path)
    event_id = read_id(obj, "id", path, max_length=EVENT_ID_MAX)
    purchase_id = read_id(obj, "purchaseId", path, max_length=EVENT_ID_MAX)
    occurred_at = read_datetime(obj, "occurredAt", path, required=True, max_future=MAX_FUTURE)
    return CancellationIn(index, event_id, purchase_id, occurred_at)
