"""The campaign page: status and spend, pause/resume, budget change, listing selection.

Each action is tested as a plain POST (JavaScript off: redirect, then the page) and as an
htmx request (the changed card only).
"""

import datetime as dt

import pytest

from campaigns.models import BudgetPeriod, Campaign, CampaignListing
from campaigns.services import campaign_end, click_charge
from campaigns.tests.conftest import MONDAY_NOON, htmx
from campaigns.tests.factories import launched_campaign
from core import clock
from sellers.models import Listing
from sellers.tests.factories import ListingFactory


@pytest.fixture
def campaign(seller):
    return launched_campaign(seller, weekly_budget_micros=28_000_000)


def test_the_campaign_page_shows_status_spend_progress_and_days_left(seller_client, campaign):
    clock.set_now(MONDAY_NOON + dt.timedelta(days=2))  # Wednesday noon
    for i in range(3):
        click_charge(campaign.pk, 1_000_000, click_id=i)
    assert seller_client.get("/campaign/")["Location"] == f"/campaigns/{campaign.pk}/"
    page = seller_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    period = BudgetPeriod.objects.get(campaign=campaign)
    assert period.budget_micros == 26_000_000  # launched Monday noon: 6.5 of 7 days
    assert 'id="campaign-state">Active<' in page
    assert 'id="spent">$3.00<' in page and 'id="week-budget">$26.00<' in page
    assert 'id="spend-progress" class="spend" max="100" value="11"' in page
    assert "5 days left: the week ends Monday 7 December" in page
    assert "12 listings promoted" in page
    assert 'id="nav-campaign" href="/campaign/" aria-current="page"' in page


def test_pause_and_resume_with_plain_posts(seller_client, campaign):
    response = seller_client.post(f"/campaigns/{campaign.pk}/pause/")
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{campaign.pk}/"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PAUSED
    page = seller_client.get(response["Location"]).content.decode()
    assert "Paused: your listings are not promoted" in page and 'id="resume"' in page
    seller_client.post(f"/campaigns/{campaign.pk}/resume/")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ACTIVE


