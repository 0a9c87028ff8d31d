"""campaigns.charging: a batch of clicks charged against locked budget periods, exactly as
``click_charge`` one click at a time would."""

import datetime as dt
import itertools
from functools import partial

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.charging import charges_open
from campaigns.models import BudgetPeriod, LedgerEntry
from campaigns.services import campaign_launch, campaign_pause, click_charge
from campaigns.tests.factories import CampaignFactory
from core import clock
from core.tests.concurrency import run_at_once

MONDAY = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
RESERVE = 100_000
_click_ids = itertools.count(1)  # hypothesis' examples share the test's database


def launched(budget_micros: int = 10_000_000):
    campaign = CampaignFactory(weekly_budget_micros=budget_micros)
    campaign_launch(campaign)
    return campaign


@pytest.fixture
def now(db):
    clock.set_now(MONDAY)
    return MONDAY


def charge_batch(clicks):
    """[(campaign id, price, click id, at)] charged as one batch; the results with their entry ids."""
    with transaction.atomic():
        charges = charges_open([(c, at) for c, _, _, at in clicks], reserve_micros=RESERVE)
        results = [charges.charge(c, price, click_id=click_id, at=at) for c, price, click_id, at in clicks]
        entries = charges.write()
    return results, entries


def period_of(campaign) -> BudgetPeriod:
    return BudgetPeriod.objects.get(campaign=campaign)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prices=st.lists(st.integers(5, 400).map(lambda cents: cents * 10_000), min_size=1, max_size=40))
def test_a_batch_decides_every_click_as_click_charge_one_by_one(now, prices):
    one_by_one, batched = launched(), launched()
    times = [now + dt.timedelta(seconds=i) for i in range(len(prices))]
    expected = [click_charge(one_by_one.pk, price, click_id=next(_click_ids), at=at, reserve_micros=RESERVE)
                for price, at in zip(prices, times, strict=True)]
    ids = [next(_click_ids) for _ in prices]
    results, entries = charge_batch([(batched.pk, price, click_id, at)
                                     for price, click_id, at in zip(prices, ids, times, strict=True)])
    assert [(r.charged, r.reason, r.amount_micros) for r in results] == [
        (r.charged, r.reason, r.amount_micros) for r in expected]
    a, b = period_of(one_by_one), period_of(batched)
    assert (b.spent_micros, b.exhausted_at) == (a.spent_micros, a.exhausted_at)
    assert b.spent_micros <= b.budget_micros
    assert b.spent_micros == LedgerEntry.objects.filter(period=b).aggregate(s=Sum("amount_micros"))["s"] or 0
    assert sorted(entries) == [click_id for click_id, r in zip(ids, results, strict=True) if r.charged]
    assert set(LedgerEntry.objects.filter(period=b).values_list("click_id", "pk")) == set(entries.items())


def test_the_click_that_would_overspend_is_refused_and_a_cheaper_one_after_it_charged(now):
    campaign = launched(1_000_000)
    results, _ = charge_batch([(campaign.pk, 800_000, 1, now), (campaign.pk, 300_000, 2, now),
                               (campaign.pk, 200_000, 3, now)])
    assert [(r.charged, r.reason) for r in results] == [(True, None), (False, "budget_exhausted"), (True, None)]
    period = period_of(campaign)
    assert period.spent_micros == 1_000_000
    assert period.exhausted_at == now


def test_a_paused_campaign_takes_no_charge_and_the_others_do(now):
    paused, active = launched(), launched()
    campaign_pause(paused)
    results, entries = charge_batch([(paused.pk, 300_000, 1, now), (active.pk, 300_000, 2, now)])
    assert [(r.charged, r.reason) for r in results] == [(False, "campaign_not_active"), (True, None)]
    assert list(entries) == [2]
    assert period_of(active).spent_micros == 300_000


def test_clicks_of_two_weeks_are_charged_to_each_weeks_period(now):
    campaign = launched()
    next_week = now + dt.timedelta(days=7, hours=1)
    charge_batch([(campaign.pk, 300_000, 1, now), (campaign.pk, 400_000, 2, next_week)])
    spent = dict(BudgetPeriod.objects.filter(campaign=campaign).values_list("week_start", "spent_micros"))
    assert spent == {now: 300_000, now + dt.timedelta(days=7): 400_000}


@pytest.mark.django_db(transaction=True)
def test_charges_need_a_transaction(now):
    campaign = launched()
    with pytest.raises(RuntimeError, match="transaction"):
        charges_open([(campaign.pk, now)], reserve_micros=RESERVE)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_batches_on_a_budget_for_twenty_clicks_charge_exactly_twenty():
    clock.set_now(MONDAY)
    campaign = launched(10_000_000)  # exactly 20 clicks at $0.50

    def batch(first: int):
        return charge_batch([(campaign.pk, 500_000, first + i, MONDAY) for i in range(5)])[0]

    results = [r for rs in run_at_once([partial(batch, 100 * t) for t in range(10)]) for r in rs]
    period = period_of(campaign)
    assert sum(r.charged for r in results) == 20
    assert period.spent_micros == period.budget_micros == 10_000_000
    assert LedgerEntry.objects.filter(period=period).aggregate(s=Sum("amount_micros"))["s"] == 10_000_000
