"""Watermark rows: how far each periodic job has read each source table (by id)."""

from __future__ import annotations

from collections.abc import Iterable

from analytics.models import Watermark
from core import clock


def watermarks_lock(names: Iterable[str]) -> dict[str, Watermark]:
    """The named watermarks, locked (SELECT ... FOR UPDATE) until the transaction ends; created at 0.

    Call inside ``transaction.atomic()``. Holding them is what makes a job safe to run twice
    at once: the second run waits, then sees the positions the first one committed.
    """
    names = sorted(set(names))
    Watermark.objects.bulk_create([Watermark(name=n) for n in names], ignore_conflicts=True)
    return {w.name: w for w in Watermark.objects.select_for_update().filter(name__in=names).order_by("name")}


def watermark_positions(names: Iterable[str]) -> dict[str, int]:
    """Current positions (0 for a watermark never advanced), without locking."""
    names = list(names)
    found = dict(Watermark.objects.filter(name__in=names).values_list("name", "position"))
    return {n: found.get(n, 0) for n in names}


def watermark_advance(name: str, position: int) -> None:
    """Move a watermark forward to ``position`` (never backward)."""
    Watermark.objects.bulk_create([Watermark(name=name)], ignore_conflicts=True)
    Watermark.objects.filter(name=name, position__lt=position).update(position=position, updated_at=clock.now())
