import pytest

from sellers.models import Listing, Seller
from sellers.tests.factories import SellerFactory

SELLERS = "/api/v1/catalog/sellers"
LISTINGS = "/api/v1/catalog/listings"


def listing(i, seller="S7", **overrides):
    item = {
        "id": f"L{i}", "sellerId": seller, "title": f"Nike Air Max {i}", "brand": "Nike",
        "category": "Women/Shoes/Sneakers", "size": "8", "condition": "like_new",
        "price": "45.00", "status": "available", "createdAt": "2026-11-01T12:00:00Z",
    }
    item.update(overrides)
    return item


@pytest.fixture
def seller(db):
    return SellerFactory(marketplace_id="S7", username="vintage_vera")


def test_sellers_are_created_then_updated_then_unchanged(api, db):
    body = {"sellers": [{"id": "S7", "username": "vintage_vera", "email": "vera@example.com",
                         "joinedAt": "2021-03-02T00:00:00Z"}]}
    assert api.post(SELLERS, body).json() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": []}
    assert api.post(SELLERS, body).json()["unchanged"] == 1
    body["sellers"][0]["username"] = "vera_vintage"
    assert api.post(SELLERS, body).json()["updated"] == 1
    assert Seller.objects.get(marketplace_id="S7").username == "vera_vintage"


def test_ten_thousand_listings_in_ten_calls_and_again_creates_nothing(api, seller):
    batches = [[listing(b * 1000 + i) for i in range(1000)] for b in range(10)]
    for batch in batches:
        response = api.post(LISTINGS, {"listings": batch})
        assert response.status_code == 200
        assert response.json()["created"] == 1000
    assert Listing.objects.count() == 10_000
    for batch in batches:
        result = api.post(LISTINGS, {"listings": batch}).json()
        assert result == {"created": 0, "updated": 0, "unchanged": 1000, "rejected": []}
    assert Listing.objects.count() == 10_000
    stored = Listing.objects.get(marketplace_id="L1234")
    assert stored.price_micros == 45_000_000
    assert stored.condition == "like_new"
    assert stored.seller == seller


def test_a_sold_listing_is_marked_sold(api, seller):
    api.post(LISTINGS, {"listings": [listing(1)]})
    result = api.post(LISTINGS, {"listings": [listing(1, status="sold")]}).json()
    assert result["updated"] == 1
    assert Listing.objects.get(marketplace_id="L1").status == Listing.Status.SOLD


@pytest.mark.parametrize("bad_item, field", [
    (listing(2, seller="S999"), "listings[1].sellerId"),
    (listing(2, price="-5.00"), "listings[1].price"),
    (listing(2, price="0"), "listings[1].price"),
    (listing(2, price="abc"), "listings[1].price"),
    (listing(2, condition="mint"), "listings[1].condition"),
    (listing(2, status="lost"), "listings[1].status"),
    ({k: v for k, v in listing(2).items() if k != "id"}, "listings[1].id"),
    ({k: v for k, v in listing(2).items() if k != "title"}, "listings[1].title"),
    (listing(2, createdAt="2026-11-01 12:00"), "listings[1].createdAt"),
    (listing(2, title=["not", "a", "string"]), "listings[1].title"),
    ("not an object", "listings[1]"),
    (listing(1), "listings[1].id"),  # repeats listings[0] in the same batch
])
def test_each_bad_item_is_rejected_with_its_field_path_while_the_rest_lands(api, seller, bad_item, field):
    response = api.post(LISTINGS, {"listings": [listing(1), bad_item, listing(3)]})
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 2
    assert len(body["rejected"]) == 1
    assert body["rejected"][0]["field"] == field
    assert body["rejected"][0]["index"] == 1
    assert body["rejected"][0]["message"]
    assert set(Listing.objects.values_list("marketplace_id", flat=True)) == {"L1", "L3"}


def test_more_than_1000_items_is_a_400_naming_the_field(api, seller):
    response = api.post(LISTINGS, {"listings": [listing(i) for i in range(1001)]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "listings"
    assert "at most 1000" in response.json()["errors"][0]["message"]
    assert Listing.objects.count() == 0


@pytest.mark.parametrize("raw, field", [
    (b"not json", "body"),
    (b"", "body"),
    (b"[1, 2]", "body"),
    (b'{"listings": {"id": "L1"}}', "listings"),
    (b'{"items": []}', "listings"),
    (b'{"listings": []}', "listings"),
    (b"\xff\xfe", "body"),
])
def test_malformed_bodies_are_400_never_500(api, seller, raw, field):
    response = api.post(LISTINGS, raw=raw)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_bad_seller_items_are_rejected_alone(api, db):
    body = {"sellers": [
        {"id": "S1", "username": "ok"},
        {"id": "S2"},
        {"id": "S3", "username": "x", "email": "not-an-email"},
        {"id": "S4", "username": "y", "timeZone": "Mars/Base"},
        {"id": 5, "username": "numeric-id"},
    ]}
    body_out = api.post(SELLERS, body).json()
    assert body_out["created"] == 1
    fields = [r["field"] for r in body_out["rejected"]]
    # Ids are strings in the contract: a number is refused like any other wrong type.
    assert fields == ["sellers[1].username", "sellers[2].email", "sellers[3].timeZone", "sellers[4].id"]
    assert not Seller.objects.filter(marketplace_id="5").exists()


def test_wrong_method_is_not_a_500(api, client):
    response = client.get(LISTINGS, HTTP_AUTHORIZATION=f"Bearer {api.key}")
    assert response.status_code == 405
