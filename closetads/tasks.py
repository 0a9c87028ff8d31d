from __future__ import annotations

from celery import shared_task

from closetads.health import WORKER_HEARTBEAT
from closetads.services import heartbeat_record


@shared_task(name="closetads.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that a worker ran scheduled work just now (read by /readyz)."""
    heartbeat_record(WORKER_HEARTBEAT)
