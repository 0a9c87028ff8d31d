"""Celery tasks: thin wrappers over the services, safe to run twice (watermarks are locked)."""

from __future__ import annotations

from celery import shared_task

from analytics.services import attribution_run_pending, rollups_fold


@shared_task(name="analytics.tasks.attribution", ignore_result=True)
def attribution() -> dict:
    """Credit new purchases (and re-check those touched by late clicks or cancellations)."""
    return attribution_run_pending().as_dict()


@shared_task(name="analytics.tasks.rollups", ignore_result=True)
def rollups() -> dict:
    """Fold newly committed events into the hourly rollups."""
    return rollups_fold().as_dict()


@shared_task(name="analytics.tasks.lift", ignore_result=True)
def lift() -> dict:
    """Recompute what the ads added (exposed against held-out shoppers) and store it."""
    from analytics.services.lift import lift_estimates_store

    return lift_estimates_store()


@shared_task(name="analytics.tasks.partitions", ignore_result=True)
def partitions() -> dict:
    """PostgreSQL: create the coming weeks' event partitions and drop those past retention and folded."""
    from analytics.services.partitions import partitions_maintain

    return partitions_maintain().as_dict()
