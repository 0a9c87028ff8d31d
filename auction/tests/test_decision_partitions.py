"""Weekly partitions of the auction decision counts on PostgreSQL: the migration from the
plain table on data, weeks created ahead by the periodic job, retention, and the "why isn't
my listing showing?" counts read across a partition boundary."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from analytics.services import partitions
from analytics.services.partitions import DECISIONS
from auction.models import ListingAuctionDay
from auction.recording import recorder
from auction.selectors import listing_auction_stats
from auction.services import auctions_run
from auction.tests.factories import page_body, promoted_closet
from core import clock
from sellers.models import Listing
from sellers.tests.factories import ListingFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE_MIGRATION = ("auction", "0007_least_bid_share")
MONDAY = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)  # beyond every factory date: weeks of its own


def _where(listing_id: int, day: dt.date) -> str | None:
    return partitions.partition_holding(DECISIONS, "listing_id = %s AND day = %s", [listing_id, day])


def _week(day: dt.date) -> str:
    monday = day - dt.timedelta(days=day.weekday())
    return partitions.partition_name(DECISIONS, dt.datetime(monday.year, monday.month, monday.day, tzinfo=dt.UTC))


def _partition_names() -> set[str]:
    return {name for name, _, _ in partitions.partitions_of(DECISIONS)}


def test_the_migration_keeps_every_row_and_the_foreign_key_and_new_rows_go_to_their_week():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_MIGRATION])
    old_apps = executor.loader.project_state([BEFORE_MIGRATION]).apps
    plain = old_apps.get_model("auction", "ListingAuctionDay")
    listings = ListingFactory.create_batch(2)
    today = clock.now().date()
    for back in (0, 3, 9, 17):
        for n, listing in enumerate(listings, start=1):
            plain.objects.create(listing_id=listing.pk, day=today - dt.timedelta(days=back), candidate=back + n,
                                 won=n)
    columns = ("id", "listing_id", "day", "candidate", "won")
    before = sorted(plain.objects.values_list(*columns))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(ListingAuctionDay.objects.values_list(*columns)) == before
    for _, listing_id, day, _, _ in before:  # each row in its own week's partition
        assert _where(listing_id, day) == _week(day)
    fourth_week_ahead = partitions.week_start(clock.now()) + dt.timedelta(weeks=4)
    assert partitions.partition_name(DECISIONS, fourth_week_ahead) in _partition_names()
    assert f"{DECISIONS}_default" in _partition_names()
    new = ListingAuctionDay.objects.create(listing=listings[0], day=today + dt.timedelta(days=1))
    assert new.pk > max(row[0] for row in before)  # ids continue from the same sequence
    # The foreign key to the listing holds on the partitioned table.
    with pytest.raises(IntegrityError), transaction.atomic():
        ListingAuctionDay.objects.create(listing_id=10**9, day=today)
    Listing.objects.filter(pk=listings[1].pk).delete()
    assert not ListingAuctionDay.objects.filter(listing_id=listings[1].pk).exists()


def test_the_periodic_job_creates_the_coming_weeks_and_moves_counts_out_of_the_default_partition():
    clock.set_now(MONDAY + dt.timedelta(days=2))
    listing = ListingFactory()
    early = (MONDAY + dt.timedelta(weeks=3, days=1)).date()
    ListingAuctionDay.objects.create(listing=listing, day=early, candidate=2)  # before its week exists
    assert _where(listing.pk, early) == f"{DECISIONS}_default"
    call_command("tick", "--only", "partitions", stdout=io.StringIO())
    expected = {partitions.partition_name(DECISIONS, MONDAY + dt.timedelta(weeks=i)) for i in range(5)}
    assert expected <= _partition_names()
    assert _where(listing.pk, early) == _week(early)
    assert partitions.partitions_ensure() == []  # twice is harmless


def test_retention_drops_whole_weeks_past_it(settings):
    settings.RETENTION_DECISIONS_DAYS = 30
    listing = ListingFactory()
    now = MONDAY + dt.timedelta(weeks=10)
    old, kept = MONDAY, now - dt.timedelta(days=20)
    for week in (old, kept):
        partitions.partitions_ensure(week, ahead=0)
    ListingAuctionDay.objects.create(listing=listing, day=old.date(), won=1)
    ListingAuctionDay.objects.create(listing=listing, day=kept.date(), won=2)

    result = partitions.partitions_drop_expired(now)

    assert partitions.partition_name(DECISIONS, partitions.week_start(old)) in result.dropped
    assert partitions.partition_name(DECISIONS, partitions.week_start(kept)) in _partition_names()
    assert list(ListingAuctionDay.objects.values_list("won", flat=True)) == [2]


def test_a_listings_counts_add_up_across_a_partition_boundary():
    boundary = MONDAY + dt.timedelta(weeks=2)
    clock.set_now(boundary - dt.timedelta(hours=3))  # Sunday evening
    _, (listing,) = promoted_closet(1)
    partitions.partitions_ensure(boundary - dt.timedelta(weeks=1), ahead=1)
    for hours in (-3, -2, 1):
        clock.set_now(boundary + dt.timedelta(hours=hours))
        auctions_run(page_body([listing.marketplace_id]), flush=False)
        recorder.flush()
    sunday, monday = (boundary - dt.timedelta(days=1)).date(), boundary.date()
    assert _where(listing.pk, sunday) != _where(listing.pk, monday)
    stats = listing_auction_stats(listing.pk, sunday, monday + dt.timedelta(days=1))
    assert stats["won"] == 3
    assert [day["won"] for day in stats["days"]] == [2, 1]
