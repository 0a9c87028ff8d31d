import datetime as dt

import numpy as np
import pytest

from auction.models import AuctionHour
from auction.pacing_service import pacing_run
from auction.traffic import profile_estimate, traffic_profile, week_share
from campaigns.models import Campaign
from campaigns.services import click_charge
from campaigns.tests.factories import launched_campaign
from core import clock
from sellers.tests.factories import SellerFactory

MONDAY = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def test_with_no_history_the_profile_is_uniform(db):
    profile = traffic_profile(MONDAY)
    assert len(profile) == 168
    assert profile.min() == pytest.approx(1 / 168)
    assert week_share(profile, MONDAY, MONDAY + dt.timedelta(hours=84)) == pytest.approx(0.5)


def test_the_profile_follows_last_weeks_auctions_and_gives_unseen_days_the_same_daily_cycle(db):
    last_week = MONDAY - dt.timedelta(weeks=1)
    for hour in range(24):  # only last Monday was seen: busy evenings
        AuctionHour.objects.create(hour=last_week + dt.timedelta(hours=hour), auctions=300 if hour >= 18 else 100)
    profile = traffic_profile(MONDAY)
    assert profile[20] == pytest.approx(3 * profile[3])
    friday = 4 * 24
    assert profile[friday + 20] == pytest.approx(profile[20]) and profile[friday + 3] == pytest.approx(profile[3])


def test_unseen_hours_are_their_days_level_times_the_hour_of_day_shape():
    rng = np.random.default_rng(1)
    day, hour = rng.uniform(0.5, 1.5, 7), rng.uniform(0.1, 2.0, 24)
    truth = np.outer(day, hour).ravel()
    seen = np.zeros(168, dtype=bool)
    seen[:30] = True  # Monday, and Tuesday until 06:00
    estimate = profile_estimate(np.where(seen, truth, 0.0), seen)
    # Monday and Tuesday follow their own level; the unseen days that of the seen ones.
    expected = np.outer(np.r_[day[:2], np.full(5, day[:2].mean())], hour).ravel()
    assert estimate == pytest.approx(expected / expected.sum(), rel=1e-6)


def test_an_hour_of_day_never_seen_takes_the_mean_shape():
    seen = np.zeros(168, dtype=bool)
    seen[:6] = True
    estimate = profile_estimate(np.where(seen, 10.0, 0.0), seen)
    assert estimate == pytest.approx(np.full(168, 1 / 168))


def test_a_campaign_spending_too_fast_is_slowed_and_one_behind_is_opened_up(db):
    clock.set_now(MONDAY)
    fast = launched_campaign(SellerFactory(), weekly_budget_micros=100_000_000)
    slow = launched_campaign(SellerFactory(), weekly_budget_micros=100_000_000)
    Campaign.objects.filter(pk=slow.pk).update(pacing_throttle=0.5)
    clock.set_now(MONDAY + dt.timedelta(hours=2))
    for i in range(40):  # $20 in two hours: 20% of the budget after 1.2% of the week
        assert click_charge(fast.pk, 500_000, click_id=i).charged
    clock.set_now(MONDAY + dt.timedelta(hours=3))
    result = pacing_run()
    assert result.campaigns == 2 and result.changed == 2
    fast.refresh_from_db()
    slow.refresh_from_db()
    assert fast.pacing_multiplier < 1.0 and fast.pacing_throttle == 1.0
    assert slow.pacing_throttle > 0.5 and slow.pacing_multiplier == 1.0


def test_pacing_opens_the_new_week_periods_off_the_click_path(db):
    clock.set_now(MONDAY)
    campaign = launched_campaign(SellerFactory())
    clock.set_now(MONDAY + dt.timedelta(days=7, minutes=1))
    pacing_run()
    assert campaign.periods.filter(week_start=MONDAY + dt.timedelta(days=7)).exists()


def test_pacing_leaves_paused_campaigns_alone(db):
    clock.set_now(MONDAY)
    campaign = launched_campaign(SellerFactory())
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
    assert pacing_run().campaigns == 0


@pytest.mark.django_db(transaction=True)
def test_auction_traffic_is_written_off_the_request_and_read_whole_by_pacing():
    from auction.traffic import counter, hour_of_week

    counter.wait()
    counter.flush()
    AuctionHour.objects.all().delete()
    counter.count(MONDAY + dt.timedelta(hours=20), 30)
    counter.count(MONDAY + dt.timedelta(hours=21), 10)  # a new hour: the write starts in the background
    counter.count(MONDAY + dt.timedelta(hours=21), 5)
    profile = traffic_profile(MONDAY + dt.timedelta(days=7))  # waits for that write, adds what is left
    assert dict(AuctionHour.objects.values_list("hour", "auctions")) == {
        MONDAY + dt.timedelta(hours=20): 30, MONDAY + dt.timedelta(hours=21): 15}
    assert profile[hour_of_week(MONDAY + dt.timedelta(hours=20))] == pytest.approx(
        2 * profile[hour_of_week(MONDAY + dt.timedelta(hours=21))])
