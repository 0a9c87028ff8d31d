"""The figures a run is judged by: budget use, pacing error, exhaustion, lift.

Plain functions over plain data (the runner reads the platform's tables and passes rows).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PeriodMeasure:
    utilisation: float  # spent / budget
    overspend_micros: int  # max(0, spent - budget): must be 0
    pacing_error: float  # mean over hours of |spent so far - ideal so far| / budget
    exhausted_early: bool  # budget gone before 90% of the week


def period_measure(budget_micros: int, week_start: dt.datetime, hours: int,
                   charges: Sequence[tuple[dt.datetime, int]], ideal_share: Callable[[float], float],
                   exhausted_at: dt.datetime | None, reserve_micros: int) -> PeriodMeasure:
    """Measure one budget period over its first ``hours`` hours (the simulated part of it).

    The ideal spend curve follows the week's traffic: budget x share of the week's traffic
    passed. "Exhausted" means less than one reserve-price click left.
    """
    if budget_micros <= 0:
        return PeriodMeasure(0.0, 0, 0.0, False)
    ordered = sorted(charges)
    spent = sum(amount for _, amount in ordered)
    cumulative, errors, i = 0, [], 0
    for hour in range(1, hours + 1):
        edge = week_start + dt.timedelta(hours=hour)
        while i < len(ordered) and ordered[i][0] < edge:
            cumulative += ordered[i][1]
            i += 1
        errors.append(abs(cumulative - budget_micros * ideal_share(hour)) / budget_micros)
    gone_at = None
    running = 0
    for at, amount in ordered:
        running += amount
        if budget_micros - running < reserve_micros:
            gone_at = at
            break
    if gone_at is None and exhausted_at is not None:
        gone_at = exhausted_at
    early = gone_at is not None and gone_at < week_start + dt.timedelta(hours=0.9 * 168)
    return PeriodMeasure(
        utilisation=spent / budget_micros, overspend_micros=max(0, spent - budget_micros),
        pacing_error=float(np.mean(errors)) if errors else 0.0, exhausted_early=early,
    )


def median(values: Sequence[float]) -> float | None:
    return float(np.median(values)) if len(values) else None


@dataclass(frozen=True)
class Lift:
    estimate: float
    low: float
    high: float


def holdout_lift(exposed: Sequence[float], holdout: Sequence[float]) -> Lift | None:
    """Relative lift of mean per-buyer sales, exposed vs held out, with a 95% interval.

    Delta method on the ratio of two independent means: Var(log R) ~ s1^2/(n1 m1^2) + s2^2/(n2 m2^2).
    """
    a, b = np.asarray(exposed, dtype=float), np.asarray(holdout, dtype=float)
    if len(a) < 2 or len(b) < 2 or a.mean() <= 0 or b.mean() <= 0:
        return None
    ratio = a.mean() / b.mean()
    se_log = math.sqrt(a.var(ddof=1) / (len(a) * a.mean() ** 2) + b.var(ddof=1) / (len(b) * b.mean() ** 2))
    return Lift(ratio - 1, ratio * math.exp(-1.96 * se_log) - 1, ratio * math.exp(1.96 * se_log) - 1)
