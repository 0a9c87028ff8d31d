"""analytics.sql's ``insert_ignore`` stores each new row once and skips the duplicates, whether
the batch has none (on PostgreSQL the plain insert, without ``ON CONFLICT``), some or only
duplicates (the savepoint is rolled back and the rows go in again with the clause)."""

from __future__ import annotations

import pytest
from django.db import transaction

from analytics import sql
from analytics.models import Cancellation, Impression
from analytics.services.common import AD_EVENT_FIELDS
from analytics.sql import insert_ignore
from analytics.tests.factories import T0, H

FIELDS = ("event_id", "purchase_order_id", "occurred_at")


@pytest.fixture(autouse=True, params=["plain insert first", "with the clause"])
def path(request, monkeypatch):
    """Every test on both paths: the plain insert tried first (any batch size), and the insert
    with ``ON CONFLICT`` straight away (batches under the threshold)."""
    monkeypatch.setattr(sql, "OPTIMISTIC_MIN_ROWS", 1 if request.param == "plain insert first" else 10**9)


def rows(*ids: str) -> list[tuple]:
    return [(event_id, f"order-{event_id}", T0) for event_id in ids]


def stored() -> dict[str, str]:
    return dict(Cancellation.objects.values_list("event_id", "purchase_order_id"))


@pytest.mark.django_db
def test_new_rows_are_all_returned():
    inserted = insert_ignore(Cancellation, FIELDS, rows("a", "b"), conflict="event_id", returning=("event_id",))
    assert sorted(inserted) == [("a",), ("b",)]
    assert stored() == {"a": "order-a", "b": "order-b"}


@pytest.mark.django_db(transaction=True)
def test_some_duplicates_are_skipped_and_the_transaction_goes_on():
    insert_ignore(Cancellation, FIELDS, rows("a"), conflict="event_id")
    with transaction.atomic():
        Cancellation.objects.create(event_id="before", purchase_order_id="o", occurred_at=T0)
        inserted = insert_ignore(Cancellation, FIELDS, [*rows("b"), ("a", "changed", T0), *rows("c")],
                                 conflict="event_id", returning=("event_id",))
        # The transaction is still usable, and what it wrote before the duplicate is kept.
        Cancellation.objects.create(event_id="after", purchase_order_id="o", occurred_at=T0)
    assert sorted(inserted) == [("b",), ("c",)]
    assert stored() == {"a": "order-a", "b": "order-b", "c": "order-c", "before": "o", "after": "o"}


@pytest.mark.django_db
def test_a_resent_batch_stores_nothing_twice():
    first = insert_ignore(Cancellation, FIELDS, rows("a", "b", "c"), conflict="event_id")
    again = insert_ignore(Cancellation, FIELDS, rows("a", "b", "c"), conflict="event_id")
    assert (len(first), len(again)) == (3, 0)
    assert Cancellation.objects.count() == 3


@pytest.mark.django_db
def test_any_unique_key_on_a_partitioned_table():
    """Impressions (partitioned by week on PostgreSQL) are unique by id and time: the same id at
    another time is another impression, the same id and time a duplicate."""
    def impression(event_id, at):
        return (event_id, at, "u-1", None, "search", 1, "", None, None, None)

    insert_ignore(Impression, AD_EVENT_FIELDS, [impression("i1", T0)], conflict=None)
    inserted = insert_ignore(Impression, AD_EVENT_FIELDS, [impression("i1", T0), impression("i1", T0 + H),
                                                           impression("i2", T0)], conflict=None)
    assert len(inserted) == 2
    assert sorted(Impression.objects.values_list("event_id", "occurred_at")) == [
        ("i1", T0), ("i1", T0 + H), ("i2", T0)]
