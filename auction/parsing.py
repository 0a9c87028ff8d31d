"""Validation of POST /api/v1/auctions bodies (api.md), by hand for the hot path.

A bad value raises ``FieldError`` with its path (``auctions[0].products.ids[7]``). The
100-id list is checked in one plain loop: much cheaper than a serializer per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auction.position import MAX_POSITION
from auction.predict import PLACEMENTS
from core.validation import FieldError, clean_text, join, read_int, read_list, read_object, read_str

MAX_AUCTIONS = 5
MAX_SLOTS = 40
MAX_IDS = 1000
MAX_ID_LENGTH = 64
MAX_ORGANIC_TOP_K = 1000
MAX_SLOT_POSITION = MAX_POSITION  # 1000
MAX_SHOPPER_SIZES = 20
MAX_SIZE_LENGTH = 40  # a listing's size (sellers.models.Listing.size)
AUCTION_TYPES = frozenset({"listings"})
PLACEMENT_IDS = frozenset(PLACEMENTS)


@dataclass(frozen=True, slots=True)
class AuctionRequest:
    """One validated auction of a request."""

    slots: int
    ids: list[str]
    quality_scores: list[float] | None
    placement: str = "search"
    organic_top_k: int | None = None  # None: the admin's default
    search_query: str | None = None
    opaque_user_id: str | None = None
    # The page positions of slots 1..slots (1-based, ascending); None: the placement's admin default.
    slot_positions: tuple[int, ...] | None = None
    # The sizes the shopper wears or filtered the search to, as the catalog names them.
    shopper_sizes: frozenset[str] = frozenset()


def parse_auctions(body: Any) -> list[AuctionRequest]:
    """The auctions of a request body; FieldError at the first bad field."""
    obj = read_object(body, "body")
    items = read_list(obj, "auctions", "", required=True, min_items=1, max_items=MAX_AUCTIONS)
    return [parse_auction(item, f"auctions[{index}]") for index, item in enumerate(items)]


def parse_auction(item: Any, path: str) -> AuctionRequest:
    obj = read_object(item, path)
    read_str(obj, "type", path, required=True, choices=AUCTION_TYPES)
    slots = read_int(obj, "slots", path, required=True, minimum=1, maximum=MAX_SLOTS)
    products_path = join(path, "products")
    if obj.get("products") is None:
        raise FieldError(products_path, "is required")
    products = read_object(obj["products"], products_path)
    ids = _read_ids(products, products_path)
    return AuctionRequest(
        slots=slots,
        ids=ids,
        quality_scores=_read_quality_scores(products, products_path, len(ids)),
        placement=read_str(obj, "placementId", path, default="search", choices=PLACEMENT_IDS),
        organic_top_k=read_int(obj, "organicTopK", path, minimum=0, maximum=MAX_ORGANIC_TOP_K),
        search_query=read_str(obj, "searchQuery", path, max_length=256),
        opaque_user_id=read_str(obj, "opaqueUserId", path, max_length=256),
        slot_positions=_read_slot_positions(obj, path, slots),
        shopper_sizes=_read_shopper_sizes(obj, path),
    )


def _read_ids(products: Mapping[str, Any], path: str) -> list[str]:
    values = read_list(products, "ids", path, required=True, min_items=1, max_items=MAX_IDS)
    field = join(path, "ids")
    ids: list[str] = []
    for index, value in enumerate(values):
        if type(value) is not str:
            raise FieldError(f"{field}[{index}]", "must be a string id")
        if not value or len(value) > MAX_ID_LENGTH:
            raise FieldError(f"{field}[{index}]", f"must be 1 to {MAX_ID_LENGTH} characters")
        ids.append(value)
    if len(set(ids)) != len(ids):
        first: dict[str, int] = {}
        for index, value in enumerate(ids):
            if value in first:
                raise FieldError(f"{field}[{index}]", f"repeats {field}[{first[value]}]; ids must be distinct")
            first[value] = index
    return ids


def _read_shopper_sizes(obj: Mapping[str, Any], path: str) -> frozenset[str]:
    field = join(path, "shopperSizes")
    values = read_list(obj, "shopperSizes", path, max_items=MAX_SHOPPER_SIZES) or ()
    return frozenset(clean_text(value, f"{field}[{index}]", max_length=MAX_SIZE_LENGTH, required=True)
                     for index, value in enumerate(values))


def _read_one_each(obj: Mapping[str, Any], name: str, path: str, count: int, each: str) -> tuple[list, str] | None:
    """The optional list ``name`` of ``obj`` with exactly one item per ``each`` (``count``),
    and its field path; None when absent."""
    values = read_list(obj, name, path)
    if values is None:
        return None
    field = join(path, name)
    if len(values) != count:
        raise FieldError(field, f"has {len(values)} items; it must have one per {each} ({count})")
    return values, field


def _read_slot_positions(obj: Mapping[str, Any], path: str, slots: int) -> tuple[int, ...] | None:
    read = _read_one_each(obj, "slotPositions", path, slots, "slot")
    if read is None:
        return None
    values, field = read
    positions: list[int] = []
    previous = 0
    for index, value in enumerate(values):
        kind = type(value)
        # type(), not isinstance: true/false are not positions. 5.0 is 5, as for the other whole numbers.
        if kind is not int:
            if kind is not float or not value.is_integer():
                raise FieldError(f"{field}[{index}]", "must be a whole number")
            value = int(value)
        if not 1 <= value <= MAX_SLOT_POSITION:
            raise FieldError(f"{field}[{index}]", f"must be from 1 to {MAX_SLOT_POSITION}")
        if value <= previous:
            raise FieldError(f"{field}[{index}]", f"must be greater than {field}[{index - 1}] ({previous}): "
                                                  "positions are distinct and ascending")
        positions.append(value)
        previous = value
    return tuple(positions)


def _read_quality_scores(products: Mapping[str, Any], path: str, count: int) -> list[float] | None:
    read = _read_one_each(products, "qualityScores", path, count, "id")
    if read is None:
        return None
    values, field = read
    for index, value in enumerate(values):
        kind = type(value)
        # NaN fails the range check too.
        if (kind is not float and kind is not int) or not 0 < value <= 1:
            raise FieldError(f"{field}[{index}]", "must be a number in (0, 1]")
    return [float(value) for value in values]
