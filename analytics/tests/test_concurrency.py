"""Real concurrency on PostgreSQL: threads, each with its own connection, racing on the same clicks,
and folds racing with writers that commit late."""

import datetime as dt
import threading
from functools import partial

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from analytics.horizon import committed_horizons
from analytics.models import Click, HourlyStat, Impression
from analytics.services import events_ingest, rollups_fold
from analytics.tests.factories import bid_token, promoted_listing, sponsored
from campaigns.models import BudgetPeriod, LedgerEntry
from core import clock
from core.tests.concurrency import run_at_once

MONDAY = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(bodies):
    """Ingest each body in its own thread, all released at once; returns the responses."""
    return run_at_once([partial(events_ingest, body) for body in bodies])


@pytest.fixture
def promoted():
    clock.set_now(MONDAY + dt.timedelta(minutes=5))
    return promoted_listing(weekly_budget_micros=10_000_000)


def test_the_same_clicks_sent_by_eight_threads_are_charged_once_each(promoted):
    campaign, listing = promoted
    body = {"clicks": [sponsored(bid_token(campaign, listing), user=f"u{i}", id=f"c{i}") for i in range(10)]}
    results = race([body] * 8)
    assert sum(r["accepted"] for r in results) == 10
    assert sum(r["duplicates"] for r in results) == 70
    assert Click.objects.count() == 10
    assert LedgerEntry.objects.filter(kind="charge").count() == 10
    assert Click.objects.filter(charged=True).count() == 10


def test_eight_different_clicks_on_one_resolved_bid_are_charged_once(promoted):
    campaign, listing = promoted
    token = bid_token(campaign, listing)
    race([{"clicks": [sponsored(token, user=f"u{i}", id=f"c{i}")]} for i in range(8)])
    assert Click.objects.count() == 8
    assert Click.objects.filter(charged=True).count() == 1
    assert Click.objects.filter(reason="duplicate").count() == 7
    assert LedgerEntry.objects.count() == 1


def test_eight_clicks_by_one_buyer_on_one_listing_at_once_are_charged_once(promoted):
    campaign, listing = promoted
    race([{"clicks": [sponsored(bid_token(campaign, listing), user="same-buyer", id=f"c{i}")]} for i in range(8)])
    assert Click.objects.filter(charged=True).count() == 1
    assert Click.objects.filter(reason="repeat_click").count() == 7


def test_racing_clicks_never_overspend_and_the_ledger_matches(promoted):
    campaign, listing = promoted
    bodies = [{"clicks": [sponsored(bid_token(campaign, listing, price_micros=700_000), user=f"t{t}u{i}")
                          for i in range(5)]} for t in range(8)]
    race(bodies)
    period = BudgetPeriod.objects.get(campaign=campaign)
    assert period.spent_micros <= period.budget_micros
    assert period.spent_micros == LedgerEntry.objects.aggregate(s=Sum("amount_micros"))["s"]
    charged = Click.objects.filter(charged=True).count()
    assert charged == period.budget_micros // 700_000
    assert Click.objects.filter(reason="budget_exhausted").count() == 40 - charged


def test_a_row_committed_after_a_higher_id_is_still_folded(promoted):
    """The commit-order race: id N is taken by a transaction that commits after id N+1."""
    campaign, listing = promoted
    inserted, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                events_ingest({"impressions": [sponsored(bid_token(campaign, listing), id="slow")]})
                inserted.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert inserted.wait(10)
    events_ingest({"impressions": [sponsored(bid_token(campaign, listing), id="fast")]})
    slow_id = Impression.objects.get(event_id="fast").pk - 1
    assert not Impression.objects.filter(pk=slow_id).exists()  # taken, not yet committed

    assert committed_horizons([Impression], wait=0.05)[Impression] is None
    first = rollups_fold()
    assert "rollups.impressions" in first.waiting
    assert HourlyStat.objects.count() == 0

    release.set()
    done.wait(10)
    writer.join()
    assert committed_horizons([Impression])[Impression] == slow_id + 1
    rollups_fold()
    assert HourlyStat.objects.get().impressions == 2


def test_two_folds_at_once_count_every_row_once(promoted):
    campaign, listing = promoted
    events_ingest({"impressions": [sponsored(bid_token(campaign, listing)) for _ in range(200)]})
    run_at_once([rollups_fold] * 4)
    assert HourlyStat.objects.get().impressions == 200
