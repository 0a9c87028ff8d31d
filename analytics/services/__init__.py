"""Analytics writes: events ingestion, click charging, attribution, rollups.

Import from here; the modules behind are split by concept.
"""

from analytics.services.attribution import (
    AttributionResult,
    attribution_apply,
    attribution_recompute,
    attribution_run_pending,
)
from analytics.services.identities import seller_identity_link
from analytics.services.ingest import IngestResult, events_ingest, events_ingest_json
from analytics.services.rollups import FoldResult, rollups_add, rollups_fold, rollups_recompute

__all__ = [
    "AttributionResult",
    "FoldResult",
    "IngestResult",
    "attribution_apply",
    "attribution_recompute",
    "attribution_run_pending",
    "events_ingest",
    "events_ingest_json",
    "rollups_add",
    "rollups_fold",
    "rollups_recompute",
    "seller_identity_link",
]
