import datetime as dt
from functools import partial

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auction.models import AuctionSettings
from campaigns.models import BudgetPeriod, Campaign, LedgerEntry
from campaigns.services import (
    CampaignError,
    budget_period_current,
    campaign_budget_change,
    campaign_launch,
    campaign_pause,
    charge_refund,
    click_charge,
)
from campaigns.tests.factories import CampaignFactory
from core import changes, clock
from core.tests.concurrency import run_at_once

MONDAY = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)  # a Monday; tests run with TIME_ZONE=UTC


def ledger_sum(period: BudgetPeriod) -> int:
    return LedgerEntry.objects.filter(period=period).aggregate(s=Sum("amount_micros"))["s"] or 0


@pytest.fixture
def active_campaign(db):
    clock.set_now(MONDAY)
    campaign = CampaignFactory(weekly_budget_micros=10_000_000)
    campaign_launch(campaign)
    return campaign


def test_a_click_is_charged_and_written_to_the_ledger(active_campaign):
    result = click_charge(active_campaign.pk, 500_000, click_id=1)
    assert result.charged
    period = BudgetPeriod.objects.get(pk=result.period_id)
    assert period.spent_micros == 500_000
    assert ledger_sum(period) == period.spent_micros


def test_a_click_the_budget_cannot_cover_is_free_and_signals_the_real_remainder(
        active_campaign, django_capture_on_commit_callbacks):
    assert click_charge(active_campaign.pk, 9_800_000, click_id=1).charged
    before = changes.versions().get(changes.BUDGETS, 0)
    with django_capture_on_commit_callbacks(execute=True):
        refused = click_charge(active_campaign.pk, 300_000, click_id=2)
    assert not refused.charged and refused.reason == "budget_exhausted"
    period = BudgetPeriod.objects.get(pk=refused.period_id)
    assert period.spent_micros == 9_800_000
    # $0.20 left pays the reserve: not exhausted, and the auction indexes are told to
    # re-read the remainder that bids are capped by.
    assert period.exhausted_at is None
    assert changes.versions()[changes.BUDGETS] == before + 1
    assert click_charge(active_campaign.pk, 200_000, click_id=3).charged  # what is left still buys a cheaper click
    assert BudgetPeriod.objects.get(pk=period.pk).exhausted_at is not None


def test_spending_the_budget_to_the_cent_marks_the_period_exhausted(active_campaign):
    assert click_charge(active_campaign.pk, 10_000_000, click_id=1).charged
    assert BudgetPeriod.objects.get(campaign=active_campaign).exhausted_at is not None


def test_a_remainder_below_the_reserve_marks_the_period_exhausted_at_once(active_campaign):
    reserve = AuctionSettings.load().reserve_cpc_micros
    assert click_charge(active_campaign.pk, 10_000_000 - reserve, click_id=1).charged
    assert BudgetPeriod.objects.get(campaign=active_campaign).exhausted_at is None  # the reserve is left
    assert click_charge(active_campaign.pk, 10_000, click_id=2).charged
    assert BudgetPeriod.objects.get(campaign=active_campaign).exhausted_at == clock.now()


def test_the_same_click_is_charged_once(active_campaign):
    assert click_charge(active_campaign.pk, 500_000, click_id=7).charged
    again = click_charge(active_campaign.pk, 500_000, click_id=7)
    assert not again.charged and again.reason == "already_charged"
    period = BudgetPeriod.objects.get(campaign=active_campaign)
    assert period.spent_micros == 500_000 == ledger_sum(period)


def test_a_paused_campaign_is_not_charged(active_campaign):
    campaign_pause(active_campaign)
    assert click_charge(active_campaign.pk, 500_000, click_id=1).reason == "campaign_not_active"


def test_a_refund_restores_the_budget_once(active_campaign):
    charge = click_charge(active_campaign.pk, 10_000_000, click_id=1)
    assert charge_refund(charge.entry_id).refunded
    assert charge_refund(charge.entry_id).reason == "already_refunded"
    period = BudgetPeriod.objects.get(campaign=active_campaign)
    assert period.spent_micros == 0 == ledger_sum(period)
    assert period.exhausted_at is None


