"""What auctions decided, counted cheaply for the "why isn't my listing showing?" page.

Not a row per candidate per auction: each process adds its auctions up in memory, per
listing and day (marketplace time zone), and folds the sums into ``ListingAuctionDay``
with one upsert (``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``) about every
``FLUSH_SECONDS`` (or ``FLUSH_AUCTIONS`` auctions). The endpoint flushes after its
response has been sent (Django's ``request_finished``), so no auction waits for it.

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
from auction.ranking import ELIGIBLE_LOSS_REASONS, INELIGIBLE_REASONS, Candidate

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 30.0
FLUSH_AUCTIONS = 20_000
RETRY_SECONDS = 2.0
# Any constant shared by every process: the advisory lock that serialises flushes.
_LOCK_KEY = 0x434C4F5345544144  # "CLOSETAD"

COUNTERS = ("candidate", "eligible", "won", *INELIGIBLE_REASONS, *ELIGIBLE_LOSS_REASONS)
_AT = {name: index for index, name in enumerate(COUNTERS)}
# Which counters one outcome increments: a winner is a candidate, eligible and won; a
# loser is a candidate, its reason, and eligible when it lost on rank.
_INCREMENTS: dict[str | None, tuple[int, ...]] = {
    None: (_AT["candidate"], _AT["eligible"], _AT["won"]),
    **{reason: (_AT["candidate"], _AT[reason]) for reason in INELIGIBLE_REASONS},
    **{reason: (_AT["candidate"], _AT["eligible"], _AT[reason]) for reason in ELIGIBLE_LOSS_REASONS},
}


class DecisionRecorder:
    """Per-process sums of auction decisions by (listing, day); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[int, dt.date], list[int]] = {}
        self._auctions = 0
        self._due = time.monotonic() + random.uniform(0.5, 1.0) * FLUSH_SECONDS

    def record(self, day: dt.date, candidates: Sequence[Candidate], reasons: Sequence[str | None]) -> None:
        """Count one auction: ``reasons[i]`` is None when ``candidates[i]`` won.

        Only candidates of sellers with a live campaign are counted.
        """
        width = len(COUNTERS)
        with self._lock:
            counts = self._counts
            for candidate, reason in zip(candidates, reasons, strict=True):
                if candidate.campaign is None:
                    continue
                key = (candidate.listing.listing_id, day)
                row = counts.get(key)
                if row is None:
                    row = counts[key] = [0] * width
                for at in _INCREMENTS[reason]:
                    row[at] += 1
            self._auctions += 1

    def pending(self) -> int:
        """How many (listing, day) rows wait for the next flush."""
        return len(self._counts)

    def flush_if_due(self) -> int:
        """Flush when the buffer is old or full enough; the number of rows written."""
        if not self._counts:
            return 0
        if self._auctions < FLUSH_AUCTIONS and time.monotonic() < self._due:
            return 0
        return self.flush()

    def flush(self) -> int:
        """Fold everything counted so far into ListingAuctionDay; the number of rows written.

        Returns 0 and keeps the counts when another process is flushing (PostgreSQL).
        A database error drops this batch (logged): counts are diagnostics, not money.
        """
        with self._lock:
            counts, self._counts = self._counts, {}
            self._auctions = 0
            self._due = time.monotonic() + FLUSH_SECONDS
        if not counts:
            return 0
        rows = [(listing_id, day, *values) for (listing_id, day), values in sorted(counts.items())]
        try:
            written = _upsert(rows)
        except Exception:  # never let diagnostics break the request path
            logger.exception("could not write %d listing auction counts; dropped", len(rows))
            return 0
        if not written:
            self._merge_back(counts)
            return 0
        return len(rows)

    def _merge_back(self, counts: dict[tuple[int, dt.date], list[int]]) -> None:
        with self._lock:
            for key, values in counts.items():
                row = self._counts.get(key)
                if row is None:
                    self._counts[key] = values
                else:
                    for at, value in enumerate(values):
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
            # One statement for the whole batch: arrays in, unnest, upsert.
            types = ["bigint", "date", *["bigint"] * len(COUNTERS)]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) {conflict}",  # noqa: S608 - names are ours
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) {conflict}",  # noqa: S608
                rows,
            )
    return True


recorder = DecisionRecorder()
