"""Django admin: campaigns, budget periods, the read-only ledger and its refund action."""

import pytest

from campaigns.models import BudgetPeriod, Campaign, CampaignSettings, LedgerEntry
from campaigns.services import click_charge
from campaigns.tests.factories import launched_campaign


@pytest.fixture
def charged(seller):
    campaign = launched_campaign(seller, weekly_budget_micros=20_000_000)
    results = [click_charge(campaign.pk, 1_000_000, click_id=i) for i in range(3)]
    return campaign, [r.entry_id for r in results]


def test_admin_lists_and_pages_open(admin_client, charged):
    campaign, entries = charged
    period = BudgetPeriod.objects.get(campaign=campaign)
    for url in ["/admin/campaigns/campaign/", "/admin/campaigns/campaign/?status__exact=active",
                f"/admin/campaigns/campaign/?q={campaign.seller.marketplace_id}",
                f"/admin/campaigns/campaign/{campaign.pk}/change/",
                "/admin/campaigns/budgetperiod/", "/admin/campaigns/budgetperiod/?exhausted=no",
                f"/admin/campaigns/budgetperiod/{period.pk}/change/",
                "/admin/campaigns/ledgerentry/", "/admin/campaigns/ledgerentry/?kind__exact=charge",
                f"/admin/campaigns/ledgerentry/?q={entries[0]}", f"/admin/campaigns/ledgerentry/{entries[0]}/change/",
                "/admin/campaigns/budgetforecast/"]:
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get("/admin/campaigns/campaign/").content.decode()
    assert "$20.00" in page  # budget in dollars
    change = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "Pacing" in change and "Budget weeks (last 12)" in change and "$18.57" in change


def test_the_ledger_is_read_only(admin_client, charged):
    _, entries = charged
    assert admin_client.get("/admin/campaigns/ledgerentry/add/").status_code == 403
    assert admin_client.post(f"/admin/campaigns/ledgerentry/{entries[0]}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post(f"/admin/campaigns/ledgerentry/{entries[0]}/change/", {"amount_micros": "1"})
    assert response.status_code == 403
    assert LedgerEntry.objects.get(pk=entries[0]).amount_micros == 1_000_000
    assert admin_client.get("/admin/campaigns/budgetperiod/add/").status_code == 403
    assert admin_client.get("/admin/campaigns/campaign/add/").status_code == 403


def test_the_refund_action_refunds_charges_once_and_says_how_many(admin_client, charged):
    campaign, entries = charged
    response = admin_client.post("/admin/campaigns/ledgerentry/", {
        "action": "refund_selected", "_selected_action": entries[:2]}, follow=True)
    assert "Refunded 2 charge(s)." in response.content.decode()
    period = BudgetPeriod.objects.get(campaign=campaign)
    assert period.spent_micros == 1_000_000
    assert LedgerEntry.objects.filter(kind="refund").count() == 2
    refund_id = LedgerEntry.objects.filter(kind="refund").first().pk
    response = admin_client.post("/admin/campaigns/ledgerentry/", {
        "action": "refund_selected", "_selected_action": [*entries, refund_id]}, follow=True)
    text = response.content.decode()
    assert "Refunded 1 charge(s). 2 already refunded. 1 selected entries are not charges." in text
    period.refresh_from_db()
    assert period.spent_micros == 0 == sum(LedgerEntry.objects.filter(period=period)
                                           .values_list("amount_micros", flat=True))


def test_staff_without_the_ledger_permission_cannot_refund(client, django_user_model, charged):
    from django.contrib.auth.models import Permission

    _, entries = charged
    viewer = django_user_model.objects.create_user("viewer", password="x-long-password-9", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_ledgerentry"))
    client.force_login(viewer)
    assert client.get("/admin/campaigns/ledgerentry/").status_code == 200
    client.post("/admin/campaigns/ledgerentry/", {"action": "refund_selected", "_selected_action": entries})
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_campaign_budget_is_edited_in_dollars_through_the_rules(admin_client, charged):
    campaign, _ = charged
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    base = {"name": "Promoted Closet", "bidding": "auto", "max_cpc": "",
            "periods-TOTAL_FORMS": "1", "periods-INITIAL_FORMS": "1", "periods-MIN_NUM_FORMS": "0",
            "periods-MAX_NUM_FORMS": "0", "periods-0-id": str(BudgetPeriod.objects.get(campaign=campaign).pk),
            "periods-0-campaign": str(campaign.pk)}
    response = admin_client.post(url, {**base, "weekly_budget": "2"})
    assert response.status_code == 200 and "at least $5.00" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).weekly_budget_micros == 20_000_000
    response = admin_client.post(url, {**base, "weekly_budget": "35.00", "bidding": "manual", "max_cpc": "0.55"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.weekly_budget_micros == 35_000_000  # first week: at once
    assert (campaign.bidding, campaign.max_cpc_micros) == ("manual", 550_000)


def test_campaign_actions_pause_and_resume(admin_client, charged):
    campaign, _ = charged
    admin_client.post("/admin/campaigns/campaign/", {"action": "pause_selected", "_selected_action": [campaign.pk]})
    assert Campaign.objects.get(pk=campaign.pk).status == "paused"
    response = admin_client.post("/admin/campaigns/campaign/", {
        "action": "pause_selected", "_selected_action": [campaign.pk]}, follow=True)
    assert "Paused 0 campaign(s); 1 could not be." in response.content.decode()
    admin_client.post("/admin/campaigns/campaign/", {"action": "resume_selected", "_selected_action": [campaign.pk]})
    assert Campaign.objects.get(pk=campaign.pk).status == "active"


def test_campaign_settings_is_a_singleton_edited_in_dollars(admin_client, db):
    response = admin_client.get("/admin/campaigns/campaignsettings/")
    row = CampaignSettings.load()
    assert response.status_code == 302 and response["Location"].endswith(f"/{row.pk}/change/")
    assert admin_client.get("/admin/campaigns/campaignsettings/add/").status_code == 403
    response = admin_client.post(f"/admin/campaigns/campaignsettings/{row.pk}/change/",
                                 {"min_weekly_budget": "10", "max_weekly_budget": "500"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.min_weekly_budget_micros, row.max_weekly_budget_micros) == (10_000_000, 500_000_000)
    response = admin_client.post(f"/admin/campaigns/campaignsettings/{row.pk}/change/",
                                 {"min_weekly_budget": "50", "max_weekly_budget": "20"})
    assert "at least the minimum" in response.content.decode()
    assert CampaignSettings.objects.count() == 1
