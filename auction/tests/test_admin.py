"""Django admin: AuctionSettings is a singleton edited in dollars; decision counts read-only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from auction.models import AuctionSettings, ListingAuctionDay
from auction.tests.factories import MONDAY, promoted_closet

pytestmark = pytest.mark.django_db

CHANGE = "admin:auction_auctionsettings_change"


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client


def form_data(**overrides):
    data = {
        "relevance_floor": "0.2", "gamma": "1.0", "beta": "1.0", "take_rate": "0.2", "organic_top_k": "4",
        "reserve_cpc": "0.10", "auto_max_cpc": "2.00", "pricing": "second", "max_slots": "40",
        "max_winners_per_seller": "1", "deadline_ms": "100", "resolved_bid_lifetime_seconds": "3600",
        "attribution_window_days": "14", "halo_enabled": "on", "click_dedup_minutes": "30",
    }
    data.update(overrides)
    return data


def test_the_settings_list_opens_the_one_row(staff):
    response = staff.get(reverse("admin:auction_auctionsettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGE, args=[1])
    assert AuctionSettings.objects.count() == 1
    page = staff.get(response["Location"])
    assert page.status_code == 200
    assert b"Reserve CPC ($)" in page.content


def test_settings_cannot_be_added_or_deleted(staff):
    AuctionSettings.load()
    assert staff.get(reverse("admin:auction_auctionsettings_add")).status_code == 403
    assert staff.get(reverse("admin:auction_auctionsettings_delete", args=[1])).status_code == 403


def test_money_is_edited_in_dollars_and_stored_in_micros(staff, django_capture_on_commit_callbacks):
    AuctionSettings.load()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff.post(reverse(CHANGE, args=[1]), form_data(reserve_cpc="0.25", auto_max_cpc="3.50",
                                                                   pricing="first"))
    assert response.status_code == 302
    row = AuctionSettings.load()
    assert (row.reserve_cpc_micros, row.auto_max_cpc_micros, row.pricing) == (250_000, 3_500_000, "first")
    assert callbacks  # the settings change signal for running auction indexes


@pytest.mark.parametrize("overrides, field", [
    ({"reserve_cpc": "0.105"}, "reserve_cpc"),
    ({"reserve_cpc": "0"}, "reserve_cpc"),
    ({"reserve_cpc": "1.00", "auto_max_cpc": "0.50"}, "auto_max_cpc"),
    ({"take_rate": "0.95"}, "take_rate"),
    ({"max_slots": "41"}, "max_slots"),
])
def test_bad_settings_are_form_errors_that_change_nothing(staff, overrides, field):
    AuctionSettings.load()
    response = staff.post(reverse(CHANGE, args=[1]), form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert AuctionSettings.load().reserve_cpc_micros == 100_000


def test_decision_counts_are_listed_read_only(staff):
    _, (listing,) = promoted_closet(1)
    ListingAuctionDay.objects.create(listing=listing, day=MONDAY.date(), candidate=3, eligible=2, won=1,
                                     outranked=1, organic_top_k=1)
    changelist = reverse("admin:auction_listingauctionday_changelist")
    response = staff.get(changelist, {"q": listing.marketplace_id})
    assert response.status_code == 200
    assert listing.marketplace_id.encode() in response.content
    assert staff.get(reverse("admin:auction_listingauctionday_add")).status_code == 403
