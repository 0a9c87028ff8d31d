"""A worker records a heartbeat as soon as it is ready, not only after the first minute."""

from __future__ import annotations

import logging

from celery.signals import worker_ready

logger = logging.getLogger(__name__)


@worker_ready.connect
def _heartbeat_on_worker_ready(**kwargs) -> None:
    from closetads.health import WORKER_HEARTBEAT
    from closetads.services import heartbeat_record

    try:
        heartbeat_record(WORKER_HEARTBEAT)
    except Exception:
        logger.exception("could not record the worker heartbeat")
