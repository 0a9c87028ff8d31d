"""Celery tasks: thin wrappers over the pacing and training services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.health import WORKER_HEARTBEAT
from core.services import heartbeat_record


@shared_task(name="auction.tasks.pacing", ignore_result=True)
def pacing() -> dict:
    """Move every active campaign's multiplier and throttle toward its ideal spend curve."""
    from auction.pacing_service import pacing_run

    result = pacing_run()
    heartbeat_record(WORKER_HEARTBEAT)  # /readyz: pacing ran recently
    return {"campaigns": result.campaigns, "changed": result.changed}
