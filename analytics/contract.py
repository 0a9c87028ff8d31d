"""POST /api/v1/events request body as JSON Schema, from analytics/parsing.py's rules."""

from __future__ import annotations

from analytics.models.events import EVENT_ID_MAX, PLACEMENTS, USER_ID_MAX
from analytics.parsing import (
    MAX_EVENTS_PER_LIST,
    MAX_ITEMS_PER_PURCHASE,
    MAX_POSITION,
    MAX_QUANTITY,
    TOKEN_MAX,
)
from core.contract import (
    NON_BLANK_PATTERN,
    array,
    choice,
    identifier,
    integer,
    money,
    nullable,
    obj,
    ref,
    text,
    timestamp,
)

_LIST = (f"At most {MAX_EVENTS_PER_LIST}. A bad event is rejected alone (`rejected`, with its field); "
         "the rest is stored.")
_OCCURRED = "RFC 3339 with a zone; at most 5 minutes in the future."

COMPONENTS = {
    "EventsRequest": obj({
        "impressions": array(ref("AdEvent"), max_items=MAX_EVENTS_PER_LIST, description=_LIST),
        "clicks": array(ref("AdEvent"), max_items=MAX_EVENTS_PER_LIST, description=_LIST),
        "purchases": array(ref("Purchase"), max_items=MAX_EVENTS_PER_LIST, description=_LIST),
        "cancellations": array(ref("Cancellation"), max_items=MAX_EVENTS_PER_LIST, description=_LIST),
    }, closed=True, description="Any of the four lists; another key is a 400 (a misspelt kind would be lost)."),
    "AdEvent": obj({
        "id": identifier(EVENT_ID_MAX, description="Idempotency key, unique per kind."),
        "occurredAt": timestamp(required=True, description=_OCCURRED),
        "opaqueUserId": text(USER_ID_MAX),
        "resolvedBidId": text(TOKEN_MAX, description="Sponsored: the auction winner's token."),
        "entity": nullable(ref("Entity")),
        "placement": nullable(ref("Placement")),
    }, required=("id", "occurredAt"),
        description="Sponsored (`resolvedBidId`) or organic (`entity`, with an optional `placement`): one of the two.",
        oneOf=[
            {"required": ["resolvedBidId"],
             "properties": {"resolvedBidId": {"type": "string", "pattern": NON_BLANK_PATTERN}}},
            {"required": ["entity"], "properties": {"entity": {"type": "object"}}},
        ]),
    "Entity": obj({
        "type": choice(("listing",), required=True),
        "id": identifier(description="The marketplace's listing id."),
    }, required=("type", "id"), description="Organic: the listing shown or clicked."),
    "Placement": obj({
        "placementId": choice(PLACEMENTS),
        "position": integer(1, MAX_POSITION, description="1-based position on the page."),
    }, description="Organic: where it was on the page."),
    "Purchase": obj({
        "id": identifier(EVENT_ID_MAX, description="The order id (idempotency key)."),
        "occurredAt": timestamp(required=True, description=_OCCURRED),
        "opaqueUserId": text(USER_ID_MAX),
        "items": array(ref("PurchaseItem"), min_items=1, max_items=MAX_ITEMS_PER_PURCHASE, required=True,
                       description=f"1 to {MAX_ITEMS_PER_PURCHASE} items, each listing once."),
    }, required=("id", "occurredAt", "items")),
    "PurchaseItem": obj({
        "listingId": identifier(),
        "unitPrice": money("The price paid for one, > 0."),
        "quantity": integer(1, MAX_QUANTITY, description="Default 1."),
    }, required=("listingId", "unitPrice")),
    "Cancellation": obj({
        "id": identifier(EVENT_ID_MAX),
        "purchaseId": identifier(EVENT_ID_MAX, description="The cancelled order's id."),
        "occurredAt": timestamp(required=True, description=_OCCURRED),
    }, required=("id", "purchaseId", "occurredAt")),
}
