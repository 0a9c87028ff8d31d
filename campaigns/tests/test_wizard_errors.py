"""Bad input in the wizard is a form error naming the field, and changes nothing."""

import pytest

from campaigns.models import BudgetForecast, Campaign, CampaignListing
from campaigns.tests.conftest import htmx


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"budget_choice": "own", "weekly_budget": "4.99"}, "id_weekly_budget", "at least $5.00"),
    ({"budget_choice": "own", "weekly_budget": "1000.01"}, "id_weekly_budget", "at most $1,000.00"),
    ({"budget_choice": "own", "weekly_budget": "lots"}, "id_weekly_budget", "Enter an amount in dollars"),
    ({"budget_choice": "own", "weekly_budget": "12.345"}, "id_weekly_budget", "Use whole cents"),
    ({"budget_choice": "own", "weekly_budget": ""}, "id_weekly_budget", "Enter your weekly budget"),
    ({"budget_choice": "everything"}, "budget-choice", "Select a valid choice"),
])
def test_a_bad_budget_step_is_a_form_error_that_creates_nothing(seller_client, data, field, message):
    response = seller_client.post("/campaign/start/budget/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="{field}-errors"' in body and message in body
    assert "<html" in body  # the whole page again, with JavaScript off
    response = seller_client.post("/campaign/start/budget/", data, **htmx("wizard"))
    assert response.status_code == 200 and message in response.content.decode()
    assert "<html" not in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_bad_budget_change_of_a_draft_changes_nothing(seller_client, seller):
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20", "bidding": "auto"})
    response = seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "2000"})
    assert response.status_code == 400
    draft = Campaign.objects.get(seller=seller)
    assert (draft.weekly_budget_micros, draft.bidding) == (20_000_000, "auto")


def test_another_sellers_listing_in_the_wizard_picker_is_an_error_that_changes_nothing(
        seller_client, seller, other_seller):
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20", "bidding": "auto"})
    seller_client.post("/campaign/start/listings/", {"selection": "chosen"})
    draft = Campaign.objects.get(seller=seller)
    before = set(draft.chosen.values_list("listing_id", flat=True))
    theirs = other_seller.listings.first().pk
    response = seller_client.post(f"/campaigns/{draft.pk}/listings/",
                                  {"action": "save", "shown": [theirs], "chosen": [theirs]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Which listings to promote?" in body and "not in your closet" in body
    response = seller_client.post(f"/campaigns/{draft.pk}/listings/",
                                  {"action": "save", "shown": [theirs], "chosen": [theirs]}, **htmx("listing-picker"))
    assert response.status_code == 200 and "not in your closet" in response.content.decode()
    assert set(draft.chosen.values_list("listing_id", flat=True)) == before
    assert not CampaignListing.objects.filter(listing_id=theirs).exists()


def test_the_wizard_picker_searches_with_htmx(seller_client, seller):
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20", "bidding": "auto"})
    seller_client.post("/campaign/start/listings/", {"selection": "chosen"})
    response = seller_client.get("/campaign/start/listings/?q=Sneaker&page=1", **htmx("listing-picker"))
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="listing-picker"') and "12 listings match" in body


def test_an_unknown_selection_is_an_error(seller_client, seller):
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20", "bidding": "auto"})
    response = seller_client.post("/campaign/start/listings/", {"selection": "some"})
    assert response.status_code == 400 and 'id="selection-errors"' in response.content.decode()
    assert Campaign.objects.get(seller=seller).selection == "all"


def test_launching_records_nothing_when_there_is_no_draft(seller_client):
    seller_client.post("/campaign/start/review/")
    assert not BudgetForecast.objects.exists()
