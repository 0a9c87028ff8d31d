"""The events API's batched writes: one multi-row insert per kind, one transaction per batch,
the same idempotency and per-item errors as event by event (docs/decisions/0009-event-ingest.md)."""

import pytest
from django.db.models import Sum

from analytics.models import Cancellation, Click, Impression, Purchase
from analytics.services import events_ingest, ingest
from analytics.tests.factories import T0, bid_token, cancellation, organic, promoted_listing, purchase, sponsored
from auction.models import ShopperTaste
from campaigns.models import BudgetPeriod, LedgerEntry
from core import clock

URL = "/api/v1/events"


@pytest.fixture
def promoted(db):
    clock.set_now(T0)
    return promoted_listing()


def test_ids_repeated_within_a_batch_are_duplicates_of_every_kind(api, promoted):
    campaign, listing = promoted
    click = sponsored(bid_token(campaign, listing), id="c1")
    order = purchase(listing, id="o1")
    body = {"impressions": [organic(listing, id="i1"), organic(listing, id="i1")],
            "clicks": [click, dict(click)],
            "purchases": [order, dict(order)],
            "cancellations": [cancellation("o1", id="x1"), cancellation("o1", id="x1")]}
    assert api.post(URL, body).json() == {"accepted": 4, "duplicates": 4, "rejected": []}
    assert (Impression.objects.count(), Click.objects.count(), Purchase.objects.count(),
            Cancellation.objects.count()) == (1, 1, 1, 1)
    assert LedgerEntry.objects.count() == 1


def test_a_batch_resent_with_new_events_stores_only_the_new_ones(api, promoted):
    campaign, listing = promoted
    clicks = [sponsored(bid_token(campaign, listing), id=f"c{i}", user=f"u{i}") for i in range(6)]
    impressions = [organic(listing, id=f"i{i}") for i in range(6)]
    assert api.post(URL, {"impressions": impressions[:3], "clicks": clicks[:3]}).json()["accepted"] == 6
    assert api.post(URL, {"impressions": impressions, "clicks": clicks}).json() == {
        "accepted": 6, "duplicates": 6, "rejected": []}
    assert Click.objects.filter(charged=True).count() == 6
    assert LedgerEntry.objects.count() == 6


def test_a_bad_event_in_the_middle_of_each_list_is_rejected_alone(api, promoted):
    campaign, listing = promoted
    bad_click = sponsored(bid_token(campaign, listing), id="c-bad")
    del bad_click["occurredAt"]
    body = {
        "impressions": [organic(listing, id="i0"), {**organic(listing, id="i1"), "entity": {"type": "listing",
                                                                                          "id": "nope"}},
                        organic(listing, id="i2")],
        "clicks": [sponsored(bid_token(campaign, listing), id="c0", user="a"), bad_click,
                   sponsored(bid_token(campaign, listing), id="c2", user="b")],
        "purchases": [purchase(listing, id="o0"), {**purchase(listing, id="o1"), "items": []},
                      purchase(listing, id="o2")],
        "cancellations": [cancellation("o0", id="x0"), {"id": "x1", "purchaseId": "o2"}, cancellation("o2", id="x2")],
    }
    result = api.post(URL, body).json()
    assert result["accepted"] == 8
    assert [(r["kind"], r["index"], r["field"]) for r in result["rejected"]] == [
        ("impressions", 1, "impressions[1].entity.id"), ("clicks", 1, "clicks[1].occurredAt"),
        ("purchases", 1, "purchases[1].items"), ("cancellations", 1, "cancellations[1].occurredAt")]
    assert set(Click.objects.filter(charged=True).values_list("event_id", flat=True)) == {"c0", "c2"}
    assert sorted(Purchase.objects.values_list("order_id", flat=True)) == ["o0", "o2"]


def test_clicks_of_several_campaigns_in_one_batch_are_each_charged_and_the_ledger_matches(api, promoted):
    campaigns = [promoted] + [promoted_listing() for _ in range(3)]
    body = {"clicks": [sponsored(bid_token(c, li, price_micros=100_000 * (n + 1)), user=f"u{n}-{k}")
                       for n, (c, li) in enumerate(campaigns) for k in range(3)]}
    assert api.post(URL, body).json()["accepted"] == 12
    for n, (campaign, _) in enumerate(campaigns):
        period = BudgetPeriod.objects.get(campaign=campaign)
        assert period.spent_micros == 3 * 100_000 * (n + 1)
        assert LedgerEntry.objects.filter(period=period).aggregate(s=Sum("amount_micros"))["s"] == period.spent_micros
    assert set(Click.objects.values_list("ledger_entry_id", flat=True)) == set(
        LedgerEntry.objects.values_list("pk", flat=True))


def test_a_batch_that_fails_midway_stores_nothing_and_resending_it_stores_it_all(promoted, monkeypatch):
    campaign, listing = promoted
    body = {"impressions": [organic(listing, id="i0")], "clicks": [sponsored(bid_token(campaign, listing), id="c0")],
            "purchases": [purchase(listing, id="o0")]}

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ingest, "clicks_ingest", broken)
    with pytest.raises(RuntimeError):
        events_ingest(body)
    assert (Impression.objects.count(), Purchase.objects.count()) == (0, 0)
    assert not ShopperTaste.objects.exists()  # the purchase's hint waits for the batch to be stored
    monkeypatch.undo()
    assert events_ingest(body) == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert ShopperTaste.objects.exists()
    assert BudgetPeriod.objects.get(campaign=campaign).spent_micros == 300_000
