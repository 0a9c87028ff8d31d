from __future__ import annotations

from analytics.management.commands._range import RangeCommand
from analytics.services import attribution_recompute, attribution_run_pending


class Command(RangeCommand):
    help = ("Recompute attribution for purchases made in [--since, --until) (UTC), idempotently; "
            "without a range, attribute what is new (what the minute task does).")
    pending = staticmethod(attribution_run_pending)
    recompute = staticmethod(attribution_recompute)
