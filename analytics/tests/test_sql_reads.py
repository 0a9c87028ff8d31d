"""analytics.sql's reads return what the ORM returns: ``fetch_rows`` (psycopg's own time loader on
PostgreSQL) and ``fetch_rows_per_key`` (one index probe per key on PostgreSQL, ``IN`` elsewhere)."""

from __future__ import annotations

import pytest
from django.db import transaction

from analytics.models import Click
from analytics.sql import any_of, fetch_rows, fetch_rows_per_key, per_key_sql
from analytics.tests.factories import T0, ClickFactory, H
from core.db import bound_cursor
from sellers.tests.factories import ListingFactory

COLUMNS = ("pk", "opaque_user_id", "listing_id", "occurred_at")
# Keys a hand-written array literal would get wrong: quotes, a backslash, a comma, braces, spaces.
USERS = ["u-1", "o'brien", 'say "hi"', "back\\slash", "a,b", "{braced}", " padded "]


@pytest.fixture
def clicks(db):
    listing = ListingFactory()
    made = []
    for index, user in enumerate(USERS):
        for hours in (0, 5, 30):
            made.append(ClickFactory(listing=listing, opaque_user_id=user, occurred_at=T0 - hours * H,
                                     charged=index % 3 != 2 or hours != 5))
    return made


def test_per_key_rows_are_the_filtered_rows(clicks):
    window = Click.objects.filter(charged=True, occurred_at__gte=T0 - 24 * H, occurred_at__lte=T0)
    keys = [*USERS[1:5], "nobody"]
    got = fetch_rows_per_key(window.values_list(*COLUMNS), "opaque_user_id", keys)
    expected = list(window.filter(opaque_user_id__in=keys).values_list(*COLUMNS))
    assert sorted(got) == sorted(expected)
    # Each wanted user's charged clicks of the last day, none of the others' (the filter was applied).
    assert {row[1] for row in got} == set(USERS[1:5])
    assert len(got) == sum(1 for c in clicks if c.opaque_user_id in keys and c.charged
                           and c.occurred_at >= T0 - 24 * H)
    assert all(row[3].utcoffset() is not None for row in got)  # aware times, as the ORM gives


def test_per_key_rows_of_no_keys_is_empty(clicks):
    assert fetch_rows_per_key(Click.objects.values_list(*COLUMNS), "opaque_user_id", []) == []


def test_fetch_rows_equals_the_orm(clicks):
    ids = [c.pk for c in clicks[::2]]
    query = Click.objects.filter(any_of("pk", ids)).order_by("pk").values_list(*COLUMNS)
    assert fetch_rows(query) == list(query)


def test_any_of_reads_strings_that_need_quoting(clicks):
    """On PostgreSQL the keys travel as one array literal: quotes, backslashes, commas and braces
    inside a key must come back as the same key."""
    got = set(Click.objects.filter(any_of("opaque_user_id", USERS[1:])).values_list("opaque_user_id", flat=True))
    assert got == set(USERS[1:])


@pytest.mark.postgres
def test_per_key_read_stays_one_probe_per_key(clicks):
    """The per-key statement is a nested loop over the keys even when the planner would rather
    join the whole table: without its OFFSET 0 fence PostgreSQL flattens the LATERAL subquery
    into a hash join over every click in the window (230 ms where 2,000 probes take 21 ms)."""
    sql, params = per_key_sql(Click.objects.filter(charged=True).values_list(*COLUMNS), "opaque_user_id", USERS)
    with transaction.atomic(), bound_cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")  # a join of the whole table now looks cheaper
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT 1")
    assert "Nested Loop" in plan and "Hash Join" not in plan and "Merge Join" not in plan, plan
