"""Training speed of the click model on one million impressions (synthetic rows with the
production feature pipeline's columns), on one thread as in production."""

from __future__ import annotations

import json
import sys
import time

NOTE = ("`learning.training.train_classifier` (HistGradientBoosting, early stopping, one thread) on "
        "synthetic rows shaped like the feature pipeline's output; the target is under 120 s for 1M impressions.")


def run(quick: bool = False) -> dict:
    import numpy as np
    from threadpoolctl import threadpool_limits

    from learning.features import COLUMNS
    from learning.training import train_classifier

    n = 100_000 if quick else 1_000_000
    rng = np.random.default_rng(0)
    X = np.column_stack([
        rng.integers(0, 14, n), rng.integers(0, 5, n), rng.integers(0, 21, n), rng.integers(1, 6, n),
        rng.integers(0, 4, n), rng.normal(3.5, 0.8, n), rng.normal(0, 0.5, n), rng.exponential(60, n),
        rng.normal(3, 1.2, n), rng.uniform(30, 3000, n), rng.integers(1, 29, n),
    ]).astype(float)
    assert X.shape[1] == len(COLUMNS)
    logit = -2.5 + 0.05 * (X[:, 2] - 10) + 0.3 * X[:, 4] - 0.4 * X[:, 6] - 0.04 * X[:, 10]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    began = time.perf_counter()
    with threadpool_limits(limits=1):
        _, evaluation = train_classifier(X, y)
    return {"rows": n, "train_seconds": round(time.perf_counter() - began, 1), "auc": round(evaluation.auc, 4),
            "prior_auc": round(evaluation.baseline_auc, 4), "calibration_error": round(evaluation.calibration_error, 4)}


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
