import datetime as dt

from auction.models import ModelVersion
from campaigns.services import click_charge
from campaigns.tests.factories import launched_campaign
from closetads import clock
from sellers.tests.factories import SellerFactory

MONDAY = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def test_admin_shows_a_campaigns_pacing_state_and_spend_against_its_target(admin_client, db):
    clock.set_now(MONDAY)
    campaign = launched_campaign(SellerFactory(), weekly_budget_micros=168_000_000)
    click_charge(campaign.pk, 2_000_000, click_id=1)
    clock.set_now(MONDAY + dt.timedelta(hours=84))  # half the week, uniform traffic: target $84
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "$2.00 spent, target $84.00 of $168.00" in page
    assert "pacing multiplier" in page.lower()


def test_model_versions_are_listed_with_their_quality(admin_client, db):
    ModelVersion.objects.create(kind="click", active=True, auc=0.71, baseline_auc=0.6, log_loss=0.3,
                                baseline_log_loss=0.33, calibration_error=0.004, blob=b"")
    page = admin_client.get("/admin/auction/modelversion/").content.decode()
    assert "0.71" in page and "0.004" in page
    assert admin_client.get("/admin/auction/auctionhour/").status_code == 200
