"""A listing's photo (``imageUrl``) through the catalog API: https only, rejected per item."""

import pytest

from sellers.catalog import IMAGE_URL_MAX
from sellers.models import Listing
from sellers.tests.test_catalog_api import LISTINGS, listing

PHOTO = "https://img.example.com/L1.jpg?w=96"


@pytest.fixture
def seller(db):
    from sellers.tests.factories import SellerFactory

    return SellerFactory(marketplace_id="S7")


def test_an_https_photo_is_stored_trimmed_and_a_resend_is_unchanged(api, seller):
    body = {"listings": [listing(1, imageUrl=f"  {PHOTO} ")]}
    assert api.post(LISTINGS, body).json()["created"] == 1
    assert Listing.objects.get(marketplace_id="L1").image_url == PHOTO
    assert api.post(LISTINGS, body).json()["unchanged"] == 1


@pytest.mark.parametrize("bad", [
    "http://img.example.com/L2.jpg",
    "javascript:alert(1)",
    "data:image/svg+xml;base64,PHN2Zz4=",
    "https://user:secret@img.example.com/L2.jpg",
    "https://img.example.com/L2 photo.jpg",
    "https://img.example.com/L2\x07.jpg",
    "https://img.example.com/" + "x" * IMAGE_URL_MAX,
    42,
])
def test_a_bad_photo_rejects_its_item_alone_naming_the_field(api, seller, bad):
    response = api.post(LISTINGS, {"listings": [listing(1, imageUrl=PHOTO), listing(2, imageUrl=bad), listing(3)]})
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 2
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [(1, "listings[1].imageUrl")]
    assert set(Listing.objects.values_list("marketplace_id", flat=True)) == {"L1", "L3"}


@pytest.mark.parametrize("absent", [{}, {"imageUrl": None}, {"imageUrl": "  "}])
def test_an_item_without_a_photo_clears_it_like_any_optional_field(api, seller, absent):
    """An item is the whole listing: an optional field left out is stored empty (as brand is)."""
    api.post(LISTINGS, {"listings": [listing(1, imageUrl=PHOTO, brand="Nike")]})
    item = {k: v for k, v in listing(1).items() if k != "brand"} | absent
    assert api.post(LISTINGS, {"listings": [item]}).json()["updated"] == 1
    stored = Listing.objects.get(marketplace_id="L1")
    assert (stored.image_url, stored.brand) == ("", "")
