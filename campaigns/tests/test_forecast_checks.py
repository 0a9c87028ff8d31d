"""Forecasts shown to sellers are kept and set against what their weeks delivered."""

import datetime as dt

from campaigns.models import BudgetForecast
from campaigns.selectors import forecast_checks
from campaigns.services import budget_forecast_record, campaign_launch, click_charge
from campaigns.tests.factories import CampaignFactory
from core import clock

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


def test_each_week_opens_with_its_forecast_recorded_from_the_campaigns_own_last_week(seller):
    from campaigns.services import forecasts_record_week
    from core import periodic

    clock.set_now(MONDAY)
    campaign = CampaignFactory(seller=seller, weekly_budget_micros=20_000_000)
    campaign_launch(campaign)
    assert forecasts_record_week() == {"recorded": 1}  # launched without one: recorded now
    assert forecasts_record_week() == {"recorded": 0}  # once a week
    for i in range(8):  # a week that left most of its budget: demand-limited at 8 clicks
        click_charge(campaign.pk, 250_000, click_id=i)
    clock.set_now(MONDAY + dt.timedelta(days=7, minutes=5))
    assert periodic.run(["pacing", "forecasts"])["forecasts"] == {"recorded": 1}
    week_two = BudgetForecast.objects.order_by("-created_at").first()
    assert week_two.method == "history" and week_two.clicks_low <= 8 <= week_two.clicks_high
    for i in range(7):
        click_charge(campaign.pk, 250_000, click_id=100 + i)
    clock.set_now(MONDAY + dt.timedelta(days=14, hours=1))
    checks = sorted(forecast_checks(), key=lambda c: c.week_start)
    assert [(c.method, c.clicks) for c in checks] == [("rules", 8), ("history", 7)]
    assert checks[1].clicks_inside
