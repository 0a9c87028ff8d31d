"""Bulk SQL the ORM does not offer: INSERT ... ON CONFLICT DO NOTHING that says which rows went in,
plain multi-row inserts, UPDATE ... FROM VALUES, and ``= ANY(array)`` filters.

Django's ``bulk_create(ignore_conflicts=True)`` neither returns the new ids nor counts the
skipped rows; the events API needs both (to charge new clicks by id and to report
duplicates).

On PostgreSQL the rows travel as one array per column (``INSERT ... SELECT * FROM
unnest(%s::bigint[], ...)``): the statement has one parameter per column whatever the
number of rows, so psycopg caches its parsing, where a 500-row VALUES list with 5,000
placeholders costs ~6 ms of client-side query parsing per statement on this machine (it
halved the impressions' insert time). On SQLite: multi-row VALUES within its parameter limit.
``insert_ignore`` on PostgreSQL first tries the plain insert in a savepoint and adds ``ON
CONFLICT`` only after a unique violation (speculative insertion costs ~40% per row).
The same reason gives ``any_of`` (one array instead of an IN list), ``fetch_rows`` (psycopg's
C time loader) and ``fetch_rows_per_key`` (one index probe per key): attribution's reads
(docs/decisions/0009-event-ingest.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

from core.db import bound_cursor

_POSTGRES_CHUNK = 1000


def insert_ignore(model, fields: Sequence[str], rows: Sequence[Sequence], *, conflict: str | None,
                  returning: Sequence[str] = ()) -> list[tuple]:
    """Insert ``rows`` (values in ``fields`` order) skipping conflicting ones; returns ``returning`` of new rows.

    ``conflict`` names the unique column whose duplicates are skipped (None: any unique
    constraint). Datetimes must be aware; they are adapted for the backend here.
    With no ``returning``, the result is one empty tuple per inserted row.
    """
    quote = connection.ops.quote_name
    target = f"({quote(model._meta.get_field(conflict).column)})" if conflict else ""
    return _insert(model, fields, rows, f" ON CONFLICT {target} DO NOTHING", returning)


def insert_claimed(claim_model, claim_fields: Sequence[str], claims: Sequence[Sequence], model, fields: Sequence[str],
                   rows: Sequence[Sequence], *, returning: Sequence[str]) -> list[tuple]:
    """Claim keys, then insert the rows of the keys claimed now; ``returning`` of the new rows.

    ``claims`` (values in ``claim_fields`` order, the key first, in the order to take them)
    go into ``claim_model`` skipping a key claimed before (ON CONFLICT on the key: a
    concurrent claim of it waits for the other transaction, then conflicts); each of
    ``rows`` whose last value is a key claimed now goes into ``model`` skipping conflicts
    on any unique key. One statement on PostgreSQL (a data-modifying CTE), two elsewhere.
    """
    if not claims:
        return []
    if connection.vendor != "postgresql":
        claimed = {key for (key,) in insert_ignore(claim_model, claim_fields, claims, conflict=claim_fields[0],
                                                   returning=claim_fields[:1])}
        return insert_ignore(model, fields, [row for row in rows if row[-1] in claimed], conflict=None,
                             returning=returning)
    quote = connection.ops.quote_name
    claim_meta, meta = claim_model._meta, model._meta
    claim_columns = [claim_meta.get_field(name) for name in claim_fields]
    model_fields = [meta.get_field(name) for name in fields]
    key = quote(claim_columns[0].column)
    names = [f"c{i}" for i in range(len(model_fields))]
    # Identifiers and types come from the models, values are parameters.
    sql = (f"WITH claims AS (INSERT INTO {quote(claim_meta.db_table)} "  # noqa: S608
           f"({', '.join(quote(f.column) for f in claim_columns)}) "
           f"SELECT * FROM unnest({_arrays(claim_columns)}) "
           f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}) "
           f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in model_fields)}) "
           f"SELECT * FROM unnest({_arrays(model_fields)}) "
           f"AS u({', '.join(names)}) WHERE u.{names[-1]} IN (SELECT {key} FROM claims) ON CONFLICT DO NOTHING "
           f"RETURNING {', '.join(quote(meta.get_field(name).column) for name in returning)}")
    params = [list(column) for column in zip(*claims, strict=True)]
    params += [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in model_fields]
    with bound_cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()]


def insert_rows(model, fields: Sequence[str], rows: Sequence[Sequence]) -> int:
    """Insert ``rows`` (values in ``fields`` order) as insert_ignore does, but a conflict raises
    IntegrityError; the number of rows inserted. For many rows where ``bulk_create`` would
    send one placeholder per value."""
    return len(_insert(model, fields, rows, "", ()))


def _insert(model, fields: Sequence[str], rows: Sequence[Sequence], on_conflict: str,
            returning: Sequence[str]) -> list[tuple]:
    if not rows:
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in fields]
    returned = [meta.get_field(name).column for name in returning] or [meta.pk.column]
    if connection.vendor == "postgresql":
        inserted = _insert_optimistic(model, fields, rows, on_conflict, returned)
        return [() for _ in inserted] if not returning else inserted
    if connection.vendor == "sqlite":
        chunk = max(1, (connection.features.max_query_params or 999) // len(columns))
    else:
        chunk = _POSTGRES_CHUNK
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Identifiers come from the model, values are parameters.
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    tail = f"{on_conflict} RETURNING {', '.join(quote(c) for c in returned)}"
    adapt = connection.ops.adapt_datetimefield_value
    time_columns = [i for i, name in enumerate(fields)
                    if meta.get_field(name).get_internal_type() == "DateTimeField"]
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            params: list = []
            for row in part:
                if time_columns:
                    row = list(row)
                    for i in time_columns:
                        if isinstance(row[i], dt.datetime):
                            row[i] = adapt(row[i])
                params.extend(row)
            cursor.execute(head + ", ".join([placeholder] * len(part)) + tail, params)
            out.extend(cursor.fetchall())
    if not returning:
        return [() for _ in out]
    return [tuple(r) for r in out]


def column_names(model, fields: Sequence[str]) -> str:
    """The quoted columns of ``fields`` of ``model``, comma-separated, for statements written by hand."""
    meta = model._meta
    return ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in fields)


def unnest_arrays(model, fields: Sequence[str]) -> str:
    """``%b::type[], ...``: one server-bound array parameter per field of ``model``, for ``unnest``
    in PostgreSQL statements written by hand (values in ``fields`` order)."""
    return _arrays([model._meta.get_field(name) for name in fields])


def _arrays(fields: Sequence) -> str:
    """One server-bound array parameter (``%b::type[]``) per model field, comma-separated."""
    return ", ".join(f"%b::{_array_type(f)}[]" for f in fields)


def _array_type(field) -> str:
    db_type = field.target_field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    # text, not varchar(n): an explicit cast would silently truncate, an assignment refuses a long value.
    return "text" if db_type.startswith("varchar") else db_type


# Fewest rows for which insert_ignore tries the plain insert first on PostgreSQL (_insert_optimistic).
OPTIMISTIC_MIN_ROWS = 50


def _insert_optimistic(model, fields: Sequence[str], rows: Sequence[Sequence], on_conflict: str,
                       returned: list[str]) -> list[tuple]:
    """``_insert_unnest``, tried first without its ``ON CONFLICT`` clause (in a savepoint): a
    duplicate is rare (a storefront resending a batch), and ``ON CONFLICT DO NOTHING`` inserts
    each row speculatively, then confirms it: a WAL record more per row, and 500 impressions
    took 16.4 ms a statement against 10.8 ms without it here. On a unique violation the savepoint is rolled
    back and the rows go in again with the clause, skipping the duplicates: the same rows stored.
    Below ``OPTIMISTIC_MIN_ROWS`` rows the savepoint's two round trips cost more than the clause
    (~11 µs a row), so a batch's few clicks, orders and cancellations keep one statement."""
    if not on_conflict or len(rows) < OPTIMISTIC_MIN_ROWS:
        return _insert_unnest(model, fields, rows, on_conflict, returned)
    try:
        with transaction.atomic():
            return _insert_unnest(model, fields, rows, "", returned)
    except psycopg.errors.UniqueViolation:
        return _insert_unnest(model, fields, rows, on_conflict, returned)


