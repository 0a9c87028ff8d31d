"""Segment-level purchase rates: the purchase model's fallback when boosting cannot beat the prior.

Purchases are rare (a few per hundred clicks), so a marketplace's first weeks may hold too
few for a gradient-boosted model to learn more than noise. ``SegmentRates`` learns one
purchase rate per segment of listings (department x condition x log-price band, from the
same feature matrix as the models, ``features.COLUMNS``), each shrunk toward its parent
segment by empirical Bayes: department toward the overall rate, department x condition
toward its department, and the full segment toward its department x condition (condition
before price: four values split the clicks less than a dozen price bands). A segment
with few clicks therefore says little more than its parent; a large one speaks for itself.
How strongly each level shrinks (its prior strength ``m``, in clicks) is estimated from
the data: from how far the segments' observed rates spread beyond what binomial noise
alone would give (method of moments on a beta-binomial).

It is a scikit-learn style classifier (``fit``, ``predict_proba`` giving an (n, 2) array,
picklable with joblib), so ``ModelPredictor`` serves it like the boosted model. Placement
and position columns are ignored. Prediction is vectorised (a sorted-key lookup per
level): a whole catalog is scored in one call.
"""

from __future__ import annotations

import numpy as np

from learning.features import COLUMNS

DEPARTMENT = COLUMNS.index("department")
CONDITION = COLUMNS.index("condition")
LOG_PRICE = COLUMNS.index("log_price")

_BANDS = 64  # log-price bands, offset so that every band code is >= 0
_BAND_OFFSET = 24
_CONDITIONS = 8
MIN_STRENGTH = 1.0  # in clicks: even a level whose segments differ a lot borrows a little
MAX_STRENGTH = 1e6  # segments indistinguishable from their parent: its rate, in effect
EPSILON = 1e-6


class SegmentRates:
    """Purchase rate per department x condition x log-price band, shrunk toward its parents.

    ``band_width``: width of a price band in log dollars (0.5: each band spans a factor of
    about 1.65). After ``fit``: ``overall_`` (the overall rate), ``levels_`` (per level,
    the sorted segment keys and their shrunk rates) and ``strengths_`` (the prior strength
    each level used, for reports).
    """

    def __init__(self, band_width: float = 0.5) -> None:
        self.band_width = band_width

    # scikit-learn's estimator protocol, without inheriting its machinery.
    def get_params(self, deep: bool = True) -> dict:
        return {"band_width": self.band_width}

    def set_params(self, **params) -> SegmentRates:
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def _keys(self, X: np.ndarray) -> list[np.ndarray]:
        """Integer keys per level, each level nested in the one before it."""
        department = np.clip(X[:, DEPARTMENT], 0, None).astype(np.int64)
        band = np.clip(np.floor(X[:, LOG_PRICE] / self.band_width) + _BAND_OFFSET, 0, _BANDS - 1).astype(np.int64)
        condition = np.clip(np.rint(X[:, CONDITION]), 0, _CONDITIONS - 1).astype(np.int64)
        department_condition = department * _CONDITIONS + condition
        return [department, department_condition, department_condition * _BANDS + band]

    def fit(self, X: np.ndarray, y: np.ndarray) -> SegmentRates:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = X.shape[1]
        self.overall_ = float(np.clip(y.mean() if len(y) else 0.0, EPSILON, 1 - EPSILON))
        parent = np.full(len(y), self.overall_)
        self.levels_: list[tuple[np.ndarray, np.ndarray]] = []
        self.strengths_: list[float] = []
        for keys in self._keys(X):
            segments, inverse = np.unique(keys, return_inverse=True)
            counts = np.bincount(inverse).astype(np.float64)
            sums = np.bincount(inverse, weights=y)
            # Levels nest, so every row of a segment has the same parent rate.
            parent_rates = np.bincount(inverse, weights=parent) / counts
            strength = prior_strength(counts, sums, parent_rates)
            rates = np.clip((sums + strength * parent_rates) / (counts + strength), EPSILON, 1 - EPSILON)
            self.levels_.append((segments, rates))
            self.strengths_.append(strength)
            parent = rates[inverse]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        p = np.full(len(X), self.overall_)
        for keys, (segments, rates) in zip(self._keys(X), self.levels_, strict=True):
            if not len(segments):
                continue
            at = np.clip(np.searchsorted(segments, keys), 0, len(segments) - 1)
            seen = segments[at] == keys
            p = np.where(seen, rates[at], p)  # a segment unseen in training keeps its parent's rate
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


def prior_strength(counts: np.ndarray, sums: np.ndarray, parent_rates: np.ndarray) -> float:
    """Empirical-Bayes prior strength ``m`` (in rows) for segments around their parents' rates.

    If a segment's true rate is drawn from a beta with its parent's rate ``p`` as mean and
    strength ``m``, its observed rate ``r`` over ``n`` rows has
    ``E[(r - p)^2 / (p (1 - p))] ~ 1 / (m + 1) + 1 / n``. Averaging over segments (weighted
    by rows) gives ``1 / (m + 1)``; no spread beyond noise gives ``MAX_STRENGTH``.
    """
    if not len(counts):
        return MAX_STRENGTH
    rates = sums / counts
    spread = parent_rates * (1 - parent_rates)
    z = (rates - parent_rates) ** 2 / np.maximum(spread, EPSILON)
    between = float((counts * z).sum() - len(counts)) / float(counts.sum())
    if between <= 1.0 / (MAX_STRENGTH + 1):
        return MAX_STRENGTH
    return float(np.clip(1.0 / between - 1.0, MIN_STRENGTH, MAX_STRENGTH))
