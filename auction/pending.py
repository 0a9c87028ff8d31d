"""Per-process buffers of small writes from the auction path, flushed on marketplace time.

Shoppers' searched brands (``auction.affinity.QueryTastes``) and real and ghost wins
(``auction.holdout.Exposures``) are noted in memory under a lock by each auction and written
in one statement once ``seconds`` of marketplace time have passed (marketplace time: the
simulator's runs stay repeatable), or when the decision counts flush in the background.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from core import clock


class PendingWrites:
    """A dict of pending rows; subclasses add ``note`` and write them in ``_write``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._pending: dict[Any, Any] = {}
        self._last_flush: dt.datetime | None = None

    def pending(self) -> int:
        return len(self._pending)

    def flush_if_due(self, now: dt.datetime) -> int:
        """Write what is pending once ``seconds`` of marketplace time have passed since the last write."""
        if self._last_flush is not None and 0 <= (now - self._last_flush).total_seconds() < self.seconds:
            return 0
        return self.flush(now)

    def flush(self, now: dt.datetime | None = None) -> int:
        """Write everything pending now; the number of rows written."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = now or clock.now()
        return self._write(pending) if pending else 0

    def _write(self, pending: dict[Any, Any]) -> int:
        raise NotImplementedError

    def clear(self) -> None:
        """Forget what is pending (tests)."""
        with self._lock:
            self._pending, self._last_flush = {}, None
