"""Schemathesis hooks for `.ci/fuzz-api`: what JSON Schema cannot say about the API contract.

- Cross-field rules of an auction (one slot position per slot, ascending; one quality
  score per id): schema-valid bodies are completed to honour them, so that a positive case
  is a request the contract accepts.
- Batch endpoints (catalog, events) never lose the valid part of a batch: a bad item is
  answered 200 with that item in ``rejected``. Schemathesis's negative check expects a 4xx
  for any schema-violating body, so for these operations it is replaced by a stricter one:
  a violating envelope must be a 400, and each violating item must be rejected, by index.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema_rs
import schemathesis

# Operation path -> the request component and, per list of the envelope, its item component.
BATCHES = {
    "/api/v1/catalog/sellers": ("SellersRequest", {"sellers": "SellerItem"}),
    "/api/v1/catalog/listings": ("ListingsRequest", {"listings": "ListingItem"}),
    "/api/v1/events": ("EventsRequest", {"impressions": "AdEvent", "clicks": "AdEvent",
                                         "purchases": "Purchase", "cancellations": "Cancellation"}),
}
MAX_SLOT_POSITION = 1000
_validators: dict[tuple[int, str, bool], Any] = {}


def _validator(raw_schema: dict, component: str, *, loose_items: tuple[str, ...] = ()) -> Any:
    """A JSON Schema validator for ``component`` of the published schema; the components in
    ``loose_items`` accept anything (to judge an envelope apart from its items)."""
    key = (id(raw_schema), component, bool(loose_items))
    if key not in _validators:
        components = copy.deepcopy(raw_schema["components"])
        for name in loose_items:
            components["schemas"][name] = True
        _validators[key] = jsonschema_rs.Draft202012Validator(
            {"$ref": f"#/components/schemas/{component}", "components": components}, validate_formats=True)
    return _validators[key]


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    if case.operation.path != "/api/v1/auctions" or case.meta is None or case.meta.generation.mode.is_negative:
        return case
    complete(case.body)
    return case


def complete(body: Any) -> Any:
    """An auctions body made to honour the rules JSON Schema cannot state: one slot position
    per slot (distinct, ascending), one quality score per id. Also used by
    core/tests/test_contract.py before a request the schema says is valid."""
    for auction in body.get("auctions", []) if isinstance(body, dict) else []:
        slots = auction.get("slots")
        positions = auction.get("slotPositions")
        if isinstance(positions, list) and isinstance(slots, int | float) and 1 <= slots <= 40:
            chosen = sorted({int(p) for p in positions if isinstance(p, int | float)})[: int(slots)]
            spare = (p for p in range(1, MAX_SLOT_POSITION + 1) if p not in chosen)
            while len(chosen) < slots:
                chosen.append(next(spare))
            auction["slotPositions"] = sorted(chosen)
        products = auction.get("products")
        if isinstance(products, dict) and isinstance(products.get("ids"), list) and isinstance(
                products.get("qualityScores"), list):
            scores, count = products["qualityScores"], len(products["ids"])
            products["qualityScores"] = (scores + [1.0] * count)[:count]
    return body


@schemathesis.check
def batch_rejects_each_bad_item(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-violating batch: 400 when its envelope is wrong, else each bad item in ``rejected``."""
    batch = BATCHES.get(case.operation.path)
    if batch is None or case.meta is None or not case.meta.generation.mode.is_negative:
        return None
    if response.status_code != 200:
        return None  # a 4xx is a rejection; other statuses are judged by the other checks
    request_component, lists = batch
    raw_schema = case.operation.schema.raw_schema
    body = case.body
    envelope = _validator(raw_schema, request_component, loose_items=tuple(set(lists.values())))
    if not isinstance(body, dict) or not envelope.is_valid(body):
        raise AssertionError("A body whose envelope violates the schema was answered 200 instead of 400")
    rejected = {(r.get("kind"), r.get("index")) for r in response.json().get("rejected", [])}
    missed = []
    for kind, component in lists.items():
        items = body.get(kind)
        if not isinstance(items, list):
            continue
        item_validator = _validator(raw_schema, component)
        for index, item in enumerate(items):
            if not item_validator.is_valid(item) and (kind, index) not in rejected:
                missed.append(f"{kind}[{index}]")
    if missed:
        raise AssertionError(f"Schema-violating items were accepted: {', '.join(missed)}")
    return True
