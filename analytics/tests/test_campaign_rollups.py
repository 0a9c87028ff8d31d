"""Campaign x hour rollups: always the exact sums of the listing cells, so the dashboard read from them agrees
with the same read over ``HourlyStat`` (random cells, time zones and ranges; the fold; a recompute; the backfill).
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncDate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.metrics import ZERO, Kpis, total
from analytics.models import CampaignHourlyStat, HourlyStat
from analytics.models.rollups import METRICS
from analytics.ranges import DayRange
from analytics.selectors import stats_totals
from analytics.selectors.dashboard import dashboard_for_seller
from analytics.services import rollups_add, rollups_recompute
from analytics.tests.factories import T0, H, promoted_listing, promoted_listings
from analytics.tests.test_rollups import _traffic
from core import clock

ZONES = ["UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Pacific/Chatham", "Australia/Sydney"]


def campaign_table() -> list[tuple]:
    return sorted(CampaignHourlyStat.objects.values_list("campaign_id", "hour", *METRICS))


def listing_cells_summed() -> list[tuple]:
    rows = HourlyStat.objects.values("campaign_id", "hour").annotate(**{m: Sum(m) for m in METRICS}).order_by()
    return sorted((r["campaign_id"], r["hour"], *(r[m] for m in METRICS)) for r in rows)


def days_from_listing_cells(campaign_ids: list[int], days: DayRange) -> dict[dt.date, dict[str, int]]:
    """The dashboard's days as read before the campaign table: one GROUP BY over ``HourlyStat``."""
    start, end = days.utc_bounds()
    rows = (HourlyStat.objects.filter(campaign_id__in=campaign_ids, hour__gte=start, hour__lt=end)
            .annotate(day=TruncDate("hour", tzinfo=days.tz)).values("day")
            .annotate(**{m: Sum(m) for m in METRICS}).order_by())
    return {row["day"]: {m: row[m] or 0 for m in METRICS} for row in rows}


def assert_dashboard_agrees_with_listing_cells(seller, campaign_ids: list[int], days: DayRange) -> None:
    previous = days.previous()
    old = days_from_listing_cells(campaign_ids, DayRange(previous.start, days.end, days.tz))
    dashboard = dashboard_for_seller(seller, days)
    current = total(sums for day, sums in old.items() if day >= days.start)
    before = total(sums for day, sums in old.items() if day < days.start)
    assert dashboard.current == Kpis.of(current)
    assert dashboard.previous == Kpis.of(before)
    assert [(p.day, p.kpis) for p in dashboard.series] == [(d, Kpis.of(old.get(d, ZERO))) for d in days.dates()]
    start, end = days.utc_bounds()
    totals = stats_totals(campaign_ids=campaign_ids, start=start, end=end)
    assert Kpis.of(totals) == Kpis.of(current)


@pytest.fixture
def closets(db):
    clock.set_now(T0)
    mine, listings = promoted_listings(4)
    other, theirs = promoted_listing()
    return mine, listings, other, theirs


metric_values = st.integers(min_value=-5_000_000, max_value=50_000_000)
cell_writes = st.lists(st.tuples(st.sampled_from(["mine", "other"]), st.integers(0, 3), st.integers(-80, 80),
                                 st.dictionaries(st.sampled_from(METRICS), metric_values, min_size=1)),
                       min_size=1, max_size=40)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(cell_writes, min_size=1, max_size=4), zone=st.sampled_from(ZONES),
       first_day=st.integers(-6, 2), length=st.integers(1, 5))
def test_campaign_rows_are_the_sums_of_the_listing_cells_and_the_dashboard_agrees(closets, writes, zone, first_day,
                                                                                   length):
    mine, listings, other, theirs = closets
    with transaction.atomic():
        for batch in writes:  # each batch is one fold step: several cells of a campaign in the same hour add up
            cells: dict = {}
            for who, n, hours, metrics in batch:
                campaign, listing = (mine, listings[n]) if who == "mine" else (other, theirs)
                cell = cells.setdefault((campaign.pk, listing.pk, T0.replace(minute=0) + hours * H), dict(ZERO))
                for name, value in metrics.items():
                    cell[name] += value
            rollups_add(cells)
        assert campaign_table() == listing_cells_summed()
        tz = zoneinfo.ZoneInfo(zone)
        start = T0.astimezone(tz).date() + dt.timedelta(days=first_day)
        days = DayRange(start, start + dt.timedelta(days=length - 1), tz)
        assert_dashboard_agrees_with_listing_cells(mine.seller, [mine.pk], days)
        transaction.set_rollback(True)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_fold_and_a_recompute_keep_the_campaign_rows_equal_to_the_listing_cells(closets, seed):
    mine, listings, _, _ = closets
    rnd = random.Random(seed)
    _traffic(rnd, mine, listings, steps=40)
    folded = campaign_table()
    assert folded, "the scenario produced no rollups"
    assert folded == listing_cells_summed()
    for zone in ZONES:
        tz = zoneinfo.ZoneInfo(zone)
        today = clock.now().astimezone(tz).date()
        days = DayRange(today - dt.timedelta(days=2), today, tz)
        assert_dashboard_agrees_with_listing_cells(mine.seller, [mine.pk], days)

    # A recompute of part of the range repairs a damaged campaign row and leaves the rest identical.
    low, high = T0 + 5 * H, T0 + 30 * H
    CampaignHourlyStat.objects.filter(hour__gte=low, hour__lt=high).update(impressions=999_999)
    rollups_recompute(low, high)
    assert campaign_table() == folded == listing_cells_summed()

    rollups_recompute(T0 - 24 * H, clock.now() + H)
    assert campaign_table() == folded == listing_cells_summed()


def test_the_migration_backfill_sums_existing_listing_cells(closets):
    from importlib import import_module
    from types import SimpleNamespace

    from django.db.migrations.executor import MigrationExecutor

    mine, listings, _, _ = closets
    _traffic(random.Random(5), mine, listings, steps=25)
    expected = campaign_table()
    assert expected == listing_cells_summed()
    CampaignHourlyStat.objects.all().delete()

    backfill = import_module("analytics.migrations.0003_campaign_hourly_stat").backfill
    state = MigrationExecutor(connection).loader.project_state(("analytics", "0003_campaign_hourly_stat"))
    backfill(state.apps, SimpleNamespace(connection=connection))  # it runs one INSERT ... SELECT, no DDL
    assert campaign_table() == expected


def test_demo_rollups_write_the_campaign_sums_too(closets):
    from dev import demo

    mine, listings, _, _ = closets
    rows = demo.rollups_create(mine, [x.pk for x in listings], days=3, cells_per_hour=3, batch_size=50)
    assert rows == HourlyStat.objects.count()
    assert len(campaign_table()) == 72
    assert campaign_table() == listing_cells_summed()
