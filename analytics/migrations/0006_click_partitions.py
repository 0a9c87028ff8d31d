"""Clicks partitioned by week on PostgreSQL (analytics.services.partitions); SQLite keeps a plain table.

On both databases: the claim that only a bid's first click is charged moves from a unique
``Click.bid_key`` to its own table, ``ClickBid`` (filled from the clicks that hold a claim),
and the storefront's id becomes unique with the time, ``UNIQUE (event_id, occurred_at)``, as
impressions' (a partitioned table's unique keys must include its partition key).

PostgreSQL: the table is renamed aside, a partitioned table of the same columns takes its
name (primary key ``(id, occurred_at)``, the unique key and the three indexes), one
partition per UTC week from the oldest click's week to four weeks ahead plus a default
partition; every row is copied over in the migration's transaction and the old table
dropped; ids continue from the same sequence. The table is locked for the copy (stop
ingestion during the deploy, or expect the events endpoint to wait). Reversible.
"""

from __future__ import annotations

import datetime as dt

from django.db import migrations, models

TABLE = "analytics_click"
OLD = "analytics_click_unpartitioned"
AHEAD_WEEKS = 4
WEEK = dt.timedelta(days=7)
INDEXES = (
    "CREATE INDEX click_user_charged_time ON analytics_click (opaque_user_id, occurred_at) WHERE charged",
    "CREATE INDEX click_invalid_reason ON analytics_click (reason, id DESC) WHERE reason IS NOT NULL",
    "CREATE INDEX click_time ON analytics_click (occurred_at)",
)


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


def claims_copy(apps, schema_editor):
    """Every click that holds a bid's claim gives the claim (both databases)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("INSERT INTO analytics_clickbid (bid_key, claimed_at) "
                       "SELECT bid_key, min(occurred_at) FROM analytics_click WHERE bid_key IS NOT NULL "
                       "GROUP BY bid_key")


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from core import clock

    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{OLD}"')
        _rename_indexes(cursor, OLD, "_old")
        cursor.execute(f'CREATE TABLE "{TABLE}" (LIKE "{OLD}" INCLUDING CONSTRAINTS) PARTITION BY RANGE (occurred_at)')
        cursor.execute(f'CREATE SEQUENCE "{TABLE}_id_partitioned_seq" AS bigint')
        cursor.execute(f'ALTER TABLE "{TABLE}" ALTER COLUMN id SET DEFAULT nextval(\'"{TABLE}_id_partitioned_seq"\')')
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY (id, occurred_at), '
                       f'ADD CONSTRAINT click_event_once UNIQUE (event_id, occurred_at)')
        for statement in INDEXES:
            cursor.execute(statement)
        cursor.execute(f'CREATE TABLE "{TABLE}_default" PARTITION OF "{TABLE}" DEFAULT')
        cursor.execute(f'SELECT min(occurred_at), max(id) FROM "{OLD}"')  # noqa: S608
        oldest, highest = cursor.fetchone()
        now = clock.now()
        start = _week_start(min(oldest, now) if oldest else now)
        last = _week_start(now) + AHEAD_WEEKS * WEEK
        while start <= last:
            cursor.execute(f'CREATE TABLE "{TABLE}_p{start:%Y%m%d}" PARTITION OF "{TABLE}" FOR VALUES FROM (%s) TO (%s)',
                           [start, start + WEEK])
            start += WEEK
        cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM "{OLD}"')  # noqa: S608
        cursor.execute(f'DROP TABLE "{OLD}"')
        cursor.execute(f'ALTER SEQUENCE "{TABLE}_id_partitioned_seq" RENAME TO "{TABLE}_id_seq"')
        cursor.execute(f'ALTER SEQUENCE "{TABLE}_id_seq" OWNED BY "{TABLE}".id')
        if highest:
            cursor.execute(f"SELECT setval('\"{TABLE}_id_seq\"', %s)", [highest])


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    partitioned = f"{TABLE}_partitioned"
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{partitioned}"')
        cursor.execute(f'ALTER SEQUENCE "{TABLE}_id_seq" RENAME TO "{TABLE}_id_partitioned_seq"')
        _rename_indexes(cursor, partitioned, "_part")
        cursor.execute(f'CREATE TABLE "{TABLE}" (LIKE "{partitioned}" INCLUDING CONSTRAINTS)')
        cursor.execute(f'ALTER TABLE "{TABLE}" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY, '
                       f'ADD PRIMARY KEY (id), ADD CONSTRAINT click_event_once UNIQUE (event_id, occurred_at)')
        for statement in INDEXES:
            cursor.execute(statement)
        cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM "{partitioned}"')  # noqa: S608
        cursor.execute(f'DROP TABLE "{partitioned}" CASCADE')
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{TABLE}\"', 'id'), "
                       f'coalesce((SELECT max(id) FROM "{TABLE}"), 1))')  # noqa: S608


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0005_impression_partitions"),
        ("campaigns", "0006_forecast_methods"),
        ("sellers", "0003_seller_language"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClickBid",
            fields=[
                ("bid_key", models.CharField(help_text="<auction id>:<listing pk>.", max_length=100, primary_key=True,
                                             serialize=False)),
                ("claimed_at", models.DateTimeField(help_text="When the claiming click occurred.")),
            ],
            options={"indexes": [models.Index(fields=["claimed_at"], name="click_bid_claimed")]},
        ),
        migrations.RunPython(claims_copy, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="click",
            name="bid_key",
            field=models.CharField(blank=True, editable=False, max_length=100, null=True),
        ),
        migrations.AlterField(
            model_name="click",
            name="event_id",
            field=models.CharField(help_text="The storefront's id (idempotency key, with the time).", max_length=100),
        ),
        migrations.AddConstraint(
            model_name="click",
            constraint=models.UniqueConstraint(fields=("event_id", "occurred_at"), name="click_event_once"),
        ),
        # PostgreSQL: the plain table becomes a partitioned one (SQLite: nothing to do).
        migrations.RunPython(forwards, backwards),
    ]
