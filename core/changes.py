"""Change signals: cheap version counters that in-process caches poll.

A write that changes what can win an auction (a listing sold, a campaign paused, a budget
exhausted) or who may call the API (a key created or revoked) bumps a counter after its
transaction commits. Readers (the auction index, the API-key cache) read all counters in
one query at the start of a request and reload what changed. The counters live in the
database so they work across processes with or without Redis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F

from core import change_listener, state
from core.models import ChangeCounter

CATALOG = "catalog"
CAMPAIGNS = "campaigns"
BUDGETS = "budgets"
SETTINGS = "settings"
API_KEYS = "api_keys"
SHOPPERS = "shoppers"  # shoppers' tastes and price levels (auction.affinity)
MODELS = "models"  # click and purchase models, the position curve (learning)

# Without the ORM: it runs on every auction request, and building the queryset cost
# 0.16 ms of CPU against 0.05 ms for the raw query (auction bench, PostgreSQL).
_VERSIONS_SQL = f"SELECT topic, version FROM {ChangeCounter._meta.db_table}"  # noqa: S608 - a table name


def bump(topic: str) -> None:
    """Increment ``topic``'s version once the current transaction commits."""
    transaction.on_commit(lambda: _bump_now(topic))


def bump_all(topics: Collection[str]) -> None:
    """``bump`` for several topics: one UPDATE and one notification for all of them, once the
    current transaction commits (at once outside one). The events endpoint signals what a
    batch changed (listings sold, shoppers' tastes) this way, once, after its writes."""
    wanted = sorted(set(topics))
    if wanted:
        transaction.on_commit(lambda: _bump_all_now(wanted))


def bump_all_with_commit(topics: Collection[str]) -> None:
    """``bump_all`` committed with the current transaction, as its last write: on PostgreSQL,
    inside a transaction, the counters' update and the notification are sent now and take
    effect at its commit (one commit rather than the batch's and the counters' own), so the
    caller writes nothing after it. The counters' rows stay locked until that commit, as an
    autocommit bump holds them through its own. Elsewhere, or for a topic without a counter
    yet, as ``bump_all``. The events endpoint signals a batch's changes this way."""
    wanted = sorted(set(topics))
    if not wanted:
        return
    if not (settings.USING_POSTGRES and connection.in_atomic_block):
        bump_all(wanted)
        return
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_NOTIFY_SQL, [wanted])
        bumped = cursor.fetchone()[0]
    if bumped != len(wanted):  # a topic's first bump: created after the commit by bump_all
        present = set(ChangeCounter.objects.filter(topic__in=wanted).values_list("topic", flat=True))
        bump_all([topic for topic in wanted if topic not in present])
    else:
        transaction.on_commit(change_listener.listener.moved)  # this process hears it at once


# The counters' update and the notification in one statement (one round trip): in autocommit
# both take effect together, the notification delivered once the update is committed (in a
# transaction, at its commit).
_BUMP_NOTIFY_SQL = (
    f"WITH bumped AS (UPDATE {ChangeCounter._meta.db_table} SET version = version + 1 "  # noqa: S608 - a table name
    "WHERE topic = ANY(%s) RETURNING 1) "
    f"SELECT (SELECT count(*) FROM bumped), pg_notify('{change_listener.CHANNEL}', '')"
)


def _bump_all_now(topics: list[str]) -> None:
    """Increment ``topics`` (creating a topic's counter at its first bump) and notify."""
    if settings.USING_POSTGRES and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(_BUMP_NOTIFY_SQL, [topics])
            bumped, notified = cursor.fetchone()[0], True
    else:
        bumped, notified = ChangeCounter.objects.filter(topic__in=topics).update(version=F("version") + 1), False
    if bumped != len(topics):
        present = set(ChangeCounter.objects.filter(topic__in=topics).values_list("topic", flat=True))
        for topic in topics:
            if topic not in present:
                _create(topic)
        notified = False  # again, now that the new topics are there
    if notified:
        change_listener.listener.moved()
    else:
        _notify()


def _bump_now(topic: str) -> None:
    _bump_all_now([topic])


def _create(topic: str) -> None:
    """A topic's first bump (or, if another process created it meanwhile, its next)."""
    try:
        with transaction.atomic():
            ChangeCounter.objects.create(topic=topic, version=1)
    except IntegrityError:
        ChangeCounter.objects.filter(topic=topic).update(version=F("version") + 1)


def _notify() -> None:
    # The counter is committed: tell the listening processes, and this one at once.
    change_listener.listener.moved()
    if settings.USING_POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute(change_listener.NOTIFY_SQL)


def versions() -> dict[str, int]:
    """All topics' current versions (one query)."""
    return _versions_query()


def versions_checked() -> dict[str, int]:
    """``versions()`` that also serves as the request's connection health check.

    With ``CONN_HEALTH_CHECKS`` Django spends a ``SELECT 1`` round trip before a request's
    first query on a reused connection; on the auction path that was a third of the
    database time. Here the counters' own query is the check: it runs on the reused
    connection unchecked, and if that connection turns out broken (the server restarted,
    a pooler dropped it) it is closed and the query runs once more on a new one.
    """
    # health_check_enabled/_done: Django internals (5.1+) that the stubs do not list.
    if connection.connection is None or connection.in_atomic_block or not connection.health_check_enabled:  # type: ignore[attr-defined]
        return _versions_query()
    connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        return _versions_query()
    except (InterfaceError, OperationalError):
        connection.close()
    return _versions_query()


class _CurrentVersions:
    """The last counters read, reused while the change listener has heard nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self._versions: dict[str, int] | None = None
        self._generation = -1
        self._read_at = 0.0

    def get(self) -> dict[str, int]:
        if not change_listener.enabled():
            return versions_checked()
        listener = change_listener.listener
        listener.ensure_started()
        with self._lock:
            generation = listener.generation  # before the read: a change meanwhile re-reads
            if (listener.connected and self._versions is not None and generation == self._generation
                    and time.monotonic() - self._read_at < settings.CHANGE_LISTENER_MAX_AGE):
                return self._versions
            self._versions = versions_checked()
            self._generation, self._read_at = generation, time.monotonic()
            return self._versions


_current = _CurrentVersions()


def versions_current() -> dict[str, int]:
    """The counters for a hot path: ``versions_checked()``, or with the change listener
    (PostgreSQL, ``CHANGE_LISTENER``) the last read while no change has been signalled."""
    return _current.get()


def versions_forget() -> None:
    """Drop the reused counters (tests: each test has its own database)."""
    with _current._lock:
        _current.forget()


state.register("change counters", versions_forget)


def _versions_query() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS_SQL)
        return dict(cursor.fetchall())
