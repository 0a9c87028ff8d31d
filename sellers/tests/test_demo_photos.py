"""Generated stand-in photos for the demo and the tests: local, deterministic, off in production."""

import pytest
from django.urls import reverse

from sellers.tests.factories import ListingFactory


@pytest.fixture
def listing(db):
    return ListingFactory(marketplace_id="L42", category="Women/Shoes/Sneakers")


def test_a_demo_photo_is_an_svg_with_the_category_initial_the_same_each_time(client, listing):
    url = reverse("demo_photo", args=["L42"])
    assert url == "/demo/photos/L42.svg"
    first, again = client.get(url), client.get(url)
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/svg+xml"
    assert first.content == again.content
    assert b">S</text>" in first.content and b"<script" not in first.content
    other = ListingFactory(marketplace_id="L43", category="Men/Coats")
    assert client.get(reverse("demo_photo", args=[other.marketplace_id])).content != first.content


def test_an_unknown_listing_or_demo_images_off_is_a_404(client, listing, settings):
    assert client.get("/demo/photos/L404.svg").status_code == 404
    settings.DEMO_IMAGES = False
    assert client.get("/demo/photos/L42.svg").status_code == 404


def test_a_category_initial_is_escaped(client, db):
    ListingFactory(marketplace_id="L7", category="Odd/<b")
    assert b">&lt;</text>" in client.get("/demo/photos/L7.svg").content
