from __future__ import annotations

from celery import shared_task

from core.health import WORKER_HEARTBEAT
from core.services import heartbeat_record


@shared_task(name="core.tasks.heartbeat", ignore_result=True)  # type: ignore[untyped-decorator]  # celery ships no types
def heartbeat() -> None:
    """Record that a worker ran scheduled work just now (read by /readyz)."""
    heartbeat_record(WORKER_HEARTBEAT)
