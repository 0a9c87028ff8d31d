"""Pushed change signals on PostgreSQL: LISTEN/NOTIFY in front of the change counters.

Reading the counters costs the auction request its only database round trip, and on a
2-core host that round trip (two context switches and a PostgreSQL backend's CPU) was a
quarter of the request (docs/architecture/auction.md, "Where an auction request's time goes").
With the listener, each web process keeps one extra connection that LISTENs on
``closetads_changes``; ``core.changes`` sends a NOTIFY after every counter bump. A
background thread counts the notifications in ``generation``; a reader re-reads the
counters only when the generation moved, when its copy is older than
``CHANGE_LISTENER_MAX_AGE`` seconds (a safety net), or when the listener is not
connected. A bump made by this process moves the generation itself, at once.

What this relaxes: a change committed by *another* process is seen once its notification
has arrived (PostgreSQL sends it at commit; on one host that is well under a millisecond,
measured in the tests), not strictly before the next request starts.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

CHANNEL = "closetads_changes"
NOTIFY_SQL = f"NOTIFY {CHANNEL}"
# A silent listener connection is checked this often (seconds).
_WAIT_SECONDS = 5.0
_RETRY_SECONDS = (0.5, 10.0)


class ChangeListener:
    """One per process; ``generation`` moves on every notification received."""

    def __init__(self) -> None:
        self.generation = 0
        self.connected = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._conn: psycopg.Connection | None = None

    def moved(self) -> None:
        """Something changed (a notification, a local bump, a reconnect)."""
        with self._lock:
            self.generation += 1

    def ensure_started(self) -> None:
        """Start the listening thread if it is not running (lazily: after a fork)."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, args=(_conninfo(),), daemon=True,
                                            name="closetads-change-listener")
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening (tests; a process that exits just drops the daemon thread)."""
        self._stop.set()
        conn = self._conn
        if conn is not None:
            try:
                conn.cancel_safe()  # wakes the thread out of its wait
            except psycopg.Error:
                logger.debug("change listener connection already closed")
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self.connected = False

    def _run(self, conninfo: str) -> None:
        delay = _RETRY_SECONDS[0]
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    self._conn = conn
                    conn.execute(f"LISTEN {CHANNEL}")
                    # Anything may have changed while nobody listened: readers re-read once,
                    # after the LISTEN, before any reuse their copy.
                    self.moved()
                    self.connected = True
                    delay = _RETRY_SECONDS[0]
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=_WAIT_SECONDS):
                            self.moved()
                        conn.execute("SELECT 1")  # a dead connection shows here
            except Exception:
                if not self._stop.is_set():
                    logger.warning("change listener lost its connection; counters are read per request "
                                   "until it is back", exc_info=True)
            finally:
                self.connected = False
                self._conn = None
            self._stop.wait(delay)
            delay = min(delay * 2, _RETRY_SECONDS[1])


def _conninfo() -> str:
    params = connection.get_connection_params()
    keys = ("host", "port", "user", "password", "dbname", "sslmode")
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items() if k in keys and v})


listener = ChangeListener()


def enabled() -> bool:
    return bool(getattr(settings, "CHANGE_LISTENER", False)) and settings.USING_POSTGRES


def wait_connected(timeout: float) -> bool:
    """Wait until the listener is connected (tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listener.connected:
            return True
        time.sleep(0.01)
    return listener.connected