def test_mid_week_launch_gets_the_prorated_budget(db):
    clock.set_now(MONDAY + dt.timedelta(days=3, hours=12))  # half the week left
    campaign = CampaignFactory(weekly_budget_micros=70_000_000)
    period = campaign_launch(campaign)
    assert period.budget_micros == 35_000_000
    clock.set_now(MONDAY + dt.timedelta(days=7, hours=1))
    assert budget_period_current(campaign).budget_micros == 70_000_000


def test_a_budget_change_waits_for_the_next_week_except_in_the_first(db):
    clock.set_now(MONDAY + dt.timedelta(hours=1))
    campaign = CampaignFactory(weekly_budget_micros=70_000_000)
    campaign_launch(campaign)
    first_week = campaign_budget_change(campaign, 140_000_000)
    assert first_week.applies_now
    clock.set_now(MONDAY + dt.timedelta(days=8))
    period = budget_period_current(campaign)
    assert period.budget_micros == 140_000_000
    later = campaign_budget_change(campaign, 50_000_000)
    assert not later.applies_now and later.applies_from == MONDAY + dt.timedelta(days=14)
    assert BudgetPeriod.objects.get(pk=period.pk).budget_micros == 140_000_000
    clock.set_now(MONDAY + dt.timedelta(days=14, minutes=1))
    assert budget_period_current(campaign).budget_micros == 50_000_000
    campaign.refresh_from_db()
    assert campaign.weekly_budget_micros == 50_000_000 and campaign.next_weekly_budget_micros is None


@pytest.mark.parametrize("amount", [4_990_000, 1_000_010_000, 12_345_678])
def test_budgets_out_of_bounds_or_fractional_cents_are_refused(db, amount):
    campaign = CampaignFactory()
    with pytest.raises(CampaignError) as err:
        campaign_budget_change(campaign, amount)
    assert err.value.field == "weekly_budget"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prices=st.lists(st.integers(1, 400).map(lambda cents: cents * 10_000), min_size=1, max_size=60))
def test_spent_never_exceeds_budget_and_equals_the_ledger(active_campaign, prices):
    LedgerEntry.objects.all().delete()
    BudgetPeriod.objects.update(spent_micros=0, exhausted_at=None)
    for index, price in enumerate(prices):
        click_charge(active_campaign.pk, price, click_id=index)
    period = BudgetPeriod.objects.get(campaign=active_campaign)
    assert 0 <= period.spent_micros <= period.budget_micros
    assert period.spent_micros == ledger_sum(period)
    charged = [e.amount_micros for e in LedgerEntry.objects.filter(period=period).order_by("id")]
    # Greedy: each click charged exactly when it fit in what was left at its turn.
    expected, left = [], period.budget_micros
    for price in prices:
        if price <= left:
            expected.append(price)
            left -= price
    assert charged == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_clicks_on_a_budget_for_twenty_charge_exactly_twenty():
    clock.set_now(MONDAY)  # launched at the week's start: the whole $10 budget, no proration
    campaign = CampaignFactory(weekly_budget_micros=10_000_000)
    campaign_launch(campaign)
    # The budget covers exactly 20 clicks at $0.50.
    results = run_at_once([partial(click_charge, campaign.pk, 500_000, click_id=1000 + i) for i in range(50)])
    period = BudgetPeriod.objects.get(campaign=campaign)
    assert len(results) == 50
    assert sum(r.charged for r in results) == 20
    assert {r.reason for r in results if not r.charged} == {"budget_exhausted"}
    assert period.spent_micros == period.budget_micros == 10_000_000
    assert ledger_sum(period) == period.spent_micros
    assert LedgerEntry.objects.filter(campaign=campaign, kind="charge").count() == 20
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.ACTIVE
