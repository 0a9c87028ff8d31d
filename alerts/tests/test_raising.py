"""Each kind of alert is raised once per event, however often the job runs, and its email sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from alerts import services
from alerts.models import Alert, AlertPreference, Kind
from alerts.selectors import seller_alerts, unread_count
from alerts.tasks import alerts as alerts_task
from alerts.tests.conftest import MONDAY, THURSDAY_2PM, spend_everything
from analytics.services import attribution_run_pending, events_ingest
from analytics.tests.conftest import stat
from analytics.tests.factories import bid_token, cancellation, promoted_listing, purchase, sponsored
from campaigns.models import Campaign
from campaigns.services import budget_period_current, campaign_pause
from campaigns.tests.factories import launched_campaign
from core import clock, periodic
from sellers.models import Listing
from sellers.tests.factories import ListingFactory, SellerFactory


def run_twice() -> None:
    """Once through the registry (as `tick`, beat and the simulator run it), once as the Celery task."""
    periodic.run(["alerts"])
    alerts_task.apply()


def test_the_alerts_job_is_registered_after_the_rollups():
    names = [job.name for job in periodic.jobs()]
    assert names.index("rollups") < names.index("alerts")


def test_a_budget_spent_on_thursday_afternoon_is_told_once_with_its_hour(seller_with_campaign):
    clock.set_now(THURSDAY_2PM)
    assert spend_everything(seller_with_campaign["campaign"]) == 10
    run_twice()
    alert = Alert.objects.get()
    assert (alert.kind, alert.in_app, alert.email_to) == (Kind.BUDGET_SPENT, True, "sunday_sam@example.com")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "ClosetAds: Your budget ran out on Thursday at 14:00"
    assert "3 days 10 hours before the budget week ended" in mail.outbox[0].body
    assert mail.outbox[0].to == ["sunday_sam@example.com"]


def test_a_budget_spent_in_the_weeks_last_minutes_is_not_an_alert(seller_with_campaign):
    clock.set_now(MONDAY + dt.timedelta(days=6, hours=23, minutes=40))
    spend_everything(seller_with_campaign["campaign"])
    run_twice()
    assert not Alert.objects.exists()


def test_a_week_returning_under_half_the_usual_is_told_once_after_it_ends(db):
    four_weeks_ago = MONDAY - dt.timedelta(weeks=4)
    clock.set_now(four_weeks_ago)
    seller = SellerFactory()
    listing = ListingFactory(seller=seller)
    campaign = launched_campaign(seller, weekly_budget_micros=50_000_000)
    for week in range(4):  # 4x, 4x, 4x, then 1x
        clock.set_now(four_weeks_ago + dt.timedelta(weeks=week, hours=12))
        stat(campaign, listing, clock.now(), spend_micros=10_000_000,
             direct_sales_micros=10_000_000 if week == 3 else 40_000_000)
        budget_period_current(campaign)
    clock.set_now(MONDAY + dt.timedelta(minutes=30))  # not settled yet
    run_twice()
    assert not Alert.objects.exists()
    clock.set_now(MONDAY + dt.timedelta(hours=2))
    run_twice()
    alert = Alert.objects.get()
    assert alert.kind == Kind.LOW_ROAS
    assert (alert.params["roas"], alert.params["usual_roas"], alert.params["weeks"]) == (1.0, 4.0, 3)
    assert mail.outbox[0].subject == "ClosetAds: Last week's return on ad spend was 1.0x"
    assert len(mail.outbox) == 1
    # Judging the same week again (the watermark aside) finds the same event: still one alert.
    services.alerts_raise(services.detection.low_roas_events(clock.now()))
    assert Alert.objects.count() == 1


def test_a_campaign_whose_last_listing_sold_is_told_once(seller_with_campaign):
    Listing.objects.filter(pk=seller_with_campaign["listing"].pk).update(status=Listing.Status.SOLD)
    run_twice()
    alert = Alert.objects.get()
    assert (alert.kind, alert.params["reason"]) == (Kind.CAMPAIGN_STOPPED, "empty")
    assert mail.outbox[0].subject == "ClosetAds: Your campaign has nothing left to promote"
    assert len(mail.outbox) == 1


def test_a_pause_by_an_admin_is_told_once_and_the_sellers_own_pause_is_not(seller_with_campaign, admin_client):
    own = launched_campaign(SellerFactory(), weekly_budget_micros=10_000_000)
    ListingFactory(seller=own.seller)
    campaign_pause(own)
    campaign = seller_with_campaign["campaign"]
    response = admin_client.post(reverse("admin:campaigns_campaign_changelist"),
                                 {"action": "pause_selected", "_selected_action": [campaign.pk]})
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PAUSED
    run_twice()
    alert = Alert.objects.get()
    assert (alert.seller, alert.params["reason"]) == (seller_with_campaign["seller"], "paused_by_admin")
    assert mail.outbox[0].subject == "ClosetAds: The marketplace paused your campaign"
    assert len(mail.outbox) == 1


def test_an_admin_resume_then_a_sellers_pause_raises_nothing_new(seller_with_campaign, admin_client):
    campaign = seller_with_campaign["campaign"]
    changelist = reverse("admin:campaigns_campaign_changelist")
    admin_client.post(changelist, {"action": "pause_selected", "_selected_action": [campaign.pk]})
    admin_client.post(changelist, {"action": "resume_selected", "_selected_action": [campaign.pk]})
    campaign_pause(Campaign.objects.get(pk=campaign.pk))
    run_twice()
    assert not Alert.objects.exists()


def test_a_cancelled_order_credited_to_the_ads_is_told_once(db):
    clock.set_now(MONDAY + dt.timedelta(hours=10))
    campaign, listing = promoted_listing()
    kept = ListingFactory(seller=listing.seller)
    ListingFactory(seller=listing.seller)  # still for sale: the campaign keeps running
    events_ingest({"clicks": [sponsored(bid_token(campaign, listing), user="buyer"),
                              sponsored(bid_token(campaign, kept), user="other")]})
    clock.advance(dt.timedelta(hours=1))
    events_ingest({"purchases": [purchase(listing, user="buyer", id="ORD-7"), purchase(kept, user="other")]})
    attribution_run_pending()
    run_twice()
    assert not Alert.objects.exists()
    events_ingest({"cancellations": [cancellation("ORD-7")]})
    attribution_run_pending()
    run_twice()
    alert = Alert.objects.get()
    assert (alert.kind, alert.params["order_id"], alert.params["amount_micros"]) == (Kind.REFUND, "ORD-7",
                                                                                     listing.price_micros)
    assert mail.outbox[0].subject == "ClosetAds: A sale credited to your ads was cancelled"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("in_app, email", [(True, False), (False, True), (False, False)])
def test_the_sellers_preferences_choose_the_channels(seller_with_campaign, client, in_app, email):
    seller = seller_with_campaign["seller"]
    AlertPreference.objects.create(seller=seller, budget_spent_in_app=in_app, budget_spent_email=email)
    clock.set_now(THURSDAY_2PM)
    spend_everything(seller_with_campaign["campaign"])
    run_twice()
    assert Alert.objects.count() == 1  # stored either way: turning a channel on later replays nothing
    assert len(mail.outbox) == (1 if email else 0)
    assert seller_alerts(seller).count() == unread_count(seller) == (1 if in_app else 0)


def test_a_seller_without_an_email_address_gets_the_alert_in_the_app_only(seller_with_campaign):
    seller = seller_with_campaign["seller"]
    seller.email = ""
    seller.save()
    clock.set_now(THURSDAY_2PM)
    spend_everything(seller_with_campaign["campaign"])
    run_twice()
    assert Alert.objects.get().in_app
    assert mail.outbox == []


def test_a_failed_send_is_retried_and_then_sent_once(seller_with_campaign, settings):
    clock.set_now(THURSDAY_2PM)
    spend_everything(seller_with_campaign["campaign"])
    settings.EMAIL_BACKEND = "alerts.tests.test_raising.FailingBackend"
    assert services.alerts_run()["emailed"] == 0
    assert Alert.objects.get().emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_twice()
    assert len(mail.outbox) == 1
    assert Alert.objects.get().emailed_at == clock.now()


class FailingBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")
