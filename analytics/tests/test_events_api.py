"""POST /api/v1/events: the contract of api.md, partial acceptance, idempotency, bad input."""

import datetime as dt
import json

import pytest

from analytics.models import Cancellation, Click, Impression, Purchase
from analytics.tests.factories import (
    T0,
    bid_token,
    cancellation,
    iso,
    organic,
    promoted_listing,
    purchase,
    sponsored,
)
from core import clock
from core.services import api_key_create

URL = "/api/v1/events"


@pytest.fixture
def promoted(db):
    clock.set_now(T0)
    return promoted_listing()


def batch(campaign, listing, n=3):
    return {
        "impressions": [sponsored(bid_token(campaign, listing), user=f"u{i}") for i in range(n)]
        + [organic(listing, position=i + 1) for i in range(n)],
        "clicks": [sponsored(bid_token(campaign, listing), user=f"u{i}") for i in range(n)],
        "purchases": [purchase(listing, user="u0")],
        "cancellations": [cancellation("ord-unknown-yet")],
    }


def counts():
    return (Impression.objects.count(), Click.objects.count(), Purchase.objects.count(),
            Cancellation.objects.count())


def test_a_batch_is_stored_and_counted(api, promoted):
    response = api.post(URL, batch(*promoted))
    assert response.status_code == 200
    assert response.json() == {"accepted": 11, "duplicates": 0, "rejected": []}
    assert counts() == (6, 3, 1, 1)
    assert Click.objects.filter(charged=True).count() == 3


def test_sending_the_same_batch_twice_changes_nothing(api, promoted):
    body = batch(*promoted)
    api.post(URL, body)
    stored = counts()
    charged = list(Click.objects.filter(charged=True).values_list("pk", "ledger_entry_id"))
    again = api.post(URL, body).json()
    assert again == {"accepted": 0, "duplicates": 11, "rejected": []}
    assert counts() == stored
    assert list(Click.objects.filter(charged=True).values_list("pk", "ledger_entry_id")) == charged


def test_an_id_repeated_within_a_batch_is_a_duplicate(api, promoted):
    _, listing = promoted
    event = organic(listing, id="imp-1")
    assert api.post(URL, {"impressions": [event, dict(event)]}).json() == {
        "accepted": 1, "duplicates": 1, "rejected": []}


def test_a_batch_with_one_bad_event_stores_the_others(api, promoted):
    campaign, listing = promoted
    body = batch(campaign, listing)
    body["impressions"][1]["occurredAt"] = "yesterday"
    body["clicks"][2].pop("id")
    result = api.post(URL, body).json()
    assert result["accepted"] == 9
    assert result["rejected"] == [
        {"kind": "impressions", "index": 1, "id": body["impressions"][1]["id"],
         "field": "impressions[1].occurredAt",
         "message": "must be an RFC 3339 timestamp with a zone, e.g. 2026-11-30T10:00:00Z"},
        {"kind": "clicks", "index": 2, "id": None, "field": "clicks[2].id", "message": "is required"},
    ]
    assert counts() == (5, 2, 1, 1)


def test_a_tampered_impression_is_rejected(api, promoted):
    token = bid_token(*promoted)
    result = api.post(URL, {"impressions": [sponsored(token[:-3] + "AAA")]}).json()
    assert result["accepted"] == 0
    assert result["rejected"][0]["field"] == "impressions[0].resolvedBidId"
    assert Impression.objects.count() == 0


def test_sponsored_events_carry_the_resolved_bid(api, promoted):
    campaign, listing = promoted
    token = bid_token(campaign, listing, price_micros=420_000, slot=3, auction_id="auc-77", placement="feed")
    api.post(URL, {"impressions": [sponsored(token, id="i1")], "clicks": [sponsored(token, id="c1")]})
    for model in (Impression, Click):
        row = model.objects.get()
        assert (row.auction_id, row.campaign_id, row.listing_id, row.price_micros, row.slot, row.placement) == (
            "auc-77", campaign.pk, listing.pk, 420_000, 3, "feed")
        assert row.sponsored


def test_organic_events_carry_listing_placement_and_position(api, promoted):
    _, listing = promoted
    api.post(URL, {"impressions": [organic(listing, position=7, placement="category")]})
    row = Impression.objects.get()
    assert (row.listing_id, row.placement, row.position, row.campaign_id, row.sponsored) == (
        listing.pk, "category", 7, None, False)


