"""Forecasts shown to sellers are kept and set against what their weeks delivered."""

import datetime as dt

from campaigns.models import BudgetForecast
from campaigns.selectors import forecast_checks
from campaigns.services import budget_forecast_record, campaign_launch, click_charge
from campaigns.tests.factories import CampaignFactory
from closetads import clock

MONDAY = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def test_a_finished_full_week_is_checked_against_the_forecast_shown_before_it(seller):
    clock.set_now(MONDAY - dt.timedelta(days=1))  # the Sunday before: the first week is whole
    campaign = CampaignFactory(seller=seller, weekly_budget_micros=20_000_000)
    clock.set_now(MONDAY)
    campaign_launch(campaign)
    forecast = budget_forecast_record(campaign)
    assert BudgetForecast.objects.get() == forecast and forecast.method == "rules"
    for i in range(5):
        click_charge(campaign.pk, 500_000, click_id=i)
    assert forecast_checks() == []  # the week is not over
    clock.set_now(MONDAY + dt.timedelta(days=7, hours=1))
    (check,) = forecast_checks()
    assert (check.campaign_id, check.clicks, check.clicks_low, check.clicks_high) == (
        campaign.pk, 5, forecast.clicks_low, forecast.clicks_high)
    assert check.clicks_inside == (forecast.clicks_low <= 5 <= forecast.clicks_high)
    assert check.sales is None


def test_a_launch_week_or_a_week_without_a_forecast_is_not_checked(seller):
    clock.set_now(MONDAY + dt.timedelta(days=2))
    campaign = CampaignFactory(seller=seller)
    campaign_launch(campaign)  # mid-week: a partial first week
    budget_forecast_record(campaign)
    click_charge(campaign.pk, 500_000, click_id=1)
    clock.set_now(MONDAY + dt.timedelta(days=8))
    assert forecast_checks() == []
