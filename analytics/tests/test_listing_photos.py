"""Listing photos on the seller pages: a lazy thumbnail beside each title, a neutral box without one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from analytics.tests.conftest import NOW, credit, stat
from auction.models import ListingAuctionDay
from auction.recording import COUNTERS

PHOTO = "https://img.example.com/V0.jpg?w=96&h=96"
RIVAL_PHOTO = "https://img.example.com/T1-secret.jpg"
THUMB = re.compile(r'<img class="thumb" src="([^"]*)" alt="" width="44" height="44" loading="lazy"')


@pytest.fixture
def photographed(shop, rival):
    """V0 has a photo, V1 and V2 none; the rival's listing has one of its own."""
    a, b, _ = shop["listings"]
    a.image_url = PHOTO
    a.save(update_fields=["image_url"])
    rival["listing"].image_url = RIVAL_PHOTO
    rival["listing"].save(update_fields=["image_url"])
    stat(shop["campaign"], a, NOW - dt.timedelta(days=1), impressions=50, clicks=2, charged_clicks=2,
         spend_micros=600_000)
    receipt = credit(shop["campaign"], a, b, kind="halo", clicked_at=NOW - dt.timedelta(days=2),
                     purchased_at=NOW - dt.timedelta(days=1), order_id="ORD-7")
    return {**shop, "receipt": receipt}


def _pages(shop) -> dict[str, str]:
    a = shop["listings"][0]
    ListingAuctionDay.objects.create(listing=a, day=NOW.date(), **dict.fromkeys(COUNTERS, 0))
    return {
        "picker": reverse("campaigns:detail", args=[shop["campaign"].pk]),
        "results": f"{reverse('analytics:listings')}?range=7",
        "receipts": f"{reverse('analytics:receipts')}?range=7",
        "receipt": reverse("analytics:receipt", args=[shop["receipt"].pk]),
        "why": reverse("analytics:why", args=[a.pk]),
    }


def test_every_page_listing_items_shows_the_photo_lazily_with_a_placeholder_for_the_others(
        shop_client, photographed):
    escaped = PHOTO.replace("&", "&amp;")
    for name, path in _pages(photographed).items():
        html = shop_client.get(path).content.decode()
        assert escaped in THUMB.findall(html), name
        if name != "why":  # the why page is about one listing, the photographed one
            assert '<span class="thumb thumb-none" aria-hidden="true"></span>' in html, name
        assert RIVAL_PHOTO not in html, name


def test_a_listing_without_a_photo_gets_the_placeholder_and_no_img(shop_client, shop):
    html = shop_client.get(reverse("analytics:why", args=[shop["listings"][1].pk])).content.decode()
    assert '<span class="thumb thumb-none" aria-hidden="true"></span>' in html
    assert "<img" not in html


def test_photos_cost_no_query_on_the_picker_and_the_results(shop_client, shop):
    """The photo comes in each page's own query (no query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sellers.models import Listing
    from sellers.tests.factories import ListingFactory

    ListingFactory.create_batch(30, seller=shop["seller"])
    paths = [reverse("campaigns:detail", args=[shop["campaign"].pk]), f"{reverse('analytics:listings')}?range=7"]
    for path in paths:
        shop_client.get(path)  # warm the per-process caches

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert shop_client.get(path).status_code == 200
        return len(captured)

    without = [queries(path) for path in paths]
    Listing.objects.filter(seller=shop["seller"]).update(image_url=PHOTO)
    assert [queries(path) for path in paths] == without
    assert len(THUMB.findall(shop_client.get(paths[0]).content.decode())) >= 20
