"""The Celery app and its beat schedule (in code, so every deployment has the same one)."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("closetads")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each periodic task is a thin wrapper over a service and is safe to run twice.
app.conf.beat_schedule = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60.0},
    "attribution": {"task": "analytics.tasks.attribution", "schedule": 60.0},
    "rollups": {"task": "analytics.tasks.rollups", "schedule": 60.0},
    "pacing": {"task": "auction.tasks.pacing", "schedule": 60.0},
    "training": {"task": "learning.tasks.training", "schedule": crontab(hour=3, minute=0)},
    "lift": {"task": "analytics.tasks.lift", "schedule": crontab(minute=17)},
    "partitions": {"task": "analytics.tasks.partitions", "schedule": crontab(minute=41)},
    "forecasts": {"task": "campaigns.tasks.forecasts", "schedule": 600.0},
    "alerts": {"task": "alerts.tasks.alerts", "schedule": 60.0},
}
