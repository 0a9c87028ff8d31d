"""Weekly partitions of raw impressions on PostgreSQL: the migration from the plain table on
data, partitions created ahead by the periodic job, retention dropping only partitions the
rollups hold for good, and the dashboard reading across a partition boundary."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from analytics.models import HourlyStat, Impression, Watermark
from analytics.services import rollups_fold
from analytics.services.partitions import (
    IMPRESSIONS,
    partition_holding,
    partition_name,
    partitions_drop_expired,
    partitions_ensure,
    partitions_of,
    week_start,
)
from analytics.tests.factories import bid_token, sponsored
from campaigns.tests.factories import launched_campaign
from core import clock
from sellers.tests.factories import ListingFactory, SellerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MONDAY = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
BEFORE_MIGRATION = ("analytics", "0004_lift_estimate")


def _where(event_id: str) -> str | None:
    return partition_holding(IMPRESSIONS, "event_id = %s", [event_id])


def _impression(event_id: str, at: dt.datetime, **fields) -> Impression:
    return Impression.objects.create(event_id=event_id, occurred_at=at, **fields)


def _partition_names() -> set[str]:
    return {name for name, _, _ in partitions_of(IMPRESSIONS)}


def test_the_migration_keeps_every_row_and_new_rows_go_to_their_week():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_MIGRATION])
    old_apps = executor.loader.project_state([BEFORE_MIGRATION]).apps
    plain = old_apps.get_model("analytics", "Impression")
    now = clock.now()
    times = [now - dt.timedelta(days=d, hours=h) for d in (0, 3, 9, 17) for h in (1, 7)]
    for i, at in enumerate(times):
        plain.objects.create(event_id=f"before-{i}", occurred_at=at, opaque_user_id=f"u{i}", placement="search",
                             position=i + 1, auction_id="")
    before = sorted(plain.objects.values_list("id", "event_id", "occurred_at", "opaque_user_id", "position"))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    after = sorted(Impression.objects.values_list("id", "event_id", "occurred_at", "opaque_user_id", "position"))
    assert after == before
    for _, event_id, at, _, _ in after:  # each row in its own week's partition
        assert _where(event_id) == partition_name(IMPRESSIONS, week_start(at))
    # Partitions from the oldest row's week to four weeks ahead, and the default one.
    assert partition_name(IMPRESSIONS, week_start(now) + dt.timedelta(weeks=4)) in _partition_names()
    assert f"{IMPRESSIONS}_default" in _partition_names()
    new = _impression("after-1", now)
    assert new.pk > max(row[0] for row in before)  # ids continue from the same sequence
    assert _where("after-1") == partition_name(IMPRESSIONS, week_start(now))
    _impression("after-2", now + dt.timedelta(weeks=52))  # no week for it yet: the default partition
    assert _where("after-2") == f"{IMPRESSIONS}_default"


def test_the_periodic_job_creates_the_coming_weeks_and_moves_rows_out_of_the_default_partition():
    clock.set_now(MONDAY + dt.timedelta(days=2))
    early = MONDAY + dt.timedelta(weeks=3, hours=5)
    _impression("early", early)  # before its week exists
    assert _where("early") == f"{IMPRESSIONS}_default"
    out = io.StringIO()
    call_command("tick", "--only", "partitions", stdout=out)
    expected = {partition_name(IMPRESSIONS, MONDAY + dt.timedelta(weeks=i)) for i in range(5)}
    assert expected <= _partition_names()
    assert _where("early") == partition_name(IMPRESSIONS, MONDAY + dt.timedelta(weeks=3))
    assert partitions_ensure() == []  # twice is harmless
    _impression("later", MONDAY + dt.timedelta(weeks=4, days=6))
    assert _where("later") == partition_name(IMPRESSIONS, MONDAY + dt.timedelta(weeks=4))


def _promoted():
    seller = SellerFactory()
    listing = ListingFactory(seller=seller)
    return launched_campaign(seller), listing


def test_retention_drops_only_whole_weeks_past_it_that_the_rollups_hold(settings):
    settings.RETENTION_IMPRESSIONS_DAYS = 90
    now = MONDAY + dt.timedelta(weeks=20)
    clock.set_now(MONDAY)
    campaign, listing = _promoted()
    old_week, unfolded_week, kept_week = MONDAY, MONDAY + dt.timedelta(weeks=1), now - dt.timedelta(weeks=5)
    for week in (old_week, unfolded_week, kept_week):
        partitions_ensure(week, ahead=0)
    _impression("old", old_week + dt.timedelta(hours=3), campaign=campaign, listing=listing, auction_id="a1")
    _impression("kept", kept_week + dt.timedelta(hours=3), campaign=campaign, listing=listing, auction_id="a2")
    clock.set_now(now)
    rollups_fold()
    folded = Watermark.objects.get(name="rollups.impressions").position
    # A late impression into an old week, not folded yet: its week must stay until it is.
    late = _impression("late", unfolded_week + dt.timedelta(hours=3), campaign=campaign, listing=listing,
                       auction_id="a3")
    assert late.pk > folded

    result = partitions_drop_expired(now)

    names = _partition_names()
    old_name = partition_name(IMPRESSIONS, old_week)
    assert old_name in result.dropped and old_name not in names
    assert result.kept_unfolded == [partition_name(IMPRESSIONS, unfolded_week)]
    assert partition_name(IMPRESSIONS, kept_week) in names  # inside the retention
    assert set(Impression.objects.values_list("event_id", flat=True)) == {"kept", "late"}
    # The rollups keep what the dropped week held.
    assert HourlyStat.objects.get(hour=old_week + dt.timedelta(hours=3)).impressions == 1

    rollups_fold()
    assert partition_name(IMPRESSIONS, unfolded_week) in partitions_drop_expired(now).dropped


def test_the_dashboard_counts_impressions_on_both_sides_of_a_partition_boundary(client, api, django_user_model):
    boundary = MONDAY + dt.timedelta(weeks=2)
    clock.set_now(boundary - dt.timedelta(days=1))
    user = django_user_model.objects.create_user("vera", password="a-long-password-1")
    seller = SellerFactory(user=user)
    listing = ListingFactory(seller=seller)
    campaign = launched_campaign(seller)
    partitions_ensure(boundary - dt.timedelta(weeks=1), ahead=1)
    sunday, monday = boundary - dt.timedelta(minutes=30), boundary + dt.timedelta(minutes=30)
    body = {"impressions": [sponsored(bid_token(campaign, listing, issued_at=at), at=at, id=f"imp-{i}")
                            for i, at in enumerate((sunday, sunday, monday))]}
    body["impressions"][1]["id"] = "imp-1b"
    clock.set_now(boundary + dt.timedelta(hours=2))
    assert api.post("/api/v1/events", body).json()["accepted"] == 3
    assert api.post("/api/v1/events", body).json()["duplicates"] == 3  # idempotent on both sides
    assert _where("imp-0") == partition_name(IMPRESSIONS, boundary - dt.timedelta(weeks=1))
    assert _where("imp-2") == partition_name(IMPRESSIONS, boundary)
    rollups_fold()
    client.force_login(user)
    page = client.get(f"{reverse('analytics:dashboard')}?range=7")
    assert page.status_code == 200
    data = page.context["dashboard"]
    assert data.current.impressions == 3
    by_day = {point.day: point.kpis.impressions for point in data.series}
    assert (by_day[sunday.date()], by_day[monday.date()]) == (2, 1)
