"""Up to which id a table's rows are final: the safe horizon for watermark-driven folding.

Folding "every row with an id above the watermark" is only exact if no row with a lower id
can still appear later. Ids are handed out when a row is inserted, not when its
transaction commits, so on PostgreSQL a transaction that took id 100 may commit after the
one that took id 101: a folder that saw 101 and moved its watermark past 100 would skip
row 100 forever. ``committed_horizons`` returns, per table, an id M such that every row
with id <= M is committed (or rolled back, i.e. never coming):

* PostgreSQL: read M = max(id) first; then every transaction that could still hold an
  uncommitted id <= M was already open and writing the table (it holds a RowExclusiveLock
  on it, taken before the insert picked its id). Wait for exactly those transactions to
  end (usually milliseconds: ingest transactions are short). If one is still open after
  ``wait`` seconds, that table's horizon is None (not advanced this round).
* SQLite: one writer at a time, and a writer's ids are above every committed one, so the
  committed rows are always a prefix of the ids: M = max(id).

This costs nothing on the write path (no extra column, no counter row), works for tables
of other apps (the campaigns ledger), and lets late events in: a late event is simply a
new, higher id.
"""

from __future__ import annotations

import time

from django.db import connection

POLL_SECONDS = 0.01


def committed_horizons(models, *, wait: float = 5.0) -> dict[type, int | None]:
    """Per model, the highest id at or below which every row is final; None if unknown yet."""
    quote = connection.ops.quote_name
    tables = {model: model._meta.db_table for model in models}
    with connection.cursor() as cursor:
        maxima: dict[type, int | None] = {}
        for model, table in tables.items():
            cursor.execute(f"SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(table)}")  # noqa: S608
            maxima[model] = cursor.fetchone()[0] or 0
        if connection.vendor != "postgresql":
            return maxima
        cursor.execute(
            "SELECT DISTINCT l.virtualtransaction, c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = ANY(%s) AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()",
            [list(tables.values())],
        )
        writers: dict[str, set[str]] = {}
        for vxid, relname in cursor.fetchall():
            writers.setdefault(vxid, set()).add(relname)
        deadline = time.monotonic() + wait
        while writers:
            cursor.execute("SELECT DISTINCT virtualtransaction FROM pg_locks WHERE virtualtransaction = ANY(%s)",
                           [list(writers)])
            still_open = {row[0] for row in cursor.fetchall()}
            writers = {vxid: rels for vxid, rels in writers.items() if vxid in still_open}
            if not writers or time.monotonic() >= deadline:
                break
            time.sleep(POLL_SECONDS)
    blocked = set().union(*writers.values()) if writers else set()
    return {model: (None if tables[model] in blocked else maximum) for model, maximum in maxima.items()}
