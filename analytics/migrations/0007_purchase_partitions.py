"""Purchases, their items and their attribution credits partitioned by week on PostgreSQL
(analytics.services.partitions; docs/decisions/0010-purchases-in-weekly-partitions.md); SQLite
keeps plain tables.

On both databases:

- an item carries its order's time, ``PurchaseItem.purchased_at`` (filled from the order);
- the order id is unique with the order's time, ``UNIQUE (order_id, occurred_at)``, the item
  key and the "one live credit per item" key gain the time, and a credit's reversal is a
  foreign key with ``UNIQUE (reversal_of, purchased_at)`` instead of a one-to-one (a
  partitioned table's unique keys must include its partition key; an item's credits and
  their reversals all carry the order's time, so the keys mean what they meant);
- the foreign keys item -> order, credit -> item, credit -> order and reversal -> credit lose
  their database constraints (a foreign key to a partitioned table must name its whole key).

PostgreSQL: each of the three tables is renamed aside and a partitioned table of the same
columns takes its name (primary key ``(id, <time>)``, the same unique keys and indexes),
one partition per UTC week from the oldest order's week to four weeks ahead plus a default
partition (the same weeks for the three tables), every row is copied over in the
migration's transaction and the old tables dropped; ids continue from the same sequences.
The tables are locked meanwhile (stop ingestion and the attribution task during the deploy,
or expect them to wait). Reversible.
"""

from __future__ import annotations

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

AHEAD_WEEKS = 4
WEEK = dt.timedelta(days=7)
# table -> the time column it is partitioned by
TABLES = {
    "analytics_purchase": "occurred_at",
    "analytics_purchaseitem": "purchased_at",
    "analytics_attributioncredit": "purchased_at",
}


def _week_start(moment: dt.datetime) -> dt.datetime:
    day = moment.astimezone(dt.UTC).date()
    monday = day - dt.timedelta(days=day.weekday())
    return dt.datetime(monday.year, monday.month, monday.day, tzinfo=dt.UTC)


def _rename_indexes(cursor, table: str, suffix: str) -> None:
    """Free the index and constraint names of ``table`` for the table that takes its place."""
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
                   [table])
    for (name,) in cursor.fetchall():
        cursor.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{name}" TO "{name[:50]}{suffix}"')
    cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
    for (name,) in cursor.fetchall():
        if not name.endswith(suffix):
            cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name[:50]}{suffix}"')


def _keys_and_indexes(cursor, table: str) -> list[str]:
    """The statements that give a table of this name ``table``'s unique and foreign keys (not its
    primary key) and its other indexes, as they are now."""
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname", [table])
    statements = [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
                  for name, definition in cursor.fetchall()]
    cursor.execute("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
                   "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                   "AND c.conrelid = i.indrelid) ORDER BY i.indexrelid::regclass::text", [table])
    statements += [definition for (definition,) in cursor.fetchall()]
    return statements


