"""Factories and helpers for analytics tests: promoted listings, resolved-bid tokens, event bodies."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from analytics.models import Click, Purchase, PurchaseItem
from analytics.services import events_ingest
from auction.tokens import ResolvedBid, sign
from campaigns.models import Campaign
from campaigns.services import campaign_launch
from campaigns.tests.factories import CampaignFactory
from core import clock
from sellers.models import Listing
from sellers.tests.factories import ListingFactory, SellerFactory

UTC = dt.UTC
# A Monday (tests run with TIME_ZONE=UTC), so a whole budget week lies ahead.
T0 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
# Steps of the test clock.
MIN = dt.timedelta(minutes=1)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
_auctions = itertools.count(1)
_events = itertools.count(1)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def promoted_listing(*, weekly_budget_micros: int = 25_000_000, seller=None,
                     **listing_fields) -> tuple[Campaign, Listing]:
    """An available listing of a seller whose Promoted Closet is active (launched at the clock's now)."""
    seller = seller or SellerFactory()
    listing = ListingFactory(seller=seller, **listing_fields)
    campaign = Campaign.objects.filter(seller=seller, status=Campaign.Status.ACTIVE).first()
    if campaign is None:
        campaign = CampaignFactory(seller=seller, weekly_budget_micros=weekly_budget_micros)
        campaign_launch(campaign)
    return campaign, listing


def promoted_listings(count: int, *, weekly_budget_micros: int = 25_000_000) -> tuple[Campaign, list[Listing]]:
    """``count`` available listings of one new seller whose Promoted Closet is active."""
    campaign, first = promoted_listing(weekly_budget_micros=weekly_budget_micros)
    return campaign, [first] + [promoted_listing(seller=first.seller)[1] for _ in range(count - 1)]


def bid_token(campaign: Campaign, listing: Listing, *, price_micros: int = 300_000,
              issued_at: dt.datetime | None = None, lifetime: dt.timedelta = dt.timedelta(hours=1),
              slot: int = 1, auction_id: str | None = None,
              placement: str = "search") -> str:
    """A genuine resolved bid for ``listing`` in ``campaign`` (a fresh auction unless ``auction_id``)."""
    issued_at = issued_at or clock.now()
    return sign(ResolvedBid(
        auction_id=auction_id or f"auc{next(_auctions)}", campaign_id=campaign.pk, listing_id=listing.pk,
        price_micros=price_micros, slot=slot, issued_at=issued_at, expires_at=issued_at + lifetime,
        placement=placement,
    ))


def event_id(prefix: str) -> str:
    return f"{prefix}-{next(_events)}"


def sponsored(token: str, *, at: dt.datetime | None = None, user: str = "u-1", id: str | None = None) -> dict:
    return {"id": id or event_id("ev"), "occurredAt": iso(at or clock.now()), "opaqueUserId": user,
            "resolvedBidId": token}


def organic(listing: Listing, *, at: dt.datetime | None = None, user: str = "u-1", position: int = 1,
            placement: str = "search", id: str | None = None) -> dict:
    return {"id": id or event_id("ev"), "occurredAt": iso(at or clock.now()), "opaqueUserId": user,
            "entity": {"type": "listing", "id": listing.marketplace_id},
            "placement": {"placementId": placement, "position": position}}


def purchase(*listings: Listing, at: dt.datetime | None = None, user: str = "u-1", id: str | None = None,
             unit_price: str = "45.00") -> dict:
    return {"id": id or event_id("ord"), "occurredAt": iso(at or clock.now()), "opaqueUserId": user,
            "items": [{"listingId": listing.marketplace_id, "unitPrice": unit_price, "quantity": 1}
                      for listing in listings]}


def cancellation(order_id: str, *, at: dt.datetime | None = None, id: str | None = None) -> dict:
    return {"id": id or event_id("can"), "purchaseId": order_id, "occurredAt": iso(at or clock.now())}


def ingest(**lists: list[dict]) -> dict:
    """``events_ingest`` of the event lists given by kind (``clicks=[...]``), none of them rejected."""
    result = events_ingest(lists)
    assert result["rejected"] == []
    return result


class ShopperEventFactory(factory.django.DjangoModelFactory):
    """A stored event of one shopper ("u-1", as the event bodies above) at T0."""

    class Meta:
        abstract = True

    occurred_at = T0
    opaque_user_id = "u-1"


class ClickFactory(ShopperEventFactory):
    """A stored, charged sponsored click (for attribution and rollup tests that skip ingestion)."""

    class Meta:
        model = Click

    event_id = factory.Sequence(lambda n: f"clk-f{n}")
    listing = factory.SubFactory(ListingFactory)
    seller = factory.LazyAttribute(lambda o: o.listing.seller)
    campaign = factory.LazyAttribute(lambda o: Campaign.objects.filter(seller=o.seller).first()
                                     or CampaignFactory(seller=o.seller))
    auction_id = factory.Sequence(lambda n: f"auc-f{n}")
    price_micros = 300_000
    slot = 1
    placement = "search"
    charged = True


class PurchaseFactory(ShopperEventFactory):
    class Meta:
        model = Purchase

    order_id = factory.Sequence(lambda n: f"ord-f{n}")


class PurchaseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchaseItem

    purchase = factory.SubFactory(PurchaseFactory)
    purchased_at = factory.LazyAttribute(lambda o: o.purchase.occurred_at)
    listing = factory.SubFactory(ListingFactory)
    seller = factory.LazyAttribute(lambda o: o.listing.seller)
    unit_price_micros = 45_000_000
    quantity = 1
