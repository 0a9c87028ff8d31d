"""Celery signal receivers: the worker's first heartbeat, and the simulated clock for tasks."""

from __future__ import annotations

import logging

from celery.signals import task_postrun, task_prerun, worker_ready

logger = logging.getLogger(__name__)


@worker_ready.connect
def _heartbeat_on_worker_ready(**kwargs) -> None:
    """A worker records a heartbeat as soon as it is ready, not only after the first minute."""
    from core.health import WORKER_HEARTBEAT
    from core.services import heartbeat_record

    try:
        heartbeat_record(WORKER_HEARTBEAT)
    except Exception:
        logger.exception("could not record the worker heartbeat")


@task_prerun.connect
def _task_on_simulated_clock(task_id=None, **kwargs) -> None:
    """With CLOSETADS_SIMULATED_CLOCK on, a task runs on the stored simulated time."""
    from core.simulated_clock import task_pin

    task_pin(task_id)


@task_postrun.connect
def _task_off_simulated_clock(task_id=None, **kwargs) -> None:
    from core.simulated_clock import task_unpin

    task_unpin(task_id)
