"""A seller sees and changes only their own campaigns and statements: anything else is 404."""

import pytest

from campaigns.models import BudgetPeriod, Campaign, CampaignListing
from campaigns.services import click_charge
from campaigns.tests.factories import launched_campaign
from sellers.tests.factories import SellerFactory


@pytest.fixture
def theirs(other_seller):
    campaign = launched_campaign(other_seller, weekly_budget_micros=50_000_000)
    click_charge(campaign.pk, 500_000, click_id=1)
    return campaign


def test_another_sellers_campaign_pages_are_404(seller_client, theirs):
    for url in (f"/campaigns/{theirs.pk}/", f"/campaigns/{theirs.pk}/?q=x&page=2"):
        assert seller_client.get(url).status_code == 404
        assert seller_client.get(url, HTTP_HX_REQUEST="true").status_code == 404


def test_another_sellers_campaign_cannot_be_changed(seller_client, theirs, other_seller):
    listing = other_seller.listings.first()
    posts = {
        "pause": {}, "resume": {}, "budget": {"weekly_budget": "99"}, "selection": {"selection": "chosen"},
        "listings": {"action": "save", "shown": [listing.pk], "chosen": []},
    }
    for action, data in posts.items():
        response = seller_client.post(f"/campaigns/{theirs.pk}/{action}/", data)
        assert response.status_code == 404, action
    theirs.refresh_from_db()
    assert theirs.status == Campaign.Status.ACTIVE
    assert theirs.weekly_budget_micros == 50_000_000 and theirs.next_weekly_budget_micros is None
    assert theirs.selection == Campaign.Selection.ALL
    assert not CampaignListing.objects.filter(campaign=theirs).exists()


def test_another_sellers_statements_are_404_and_not_listed(seller_client, theirs):
    period = BudgetPeriod.objects.get(campaign=theirs)
    assert seller_client.get(f"/statements/{period.pk}/").status_code == 404
    assert seller_client.get(f"/statements/{period.pk}.csv").status_code == 404
    assert f"/statements/{period.pk}/" not in seller_client.get("/statements/").content.decode()
    csv_text = b"".join(seller_client.get("/statements.csv").streaming_content).decode()
    assert csv_text.strip().count("\n") == 0  # the header only


def test_unknown_ids_are_404_too(seller_client):
    assert seller_client.get("/campaigns/999999/").status_code == 404
    assert seller_client.post("/campaigns/999999/pause/").status_code == 404
    assert seller_client.get("/statements/999999/").status_code == 404


def test_a_seller_without_a_login_link_is_not_exposed_through_another_login(client, theirs, django_user_model):
    # A staff user with no seller is sent to admin, never shown a seller's campaign.
    staff = django_user_model.objects.create_user("ops", is_staff=True)
    client.force_login(staff)
    assert client.get(f"/campaigns/{theirs.pk}/")["Location"] == "/admin/"
    SellerFactory()  # a seller with no login changes nothing
    assert client.get("/statements/")["Location"] == "/admin/"
