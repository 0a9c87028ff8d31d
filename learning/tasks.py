"""Celery tasks: a thin wrapper over the training service, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="learning.tasks.training", ignore_result=True)
def training() -> list[str]:
    """Nightly: retrain the click and purchase models."""
    from learning.service import models_train

    return [r.message for r in models_train()]
