"""The published request schema and the validation are one truth.

Every constraint of every request body in the OpenAPI document (core/contract.py and
each app's contract.py) is read from the served schema and turned into requests: each
violation must be rejected by the endpoint with that field's path (a batch keeps its other
items), and each boundary value inside the constraint must be accepted. A constraint added
to the schema and not to a parser, or the other way round, fails here. The cross-field rules
JSON Schema cannot state (one slot position per slot, one quality score per id) are honoured
by ``complete`` (from .ci/schemathesis_hooks.py, the fuzzer's) before a request that must be accepted.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from auction.tests.factories import CampaignFactory, ListingFactory, SellerFactory
from core import clock
from core.contract import (
    EMAIL_FIELD_PATTERN,
    IMAGE_URL_FIELD_PATTERN,
    MONEY_PATTERN,
    NON_BLANK_PATTERN,
    TEXT_PATTERN,
)
from core.validation import join

pytestmark = pytest.mark.django_db

_DELETE = object()
_WRONG_TYPE = {"string": 12345, "integer": "7", "number": "x", "array": {"a": 1}, "object": [1], "boolean": "x"}
# Strings each pattern must refuse, and one it must take.
_PATTERN_CASES = {
    TEXT_PATTERN: (["a\x00b", "tab\x07bell", "\x7f"], "  padded  "),
    NON_BLANK_PATTERN: (["", "   ", "a\x00b", "\x1b"], " x "),
    MONEY_PATTERN: (["0", "0.000000", "-5", "+5", "1.0000001", "1e3", "5\u0660", "1000000000", "4 5", " 5"],
                    "0.000001"),
    EMAIL_FIELD_PATTERN: (["not-an-email", "a b@c", "a@b@c", "\x00@b"], " vera@example.com "),
    IMAGE_URL_FIELD_PATTERN: (["http://img.example.com/a.jpg", "javascript:alert(1)", "data:image/png;base64,AA",
                               "//img.example.com/a.jpg", "https://", "https://user:pw@img.example.com/a.jpg",
                               "https://img.example.com@evil.example/a.jpg", "https://img.example.com/a b.jpg",
                               "https://img.example.com/a\x00.jpg", "HTTPS://img.example.com/a.jpg"],
                              " https://img.example.com:8443/L1.jpg?w=96#x "),
}


# Fields with a rule beyond the schema (an IANA zone; a seller or listing the catalog
# knows): only their violations are checked.
_REFERENCES = {"timeZone", "sellerId", "listingId", "items"}


def _beyond_schema(path: tuple) -> bool:
    names = [key for key in path if isinstance(key, str)]
    return bool(names) and (names[-1] in _REFERENCES or names[-2:] == ["entity", "id"])


@dataclass(frozen=True)
class Case:
    description: str
    path: tuple[str | int, ...]
    value: Any  # _DELETE removes the key
    # Where the endpoint must name the error: the changed field, or (for a rule between
    # fields, such as an event's resolvedBidId-or-entity) the object holding them.
    where: tuple[str | int, ...] | None = None


def _field(path: tuple[str | int, ...]) -> str:
    field = ""
    for key in path:
        field = join(field, key)
    return field


def _resolve(components: dict, schema: Any) -> dict:
    """``schema`` without its $ref and its null branch (null is tried on every field anyway)."""
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema:
            branches = [b for b in schema["anyOf"] if b != {"type": "null"}]
            assert len(branches) == 1, schema
            schema = branches[0]
        elif isinstance(schema.get("type"), list):
            schema = {**schema, "type": next(t for t in schema["type"] if t != "null")}
        else:
            return schema


def _many(sample: Any, count: int) -> list:
    """``count`` distinct items like ``sample``."""
    if isinstance(sample, str):
        return [f"{sample}-{i}"[-64:] for i in range(count)]
    if isinstance(sample, int):
        return list(range(1, count + 1))
    items = []
    for i in range(count):
        item = copy.deepcopy(sample)
        for key in ("id", "listingId"):
            if isinstance(item, dict) and key in item:
                item[key] = f"{item[key]}-{i}"
        items.append(item)
    return items


def cases(components: dict, schema: Any, instance: Any, path: tuple = ()) -> Iterator[Case]:
    """Changes to ``instance`` that probe every constraint of ``schema`` at ``path``: a value
    past each bound and one on it, each wrong type, null, each key left out."""
    schema = _resolve(components, schema)
    if path:
        yield Case("null", path, None)
    if "oneOf" in schema and "type" not in schema:  # money: a decimal string or a number
        yield Case("a boolean", path, True)
        yield Case("an array", path, [])
        for branch in schema["oneOf"]:
            yield from _scalar_cases(branch, path)
        return
    kind = schema["type"]
    if path:
        yield Case(f"not {kind}", path, _WRONG_TYPE[kind])
    if kind == "object":
        yield from _object_cases(components, schema, instance, path)
    elif kind == "array":
        yield from _array_cases(components, schema, instance, path)
    else:
        yield from _scalar_cases(schema, path)


def _object_cases(components: dict, schema: dict, instance: dict, path: tuple) -> Iterator[Case]:
    # Properties a rule between fields is about (oneOf branches): their errors may be named on the object.
    linked = {name for branch in schema.get("oneOf", []) for name in branch.get("required", [])}
    for name, child in schema["properties"].items():
        where = path if name in linked else None
        yield Case(f"{name} missing", (*path, name), _DELETE, where)
        if name in instance:
            for case in cases(components, child, instance[name], (*path, name)):
                yield Case(case.description, case.path, case.value, case.where or where)
    if schema.get("additionalProperties") is False:
        yield Case("an unknown key", (*path, "unknownKind"), [])
    if linked:  # AdEvent: sponsored (resolvedBidId) or organic (entity), not both
        yield Case("both resolvedBidId and entity", (*path, "resolvedBidId"), "v1.token", path)
        yield Case("both resolvedBidId and entity", (*path, "entity"), {"type": "listing", "id": "L1"}, path)


def _array_cases(components: dict, schema: dict, instance: list, path: tuple) -> Iterator[Case]:
    low, high = schema.get("minItems", 0), schema["maxItems"]
    if low:
        yield Case(f"fewer than {low} items", path, instance[:low - 1])
    yield Case(f"more than {high} items", path, _many(instance[0], high + 1))
    yield Case(f"{high} items", path, _many(instance[0], high))
    if schema.get("uniqueItems"):
        yield Case("a repeated item", path, [instance[0], instance[0]])
    yield from cases(components, schema["items"], instance[0], (*path, 0))


def _scalar_cases(schema: dict, path: tuple) -> Iterator[Case]:
    kind = schema["type"]
    if "enum" in schema:
        yield Case("not one of the choices", path, "zzz")
        for value in schema["enum"]:
            yield Case(f"choice {value}", path, value)
        return
    if kind == "string":
        if "maxLength" in schema:
            longest = "x" * schema["maxLength"]
            if schema.get("pattern") == EMAIL_FIELD_PATTERN:
                longest = longest[:-len("@example.com")] + "@example.com"
            elif schema.get("pattern") == IMAGE_URL_FIELD_PATTERN:
                longest = "https://img.example.com/" + longest[len("https://img.example.com/"):]
            yield Case("too long", path, longest + "x")
            yield Case("longest", path, longest)
        if schema.get("minLength"):
            yield Case("too short", path, "x" * (schema["minLength"] - 1))
        if "pattern" in schema:
            refused, taken = _PATTERN_CASES[schema["pattern"]]
            for value in refused:
                yield Case(f"pattern refuses {value!r}", path, value)
            yield Case(f"pattern takes {taken!r}", path, taken)
        if schema.get("format") == "date-time":
            for value in ("30/11/2026", "2026-11-30T10:00:00", "yesterday"):
                yield Case(f"not a date-time: {value!r}", path, value)
    elif kind in ("integer", "number"):
        if "minimum" in schema:
            yield Case("below the minimum", path, schema["minimum"] - 1)
            yield Case("the minimum", path, schema["minimum"])
        if "exclusiveMinimum" in schema:
            yield Case("the exclusive minimum", path, schema["exclusiveMinimum"])
        if "maximum" in schema:
            yield Case("above the maximum", path, schema["maximum"] + 1)
            yield Case("the maximum", path, schema["maximum"])
        if kind == "integer":
            yield Case("a fraction", path, 1.5)
        if "multipleOf" in schema:
            yield Case("finer than multipleOf", path, 1 + schema["multipleOf"] / 10)
            yield Case("a multiple", path, 19.99)


def _apply(body: dict, case: Case) -> dict:
    body = copy.deepcopy(body)
    target = body
    for key in case.path[:-1]:
        target = target[key]
    if case.value is _DELETE:
        target.pop(case.path[-1], None)
    else:
        target[case.path[-1]] = copy.deepcopy(case.value)
    return body


def _fuzz_hooks():
    """.ci/schemathesis_hooks.py, whose ``complete`` states the cross-field rules for the fuzzer and for this test."""
    path = Path(__file__).resolve().parents[2] / ".ci" / "schemathesis_hooks.py"
    spec = importlib.util.spec_from_file_location("schemathesis_hooks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


complete = _fuzz_hooks().complete


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def world(db):
    seller = SellerFactory(marketplace_id="S1")
    listing = ListingFactory(seller=seller, marketplace_id="L1")
    CampaignFactory(seller=seller)
    return listing


def _bodies() -> dict[str, dict]:
    at = (clock.now() - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    organic = {"id": "imp-1", "occurredAt": at, "opaqueUserId": "u1",
               "entity": {"type": "listing", "id": "L1"}, "placement": {"placementId": "search", "position": 3}}
    return {
        "/api/v1/auctions": {"auctions": [{
            "type": "listings", "slots": 4, "placementId": "search", "searchQuery": "nike", "opaqueUserId": "u1",
            "organicTopK": 2, "slotPositions": [1, 5, 9, 13],
            "products": {"ids": ["L1", "L2", "L3"], "qualityScores": [1.0, 0.5, 0.25]}}]},
        "/api/v1/catalog/sellers": {"sellers": [
            {"id": "S1", "username": "vintage_vera", "email": "vera@example.com", "joinedAt": at,
             "timeZone": "Europe/Madrid"},
            {"id": "S2", "username": "other"}]},
        "/api/v1/catalog/listings": {"listings": [
            {"id": "L1", "sellerId": "S1", "title": "Nike Air Max 90", "brand": "Nike",
             "category": "Women/Shoes/Sneakers", "size": "8", "condition": "like_new", "price": "45.00",
             "status": "available", "createdAt": at, "imageUrl": "https://img.example.com/L1.jpg"},
            {"id": "L9", "sellerId": "S1", "title": "Second", "condition": "good", "price": 12}]},
        "/api/v1/events": {
            "impressions": [organic, {**copy.deepcopy(organic), "id": "imp-2"}],
            "clicks": [{"id": "clk-1", "occurredAt": at, "opaqueUserId": "u1", "resolvedBidId": "v1.not.valid",
                        "placement": {"placementId": "search", "position": 1}}],
            "purchases": [{"id": "ord-1", "occurredAt": at, "opaqueUserId": "u1",
                           "items": [{"listingId": "L1", "unitPrice": "45.00", "quantity": 1}]}],
            "cancellations": [{"id": "can-1", "purchaseId": "ord-1", "occurredAt": at}]},
    }


def _request_component(schema: dict, path: str) -> dict:
    body = schema["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    return body["content"]["application/json"]["schema"]


def _judge(response, path: str, accepted: bool, field: str) -> str | None:
    """None when the endpoint did what the schema says; else what went wrong."""
    payload = response.json()
    if accepted:
        if path == "/api/v1/auctions":
            return None if response.status_code == 201 else f"{response.status_code} {payload}"
        if response.status_code != 200 or payload["rejected"]:
            return f"{response.status_code} {payload}"
        return None

    def names(reported: str) -> bool:
        return reported == field or reported.startswith((field + ".", field + "["))

    if response.status_code == 400:
        return None if names(payload["errors"][0]["field"]) else f"400 at {payload['errors'][0]}"
    if path != "/api/v1/auctions" and response.status_code == 200:
        rejected = payload["rejected"]
        # The bad item alone: the batch's other items land.
        if len(rejected) == 1 and names(rejected[0]["field"]):
            return None
        return f"200 with rejected {rejected}"
    return f"{response.status_code} {payload}"


@pytest.mark.parametrize("path", ["/api/v1/auctions", "/api/v1/catalog/sellers", "/api/v1/catalog/listings",
                                  "/api/v1/events"])
def test_every_schema_constraint_is_the_validators(api, schema, world, path):
    """Each case's expected outcome is the published schema's verdict on the body."""
    components = schema["components"]["schemas"]
    request = _request_component(schema, path)
    verdict = jsonschema_rs.Draft202012Validator({**request, "components": schema["components"]},
                                                 validate_formats=True)
    baseline = _bodies()[path]
    assert verdict.is_valid(baseline)
    # The body is required: none at all is the client's error, named.
    empty = api.post(path, raw="")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "body"
    assert _judge(api.post(path, complete(copy.deepcopy(baseline))), path, True, "") is None
    wrong, outcomes = [], {True: 0, False: 0}
    for case in cases(components, request, baseline):
        body = _apply(baseline, case)
        accepted = verdict.is_valid(body)
        if accepted and _beyond_schema(case.path):
            continue
        if accepted:
            body = complete(body)
        problem = _judge(api.post(path, body), path, accepted, _field(case.where or case.path))
        outcomes[accepted] += 1
        if problem:
            wrong.append(f"{_field(case.path) or 'body'} ({case.description}, the schema says "
                         f"{'valid' if accepted else 'invalid'}): {problem}"[:300])
    assert not wrong, "\n".join(wrong)
    assert outcomes[True] >= 5 and outcomes[False] >= 20, outcomes
