import datetime as dt

from auction.models import ModelVersion
from campaigns.services import click_charge
from campaigns.tests.factories import launched_campaign
from core import clock
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


def test_a_model_versions_method_and_position_curve_are_shown(admin_client, db):
    curve = {"exponent": 0.65, "depth": 3, "source": "organic clicks", "impressions": [900, 700, 500],
             "clicks": [90, 45, 30]}
    click = ModelVersion.objects.create(kind="click", active=True, log_loss=0.3, baseline_log_loss=0.33,
                                        rows_train=5000, position_curve=curve, blob=b"")
    ModelVersion.objects.create(kind="purchase", active=True, log_loss=0.14, baseline_log_loss=0.15,
                                vocabulary={"method": "segment_rates", "methods": {
                                    "gradient_boosting": {"log_loss": 0.1702, "auc": 0.7},
                                    "segment_rates": {"log_loss": 0.1471, "auc": 0.74}}}, blob=b"")
    listing = admin_client.get("/admin/auction/modelversion/").content.decode()
    assert "segment_rates" in listing and "gradient_boosting" in listing  # the old row: boosting
    assert "0.650" in listing
    detail = admin_client.get(f"/admin/auction/modelversion/{click.pk}/change/").content.decode()
    assert "Position curve v(k)" in detail and "k<sup>-0.650</sup> over 3 positions" in detail
    assert "<td>2</td><td>0.637</td><td>700</td><td>45</td>" in detail  # 2 ** -0.65
    assert "<td>3</td><td>0.490</td><td>500</td><td>30</td>" in detail
    purchase = ModelVersion.objects.get(kind="purchase")
    detail = admin_client.get(f"/admin/auction/modelversion/{purchase.pk}/change/").content.decode()
    assert "gradient_boosting 0.1702, segment_rates 0.1471" in detail
