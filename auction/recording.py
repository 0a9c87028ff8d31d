"""What auctions decided, counted cheaply for the "why isn't my listing showing?" page.

Not a row per candidate per auction: each process adds its auctions up in memory, per
listing and day (marketplace time zone), and folds the sums into ``ListingAuctionDay``
with one upsert (``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``) about every
``FLUSH_SECONDS`` (or ``FLUSH_AUCTIONS`` auctions). After a request (Django's
``request_finished``) a due flush starts in a background thread: it takes 0.2-0.3 s for
10,000 rows, which neither that request's client (gunicorn closes the socket after
``request_finished``) nor the next request should wait for. In-process callers
(``auctions_run``) flush synchronously when due.

Several web processes count the same listings, so their flushes would queue on the same
rows: on PostgreSQL a flush first takes a transaction-level advisory try-lock and, when
another process holds it, keeps its counts for a retry a little later instead of waiting.
Each process's first flush is jittered so that workers started together drift apart.
Counts are best effort: a process killed hard loses what it had not flushed yet.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Sequence

from django.db import connection, transaction

from auction.models import ListingAuctionDay
from auction.ranking import ELIGIBLE_LOSS_REASONS, INELIGIBLE_REASONS, CampaignState, ListingState
from core import state

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 120.0
FLUSH_AUCTIONS = 20_000
RETRY_SECONDS = 2.0
CHUNK_ROWS = 500
CHUNK_PAUSE_SECONDS = 0.02  # between chunks of a background flush
# Any constant shared by every process: the advisory lock that serialises flushes.
_LOCK_KEY = 0x434C4F5345544144  # "CLOSETAD"

COUNTERS = ("candidate", "eligible", "won", *INELIGIBLE_REASONS, *ELIGIBLE_LOSS_REASONS)
# In memory a row holds one count per outcome, COUNTERS[2:] (won, then each reason): one
# increment per candidate on the request path. ``candidate`` (all outcomes) and
# ``eligible`` (won or lost on rank) are added up when the row is written.
_OUTCOME_AT: dict[str | None, int] = {None: 0, **{name: at for at, name in enumerate(COUNTERS[3:], start=1)}}
_WIDTH = len(COUNTERS) - 2
_ELIGIBLE_LOSSES = slice(1 + len(INELIGIBLE_REASONS), _WIDTH)


def _row_out(outcomes: list[int]) -> tuple[int, ...]:
    """A row in COUNTERS order from its outcome counts."""
    return (sum(outcomes), outcomes[0] + sum(outcomes[_ELIGIBLE_LOSSES]), *outcomes)


class DecisionRecorder:
    """Per-process sums of auction decisions by (listing, day); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[dt.date, dict[int, list[int]]] = {}  # day -> listing -> outcome counts
        self._auctions = 0
        self._due = time.monotonic() + random.uniform(0.5, 1.0) * FLUSH_SECONDS
        self._flusher: threading.Thread | None = None

    def record(self, day: dt.date, listings: Sequence[ListingState | None],
               campaigns: Sequence[CampaignState | None], reasons: Sequence[str | None]) -> None:
        """Count one auction over the columns of ``ranking.run_auction_columns``: candidate
        ``i`` is ``listings[i]`` with its seller's campaign ``campaigns[i]``, and
        ``reasons[i]`` is None when it won.

        Only candidates of sellers with a live campaign are counted.
        """
        outcome_at = _OUTCOME_AT
        with self._lock:
            rows = self._counts.get(day)
            if rows is None:
                rows = self._counts[day] = {}
            for listing, campaign, reason in zip(listings, campaigns, reasons, strict=True):
                if campaign is None or listing is None:  # a campaign comes with its listing
                    continue
                listing_id = listing.listing_id
                row = rows.get(listing_id)
                if row is None:
                    row = rows[listing_id] = [0] * _WIDTH
                row[outcome_at[reason]] += 1
            self._auctions += 1

    def pending(self) -> int:
        """How many (listing, day) rows wait for the next flush."""
        return sum(len(rows) for rows in self._counts.values())

    def is_due(self) -> bool:
        """Whether there are counts and they are old or many enough to flush."""
        return bool(self._counts) and (self._auctions >= FLUSH_AUCTIONS or time.monotonic() >= self._due)

    def flush_if_due(self) -> int:
        """Flush now when due; the number of rows written."""
        return self.flush() if self.is_due() else 0

    def flush_soon(self) -> None:
        """When due, flush in a background thread (one at a time), with its own connection."""
        if not self.is_due():
            return
        with self._lock:
            if self._flusher is not None:
                return
            self._flusher = threading.Thread(target=self._flush_in_background, daemon=True,
                                             name="auction-counts-flush")
        self._flusher.start()

    def wait_for_flush(self, timeout: float | None = None) -> None:
        """Wait for a background flush in progress, if any (tests, shutdown)."""
        flusher = self._flusher
        if flusher is not None:
            flusher.join(timeout)

    def _flush_in_background(self) -> None:
        try:
            self.flush(pause=CHUNK_PAUSE_SECONDS)
            _flush_pending()
        finally:
            self._flusher = None
            connection.close()  # this thread's own connection

    def flush(self, pause: float = 0.0) -> int:
        """Fold everything counted so far into ListingAuctionDay; the number of rows written.

        Writes ``CHUNK_ROWS`` rows per statement, ``pause`` seconds apart, so that a big
        flush does not take the database's CPU in one gulp. When another process is
        flushing (PostgreSQL), what is left is kept for a retry. A database error drops
        that chunk (logged): counts are diagnostics, not money. A flush called while this
        process's background flush runs waits for it first (it would find the lock taken).
        """
        flusher = self._flusher
        if flusher is not None and flusher is not threading.current_thread():
            flusher.join()
        with self._lock:
            counts, self._counts = self._counts, {}
            self._auctions = 0
            self._due = time.monotonic() + FLUSH_SECONDS
        rows = [(listing_id, day, *_row_out(by_listing[listing_id]))
                for day, by_listing in sorted(counts.items()) for listing_id in sorted(by_listing)]
        written = 0
        for start in range(0, len(rows), CHUNK_ROWS):
            if start and pause:
                time.sleep(pause)
            chunk = rows[start:start + CHUNK_ROWS]
            try:
                if not _upsert(chunk):
                    self._merge_back(rows[start:])
                    break
            except Exception:  # never let diagnostics break the request path
                logger.exception("could not write %d listing auction counts; dropped", len(chunk))
                continue
            written += len(chunk)
        return written

    def _merge_back(self, rows: list[tuple]) -> None:
        with self._lock:
            for listing_id, day, _candidate, _eligible, *outcomes in rows:
                by_listing = self._counts.setdefault(day, {})
                row = by_listing.get(listing_id)
                if row is None:
                    by_listing[listing_id] = list(outcomes)
                else:
                    for at, value in enumerate(outcomes):
                        row[at] += value
            self._due = time.monotonic() + RETRY_SECONDS * random.uniform(0.5, 1.5)

    def clear(self) -> None:
        """Forget what was counted and not flushed (tests)."""
        with self._lock:
            self._counts = {}
            self._auctions = 0


