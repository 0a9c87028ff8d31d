"""Reading the events API's items: shape and value checks only, per item, no database.

Each ``parse_*`` takes one item and its path (``clicks[3]``) and returns plain data, or
raises FieldError naming the offending field; the caller rejects that item alone.

``read_fast`` is the same reading for a whole body as sent, when every impression and
click in it is well formed: one msgspec decode into typed structs, then the few checks
msgspec cannot make (blank and unclean strings, the timestamps). It only ever accepts what
the readers above accept, with the same values; on anything else it answers None and the
caller reads the body with the readers above, which name the bad field
(docs/decisions/0009-event-ingest.md).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple

import msgspec

from analytics.models.events import EVENT_ID_MAX, PLACEMENTS, USER_ID_MAX
from core import clock
from core.contract import SPACE
from core.validation import (
    FieldError,
    check_text,
    join,
    parse_datetime,
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


@dataclass(slots=True)
class AdEventIn:
    """An impression or a click as sent: sponsored (``token``) or organic (``entity_id``).
    Not frozen (though never changed): a batch builds hundreds, and a frozen dataclass's
    ``__init__`` costs five times as much."""

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


# --- the fast path: a whole body of well-formed impressions and clicks --------------------------

_ID = Annotated[str, msgspec.Meta(max_length=64)]  # read_id's default


class _Entity(msgspec.Struct, gc=False):
    type: Literal["listing"]
    id: _ID


class _Placement(msgspec.Struct, gc=False):
    placementId: str | None = None
    position: Annotated[int, msgspec.Meta(ge=1, le=MAX_POSITION)] | None = None


class _AdEvent(msgspec.Struct, gc=False):
    id: Annotated[str, msgspec.Meta(max_length=EVENT_ID_MAX)]
    occurredAt: str
    opaqueUserId: Annotated[str, msgspec.Meta(max_length=USER_ID_MAX)] | None = None
    resolvedBidId: Annotated[str, msgspec.Meta(max_length=TOKEN_MAX)] | None = None
    entity: _Entity | None = None
    placement: _Placement | None = None


_AdEvents = Annotated[list[_AdEvent], msgspec.Meta(max_length=MAX_EVENTS_PER_LIST)]
# Purchases and cancellations are few: each is read by parse_purchase / parse_cancellation.
_Items = Annotated[list[msgspec.Raw], msgspec.Meta(max_length=MAX_EVENTS_PER_LIST)]


class _Body(msgspec.Struct, forbid_unknown_fields=True):
    impressions: _AdEvents = []
    clicks: _AdEvents = []
    purchases: _Items = []
    cancellations: _Items = []


_DECODER = msgspec.json.Decoder(_Body)


class FastBody(NamedTuple):
    """A body read by ``read_fast``: the impressions and clicks parsed (in request order, each
    list's index kept), the purchases and cancellations as JSON values still to parse."""

    impressions: list[AdEventIn]
    clicks: list[AdEventIn]
    purchases: list[Any]
    cancellations: list[Any]


class _Unusual(Exception):
    """An impression or click the fast path leaves to the readers."""


def read_fast(raw: bytes) -> FastBody | None:
    """The body's events when its impressions and clicks are all well formed, as the readers
    would read them; None for anything else (not JSON, not an object of the four lists, a
    list too long, a null list, a bad or unusual item): then read the body with
    ``read_body`` and the ``parse_*`` readers, which reject what is wrong by its field."""
    try:
        body = _DECODER.decode(raw)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    # No backslash escape and no DEL anywhere: then no string holds a control character or a
    # lone surrogate (raw control characters are not JSON, raw surrogates not UTF-8) and
    # check_text has nothing to find. Otherwise each string is checked.
    checked = b"\\" in raw or b"\x7f" in raw
    limit = clock.now() + MAX_FUTURE
    times: dict[str, dt.datetime] = {}
    try:
        impressions = [_ad_event(e, i, limit, times, checked) for i, e in enumerate(body.impressions)]
        clicks = [_ad_event(e, i, limit, times, checked) for i, e in enumerate(body.clicks)]
        purchases = [json.loads(bytes(item)) for item in body.purchases]
        cancellations = [json.loads(bytes(item)) for item in body.cancellations]
    except (_Unusual, RecursionError):
        return None
    return FastBody(impressions, clicks, purchases, cancellations)


def _clean(value: str, checked: bool) -> str:
    """``value`` trimmed as read_str trims it; _Unusual where read_str would refuse it."""
    if checked:
        try:
            check_text(value, "")
        except FieldError:
            raise _Unusual from None
    return value.strip(SPACE)


def _ad_event(e: _AdEvent, index: int, limit: dt.datetime, times: dict[str, dt.datetime],
              checked: bool) -> AdEventIn:
    """parse_ad_event's result for a decoded event; _Unusual where parse_ad_event would raise."""
    event_id = _clean(e.id, checked)
    if not event_id:
        raise _Unusual
    occurred_at = times.get(e.occurredAt)
    if occurred_at is None:
        occurred_at = parse_datetime(e.occurredAt.strip())
        if occurred_at is None:
            raise _Unusual
        times[e.occurredAt] = occurred_at
    # Stricter than read_datetime's own clock.now(), read later: a refusal here is re-read.
    if occurred_at > limit:
        raise _Unusual
    user = _clean(e.opaqueUserId, checked) if e.opaqueUserId is not None else ""
    token = (_clean(e.resolvedBidId, checked) or None) if e.resolvedBidId is not None else None
    placement, position = "", None
    if e.placement is not None:
        if e.placement.placementId is not None:
            if e.placement.placementId not in PLACEMENTS:
                raise _Unusual
            placement = e.placement.placementId
        position = e.placement.position
    if token is not None:
        if e.entity is not None:
            raise _Unusual
        return AdEventIn(index, event_id, occurred_at, user, token, None, "", None)
    if e.entity is None:
        raise _Unusual
    entity_id = _clean(e.entity.id, checked)
    if not entity_id:
        raise _Unusual
    return AdEventIn(index, event_id, occurred_at, user, None, entity_id, placement, position)
