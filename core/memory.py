"""Pausing Python's cyclic garbage collector around a bounded, allocation-heavy batch.

The collector runs a pass every 700 container allocations, and a full pass over everything the
process holds whenever the survivors grow by a quarter. A batch that builds tens of thousands
of tuples (attribution: ~10,000 per chunk of 2,000 purchases) triggers full passes over the
whole Django process again and again: a fifth of attribution's time on this machine
(docs/decisions/0009-event-ingest.md). Such a batch makes no reference cycles of its own
(tuples, lists, dicts, freed by reference counting when it ends), so nothing waits on the
collector; it runs again, as usual, once the batch is over. Mercurial does the same
(``util.nogc``). The index's ``gc.freeze`` (auction/index.py) answers a different problem:
objects that live for the process's whole life.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block, no cyclic garbage collection (reference counting still frees memory)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
