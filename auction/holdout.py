"""Ghost ads: who is held out, and the record of real and ghost wins that lift is measured on.

A share of shoppers (``AuctionSettings.holdout_share``) is held out by a hash of their
opaque user id: their auctions run in full, are counted (reason ``held_out``) and answer no
winners; who would have won is recorded as a *ghost win*. Exposed shoppers' real wins are
recorded the same way. Because both groups are selected by the same auction, the shoppers
who had a ghost win for a seller are a fair control for those who had a real win
(Johnson, Lewis & Nubbemeyer 2017, "Ghost Ads"); ``analytics.lift`` compares what they bought.

Each process keeps the first win per (seller, shopper, group) in memory and inserts them
in one statement when ``FLUSH_SECONDS`` of marketplace time have passed, and with the
decision counts' background flush (``auction.pending``). A row is written
once and never updated (``ON CONFLICT DO NOTHING``): the earliest win stays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from auction.models import AdExposure
from auction.pending import PendingWrites
from core import state

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 60.0
_NAMESPACE = b"closetads-holdout:"


def holdout_bucket(opaque_user_id: str) -> float:
    """A stable value in [0, 1) for a shopper: held out when it is below the share.

    Raising the share keeps everyone held out before held out (the groups nest).
    """
    digest = hashlib.blake2b(_NAMESPACE + opaque_user_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def is_held_out(opaque_user_id: str | None, share: float) -> bool:
    """Whether this shopper sees no ads (never for an anonymous request: no id, no group)."""
    if not opaque_user_id:
        return False
    return share > 0 and holdout_bucket(opaque_user_id) < share


class Exposures(PendingWrites):
    """Real and ghost wins by (seller, shopper, group), in memory until written (one per process)."""

    def __init__(self) -> None:
        super().__init__(FLUSH_SECONDS)

    def note(self, user: str, seller_ids: list[int], held_out: bool, at: dt.datetime) -> None:
        with self._lock:
            for seller_id in seller_ids:
                key = (seller_id, user, held_out)
                if key not in self._pending or at < self._pending[key]:
                    self._pending[key] = at

    def _write(self, pending: dict[tuple[int, str, bool], dt.datetime]) -> int:
        """Insert the pending first wins (those already stored are left as they are)."""
        rows = [AdExposure(seller_id=seller_id, opaque_user_id=user, held_out=held_out, first_at=at)
                for (seller_id, user, held_out), at in sorted(pending.items())]
        try:
            AdExposure.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        except Exception:  # measurement, not money: never break the request path
            logger.exception("could not write %d ad exposures; dropped", len(rows))
            return 0
        return len(rows)


exposures = Exposures()
state.register("ghost exposures", exposures.clear)
