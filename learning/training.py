"""Training and evaluating a calibrated click (or purchase) model; plain arrays in and out.

Two methods, evaluated alike (same 80/20 split, same category prior as the baseline):
``train_classifier`` (gradient boosting, the click and purchase models) and
``train_segment_rates`` (purchase rates per segment, ``segments.SegmentRates``: the
purchase model's fallback). ``METHODS`` names them as model versions record them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss, roc_auc_score

from learning.features import CATEGORICAL
from learning.segments import SegmentRates

POSITION_COLUMN = -1  # position is the last feature column


@dataclass(frozen=True)
class Evaluation:
    auc: float
    log_loss: float
    calibration_error: float  # expected calibration error over 10 probability bins
    baseline_auc: float  # category prior (mean rate per category in training)
    baseline_log_loss: float
    rows_train: int
    rows_test: int
    positive_rate: float
    seconds: float


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean |observed rate - predicted| over equal-count bins, weighted by bin size."""
    if len(y) == 0:
        return 0.0
    order = np.argsort(p)
    error = 0.0
    for chunk in np.array_split(order, bins):
        if len(chunk):
            error += len(chunk) * abs(float(y[chunk].mean()) - float(p[chunk].mean()))
    return error / len(y)


def _category_prior(train_codes: np.ndarray, y_train: np.ndarray, test_codes: np.ndarray,
                    strength: float = 20.0) -> np.ndarray:
    """Smoothed positive rate per category code: the baseline the model must beat."""
    overall = float(y_train.mean())
    sums = np.bincount(train_codes.astype(int), weights=y_train, minlength=256)
    counts = np.bincount(train_codes.astype(int), minlength=256)
    rates = (sums + strength * overall) / (counts + strength)
    return np.clip(rates[test_codes.astype(int)], 1e-6, 1 - 1e-6)


def split_train_test(n: int, test_share: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mask = rng.random(n) < test_share
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def _evaluate(X: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, p: np.ndarray,
              began: float) -> Evaluation:
    """Held-out quality of predictions ``p`` on the ``test`` rows, against the category prior."""
    baseline = _category_prior(X[train, 0], y[train], X[test, 0])
    y_test = y[test]
    two_classes = len(np.unique(y_test)) == 2
    return Evaluation(
        auc=float(roc_auc_score(y_test, p)) if two_classes else float("nan"),
        log_loss=float(log_loss(y_test, p, labels=[0, 1])),
        calibration_error=expected_calibration_error(y_test, p),
        baseline_auc=float(roc_auc_score(y_test, baseline)) if two_classes else float("nan"),
        baseline_log_loss=float(log_loss(y_test, baseline, labels=[0, 1])),
        rows_train=len(train), rows_test=len(test), positive_rate=float(y.mean()) if len(y) else 0.0,
        seconds=time.perf_counter() - began,
    )


def train_classifier(X: np.ndarray, y: np.ndarray, *, seed: int = 0
                     ) -> tuple[HistGradientBoostingClassifier, Evaluation]:
    """Fit a gradient-boosted classifier on 80% of the rows and evaluate it on the rest.

    Categorical columns are the vocabulary codes (CATEGORICAL). Log loss is the training
    objective, which keeps probabilities calibrated; the calibration error is reported.
    """
    began = time.perf_counter()
    train, test = split_train_test(len(y), seed=seed)
    model = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=50, l2_regularization=1.0,
        categorical_features=list(CATEGORICAL), early_stopping=True, validation_fraction=0.1,
        n_iter_no_change=10, random_state=seed,
    )
    model.fit(X[train], y[train])
    return model, _evaluate(X, y, train, test, model.predict_proba(X[test])[:, 1], began)


def train_segment_rates(X: np.ndarray, y: np.ndarray, *, seed: int = 0) -> tuple[SegmentRates, Evaluation]:
    """Fit shrunk segment purchase rates on the same 80% of rows as ``train_classifier``
    (same ``seed``) and evaluate them on the same 20%."""
    began = time.perf_counter()
    train, test = split_train_test(len(y), seed=seed)
    model = SegmentRates().fit(X[train], y[train])
    return model, _evaluate(X, y, train, test, model.predict_proba(X[test])[:, 1], began)


GRADIENT_BOOSTING = "gradient_boosting"
SEGMENT_RATES = "segment_rates"
METHODS = {GRADIENT_BOOSTING: train_classifier, SEGMENT_RATES: train_segment_rates}