def _upsert(rows: list[tuple]) -> bool:
    """Add ``rows`` to the table; False (nothing written) when another process is at it."""
    table = connection.ops.quote_name(ListingAuctionDay._meta.db_table)
    columns = ["listing_id", "day", *COUNTERS]
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    conflict = "ON CONFLICT (listing_id, day) DO UPDATE SET " + updates
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
            if not cursor.fetchone()[0]:
                return False
            # One statement for the whole batch: arrays in, unnest, upsert. Each column goes
            # as one array literal ('{1,2,3}'): Django binds parameters client-side, and
            # psycopg would otherwise quote every element of a list on its own (with a
            # regular expression each: two thirds of a 10,000-row flush's CPU).
            types = ["bigint", "date", *["bigint"] * len(COUNTERS)]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) {conflict}",  # noqa: S608 - names are ours
                [_array_literal(column) for column in zip(*rows, strict=True)],
            )
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) {conflict}",  # noqa: S608
                rows,
            )
    return True


def _array_literal(values: Sequence[object]) -> str:
    """A PostgreSQL array literal of ints or dates: their ``str`` needs no quoting."""
    return "{" + ",".join(map(str, values)) + "}"


recorder = DecisionRecorder()
state.register("decision counts", recorder.clear, settle=lambda: recorder.wait_for_flush(30))


def _flush_pending() -> None:
    """Shoppers' searched brands and real and ghost wins go out with the decision counts."""
    from auction.affinity import query_tastes
    from auction.holdout import exposures

    try:
        query_tastes.flush()
    except Exception:  # a taste is a hint, not money: keep serving
        logger.exception("could not write shoppers' searched brands")
    exposures.flush()  # logs and drops its own failures
