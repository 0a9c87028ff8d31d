"""Fixtures of the seller analytics pages: a signed-in seller with a launched campaign and rollups."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.models import HourlyStat
from analytics.services import rollups_add
from campaigns.tests.factories import launched_campaign
from closetads import clock
from sellers.tests.factories import ListingFactory, SellerFactory

# Wednesday Dec 16 2026, 15:00 UTC: "today" of the dashboard tests.
NOW = dt.datetime(2026, 12, 16, 15, 0, tzinfo=dt.UTC)


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
