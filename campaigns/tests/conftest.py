import datetime as dt

import pytest

from core import clock
from sellers.tests.factories import ListingFactory, SellerFactory

# A Monday noon; tests run with TIME_ZONE=UTC unless they say otherwise.
MONDAY_NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def seller(db, django_user_model):
    """A signed-up seller with a login and a closet of 12 available listings and 2 sold."""
    clock.set_now(MONDAY_NOON)
    user = django_user_model.objects.create_user("vera", password="a-long-password-1")
    seller = SellerFactory(user=user, username="vintage_vera")
    ListingFactory.create_batch(12, seller=seller)
    ListingFactory.create_batch(2, seller=seller, status="sold")
    return seller


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller.user)
    return client


@pytest.fixture
def other_seller(db, django_user_model):
    user = django_user_model.objects.create_user("theo", password="a-long-password-2")
    other = SellerFactory(user=user, username="thrift_theo")
    ListingFactory.create_batch(3, seller=other)
    return other


HTMX = {"HTTP_HX_REQUEST": "true"}


def htmx(target: str | None = None) -> dict:
    headers = dict(HTMX)
    if target:
        headers["HTTP_HX_TARGET"] = target
    return headers
