"""POST /api/v1/auctions request body as JSON Schema, from auction/parsing.py's rules."""

from __future__ import annotations

from auction.parsing import (
    AUCTION_TYPES,
    MAX_AUCTIONS,
    MAX_ID_LENGTH,
    MAX_IDS,
    MAX_ORGANIC_TOP_K,
    MAX_SHOPPER_SIZES,
    MAX_SIZE_LENGTH,
    MAX_SLOT_POSITION,
    MAX_SLOTS,
    PLACEMENT_IDS,
)
from core.contract import array, choice, integer, obj, ref, text

COMPONENTS = {
    "AuctionsRequest": obj(
        {"auctions": array(ref("AuctionItem"), min_items=1, max_items=MAX_AUCTIONS, required=True,
                           description=f"1 to {MAX_AUCTIONS} auctions, one per sponsored block of the page.")},
        required=("auctions",)),
    "AuctionItem": obj({
        "type": choice(AUCTION_TYPES, required=True, description='Always "listings".'),
        "slots": integer(1, MAX_SLOTS, required=True, description="How many sponsored places the page has."),
        "products": ref("Products"),
        "placementId": choice(PLACEMENT_IDS, description='Default "search".'),
        "searchQuery": text(256),
        "opaqueUserId": text(256, description="The shopper, pseudonymous and stable (also decides the holdout)."),
        "organicTopK": integer(
            0, MAX_ORGANIC_TOP_K,
            description="The first K ids are visible organically and never promoted. Default: the admin setting."),
        "slotPositions": array(
            {"type": "integer", "minimum": 1, "maximum": MAX_SLOT_POSITION}, min_items=1, max_items=MAX_SLOTS,
            unique=True,
            description=(
                f"The page positions (1-based, sponsored and organic items counted together) where the storefront "
                f"will put winners of rank 1, 2, ...: exactly `slots` distinct ascending whole numbers from 1 to "
                f"{MAX_SLOT_POSITION}. The incrementality gate needs them to know which organic results an ad "
                f"pushes down. Default: the placement's admin setting (1, 5, 9, 13 unless changed).")),
        "shopperSizes": array(
            text(MAX_SIZE_LENGTH, required=True), max_items=MAX_SHOPPER_SIZES,
            description=(
                "The sizes the shopper wears or filtered this search to (their \"My Size\"), as the catalog names "
                "them. A listing in one of them is likelier to be clicked and bought (by the size lift learnt from "
                "traffic): the score and the incrementality gate count it, for ads and for the organic results "
                "they would push down. Default: none.")),
    }, required=("type", "slots", "products")),
    "Products": obj({
        "ids": array({"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}, min_items=1, max_items=MAX_IDS,
                     required=True, unique=True,
                     description=f"1 to {MAX_IDS} distinct listing ids in the storefront's organic order. "
                                 "Unknown ids are ignored."),
        "qualityScores": array(
            {"type": "number", "exclusiveMinimum": 0, "maximum": 1}, max_items=MAX_IDS,
            description="Relevance of each id: one per id, in the same order, each in (0, 1]. Default 1.0."),
    }, required=("ids",)),
}
