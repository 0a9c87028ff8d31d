"""A budget change after the first week applies from the next Monday, whenever the
current week's budget period happens to open (first click, resume after a pause).
"""

import datetime as dt

from campaigns.models import BudgetPeriod
from campaigns.services import (
    budget_period_current,
    campaign_budget_change,
    campaign_launch,
    campaign_pause,
    campaign_resume,
    click_charge,
)
from campaigns.tests.factories import CampaignFactory
from core import clock

MONDAY = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def test_a_change_made_before_the_weeks_first_click_waits_for_next_monday(db):
    clock.set_now(MONDAY)
    campaign = CampaignFactory(weekly_budget_micros=70_000_000)
    campaign_launch(campaign)
    clock.set_now(MONDAY + dt.timedelta(days=8))  # Tuesday of week 2; no click yet this week
    change = campaign_budget_change(campaign, 20_000_000)
    assert not change.applies_now
    assert click_charge(campaign.pk, 500_000, click_id=1).charged  # opens week 2's period
    assert BudgetPeriod.objects.get(campaign=campaign, week_start=MONDAY + dt.timedelta(days=7)).budget_micros \
        == 70_000_000
    clock.set_now(MONDAY + dt.timedelta(days=14))
    assert budget_period_current(campaign).budget_micros == 20_000_000


def test_a_change_made_while_paused_waits_for_next_monday_after_resuming(db):
    clock.set_now(MONDAY)
    campaign = CampaignFactory(weekly_budget_micros=70_000_000)
    campaign_launch(campaign)
    campaign_pause(campaign)
    clock.set_now(MONDAY + dt.timedelta(days=9))
    campaign_budget_change(campaign, 100_000_000)
    campaign_resume(campaign)
    assert budget_period_current(campaign).budget_micros == 70_000_000
    clock.set_now(MONDAY + dt.timedelta(days=14, hours=2))
    assert budget_period_current(campaign).budget_micros == 100_000_000
    campaign.refresh_from_db()
    assert campaign.next_weekly_budget_micros is None and campaign.next_weekly_budget_from is None


def test_changing_back_to_the_current_budget_cancels_the_pending_change(db):
    clock.set_now(MONDAY)
    campaign = CampaignFactory(weekly_budget_micros=70_000_000)
    campaign_launch(campaign)
    clock.set_now(MONDAY + dt.timedelta(days=8))
    campaign_budget_change(campaign, 20_000_000)
    campaign_budget_change(campaign, 70_000_000)
    campaign.refresh_from_db()
    assert campaign.next_weekly_budget_micros is None and campaign.next_weekly_budget_from is None