def items_time_fill(apps, schema_editor):
    """Each item gets its order's time (both databases)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE analytics_purchaseitem SET purchased_at = (SELECT p.occurred_at FROM "
                       "analytics_purchase p WHERE p.id = analytics_purchaseitem.purchase_id)")


def _partition(cursor, table: str, column: str, first: dt.datetime, last: dt.datetime) -> None:
    old = f"{table}_unpartitioned"
    statements = _keys_and_indexes(cursor, table)  # they name "table", the new one after the renames
    cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    _rename_indexes(cursor, old, "_old")
    cursor.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING CONSTRAINTS) PARTITION BY RANGE ({column})')
    cursor.execute(f'CREATE SEQUENCE "{table}_id_partitioned_seq" AS bigint')
    cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id SET DEFAULT nextval(\'"{table}_id_partitioned_seq"\')')
    cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY (id, {column})')
    for statement in statements:
        cursor.execute(statement)
    cursor.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
    start = first
    while start <= last:
        cursor.execute(f'CREATE TABLE "{table}_p{start:%Y%m%d}" PARTITION OF "{table}" FOR VALUES FROM (%s) TO (%s)',
                       [start, start + WEEK])
        start += WEEK
    cursor.execute(f'SELECT max(id) FROM "{old}"')  # noqa: S608
    (highest,) = cursor.fetchone()
    cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')  # noqa: S608
    cursor.execute(f'DROP TABLE "{old}"')
    cursor.execute(f'ALTER SEQUENCE "{table}_id_partitioned_seq" RENAME TO "{table}_id_seq"')
    cursor.execute(f'ALTER SEQUENCE "{table}_id_seq" OWNED BY "{table}".id')
    if highest:
        cursor.execute(f"SELECT setval('\"{table}_id_seq\"', %s)", [highest])


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from core import clock

    with connection.cursor() as cursor:
        for table in TABLES:  # orders first, as ingestion takes them: no deadlock with a waiting writer
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        oldest = []
        for table, column in TABLES.items():
            cursor.execute(f'SELECT min({column}) FROM "{table}"')  # noqa: S608
            oldest.append(cursor.fetchone()[0])
        now = clock.now()
        first = _week_start(min([at for at in oldest if at is not None] + [now]))
        last = _week_start(now) + AHEAD_WEEKS * WEEK
        for table, column in TABLES.items():
            _partition(cursor, table, column, first, last)


def _unpartition(cursor, table: str) -> None:
    partitioned = f"{table}_partitioned"
    statements = _keys_and_indexes(cursor, table)
    cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{partitioned}"')
    cursor.execute(f'ALTER SEQUENCE "{table}_id_seq" RENAME TO "{table}_id_partitioned_seq"')
    _rename_indexes(cursor, partitioned, "_part")
    cursor.execute(f'CREATE TABLE "{table}" (LIKE "{partitioned}" INCLUDING CONSTRAINTS)')
    cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY, ADD PRIMARY KEY (id)')
    for statement in statements:
        cursor.execute(statement)
    cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{partitioned}"')  # noqa: S608
    cursor.execute(f'DROP TABLE "{partitioned}" CASCADE')
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                   f'coalesce((SELECT max(id) FROM "{table}"), 1))')  # noqa: S608


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        for table in TABLES:
            _unpartition(cursor, table)


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0006_click_partitions"),
    ]

    operations = [
        # Both databases. The foreign keys between the three tables lose their constraints first
        # (no constraint trigger is pending when the tables are altered below).
        migrations.AlterField(
            model_name="purchaseitem",
            name="purchase",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.CASCADE, related_name="items",
                                    to="analytics.purchase"),
        ),
        migrations.AlterField(
            model_name="attributioncredit",
            name="item",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="credits", to="analytics.purchaseitem"),
        ),
        migrations.AlterField(
            model_name="attributioncredit",
            name="purchase",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="credits", to="analytics.purchase"),
        ),
        migrations.AlterField(
            model_name="attributioncredit",
            name="reversal_of",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.CASCADE, related_name="reversals",
                                    to="analytics.attributioncredit"),
        ),
        migrations.AddConstraint(
            model_name="attributioncredit",
            constraint=models.UniqueConstraint(condition=Q(reversal_of__isnull=False),
                                               fields=("reversal_of", "purchased_at"), name="one_reversal_per_credit"),
        ),
        migrations.AlterField(
            model_name="attributioncredit",
            name="purchased_at",
            field=models.DateTimeField(help_text="Sales are reported on the purchase date (the partition key)."),
        ),
        migrations.RemoveConstraint(model_name="attributioncredit", name="one_live_credit_per_item"),
        migrations.AddConstraint(
            model_name="attributioncredit",
            constraint=models.UniqueConstraint(condition=Q(reversed_at__isnull=True, reversal_of__isnull=True),
                                               fields=("item", "purchased_at"), name="one_live_credit_per_item"),
        ),
        # Items carry their order's time.
        migrations.AddField(
            model_name="purchaseitem",
            name="purchased_at",
            field=models.DateTimeField(null=True,
                                       help_text="The order's time (Purchase.occurred_at): the partition key."),
        ),
        migrations.RunPython(items_time_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="purchaseitem",
            name="purchased_at",
            field=models.DateTimeField(help_text="The order's time (Purchase.occurred_at): the partition key."),
        ),
        migrations.RemoveConstraint(model_name="purchaseitem", name="purchase_item_once"),
        migrations.AddConstraint(
            model_name="purchaseitem",
            constraint=models.UniqueConstraint(fields=("purchase", "listing", "purchased_at"),
                                               name="purchase_item_once"),
        ),
        # The order id is unique with the order's time.
        migrations.AlterField(
            model_name="purchase",
            name="order_id",
            field=models.CharField(help_text="The storefront's order id (idempotency key, with the time).",
                                   max_length=100),
        ),
        migrations.AddConstraint(
            model_name="purchase",
            constraint=models.UniqueConstraint(fields=("order_id", "occurred_at"), name="purchase_order_once"),
        ),
        # PostgreSQL: the plain tables become partitioned ones (SQLite: nothing to do).
        migrations.RunPython(forwards, backwards),
    ]
