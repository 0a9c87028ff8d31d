"""Writes for platform models: API keys, heartbeats and the simulated clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core import changes, clock
from core.models import SCOPES, ApiKey, Heartbeat, SimulatedClock, hash_key


def api_key_create(name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """Create a key with the given scopes; returns the row and the raw key (shown once)."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope(s) {', '.join(unknown)}; use {', '.join(SCOPES)}")
    if not scopes:
        raise ValueError(f"give at least one scope of {', '.join(SCOPES)}")
    raw = ApiKey.generate()
    key = ApiKey.objects.create(name=name, prefix=raw[:10], key_hash=hash_key(raw), scopes=scopes)
    changes.bump(changes.API_KEYS)
    return key, raw


def api_key_revoke(key: ApiKey) -> None:
    """Revoke a key; requests with it fail from the next one on."""
    if ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=clock.now()):
        changes.bump(changes.API_KEYS)


def heartbeat_record(name: str) -> None:
    """Record that the periodic process ``name`` is alive now."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": clock.now()})


def simulated_clock_set(moment: dt.datetime | None, run: str = "") -> None:
    """Store the simulated time that servers with CLOSETADS_SIMULATED_CLOCK on follow from
    their next request or task (``None``: back to the real time). Commits at once in
    autocommit; ``simulate --http`` calls it before each HTTP call whose time moved."""
    if moment is not None and moment.tzinfo is None:
        raise ValueError("simulated_clock_set needs an aware datetime")
    values = {"now": moment, "run": run if moment is not None else ""}
    if not SimulatedClock.objects.filter(pk=1).update(**values):
        SimulatedClock.objects.update_or_create(pk=1, defaults=values)
