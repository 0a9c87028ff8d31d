"""The events endpoint's fast reading (analytics.parsing.read_fast) reads exactly what the
item readers read: whatever it accepts, the readers accept with the same values; anything
else it leaves to them (None), and they name the bad field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analytics import parsing
from core import clock
from core.api import parse_json_body
from core.validation import FieldError

KINDS = ("impressions", "clicks")
STAMP = "2026-12-01T10:00:00Z"
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def slow(raw: bytes):
    """What the item readers make of ``raw``: a FieldError for the body, or per list the
    parsed events / FieldErrors, and the purchases and cancellations as JSON values."""
    try:
        lists = parsing.read_body(parse_json_body(raw))
    except FieldError as error:
        return ("body", error.field)
    read = {}
    for kind in KINDS:
        out = []
        for index, item in enumerate(lists[kind]):
            try:
                out.append(parsing.parse_ad_event(item, f"{kind}[{index}]", index))
            except FieldError as error:
                out.append(("error", error.field))
        read[kind] = out
    return read, lists["purchases"], lists["cancellations"]


def assert_same(raw: bytes) -> bool:
    """read_fast agrees with the readers on ``raw``; True when it read it (not None)."""
    fast = parsing.read_fast(raw)
    if fast is None:
        return False
    expected = slow(raw)
    assert expected[0] != "body", expected
    read, purchases, cancellations = expected
    assert fast.impressions == read["impressions"]
    assert fast.clicks == read["clicks"]
    assert fast.purchases == purchases and fast.cancellations == cancellations
    return True


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.set_now(NOW)
    yield
    clock.reset()


def organic(**extra):
    return {"id": "imp-1", "occurredAt": STAMP, "opaqueUserId": "u1", "entity": {"type": "listing", "id": "L1"},
            "placement": {"placementId": "search", "position": 3}, **extra}


def sponsored(**extra):
    return {"id": "imp-2", "occurredAt": STAMP, "opaqueUserId": "u1", "resolvedBidId": "v1.abc.def", **extra}


def body(*events, **lists):
    return json.dumps({"impressions": list(events), **lists}).encode()


@pytest.mark.parametrize("raw", [
    body(organic(), sponsored()),
    body(organic(id="  padded \t"), sponsored(opaqueUserId="   ")),
    body(organic(opaqueUserId=None, placement=None), sponsored(resolvedBidId=" v1.x.y ")),
    body(organic(placement={}), organic(placement={"position": 10_000}), organic(placement={"placementId": None})),
    body(organic(id="caf\u00e9 \u2603 \U0001f600"), sponsored(id="x" * 100)),  # escaped as \\u...
    json.dumps({"impressions": [organic(id="caf\u00e9 \U0001f600")]}, ensure_ascii=False).encode(),
    body(organic(occurredAt="2026-12-01T11:00:00+01:00"), organic(occurredAt="2026-12-01t10:00:00.123456z")),
    body(organic(occurredAt=" 2026-12-01T10:00:00Z "), organic(unknownKey=[1, {"a": None}])),
    body(clicks=[sponsored(), organic()], purchases=[{"id": "o1", "items": []}, 7], cancellations=[None]),
    body(organic(), organic()),  # a repeated id is the caller's to count
    b'{"impressions": [{"id": "a", "id": "b", "occurredAt": "2026-12-01T10:00:00Z", "resolvedBidId": "t"}]}',
], ids=lambda raw: raw[:60].decode(errors="replace"))
def test_well_formed_bodies_are_read_fast_and_the_same(raw):
    assert assert_same(raw)


@pytest.mark.parametrize("raw", [
    b"", b"{not json", b"[]", b'"events"', b'{"impresions": []}', b'{"impressions": null}',
    b'{"impressions": {"id": "x"}}', b"[" * 5000 + b"]" * 5000,
    body(*[organic(id=str(i)) for i in range(501)]),
    body(organic(id="")), body(organic(id="   ")), body(organic(id="x" * 101)), body(organic(id=12)),
    body(organic(id="bell\u0007")), body(organic(opaqueUserId="del\u007f")), body(organic(id="lone \ud800")),
    json.dumps({"impressions": [organic(opaqueUserId="del\u007f")]}, ensure_ascii=False).encode(),
    body(organic(occurredAt="2026-12-01T10:00:00")), body(organic(occurredAt="2026-12-01T10:06:00Z")),
    body(organic(occurredAt=None)), body(organic(occurredAt=1700000000)),
    body(organic(entity={"type": "seller", "id": "L1"})), body(organic(entity={"type": "listing", "id": " "})),
    body(organic(entity="L1")), body(organic(resolvedBidId="v1.x.y")), body(sponsored(resolvedBidId="  ")),
    body(organic(placement={"placementId": "nowhere"})), body(organic(placement={"position": 0})),
    body(organic(placement={"position": 2.0})), body(organic(placement={"position": True})),
    body(organic(placement=[])), body(None), body(7),
    body(purchases=[[[[1]]]]).replace(b"[[[1]]]", b"[" * 3000 + b"]" * 3000),
    "\ufeff{}".encode(), '{"impressions": []}'.encode("utf-16"),
], ids=lambda raw: raw[:60].decode(errors="replace"))
def test_anything_else_is_left_to_the_readers(raw):
    assert not assert_same(raw)


_TEXT = st.text(st.sampled_from(["a", "Z", "0", "a", "Z", "0", " ", "\t", "\n", "\u00e9", "\u0007", "\u007f",
                                 "\ud800", "\u2028", "-", ":", "T", "z", "+", "."]), max_size=8)
_TIMES = st.sampled_from(["2026-12-01T10:00:00Z", "2026-12-01T10:04:59Z", "2026-12-01T10:05:01Z",
                          "2026-12-01 10:00:00+00:00", "2026-12-01T10:00:00", "2026-12-01", "20261201T100000Z",
                          " 2026-12-01T10:00:00Z\n", "2026-12-01T10:00:00.5-03:30", "2026-12-01T10:00:00+0100"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 10_001), st.floats(allow_nan=False), _TEXT)
_ANY = st.one_of(_SCALARS, st.lists(_SCALARS, max_size=2), st.dictionaries(_TEXT, _SCALARS, max_size=2))
_MISSING = object()
_FIELDS = {
    "id": _TEXT, "occurredAt": st.one_of(_TIMES, _TEXT), "opaqueUserId": _TEXT, "resolvedBidId": _TEXT,
    "entity": st.fixed_dictionaries({"type": st.sampled_from(["listing", "seller", " listing"]), "id": _TEXT}),
    "placement": st.fixed_dictionaries({"placementId": st.sampled_from([*sorted(parsing.PLACEMENTS), "", "x"]),
                                        "position": st.integers(-1, 10_001)}),
}


@st.composite
def _event(draw):
    """A well-formed organic or sponsored event with up to two fields changed to anything."""
    event = draw(st.sampled_from([organic(), sponsored(), sponsored(placement={"position": 2})]))
    for name in draw(st.lists(st.sampled_from(sorted(_FIELDS)), max_size=2, unique=True)):
        event[name] = draw(st.one_of(_FIELDS[name], st.just(_MISSING), st.none(), _ANY))
    return event


_EVENT = _event()


def _strip_missing(value):
    if isinstance(value, dict):
        return {k: _strip_missing(v) for k, v in value.items() if v is not _MISSING}
    if isinstance(value, list):
        return [_strip_missing(v) for v in value]
    return value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(impressions=st.lists(_EVENT, max_size=3), clicks=st.lists(_EVENT, max_size=2), ascii_only=st.booleans())
def test_fast_reading_never_differs_from_the_readers(impressions, clicks, ascii_only):
    raw = json.dumps({"impressions": _strip_missing(impressions), "clicks": _strip_missing(clicks)},
                     ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    event(f"read fast: {assert_same(raw)}")
