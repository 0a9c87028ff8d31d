"""Hostile or careless input is the client's error, named by field, and never costs the good items.

Runs on SQLite and on PostgreSQL (which refuses NUL in text outright).
"""

from __future__ import annotations

import pytest

from analytics.models import Impression
from analytics.tests.factories import bid_token, promoted_listing, sponsored
from core import clock
from core.money import MoneyError, to_micros
from sellers.models import Listing, Seller
from sellers.tests.factories import SellerFactory
from sellers.tests.test_catalog_api import listing

SELLERS = "/api/v1/catalog/sellers"
LISTINGS = "/api/v1/catalog/listings"
EVENTS = "/api/v1/events"
AUCTIONS = "/api/v1/auctions"
BAD_TEXT = ["nul\u0000here", "lone \ud800 surrogate", "bell\u0007", "del\u007f"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_a_bad_string_rejects_its_listing_and_the_rest_of_the_batch_lands(api, db, text):
    SellerFactory(marketplace_id="S7")
    response = api.post(LISTINGS, {"listings": [listing(1), listing(2, title=text), listing(3)]})
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 2
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [(1, "listings[1].title")]
    assert "control characters or invalid Unicode" in body["rejected"][0]["message"]
    assert set(Listing.objects.values_list("marketplace_id", flat=True)) == {"L1", "L3"}


@pytest.mark.parametrize("text", BAD_TEXT[:2])
def test_a_bad_seller_name_or_id_is_rejected_alone(api, db, text):
    good = {"id": "S1", "username": "vera", "email": "vera@example.com", "joinedAt": "2021-03-02T00:00:00Z"}
    response = api.post(SELLERS, {"sellers": [{**good, "id": "S2", "username": text}, good,
                                              {**good, "id": text}]})
    assert response.status_code == 200 and response.json()["created"] == 1
    assert list(Seller.objects.values_list("marketplace_id", flat=True)) == ["S1"]


@pytest.mark.parametrize("text", BAD_TEXT[:2])
def test_an_event_with_a_bad_string_is_rejected_and_the_others_are_stored(api, db, text):
    clock.set_now(clock.now())
    campaign, item = promoted_listing()
    good = sponsored(bid_token(campaign, item), user="u-1")
    bad = sponsored(bid_token(campaign, item), user=text)
    later = sponsored(bid_token(campaign, item), user="u-2")
    response = api.post(EVENTS, {"impressions": [good, bad, later]})
    assert response.status_code == 200
    body = response.json()
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [(1, "impressions[1].opaqueUserId")]
    assert Impression.objects.count() == 2


@pytest.mark.parametrize("path", [LISTINGS, SELLERS, EVENTS, AUCTIONS])
def test_deeply_nested_json_is_a_400_in_the_error_shape(api, db, path):
    response = api.post(path, raw="[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "body", "message": "is nested too deeply"}]}


@pytest.mark.parametrize("path", [LISTINGS, AUCTIONS])
def test_a_body_over_the_upload_limit_is_a_400_in_the_error_shape(api, db, path, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(path, raw='{"x": "' + "a" * 2000 + '"}')
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
    assert "larger than 1000 bytes" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("text", ["5\u0660", "\u0664\u0665.00", "1e3", "1_000", "NaN", "Infinity", "0x10", "4 5"])
def test_money_takes_ascii_digits_only(text):
    with pytest.raises(MoneyError):
        to_micros(text)
    assert to_micros(" 45.50 ") == 45_500_000 and to_micros(".5") == 500_000 and to_micros(45.5) == 45_500_000


def test_a_listing_priced_in_other_digits_is_rejected(api, db):
    SellerFactory(marketplace_id="S7")
    body = api.post(LISTINGS, {"listings": [listing(1, price="5\u0660")]}).json()
    assert body["created"] == 0 and body["rejected"][0]["field"] == "listings[0].price"


def test_signed_in_pages_and_exports_are_never_cached_and_carry_a_permissions_policy(client, django_user_model):
    from analytics.tests.conftest import NOW
    from campaigns.tests.factories import launched_campaign

    clock.set_now(NOW)
    user = django_user_model.objects.create_user("vera", password="a-long-password-1")
    launched_campaign(SellerFactory(user=user))
    assert "camera=()" in client.get("/login/").headers["Permissions-Policy"]
    client.force_login(user)
    from django.urls import reverse

    for path in ("/analytics/", "/analytics/receipts/", "/analytics/export.csv?start=2026-12-01&end=2026-12-16",
                 reverse("campaigns:statements"), reverse("campaigns:statements_csv")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_browser_pages_carry_a_content_security_policy_without_inline_scripts_and_the_auction_does_not(
        client, api, db):
    page = client.get("/login/")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # Listing photos from the marketplace's https hosts (directives come in any order).
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in policy.split(";") if d.strip()}
    assert directives["img-src"] == "img-src 'self' data: https:"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "<script>" not in docs.content.decode()  # its script is a file
    assert "Content-Security-Policy" not in api.post(AUCTIONS, {"auctions": []}).headers


def test_a_runaway_key_is_answered_429_and_other_keys_are_not(api, db, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    from core.services import api_key_create

    # The rates are read once, when DRF's throttle class is defined: set them on it.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"events": "3/min", "catalog": "3/min"})
    for _ in range(3):
        assert api.post(EVENTS, {"impressions": []}).status_code == 200
    refused = api.post(EVENTS, {"impressions": []})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json()["errors"][0]["field"] == "request"
    _, other = api_key_create("another storefront", ["events"])
    assert api.post(EVENTS, {"impressions": []}, key=other).status_code == 200
