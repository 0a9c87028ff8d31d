"""The index's catalog patches when the clock goes back (a simulator's clock given back to
the real time after a run weeks ahead, a stepped system clock): rows stamped "later" than
new writes must not hide those writes."""

import datetime as dt

import pytest

from auction.recording import recorder
from auction.tests.factories import MONDAY, page_body, promoted_closet
from auction.traffic import counter
from core import clock

pytestmark = pytest.mark.django_db(transaction=True)

FUTURE = MONDAY + dt.timedelta(weeks=10)
AUCTIONS = "/api/v1/auctions"
LISTINGS = "/api/v1/catalog/listings"


def winners(api, ids):
    response = api.post(AUCTIONS, page_body(ids, slots=4))
    assert response.status_code == 201
    # A due flush of the auction's counts runs in a thread after the response; on the
    # test's shared in-memory SQLite its write would lock out the next request's.
    recorder.wait_for_flush(30)
    counter.wait()
    return {w["id"] for w in response.json()["results"][0]["winners"]}


def sell(api, listing):
    item = {"id": listing.marketplace_id, "sellerId": listing.seller.marketplace_id, "title": listing.title,
            "condition": "good", "price": "45.00", "status": "sold", "category": listing.category}
    assert api.post(LISTINGS, {"listings": [item]}).json()["updated"] == 1


def test_listings_sold_after_the_clock_went_back_stop_winning_at_once(api):
    clock.set_now(FUTURE)  # the closet is written, and the index read, ten weeks ahead
    listings = [promoted_closet(1)[1][0] for _ in range(3)]  # three sellers: each can win a slot
    ids = [listing.marketplace_id for listing in listings]
    assert winners(api, ids) == set(ids)

    clock.set_now(MONDAY + dt.timedelta(hours=9))  # back: new writes are stamped before the rows above
    sell(api, listings[0])
    assert ids[0] not in winners(api, ids)

    clock.advance(dt.timedelta(hours=2))  # and the next patch after that one too
    sell(api, listings[1])
    clock.advance(dt.timedelta(hours=2))
    assert winners(api, ids) <= {ids[2]}