def _insert_unnest(model, fields: Sequence[str], rows: Sequence[Sequence], on_conflict: str,
                   returned: list[str]) -> list[tuple]:
    meta = model._meta
    quote = connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in fields]
    arrays = _arrays(model_fields)
    # Identifiers and types come from the model, values are parameters.
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in model_fields)}) "  # noqa: S608
           f"SELECT * FROM unnest({arrays}){on_conflict} "
           f"RETURNING {', '.join(quote(c) for c in returned)}")
    out: list[tuple] = []
    with bound_cursor() as cursor:
        for start in range(0, len(rows), _POSTGRES_CHUNK):
            part = rows[start:start + _POSTGRES_CHUNK]
            cursor.execute(sql, [list(column) for column in zip(*part, strict=True)])
            out.extend(tuple(r) for r in cursor.fetchall())
    return out


def update_by_pk(model, fields: Sequence[str], rows: Sequence[Sequence]) -> int:
    """Set ``fields`` of the rows whose primary key is each row's first value (then the values in
    ``fields`` order): one ``UPDATE ... FROM (VALUES ...)`` per chunk; the number of rows changed.

    Django's ``bulk_update`` builds a CASE per field per row, which cost ~12 ms of CPU for the
    clicks of one events batch; this is the same write in one cheap statement.
    """
    if not rows:
        return 0
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    model_fields = [meta.get_field(name) for name in fields]
    if connection.vendor == "postgresql":
        # One array per column, bound by the server (core.db): no values quoted in Python.
        # The keys once more as ``= ANY``, which changes no row: the planner then reads the rows
        # by their key, where the join alone made it hash a scan of the whole table (the
        # clicks' outcomes: 3.5 ms a batch at 6,000 clicks, growing with them, against 1.1 ms).
        names = [f"c{i}" for i in range(len(model_fields))]
        pk_type = _array_type(meta.pk)
        pk = f"{table}.{quote(meta.pk.column)}"
        arrays = _arrays([meta.pk, *model_fields])
        sql = (f"UPDATE {table} SET "  # noqa: S608 - identifiers and types come from the model
               f"{', '.join(f'{quote(f.column)} = v.{name}' for f, name in zip(model_fields, names, strict=True))} "
               f"FROM unnest({arrays}) AS v(pk, {', '.join(names)}) WHERE {pk} = v.pk AND {pk} = ANY(%b::{pk_type}[])")
        columns = [list(column) for column in zip(*rows, strict=True)]
        with bound_cursor() as cursor:
            cursor.execute(sql, [*columns, columns[0]])
            return cursor.rowcount
    # VALUES columns are column1, column2... on both backends; the casts give NULLs a type.
    sets = ", ".join(f"{quote(f.column)} = CAST(v.column{i + 2} AS {_cast_type(f)})"
                     for i, f in enumerate(model_fields))
    chunk = max(1, (connection.features.max_query_params or 65535) // (len(fields) + 1))
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            values = ", ".join(["(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"] * len(part))
            # Identifiers and types come from the model, values are parameters.
            cursor.execute(f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v "  # noqa: S608
                           f"WHERE {table}.{quote(meta.pk.column)} = v.column1",
                           [value for row in part for value in row])
            changed += cursor.rowcount
    return changed


def _cast_type(field) -> str:
    db_type = field.target_field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    if connection.vendor != "postgresql":
        return db_type
    return "text" if db_type.startswith("varchar") else db_type


class AnyOf(In):
    """``field IN values`` as ``field = ANY(%s)`` with one array parameter on PostgreSQL (``IN
    (...)`` elsewhere): psycopg parses a statement's placeholders on the client, and an IN list
    of 2,000 ids cost ~12 ms of it per statement (attribution's reads, docs/decisions/0009)."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::{_array_type(self.lhs.output_field)}[])", (*lhs_params, _array_value(values))


def _array_value(values: list):
    """An array parameter of ints or strings as its literal, ``{1,2}`` or ``{"a","b \\"c\\""}``
    (psycopg's list dumper takes ~2.5 µs an element in Python: 5 ms for 2,000 ids); others as the list.
    A string element is double-quoted with its backslashes and double quotes escaped, which is all
    that PostgreSQL's array input reads specially inside quotes."""
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(value) is str for value in values):
        return "{" + ",".join(['"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values]) + "}"
    return values


def any_of(field: str, values: Iterable) -> AnyOf:
    """A filter: ``field`` is one of ``values`` (see AnyOf), e.g. ``Purchase.objects.filter(any_of("pk", ids))``."""
    return AnyOf(F(field), list(values))


def fetch_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset, as ``list(queryset)`` gives them.

    On PostgreSQL the times are read by psycopg's C loader instead of Django's (a Python
    subclass of psycopg's Python loader, ~6 µs a value): attribution reads ~80,000 times
    per 20,000 purchases. Django's session time zone is UTC, so the values are the same
    aware UTC datetimes. Only for querysets without Django-side converters (plain columns).
    """
    if connection.vendor != "postgresql":
        return list(queryset)
    return _fetch(*queryset.query.sql_with_params())


def fetch_rows_per_key(queryset, field: str, keys: Iterable) -> list[tuple]:
    """The rows of a ``values_list`` queryset whose ``field`` is one of ``keys``, as fetch_rows reads them.

    On PostgreSQL the query runs once per key inside one statement (``unnest`` of the keys,
    ``CROSS JOIN LATERAL`` the query for one key, kept apart by ``OFFSET 0``), so each key is an
    index probe on ``field``. ``field = ANY(keys)`` with thousands of keys is planned as a
    sequential scan of the whole table or partition instead, and so is a plain LATERAL, which
    the planner flattens into a hash join: attribution's click read of 2,000 buyers took
    ~100-230 ms a chunk on 400,000 clicks, growing with the table, against ~20 ms by key
    (docs/decisions/0009-event-ingest.md). Elsewhere: ``field`` in ``keys``. ``queryset`` must
    not be sliced; its ordering is dropped.
    """
    keys = list(keys)
    if not keys:
        return []
    if connection.vendor != "postgresql":
        return list(queryset.filter(any_of(field, keys)))
    return _fetch(*per_key_sql(queryset, field, keys))


def per_key_sql(queryset, field: str, keys: list) -> tuple[str, tuple]:
    """fetch_rows_per_key's PostgreSQL statement and parameters."""
    model_field = queryset.model._meta.get_field(field)
    one = queryset.filter(**{field: RawSQL("per_key.key", (), output_field=model_field)}).order_by()
    sql, params = one.query.sql_with_params()
    # The inner query is Django's own SQL; the keys are one parameter. OFFSET 0 keeps the
    # planner from pulling the subquery up into a join of the whole table.
    return (f"SELECT q.* FROM unnest(%s::{_array_type(model_field)}[]) AS per_key(key) "  # noqa: S608
            f"CROSS JOIN LATERAL ({sql} OFFSET 0) AS q", (_array_value(keys), *params))


def _fetch(sql: str, params) -> list[tuple]:
    # Server-bound parameters (core.db): the arrays of thousands of keys travel apart from the text.
    with bound_cursor() as cursor:
        cursor.adapters.register_loader("timestamptz", _timestamptz_loader())
        cursor.execute(sql, params)
        return cursor.fetchall()


def _timestamptz_loader():
    import psycopg

    return psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT)
