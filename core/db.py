"""Statements whose parameters PostgreSQL binds, on the connection Django uses.

Django's psycopg cursors bind parameters client-side: every value is quoted into the
statement's text in Python. For a statement carrying a batch's arrays that quoting cost more
than the statement's server time (a fifth of the events endpoint's CPU at first,
docs/decisions/0009-event-ingest.md). These send the parameters apart from the statement
(PostgreSQL's extended protocol, psycopg's C dumpers; ``%b`` for binary arrays), in Django's
transaction. For the few bulk statements of the events endpoint and its callees only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection


def bound_cursor() -> psycopg.Cursor[Any]:
    """A plain psycopg cursor on Django's connection (PostgreSQL), in its transaction. Times
    are read in the session's time zone, which Django sets to UTC."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def select_bound(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a PostgreSQL statement whose parameters the server binds (``bound_cursor``)."""
    with bound_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
