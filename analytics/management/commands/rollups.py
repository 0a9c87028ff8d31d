from __future__ import annotations

from analytics.management.commands._range import RangeCommand
from analytics.services import rollups_fold, rollups_recompute


class Command(RangeCommand):
    help = ("Rebuild the hourly rollups of the hours overlapping [--since, --until) (UTC) from the stored "
            "events; without a range, fold what is new (what the minute task does).")
    pending = staticmethod(rollups_fold)
    recompute = staticmethod(rollups_recompute)
