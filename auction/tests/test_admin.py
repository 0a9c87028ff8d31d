"""Django admin: AuctionSettings is a singleton edited in dollars; decision counts read-only."""

import datetime as dt
import math

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from auction.admin import SLOT_POSITION_FIELDS
from auction.index import rules_from
from auction.models import AuctionSettings, ListingAuctionDay, default_slot_positions
from auction.predict import PLACEMENTS
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
        "reserve_cpc": "0.10", "auto_max_cpc": "2.00", "pricing": "second", "least_bid_share": "0.5",
        "max_slots": "40",
        "max_winners_per_seller": "1", "deadline_ms": "100", "resolved_bid_lifetime_seconds": "3600",
        "attribution_window_days": "14", "halo_enabled": "on", "click_dedup_minutes": "30",
        "substitution_share": "0.3", "incrementality_margin": "0.0", "holdout_share": "0.0",
        **{name: "1, 5, 9, 13" for name in SLOT_POSITION_FIELDS.values()},
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
    ({"substitution_share": "0.96"}, "substitution_share"),
    ({"substitution_share": "-0.1"}, "substitution_share"),
    ({"incrementality_margin": "-0.5"}, "incrementality_margin"),
    ({"incrementality_margin": "11"}, "incrementality_margin"),
    ({"holdout_share": "0.6"}, "holdout_share"),
    ({"holdout_share": "-0.1"}, "holdout_share"),
])
def test_bad_settings_are_form_errors_that_change_nothing(staff, overrides, field):
    AuctionSettings.load()
    response = staff.post(reverse(CHANGE, args=[1]), form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert AuctionSettings.load().reserve_cpc_micros == 100_000


def test_the_page_shows_the_incrementality_settings_and_each_placement_s_slot_positions(staff):
    row = AuctionSettings.load()
    row.slot_positions = {**default_slot_positions(), "feed": [2, 7, 12]}
    row.save()
    page = staff.get(reverse(CHANGE, args=[1]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.initial[SLOT_POSITION_FIELDS["feed"]] == "2, 7, 12"
    assert form.initial[SLOT_POSITION_FIELDS["search"]] == "1, 5, 9, 13"
    assert set(SLOT_POSITION_FIELDS) == set(PLACEMENTS)
    content = page.content.decode()
    assert "Incrementality" in content and "Slot positions: closet" in content
    for name in ("substitution_share", "incrementality_margin", "slot_positions"):
        assert str(AuctionSettings._meta.get_field(name).help_text) in content.replace("&#x27;", "'")


def test_incrementality_settings_and_slot_positions_are_saved_and_reach_the_auction_rules(staff):
    AuctionSettings.load()
    response = staff.post(reverse(CHANGE, args=[1]), form_data(**{
        "substitution_share": "0.45", "incrementality_margin": "0.25",
        SLOT_POSITION_FIELDS["search"]: " 2,6, 10 14 ", SLOT_POSITION_FIELDS["closet"]: "3"}))
    assert response.status_code == 302
    row = AuctionSettings.load()
    assert (row.substitution_share, row.incrementality_margin) == (0.45, 0.25)
    assert row.slot_positions["search"] == [2, 6, 10, 14] and row.slot_positions["closet"] == [3]
    assert row.slot_positions["feed"] == [1, 5, 9, 13]
    rules = rules_from(row)
    assert rules.slot_positions["search"] == (2, 6, 10, 14) and rules.slot_positions["closet"] == (3,)
    assert (rules.ranking.substitution_share, rules.ranking.margin) == (0.45, 0.25)


@pytest.mark.parametrize("value, message", [
    ("", "Give the slot positions for feed"),
    ("1, 5, x", '"x" is not a whole number'),
    ("1, 5.5", '"5.5" is not a whole number'),
    ("0, 5", "0 is not between 1 and 1000"),
    ("1, 1001", "1001 is not between 1 and 1000"),
    ("-3, 5", "-3 is not between 1 and 1000"),
    ("1, 9, 5", "5 comes after 9"),
    ("1, 5, 5", "5 comes after 5"),
    (", ".join(str(p) for p in range(1, 42)), "give 1 to 40 positions, not 41"),
])
def test_bad_slot_positions_are_an_error_on_their_placement_s_field(staff, value, message):
    AuctionSettings.load()
    response = staff.post(reverse(CHANGE, args=[1]), form_data(**{SLOT_POSITION_FIELDS["feed"]: value}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [SLOT_POSITION_FIELDS["feed"]]
    (error,) = errors[SLOT_POSITION_FIELDS["feed"]]
    assert message in error and ("Slot positions for feed" in error or error.startswith("Give"))
    assert AuctionSettings.load().slot_positions == default_slot_positions()


def test_decision_counts_are_listed_read_only(staff):
    _, (listing,) = promoted_closet(1)
    ListingAuctionDay.objects.create(listing=listing, day=MONDAY.date(), candidate=3, eligible=2, won=1,
                                     outranked=1, organic_top_k=1)
    changelist = reverse("admin:auction_listingauctionday_changelist")
    response = staff.get(changelist, {"q": listing.marketplace_id})
    assert response.status_code == 200
    assert listing.marketplace_id.encode() in response.content
    assert staff.get(reverse("admin:auction_listingauctionday_add")).status_code == 403


def test_shoppers_tastes_and_price_levels_are_listed_and_searchable_read_only(staff):
    from auction.models import ShopperPrice, ShopperTaste

    at = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    ShopperTaste.objects.create(opaque_user_id="u-1", taste="brand:Frye", first_at=at, last_at=at, updated_at=at)
    ShopperPrice.objects.create(opaque_user_id="u-1", log_price_sum=2 * math.log(20.0), events=2, updated_at=at)
    page = staff.get("/admin/auction/shoppertaste/?q=u-1")
    assert page.status_code == 200 and b"brand:Frye" in page.content
    page = staff.get("/admin/auction/shopperprice/?q=u-1")
    assert page.status_code == 200 and b"20.00" in page.content
    assert staff.get("/admin/auction/shoppertaste/add/").status_code == 403
