"""Purchases: stored once with their items; the listings bought become sold at once."""

import pytest

from analytics.models import Cancellation, Purchase, PurchaseItem
from analytics.services import events_ingest
from analytics.tests.factories import T0, cancellation, promoted_listing, purchase
from core import changes, clock
from sellers.models import Listing
from sellers.tests.factories import ListingFactory


@pytest.fixture
def listing(db):
    clock.set_now(T0)
    return promoted_listing()[1]


def test_a_purchase_is_stored_with_its_items_in_micros(listing):
    other = ListingFactory()
    body = purchase(listing, other, id="ord-1", user="buyer-9", unit_price="45.10")
    body["items"][1]["unitPrice"] = 12
    body["items"][1]["quantity"] = 2
    assert events_ingest({"purchases": [body]}) == {"accepted": 1, "duplicates": 0, "rejected": []}
    order = Purchase.objects.get()
    assert (order.order_id, order.opaque_user_id, order.occurred_at) == ("ord-1", "buyer-9", T0)
    items = {i.listing_id: (i.seller_id, i.unit_price_micros, i.quantity, i.sales_micros)
             for i in PurchaseItem.objects.all()}
    assert items == {listing.pk: (listing.seller_id, 45_100_000, 1, 45_100_000),
                     other.pk: (other.seller_id, 12_000_000, 2, 24_000_000)}


def test_a_purchase_marks_its_listings_sold_and_signals_the_catalog(listing, django_capture_on_commit_callbacks):
    before = changes.versions().get(changes.CATALOG, 0)
    with django_capture_on_commit_callbacks(execute=True):
        events_ingest({"purchases": [purchase(listing)]})
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.SOLD
    assert changes.versions()[changes.CATALOG] == before + 1


def test_a_resent_purchase_changes_nothing(listing, django_capture_on_commit_callbacks):
    body = purchase(listing, id="ord-1")
    events_ingest({"purchases": [body]})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert events_ingest({"purchases": [body]}) == {"accepted": 0, "duplicates": 1, "rejected": []}
    assert callbacks == []
    assert PurchaseItem.objects.count() == 1


def test_a_purchase_of_an_unknown_listing_is_rejected_whole(listing):
    body = purchase(listing, id="ord-1")
    body["items"].append({"listingId": "L-unknown", "unitPrice": "5.00"})
    result = events_ingest({"purchases": [body, purchase(listing, id="ord-2")]})
    assert result["accepted"] == 1
    assert result["rejected"][0]["field"] == "purchases[0].items[1].listingId"
    assert list(Purchase.objects.values_list("order_id", flat=True)) == ["ord-2"]


def test_a_cancellation_may_arrive_before_its_purchase(listing):
    assert events_ingest({"cancellations": [cancellation("ord-later", id="can-1")]})["accepted"] == 1
    assert events_ingest({"purchases": [purchase(listing, id="ord-later")]})["accepted"] == 1
    assert Cancellation.objects.get().purchase_order_id == "ord-later"


def test_a_batch_of_new_and_resent_orders_stores_the_new_ones_items_and_signals_only_new_sales(
        listing, django_capture_on_commit_callbacks):
    first, second, third = ListingFactory(), ListingFactory(), ListingFactory()
    events_ingest({"purchases": [purchase(listing, id="ord-old")]})
    before = changes.versions().get(changes.CATALOG, 0)
    with django_capture_on_commit_callbacks(execute=True):
        result = events_ingest({"purchases": [
            purchase(first, second, id="ord-a", user="b-1"), purchase(listing, id="ord-old"),
            purchase(third, id="ord-b", user="b-2")]})
    assert result == {"accepted": 2, "duplicates": 1, "rejected": []}
    items = list(PurchaseItem.objects.order_by("pk").values_list("purchase__order_id", "listing_id", "seller_id"))
    assert items == [("ord-old", listing.pk, listing.seller_id), ("ord-a", first.pk, first.seller_id),
                     ("ord-a", second.pk, second.seller_id), ("ord-b", third.pk, third.seller_id)]
    assert set(Listing.objects.filter(status=Listing.Status.SOLD).values_list("pk", flat=True)) == {
        listing.pk, first.pk, second.pk, third.pk}
    assert changes.versions()[changes.CATALOG] == before + 1
    # Bought again (another order): already sold, so the catalog has not changed.
    with django_capture_on_commit_callbacks(execute=True):
        assert events_ingest({"purchases": [purchase(first, id="ord-c")]})["accepted"] == 1
    assert changes.versions()[changes.CATALOG] == before + 1
