"""Fixtures of the seller analytics pages: a signed-in seller with a launched campaign and rollups."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.models import Cancellation, HourlyStat
from analytics.services import rollups_add
from auction.models import AdExposure, AuctionSettings
from campaigns.tests.factories import launched_campaign
from core import clock
from sellers.tests.factories import ListingFactory, SellerFactory

# Wednesday Dec 16 2026, 15:00 UTC: "today" of the dashboard tests.
NOW = dt.datetime(2026, 12, 16, 15, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def stat(campaign, listing, hour: dt.datetime, **metrics) -> HourlyStat:
    """One rollup cell, written as the fold writes it (its campaign x hour row gets the same amounts)."""
    rollups_add({(campaign.pk, listing.pk, hour.astimezone(dt.UTC)): metrics})
    return HourlyStat.objects.get(campaign=campaign, listing=listing, hour=hour)


@pytest.fixture
def shop(db, django_user_model):
    """A seller ("vera", signed in through ``shop_client``) with 3 listings and a launched campaign."""
    clock.set_now(NOW - dt.timedelta(days=120))
    user = django_user_model.objects.create_user("vera", password="a-long-password-1")
    seller = SellerFactory(user=user, username="vintage_vera")
    listings = [ListingFactory(seller=seller, title=f"Listing {i}", marketplace_id=f"V{i}") for i in range(3)]
    campaign = launched_campaign(seller)
    clock.set_now(NOW)
    return {"seller": seller, "listings": listings, "campaign": campaign}


@pytest.fixture
def shop_client(client, shop):
    client.force_login(shop["seller"].user)
    return client


@pytest.fixture
def rival(db, django_user_model):
    """Another seller with a campaign, a listing and rollups of their own."""
    user = django_user_model.objects.create_user("theo", password="a-long-password-2")
    seller = SellerFactory(user=user, username="thrift_theo")
    listing = ListingFactory(seller=seller, marketplace_id="T1")
    campaign = launched_campaign(seller)
    stat(campaign, listing, NOW - dt.timedelta(days=1), impressions=999, clicks=99, charged_clicks=99,
         spend_micros=99_000_000, direct_orders=9, direct_sales_micros=900_000_000)
    return {"seller": seller, "listing": listing, "campaign": campaign}


def credit(campaign, clicked, bought, *, kind: str = "direct", clicked_at: dt.datetime, purchased_at: dt.datetime,
           amount_micros: int = 45_000_000, order_id: str | None = None):
    """A live attribution credit: a charged click on ``clicked`` earned the purchase of ``bought``."""
    from analytics.models import AttributionCredit
    from analytics.tests.factories import ClickFactory, PurchaseFactory, PurchaseItemFactory

    click = ClickFactory(listing=clicked, campaign=campaign, occurred_at=clicked_at)
    purchase = PurchaseFactory(occurred_at=purchased_at, **({"order_id": order_id} if order_id else {}))
    item = PurchaseItemFactory(purchase=purchase, listing=bought, unit_price_micros=amount_micros)
    return AttributionCredit.objects.create(item=item, purchase=purchase, click=click, kind=kind, campaign=campaign,
                                            listing=clicked, seller=clicked.seller, amount_micros=amount_micros,
                                            purchased_at=purchased_at)


@pytest.fixture
def market(db):
    """Seller A with exposed and held-out shoppers, seller B bought from by one of them."""
    clock.set_now(NOW)
    rules = AuctionSettings.load()
    rules.holdout_share = 0.1
    rules.save()
    a, b = SellerFactory(), SellerFactory()
    dress = ListingFactory(seller=a, category="Women/Dresses")
    coat = ListingFactory(seller=a, category="Women/Coats")
    other = ListingFactory(seller=b, category="Women/Dresses")
    start = NOW - dt.timedelta(days=10)
    for user, held_out in [("u1", False), ("u2", False), ("u3", False), ("u4", False),
                           ("h1", True), ("h2", True), ("h3", True), ("both", False), ("both", True)]:
        first = start - dt.timedelta(days=10) if user == "u3" else start
        AdExposure.objects.create(seller=a, opaque_user_id=user, held_out=held_out, first_at=first)
    AdExposure.objects.create(seller=b, opaque_user_id="old", held_out=False,  # before the 28-day window
                              first_at=NOW - dt.timedelta(days=29))

    from analytics.tests.factories import PurchaseFactory, PurchaseItemFactory

    def bought(user, listing, at, price, order=None):
        purchase = PurchaseFactory(opaque_user_id=user, occurred_at=at, **({"order_id": order} if order else {}))
        PurchaseItemFactory(purchase=purchase, listing=listing, unit_price_micros=price)

    bought("u1", dress, start + HOUR, 45_000_000)  # counted
    bought("u2", coat, start - HOUR, 99_000_000)  # before the first win: not counted
    bought("u3", coat, start + dt.timedelta(days=5), 99_000_000)  # 15 days after u3's first win: past the window
    bought("u4", other, start + HOUR, 20_000_000)  # seller B: only the net effect counts it
    bought("u4", coat, start + 2 * HOUR, 60_000_000, order="gone")  # cancelled
    Cancellation.objects.create(event_id="c1", purchase_order_id="gone", occurred_at=start + 3 * HOUR)
    bought("h1", dress, start + HOUR, 30_000_000)  # a held-out shopper's purchase
    bought("both", dress, start + HOUR, 500_000_000)  # in both groups (the share moved): left out
    return {"a": a, "b": b}
