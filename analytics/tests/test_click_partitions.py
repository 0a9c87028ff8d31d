"""Clicks partitioned by week on PostgreSQL: the migration from the plain table on data (the
bids' claims moved to ClickBid), a bid's clicks charged once across a partition boundary,
retention of the partitions and of the claims."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from analytics.models import Click, ClickBid, Watermark
from analytics.services import partitions, rollups_fold
from analytics.services.partitions import CLICKS
from analytics.tests.factories import bid_token, promoted_listing, sponsored
from campaigns.models import BudgetPeriod
from core import clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE_MIGRATION = ("analytics", "0005_impression_partitions")
MONDAY = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)  # beyond every factory date: weeks of its own
URL = "/api/v1/events"


def _where(event_id: str) -> str | None:
    return partitions.partition_holding(CLICKS, "event_id = %s", [event_id])


def test_the_migration_keeps_every_click_and_moves_the_bid_claims():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_MIGRATION])
    plain = executor.loader.project_state([BEFORE_MIGRATION]).apps.get_model("analytics", "Click")
    now = clock.now()
    for i, days in enumerate((0, 2, 9, 16)):
        plain.objects.create(event_id=f"c{i}", occurred_at=now - dt.timedelta(days=days, hours=1),
                             opaque_user_id=f"u{i}", placement="search", auction_id=f"a{i}", charged=i % 2 == 0,
                             bid_key=f"a{i}:7" if i % 2 == 0 else None)
    columns = ("id", "event_id", "occurred_at", "charged", "bid_key")
    before = sorted(plain.objects.values_list(*columns))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(Click.objects.values_list(*columns)) == before
    for _, event_id, at, _, _ in before:
        assert _where(event_id) == partitions.partition_name(CLICKS, partitions.week_start(at))
    claims = dict(ClickBid.objects.values_list("bid_key", "claimed_at"))
    assert claims == {key: at for _, _, at, _, key in before if key}
    new = Click.objects.create(event_id="after", occurred_at=now)
    assert new.pk > max(row[0] for row in before)  # ids continue from the same sequence


def test_two_clicks_on_one_bid_either_side_of_a_week_boundary_are_charged_once(api):
    boundary = MONDAY + dt.timedelta(weeks=1)
    clock.set_now(MONDAY)  # launched at the start of the week before: its whole budget
    campaign, listing = promoted_listing()
    clock.set_now(boundary - dt.timedelta(minutes=5))
    partitions.partitions_ensure(boundary - dt.timedelta(weeks=1), ahead=1)
    token = bid_token(campaign, listing)
    sunday, monday = boundary - dt.timedelta(seconds=20), boundary + dt.timedelta(seconds=20)
    clock.set_now(boundary + dt.timedelta(minutes=1))
    assert api.post(URL, {"clicks": [sponsored(token, at=sunday, id="first")]}).json()["accepted"] == 1
    assert api.post(URL, {"clicks": [sponsored(token, at=monday, id="second")]}).json()["accepted"] == 1
    assert _where("first") != _where("second")  # in two partitions
    assert dict(Click.objects.values_list("event_id", "reason")) == {"first": None, "second": "duplicate"}
    assert sum(BudgetPeriod.objects.filter(campaign=campaign).values_list("spent_micros", flat=True)) == 300_000
    # Resending both changes nothing.
    body = {"clicks": [sponsored(token, at=sunday, id="first"), sponsored(token, at=monday, id="second")]}
    assert api.post(URL, body).json()["duplicates"] == 2
    assert ClickBid.objects.count() == 1


def test_retention_drops_folded_weeks_of_clicks_and_old_claims(settings):
    settings.RETENTION_CLICKS_DAYS = 60
    old, kept = MONDAY, MONDAY + dt.timedelta(weeks=12)
    for week in (old, kept):
        partitions.partitions_ensure(week, ahead=0)
    Click.objects.create(event_id="old", occurred_at=old + dt.timedelta(hours=2))
    Click.objects.create(event_id="kept", occurred_at=kept + dt.timedelta(hours=2))
    ClickBid.objects.create(bid_key="a-old:1", claimed_at=old + dt.timedelta(hours=2))
    ClickBid.objects.create(bid_key="a-kept:1", claimed_at=kept + dt.timedelta(hours=2))
    now = kept + dt.timedelta(days=1)
    clock.set_now(now)
    assert partitions.partition_name(CLICKS, old) in partitions.partitions_drop_expired(now).kept_unfolded
    rollups_fold()
    assert Watermark.objects.get(name="rollups.clicks").position >= Click.objects.get(event_id="old").pk

    result = partitions.partitions_maintain(now)

    assert partitions.partition_name(CLICKS, old) in result.dropped
    assert list(Click.objects.values_list("event_id", flat=True)) == ["kept"]
    assert result.claims_dropped == 1
    assert list(ClickBid.objects.values_list("bid_key", flat=True)) == ["a-kept:1"]
