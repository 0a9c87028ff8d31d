"""Celery tasks: thin wrappers over the services, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="campaigns.tasks.forecasts", ignore_result=True)
def forecasts() -> dict:
    """Record each active campaign's forecast as its budget week opens (forecast checks)."""
    from campaigns.services import forecasts_record_week

    return forecasts_record_week()
