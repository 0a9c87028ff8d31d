"""Purchases, their items and their credits partitioned by week on PostgreSQL: the migration from
the plain tables on data (and back), the weeks created ahead for the three tables, a resent
order stored once, retention dropping a week of the three only once its attribution is final
and folded, and attribution, cancellation, receipts and the dashboard across a week boundary."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from analytics.models import AttributionCredit, HourlyStat, Purchase, PurchaseItem
from analytics.services import attribution_run_pending, events_ingest, partitions, rollups_fold
from analytics.services.partitions import CREDITS, PURCHASE_ITEMS, PURCHASES
from analytics.tests.factories import bid_token, cancellation, promoted_listing, purchase, sponsored
from core import clock
from sellers.tests.factories import ListingFactory, SellerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE_MIGRATION = ("analytics", "0006_click_partitions")
MONDAY = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)  # beyond every factory date: weeks of its own
URL = "/api/v1/events"


def _week_of(order_id: str) -> dict[str, str | None]:
    """Where an order, its items and its credits are: table -> partition."""
    pk = Purchase.objects.get(order_id=order_id).pk
    return {PURCHASES: partitions.partition_holding(PURCHASES, "order_id = %s", [order_id]),
            PURCHASE_ITEMS: partitions.partition_holding(PURCHASE_ITEMS, "purchase_id = %s", [pk]),
            CREDITS: partitions.partition_holding(CREDITS, "purchase_id = %s", [pk])}


def _names(start: dt.datetime) -> dict[str, str]:
    return {table: partitions.partition_name(table, start) for table in partitions.PURCHASE_TABLES}


def _rows(apps) -> dict[str, list[tuple]]:
    model = apps.get_model
    return {
        "purchases": sorted(model("analytics", "Purchase").objects.values_list(
            "id", "order_id", "occurred_at", "opaque_user_id")),
        "items": sorted(model("analytics", "PurchaseItem").objects.values_list(
            "id", "purchase_id", "listing_id", "unit_price_micros")),
        "credits": sorted(model("analytics", "AttributionCredit").objects.values_list(
            "id", "item_id", "purchase_id", "amount_micros", "purchased_at", "reversed_at", "reversal_of_id")),
    }


def test_the_migration_keeps_every_order_item_and_credit_and_goes_back():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_MIGRATION])
    old = executor.loader.project_state([BEFORE_MIGRATION]).apps
    plain = {name: old.get_model("analytics", name) for name in ("Purchase", "PurchaseItem", "AttributionCredit")}
    now = clock.now()
    for i, days in enumerate((0, 2, 9, 16)):
        at = now - dt.timedelta(days=days, hours=1)
        order = plain["Purchase"].objects.create(order_id=f"o{i}", occurred_at=at, opaque_user_id=f"u{i}")
        item = plain["PurchaseItem"].objects.create(purchase=order, listing_id=10 + i, seller_id=1,
                                                    unit_price_micros=1_000_000 * (i + 1))
        plain["PurchaseItem"].objects.create(purchase=order, listing_id=20 + i, seller_id=1, unit_price_micros=5)
        fields = {"item": item, "purchase": order, "click_id": 100 + i, "kind": "direct", "campaign_id": 1,
                  "listing_id": 10 + i, "seller_id": 1, "amount_micros": item.unit_price_micros, "purchased_at": at}
        credit = plain["AttributionCredit"].objects.create(**fields)
        if i == 1:  # cancelled: the credit reversed by a reversal row
            credit.reversed_at = now
            credit.save()
            plain["AttributionCredit"].objects.create(
                **{**fields, "amount_micros": -item.unit_price_micros, "order_count": -1, "reversal_of": credit})
    before = _rows(old)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.apps import apps

    assert _rows(apps) == before
    for _, order_id, at, _ in before["purchases"]:  # an order, its items and credits in the order's week
        assert set(_week_of(order_id).values()) == set(_names(partitions.week_start(at)).values())
    times = dict(Purchase.objects.values_list("pk", "occurred_at"))
    assert all(item.purchased_at == times[item.purchase_id] for item in PurchaseItem.objects.all())
    for table in partitions.PURCHASE_TABLES:  # the weeks ahead, and the default partition
        names = {name for name, _, _ in partitions.partitions_of(table)}
        ahead = partitions.partition_name(table, partitions.week_start(now) + dt.timedelta(weeks=4))
        assert {ahead, f"{table}_default"} <= names
    # Ids continue from the same sequences.
    order = Purchase.objects.create(order_id="after", occurred_at=now)
    item = PurchaseItem.objects.create(purchase=order, purchased_at=now, listing_id=1, seller_id=1,
                                       unit_price_micros=1)
    credit = AttributionCredit.objects.create(item=item, purchase=order, click_id=1, kind="direct", campaign_id=1,
                                              listing_id=1, seller_id=1, amount_micros=1, purchased_at=now)
    assert order.pk > max(row[0] for row in before["purchases"])
    assert item.pk > max(row[0] for row in before["items"])
    assert credit.pk > max(row[0] for row in before["credits"])

    # Reversible: back to plain tables with the same rows.
    after = _rows(apps)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_MIGRATION])
    assert _rows(executor.loader.project_state([BEFORE_MIGRATION]).apps) == after
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _rows(apps) == after


def test_the_periodic_job_creates_the_coming_weeks_of_the_three_tables():
    clock.set_now(MONDAY)
    _, listing = promoted_listing()
    early = MONDAY + dt.timedelta(weeks=3, hours=5)
    clock.set_now(early)
    assert events_ingest({"purchases": [purchase(listing, at=early, id="early")]})["accepted"] == 1
    assert _week_of("early")[PURCHASES] == f"{PURCHASES}_default"  # before its week exists
    clock.set_now(MONDAY + dt.timedelta(days=2))
    call_command("tick", "--only", "partitions", stdout=io.StringIO())
    for table in partitions.PURCHASE_TABLES:
        names = {name for name, _, _ in partitions.partitions_of(table)}
        assert {partitions.partition_name(table, MONDAY + dt.timedelta(weeks=i)) for i in range(5)} <= names
    week = _names(MONDAY + dt.timedelta(weeks=3))
    assert _week_of("early") == {**week, CREDITS: None}  # moved out of the default partition, its items too
    assert partitions.partitions_ensure() == []  # twice is harmless


def test_a_resent_order_is_stored_once_even_after_its_week_was_created(api):
    clock.set_now(MONDAY)
    _, listing = promoted_listing()
    at = MONDAY + dt.timedelta(weeks=2, hours=3)  # no partition yet: the default one
    clock.set_now(at)
    body = {"purchases": [purchase(listing, at=at, id="ord-1", user="b-1")]}
    assert api.post(URL, body).json()["accepted"] == 1
    assert api.post(URL, body).json()["duplicates"] == 1
    partitions.partitions_ensure(MONDAY, ahead=2)  # its week now exists: the order moves there
    assert _week_of("ord-1")[PURCHASES] == partitions.partition_name(PURCHASES, MONDAY + dt.timedelta(weeks=2))
    assert api.post(URL, body).json() == {"accepted": 0, "duplicates": 1, "rejected": []}
    assert Purchase.objects.count() == 1 and PurchaseItem.objects.count() == 1


def _week_result(now: dt.datetime, week: dt.datetime) -> str:
    result = partitions.partitions_drop_expired(now)
    names = set(_names(week).values())
    if names <= set(result.dropped):
        return "dropped"
    assert names <= set(result.kept_unfolded)
    return "kept"


def test_retention_drops_a_week_of_orders_items_and_credits_only_once_its_attribution_is_final(settings):
    settings.RETENTION_PURCHASES_DAYS = 60
    old, kept = MONDAY, MONDAY + dt.timedelta(weeks=12)
    now = kept + dt.timedelta(days=1)
    for week in (old, kept):
        partitions.partitions_ensure(week, ahead=0)
    clock.set_now(old)
    campaign, listing = promoted_listing()
    other = ListingFactory(seller=listing.seller)
    for user, bought, at in (("b-1", listing, old + dt.timedelta(hours=2)), ("b-2", other, old + dt.timedelta(hours=3)),
                             ("b-3", listing, kept + dt.timedelta(hours=2))):
        clicked_at = at - dt.timedelta(hours=1)
        clock.set_now(clicked_at)
        events_ingest({"clicks": [sponsored(bid_token(campaign, listing), at=clicked_at, user=user)]})
        clock.set_now(at)
        events_ingest({"purchases": [purchase(bought, at=at, id=f"ord-{user}", user=user)]})
    clock.set_now(now)
    assert _week_result(now, old) == "kept"  # not attributed yet
    attribution_run_pending()
    assert AttributionCredit.objects.count() == 3
    assert _week_result(now, old) == "kept"  # credited, not folded
    rollups_fold()
    # A cancellation the attribution has not looked at yet: the week's credits will change.
    events_ingest({"cancellations": [cancellation("ord-b-2")]})
    assert _week_result(now, old) == "kept"
    attribution_run_pending()  # the reversal, in the old week
    assert _week_result(now, old) == "kept"  # not folded
    rollups_fold()

    assert _week_result(now, old) == "dropped"

    assert set(Purchase.objects.values_list("order_id", flat=True)) == {"ord-b-3"}
    assert PurchaseItem.objects.count() == 1
    assert list(AttributionCredit.objects.values_list("purchase__order_id", flat=True)) == ["ord-b-3"]
    for table in partitions.PURCHASE_TABLES:
        names = {name for name, _, _ in partitions.partitions_of(table)}
        assert partitions.partition_name(table, old) not in names and partitions.partition_name(table, kept) in names
    # The rollups keep what the dropped week held: one direct and one halo order, the halo one cancelled.
    hours = [old + dt.timedelta(hours=2), old + dt.timedelta(hours=3)]
    cells = {row.hour: (row.direct_orders, row.halo_orders) for row in HourlyStat.objects.filter(hour__in=hours)}
    assert cells == {hours[0]: (1, 0), hours[1]: (0, 0)}


def test_attribution_cancellation_receipts_and_dashboard_across_a_week_boundary(api, client, django_user_model):
    boundary = MONDAY + dt.timedelta(weeks=2)
    clock.set_now(boundary - dt.timedelta(days=1))
    user = django_user_model.objects.create_user("vera", password="a-long-password-1")
    campaign, listing = promoted_listing(seller=SellerFactory(user=user))
    bought = [ListingFactory(seller=listing.seller) for _ in range(2)]
    partitions.partitions_ensure(boundary - dt.timedelta(weeks=1), ahead=1)
    sunday, monday = boundary - dt.timedelta(minutes=10), boundary + dt.timedelta(minutes=10)
    clock.set_now(boundary - dt.timedelta(hours=3))
    clicks = [sponsored(bid_token(campaign, listing), user=f"b-{i}") for i in range(2)]
    assert api.post(URL, {"clicks": clicks}).json()["accepted"] == 2
    clock.set_now(boundary + dt.timedelta(hours=1))
    orders = [purchase(bought[0], at=sunday, id="ord-sun", user="b-0"),
              purchase(bought[1], at=monday, id="ord-mon", user="b-1")]
    assert api.post(URL, {"purchases": orders}).json()["accepted"] == 2
    attribution_run_pending()
    rollups_fold()
    assert _week_of("ord-sun") == _names(boundary - dt.timedelta(weeks=1))
    assert _week_of("ord-mon") == _names(boundary)

    client.force_login(user)
    receipts = client.get(f"{reverse('analytics:receipts')}?range=7").context["page"].object_list
    assert [(r.order_id, r.purchased_at, r.kind) for r in receipts] == [("ord-mon", monday, "halo"),
                                                                        ("ord-sun", sunday, "halo")]
    series = {p.day: p.kpis.orders for p in client.get(f"{reverse('analytics:dashboard')}?range=7")
              .context["dashboard"].series}
    assert (series[sunday.date()], series[monday.date()]) == (1, 1)

    # The Sunday order is cancelled: its reversal lands in its own week, the Monday one stands.
    assert api.post(URL, {"cancellations": [cancellation("ord-sun")]}).json()["accepted"] == 1
    attribution_run_pending()
    rollups_fold()
    reversal = AttributionCredit.objects.get(reversal_of__isnull=False)
    before = boundary - dt.timedelta(weeks=1)
    assert partitions.partition_holding(CREDITS, "id = %s", [reversal.pk]) == partitions.partition_name(CREDITS, before)
    receipts = client.get(f"{reverse('analytics:receipts')}?range=7").context["page"].object_list
    assert [r.order_id for r in receipts] == ["ord-mon"]
    data = client.get(f"{reverse('analytics:dashboard')}?range=7").context["dashboard"]
    series = {p.day: p.kpis.orders for p in data.series}
    assert (series[sunday.date()], series[monday.date()]) == (0, 1)
    assert data.current.orders == 1
