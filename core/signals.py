"""Celery signal receivers: the worker's first heartbeat, and the simulated clock for tasks."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import task_postrun, task_prerun, worker_ready

logger = logging.getLogger(__name__)


@worker_ready.connect  # type: ignore[untyped-decorator]  # celery ships no types
def _heartbeat_on_worker_ready(**kwargs: Any) -> None:
    """A worker records a heartbeat as soon as it is ready, not only after the first minute."""
    from core.health import WORKER_HEARTBEAT
    from core.services import heartbeat_record

    try:
        heartbeat_record(WORKER_HEARTBEAT)
    except Exception:
        logger.exception("could not record the worker heartbeat")


@task_prerun.connect  # type: ignore[untyped-decorator]  # celery ships no types
def _task_on_simulated_clock(task_id: str | None = None, **kwargs: Any) -> None:
    """With CLOSETADS_SIMULATED_CLOCK on, a task runs on the stored simulated time."""
    from core.simulated_clock import task_pin

    task_pin(task_id)


@task_postrun.connect  # type: ignore[untyped-decorator]  # celery ships no types
def _task_off_simulated_clock(task_id: str | None = None, **kwargs: Any) -> None:
    from core.simulated_clock import task_unpin

    task_unpin(task_id)
