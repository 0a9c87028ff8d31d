"""Settings of the events benchmark's gunicorn: production's, plus the ceiling endpoint's URL
(dev/bench/events_ceiling.py), which no production URL configuration includes."""

from config.settings import *  # noqa: F403 - production's settings, one of them replaced

ROOT_URLCONF = "dev.bench.events_ceiling"