def test_opaque_user_ids_are_stored_as_given(api, promoted):
    _, listing = promoted
    api.post(URL, {"impressions": [organic(listing, user="  u-8f2c/ÄÖ ")]})
    assert Impression.objects.get().opaque_user_id == "u-8f2c/ÄÖ"


def test_an_empty_object_stores_nothing(api, db):
    assert api.post(URL, {}).json() == {"accepted": 0, "duplicates": 0, "rejected": []}


@pytest.mark.parametrize("body, field", [
    ([], "body"),
    ("events", "body"),
    ({"impressions": {"id": "x"}}, "impressions"),
    ({"clicks": "nope"}, "clicks"),
    ({"impresions": []}, "impresions"),
])
def test_a_body_that_is_not_an_object_of_the_lists_is_a_400_and_stores_nothing(api, promoted, body, field):
    response = api.post(URL, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert counts() == (0, 0, 0, 0)


def test_invalid_json_is_a_400(api, db):
    response = api.post(URL, raw=b"{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


@pytest.mark.parametrize("kind", ["impressions", "clicks", "purchases", "cancellations"])
def test_501_events_in_a_list_is_a_400_for_that_list(api, promoted, kind):
    _, listing = promoted
    body = {"impressions": [organic(listing)], kind: [{"id": str(i)} for i in range(501)]}
    response = api.post(URL, body)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": kind, "message": "has 501 items; at most 500 per call"}]}
    assert counts() == (0, 0, 0, 0)


def test_500_events_in_a_list_are_fine(api, promoted):
    _, listing = promoted
    response = api.post(URL, {"impressions": [organic(listing) for _ in range(500)]})
    assert response.json()["accepted"] == 500


FUTURE = iso(T0 + dt.timedelta(minutes=6))
SOON = iso(T0 + dt.timedelta(minutes=4))


def _bad_cases():
    # (kind, mutate(event), field, message part)
    return [
        ("impressions", lambda e: e.update(id=None), "impressions[0].id", "is required"),
        ("impressions", lambda e: e.update(id=""), "impressions[0].id", "must not be blank"),
        ("impressions", lambda e: e.update(id=["x"]), "impressions[0].id", "must be a string"),
        ("impressions", lambda e: e.update(id="x" * 101), "impressions[0].id", "longer than 100"),
        ("impressions", lambda e: e.update(occurredAt="2026-11-30T10:00:00"), "impressions[0].occurredAt", "zone"),
        ("impressions", lambda e: e.update(occurredAt=1700000000), "impressions[0].occurredAt", "RFC 3339"),
        ("impressions", lambda e: e.update(occurredAt=FUTURE), "impressions[0].occurredAt", "in the future"),
        ("impressions", lambda e: e.pop("occurredAt"), "impressions[0].occurredAt", "is required"),
        ("impressions", lambda e: e.update(opaqueUserId=42), "impressions[0].opaqueUserId", "must be a string"),
        ("impressions", lambda e: e.update(entity="L1"), "impressions[0].entity", "must be an object"),
        ("impressions", lambda e: e["entity"].update(type="seller"), "impressions[0].entity.type", "must be one of"),
        ("impressions", lambda e: e["entity"].update(id="L-nope"), "impressions[0].entity.id", "unknown listing"),
        ("impressions", lambda e: e.pop("entity"), "impressions[0].resolvedBidId", "is required"),
        ("impressions", lambda e: e.update(resolvedBidId="v1.x.y"), "impressions[0].entity", "not both"),
        ("impressions", lambda e: e["placement"].update(position=0), "impressions[0].placement.position",
         "at least 1"),
        ("impressions", lambda e: e["placement"].update(position="1"), "impressions[0].placement.position",
         "whole number"),
        ("impressions", lambda e: e["placement"].update(placementId="home"), "impressions[0].placement.placementId",
         "must be one of"),
        ("clicks", lambda e: e.update(occurredAt="30/11/2026"), "clicks[0].occurredAt", "RFC 3339"),
        ("clicks", lambda e: e["entity"].pop("id"), "clicks[0].entity.id", "is required"),
        ("purchases", lambda e: e["items"][0].update(unitPrice="0"), "purchases[0].items[0].unitPrice",
         "greater than 0"),
        ("purchases", lambda e: e["items"][0].update(unitPrice=-5), "purchases[0].items[0].unitPrice",
         "greater than 0"),
        ("purchases", lambda e: e["items"][0].update(unitPrice="abc"), "purchases[0].items[0].unitPrice",
         "decimal"),
        ("purchases", lambda e: e["items"][0].update(unitPrice=True), "purchases[0].items[0].unitPrice",
         "decimal string or number"),
        ("purchases", lambda e: e["items"][0].update(quantity=0), "purchases[0].items[0].quantity", "at least 1"),
        ("purchases", lambda e: e["items"][0].update(quantity=1.5), "purchases[0].items[0].quantity",
         "whole number"),
        ("purchases", lambda e: e.update(items=[]), "purchases[0].items", "at least 1 item"),
        ("purchases", lambda e: e.update(items=None), "purchases[0].items", "is required"),
        ("purchases", lambda e: e.update(items=[e["items"][0], e["items"][0]]), "purchases[0].items[1].listingId",
         "repeats items[0]"),
        ("purchases", lambda e: e["items"][0].update(listingId="L-nope"), "purchases[0].items[0].listingId",
         "unknown listing"),
        ("purchases", lambda e: e.update(occurredAt=FUTURE), "purchases[0].occurredAt", "in the future"),
        ("cancellations", lambda e: e.pop("purchaseId"), "cancellations[0].purchaseId", "is required"),
        ("cancellations", lambda e: e.update(occurredAt="2026-12-01"), "cancellations[0].occurredAt", "zone"),
        ("cancellations", lambda e: e.update(id={"a": 1}), "cancellations[0].id", "must be a string"),
    ]


@pytest.mark.parametrize("kind, mutate, field, message", _bad_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_bad_input_is_rejected_with_its_reason_and_the_rest_is_stored(api, promoted, kind, mutate, field, message):
    _, listing = promoted
    good = {"impressions": organic(listing), "clicks": organic(listing), "purchases": purchase(listing),
            "cancellations": cancellation("ord-9")}[kind]
    bad = json.loads(json.dumps(good))
    bad["id"] = "bad-one"
    mutate(bad)
    response = api.post(URL, {kind: [bad, good]})
    assert response.status_code == 200
    result = response.json()
    assert result["accepted"] == 1
    [rejected] = result["rejected"]
    assert (rejected["kind"], rejected["index"], rejected["field"]) == (kind, 0, field)
    assert message in rejected["message"]


def test_an_event_four_minutes_ahead_is_accepted(api, promoted):
    _, listing = promoted
    event = organic(listing)
    event["occurredAt"] = SOON
    assert api.post(URL, {"impressions": [event]}).json()["accepted"] == 1


def test_a_non_object_event_is_rejected_alone(api, promoted):
    _, listing = promoted
    result = api.post(URL, {"impressions": [None, 7, "x", organic(listing)]}).json()
    assert result["accepted"] == 1
    assert [r["field"] for r in result["rejected"]] == ["impressions[0]", "impressions[1]", "impressions[2]"]


def test_a_number_as_an_id_is_rejected_by_field_like_the_schema_says(api, promoted):
    """Ids are strings in the contract (a JSON number past 2**53 would not survive a
    JavaScript storefront): a number is that event's field error, the rest lands."""
    _, listing = promoted
    event = organic(listing)
    event["id"] = 12345
    result = api.post(URL, {"impressions": [event, organic(listing)]}).json()
    assert result["accepted"] == 1
    assert result["rejected"][0]["field"] == "impressions[0].id"
    assert "string" in result["rejected"][0]["message"]


def test_a_missing_key_is_401_and_a_key_without_the_scope_is_403(api, client, db):
    response = client.post(URL, data="{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "authorization"
    _, catalog_only = api_key_create("catalog-only", ["catalog"])
    response = api.post(URL, {}, key=catalog_only)
    assert response.status_code == 403
    assert "events" in response.json()["errors"][0]["message"]


def test_the_endpoint_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/events" in schema
    assert "resolvedBidId" in schema


def test_a_batch_larger_than_djangos_default_body_limit_is_accepted(api, promoted, settings):
    _, listing = promoted
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = api.post(URL, {"impressions": [organic(listing) for _ in range(200)]})
    assert response.status_code == 200
    assert response.json()["accepted"] == 200


def test_an_oversized_body_is_a_400(api, db, monkeypatch):
    from analytics import api as events_api

    monkeypatch.setattr(events_api, "MAX_BODY_BYTES", 1000)
    response = api.post(URL, {"impressions": [{"id": "x" * 2000}]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


def test_an_empty_body_is_a_400(api, db):
    response = api.post(URL, raw=b"")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("is empty")
