"""Celery task: a thin wrapper over the alerts service, safe to run twice (and at once)."""

from __future__ import annotations

from celery import shared_task

from alerts.services import alerts_run


@shared_task(name="alerts.tasks.alerts", ignore_result=True)
def alerts() -> dict:
    """Raise the alerts of new events and email those due."""
    return alerts_run()
