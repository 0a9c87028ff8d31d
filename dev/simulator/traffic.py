"""When buyers shop: an hour-of-week traffic profile (evenings and weekends are busier)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

# Relative traffic by local hour of day (0..23): quiet nights, lunch bump, evening peak.
HOURLY = np.array([0.35, 0.22, 0.15, 0.12, 0.12, 0.18, 0.35, 0.6, 0.8, 0.9, 0.95, 1.0,
                   1.1, 1.05, 0.95, 0.95, 1.0, 1.1, 1.3, 1.55, 1.7, 1.6, 1.2, 0.7])
DAILY = np.array([0.95, 0.92, 0.95, 1.0, 1.05, 1.2, 1.25])  # Monday..Sunday


def hour_of_week_weights() -> np.ndarray:
    """168 weights, Monday 00:00 first, summing to 1."""
    weights = np.array([DAILY[h // 24] * HOURLY[h % 24] for h in range(168)])
    return weights / weights.sum()


def session_times(rng: np.random.Generator, start: dt.datetime, days: int, count: int) -> list[dt.datetime]:
    """``count`` session start times over ``days`` days from ``start`` (a Monday 00:00), sorted."""
    weights = hour_of_week_weights()
    hours = days * 24
    per_hour = np.array([weights[h % 168] for h in range(hours)])
    per_hour = per_hour / per_hour.sum()
    chosen = rng.choice(hours, size=count, p=per_hour)
    offsets = rng.random(count) * 3600
    seconds = np.sort(chosen * 3600 + offsets)
    return [start + dt.timedelta(seconds=float(s)) for s in seconds]


def ideal_share(elapsed_hours: float) -> float:
    """Share of a week's traffic that has passed after ``elapsed_hours`` from Monday 00:00."""
    weights = hour_of_week_weights()
    whole = math.floor(min(max(elapsed_hours, 0.0), 168.0))
    share = float(weights[:whole].sum())
    if whole < 168:
        share += float(weights[whole]) * (elapsed_hours - whole)
    return min(1.0, share)
