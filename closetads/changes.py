"""Change signals: cheap version counters that in-process caches poll.

A write that changes what can win an auction (a listing sold, a campaign paused, a budget
exhausted) bumps a counter after its transaction commits. Readers (the auction index)
compare the counter every few hundred milliseconds and rebuild what changed. The counter
lives in the database so it works across processes with or without Redis.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from closetads.models import ChangeCounter

CATALOG = "catalog"
CAMPAIGNS = "campaigns"
BUDGETS = "budgets"
SETTINGS = "settings"


def bump(topic: str) -> None:
    """Increment ``topic``'s version once the current transaction commits."""
    transaction.on_commit(lambda: _bump_now(topic))


def _bump_now(topic: str) -> None:
    if ChangeCounter.objects.filter(topic=topic).update(version=F("version") + 1):
        return
    try:
        with transaction.atomic():
            ChangeCounter.objects.create(topic=topic, version=1)
    except IntegrityError:
        ChangeCounter.objects.filter(topic=topic).update(version=F("version") + 1)


def versions() -> dict[str, int]:
    """All topics' current versions (one query)."""
    return dict(ChangeCounter.objects.values_list("topic", "version"))