def test_pause_with_htmx_swaps_only_the_status_card(seller_client, campaign):
    response = seller_client.post(f"/campaigns/{campaign.pk}/pause/", **htmx("campaign-status"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="campaign-status"') and "<html" not in body
    assert 'id="resume"' in body and "Paused: your listings" in body
    body = seller_client.post(f"/campaigns/{campaign.pk}/resume/", **htmx("campaign-status")).content.decode()
    assert 'id="pause"' in body


def test_pausing_a_paused_campaign_says_why_and_changes_nothing(seller_client, campaign):
    seller_client.post(f"/campaigns/{campaign.pk}/pause/")
    body = seller_client.post(f"/campaigns/{campaign.pk}/pause/", **htmx()).content.decode()
    assert "it cannot be paused" in body
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PAUSED


def test_a_budget_change_in_the_first_week_applies_at_once(seller_client, campaign):
    page = seller_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "This is your campaign's first week: a change applies at once" in page
    response = seller_client.post(f"/campaigns/{campaign.pk}/budget/", {"weekly_budget": "56"}, follow=True)
    assert "Your weekly budget is now $56.00." in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).weekly_budget_micros == 56_000_000
    assert BudgetPeriod.objects.get(campaign=campaign).budget_micros == 52_000_000  # 6.5/7 of $56
    assert campaign.forecasts.latest("created_at").weekly_budget_micros == 56_000_000


def test_after_the_first_week_a_budget_change_waits_for_next_monday_and_says_so(seller_client, campaign):
    clock.set_now(MONDAY_NOON + dt.timedelta(days=8))  # Tuesday of the second week
    page = seller_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "A change applies from next Monday (14 December); this week keeps its budget." in page
    response = seller_client.post(f"/campaigns/{campaign.pk}/budget/", {"weekly_budget": "40.50"},
                                  **htmx("campaign-budget"))
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="campaign-budget"')
    assert "Your weekly budget will be $40.50 from Monday 14 December." in body
    assert 'id="pending-budget">$40.50 from Monday 14 December' in body
    campaign.refresh_from_db()
    assert campaign.weekly_budget_micros == 28_000_000 and campaign.next_weekly_budget_micros == 40_500_000


@pytest.mark.parametrize(("typed", "message"), [
    ("4.99", "at least $5.00"),
    ("1000.01", "at most $1,000.00"),
    ("twenty", "Enter an amount in dollars"),
    ("25.005", "Use whole cents"),
    ("-5", "Enter an amount above $0"),
    ("", "This field is required"),
])
def test_a_bad_budget_is_a_form_error_on_the_field_that_changes_nothing(seller_client, campaign, typed, message):
    before = BudgetPeriod.objects.get(campaign=campaign).budget_micros
    response = seller_client.post(f"/campaigns/{campaign.pk}/budget/", {"weekly_budget": typed})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_weekly_budget-errors"' in body and message in body
    assert 'aria-invalid="true"' in body
    response = seller_client.post(f"/campaigns/{campaign.pk}/budget/", {"weekly_budget": typed},
                                  **htmx("campaign-budget"))
    assert response.status_code == 200 and message in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.weekly_budget_micros == 28_000_000 and campaign.next_weekly_budget_micros is None
    assert BudgetPeriod.objects.get(campaign=campaign).budget_micros == before
    assert not campaign.forecasts.exclude(weekly_budget_micros=28_000_000).exists()


def test_switching_to_chosen_listings_then_saving_a_page(seller_client, seller, campaign):
    response = seller_client.post(f"/campaigns/{campaign.pk}/selection/", {"selection": "chosen"},
                                  **htmx("campaign-listings"))
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="campaign-listings"')
    assert "All 12 available listings are chosen" in body and 'id="picker-save"' in body
    ids = list(seller.listings.filter(status="available").order_by("-id").values_list("pk", flat=True))
    response = seller_client.post(f"/campaigns/{campaign.pk}/listings/",
                                  {"action": "save", "shown": ids[:5], "chosen": ids[:2]}, **htmx("listing-picker"))
    assert response.content.decode().lstrip().startswith('<div id="listing-picker"')
    assert "Saved: 9 listings chosen." in response.content.decode()
    assert CampaignListing.objects.filter(campaign=campaign).count() == 9
    seller_client.post(f"/campaigns/{campaign.pk}/selection/", {"selection": "all"})
    campaign.refresh_from_db()
    assert campaign.selection == Campaign.Selection.ALL and not campaign.chosen.exists()


def test_choose_and_remove_all_matching_a_search(seller_client, seller, campaign):
    ListingFactory.create_batch(4, seller=seller, title="Levi's 501 jeans", brand="Levi's")
    seller_client.post(f"/campaigns/{campaign.pk}/selection/", {"selection": "chosen"})
    seller_client.post(f"/campaigns/{campaign.pk}/listings/", {"action": "remove_matching", "q": "501"})
    assert campaign.chosen.count() == 12
    seller_client.post(f"/campaigns/{campaign.pk}/listings/", {"action": "choose_matching", "q": "levi"})
    assert campaign.chosen.filter(listing__brand="Levi's").count() == 4
    response = seller_client.post(f"/campaigns/{campaign.pk}/listings/", {"action": "remove_matching", "q": ""})
    assert response.status_code == 400
    assert "Choose at least one listing" in response.content.decode()
    assert campaign.chosen.count() == 16


def test_another_sellers_listing_is_a_form_error_that_changes_nothing(seller_client, campaign, other_seller):
    seller_client.post(f"/campaigns/{campaign.pk}/selection/", {"selection": "chosen"})
    before = set(campaign.chosen.values_list("listing_id", flat=True))
    theirs = other_seller.listings.first().pk
    mine = next(iter(before))
    for data in ({"action": "save", "shown": [mine, theirs], "chosen": [theirs]},
                 {"action": "save", "shown": [mine], "chosen": ["not-an-id"]}):
        response = seller_client.post(f"/campaigns/{campaign.pk}/listings/", data)
        assert response.status_code == 400
        assert 'id="picker-errors"' in response.content.decode()
        assert "not in your closet" in response.content.decode()
        assert set(campaign.chosen.values_list("listing_id", flat=True)) == before
    assert not CampaignListing.objects.filter(listing_id=theirs).exists()


def test_picker_search_and_pages_with_htmx_return_the_picker_only(seller_client, seller, campaign):
    ListingFactory.create_batch(60, seller=seller, title="Wool coat", category="Women/Coats")
    response = seller_client.get(f"/campaigns/{campaign.pk}/?q=wool&page=2", **htmx("listing-picker"))
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="listing-picker"') and "<html" not in body
    assert "60 listings match, showing 51\u201360" in body
    assert "Page 2 of 2" in body and 'id="picker-prev"' in body
    full = seller_client.get(f"/campaigns/{campaign.pk}/?q=wool&page=2").content.decode()
    assert "<html" in full and "showing 51\u201360" in full  # the same page with JavaScript off


def test_the_picker_of_a_5000_listing_closet_takes_a_fixed_number_of_queries(
        seller_client, seller, campaign, django_assert_max_num_queries):
    Listing.objects.bulk_create([
        Listing(marketplace_id=f"BIG{i}", seller=seller, title=f"Item {i}", brand="Zara" if i % 7 else "Coach",
                category="Women/Tops/Blouses", price_micros=10_000_000 + i * 10_000) for i in range(5000)])
    seller_client.post(f"/campaigns/{campaign.pk}/selection/", {"selection": "chosen"})
    assert campaign.chosen.count() == 5012
    with django_assert_max_num_queries(12):
        response = seller_client.get(f"/campaigns/{campaign.pk}/?q=coach&page=7", **htmx("listing-picker"))
    assert "715 listings match, showing 301\u2013350" in response.content.decode()
    with django_assert_max_num_queries(20):
        response = seller_client.get(f"/campaigns/{campaign.pk}/?page=101")
    assert "Page 101 of 101" in response.content.decode()


def test_an_ended_campaign_shows_its_end_and_no_forms(seller_client, campaign):
    campaign_end(campaign)
    page = seller_client.get("/campaign/", follow=True).content.decode()
    assert "This campaign has ended" in page and 'id="pause"' not in page and 'id="budget-change-form"' not in page
    response = seller_client.post(f"/campaigns/{campaign.pk}/budget/", {"weekly_budget": "50"})
    assert response.status_code == 400
    assert Campaign.objects.get(pk=campaign.pk).weekly_budget_micros == 28_000_000


@pytest.mark.parametrize("query", ["%00", "wool%00", "%ED%A0%80", "%07"])
def test_a_search_with_control_characters_is_a_search_not_an_error(seller_client, campaign, query):
    response = seller_client.get(f"/campaigns/{campaign.pk}/?q={query}")
    assert response.status_code == 200
