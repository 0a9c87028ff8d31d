"""One registry for process-wide state: the caches and singletons a process keeps between
requests (the clock's pin, change counters, API keys, the auction index, decision counts,
traffic counts, shoppers' tastes, ghost exposures, loaded models, Django's cache).

Each module that keeps such state registers how to drop it, next to the state itself:

    state.register("auction index", _index.reset, settle=_index.wait_for_background)

``reset_all()`` first lets every background writer finish (``settle``), then resets every
registered piece, in registration order. The tests call it around each test (conftest.py):
a new global is reset there as soon as its module registers it, with nothing to add by hand.
Production never calls it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class _Entry:
    name: str
    reset: Callable[[], object]
    settle: Callable[[], object] | None


_entries: dict[str, _Entry] = {}
_lock = threading.Lock()


def register(name: str, reset: Callable[[], object], *, settle: Callable[[], object] | None = None) -> None:
    """Register ``reset`` (drop this piece of process-wide state) under ``name``; ``settle``,
    if given, waits for its background work first. Registering a name again replaces it
    (a module reloaded)."""
    with _lock:
        _entries[name] = _Entry(name, reset, settle)


def registered() -> list[str]:
    """The names registered so far, in order."""
    with _lock:
        return list(_entries)


def reset_all() -> None:
    """Let every background writer finish, then drop every registered piece of state."""
    with _lock:
        entries = list(_entries.values())
    for entry in entries:
        if entry.settle is not None:
            entry.settle()
    for entry in entries:
        entry.reset()
