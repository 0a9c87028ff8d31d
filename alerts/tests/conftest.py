"""Sellers in the situations the alerts are about, at a known time (tests run with TIME_ZONE=UTC)."""

from __future__ import annotations

import datetime as dt

import pytest

from campaigns.services import click_charge
from campaigns.tests.factories import launched_campaign
from core import clock
from sellers.tests.factories import ListingFactory, SellerFactory

MONDAY = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
THURSDAY_2PM = MONDAY + dt.timedelta(days=3, hours=14)


def spend_everything(campaign, *, price_micros: int = 1_000_000, first_click_id: int = 1) -> int:
    """Charge clicks at the clock's now until the budget refuses one; returns how many were charged."""
    charged = 0
    while click_charge(campaign.pk, price_micros, click_id=first_click_id + charged).charged:
        charged += 1
    return charged


@pytest.fixture
def seller_with_campaign(db):
    """A seller (with an email address) whose $10 Promoted Closet runs from Monday 00:00."""
    clock.set_now(MONDAY)
    seller = SellerFactory(username="sunday_sam")
    listing = ListingFactory(seller=seller)
    campaign = launched_campaign(seller, weekly_budget_micros=10_000_000)
    return {"seller": seller, "listing": listing, "campaign": campaign}
