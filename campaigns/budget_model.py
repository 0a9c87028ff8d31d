"""A model of what a weekly budget buys, learned from finished campaign weeks.

Plain functions over plain rows (``campaigns.selectors.WeekOutcome``), no database. For
each outcome present in enough rows (charged clicks always; impressions and sales once the
analytics rollups fill them in) a gradient-boosted tree model predicts log(1 + outcome)
from the week's budget and what was promoted. The prediction is constrained to grow (or
stay flat) with the budget, so the curve of clicks against budget never bends down.

Ranges come from a held-out 20% of the campaigns (split by campaign, so weeks of the same
closet are never on both sides): the 10th and 90th percentiles of the held-out errors are
added to the prediction (a split-conformal interval, ~80% coverage when the future looks
like the past). Training is deterministic (fixed random_state) and single-threaded: on
a busy 2-core machine OpenMP threads made it 0.8-3 s (median) instead of 0.16-0.37 s
for 200-20,000 rows (docs/architecture/campaigns.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import GroupShuffleSplit
from threadpoolctl import threadpool_limits

from campaigns.evidence import expected_clicks, market_evidence, market_rates
from campaigns.selectors import WeekOutcome

MIN_WEEKS = 200  # finished campaign weeks before the model replaces the rules
MIN_CAMPAIGNS = 20  # ... from at least this many campaigns
MIN_CATEGORY_ROWS = 20  # a top-level category needs this many weeks to get its own code
RANDOM_STATE = 0
INTERVAL = (10, 90)  # percentiles of held-out errors that bound the forecast ranges
TARGETS = ("clicks", "impressions", "sales")
# Feature columns; the category column is categorical (coded), the others numeric.
FEATURES = ("log_budget", "week_share", "log_listings", "log_price", "manual", "category")
_MONOTONIC = [1, 1, 0, 0, 0, 0]  # more budget, or more of the week, never predicts less


def _target_value(row: WeekOutcome, target: str) -> int | None:
    if target == "clicks":
        return row.charged_clicks
    return getattr(row, target)


@dataclass(frozen=True)
class TargetFit:
    """One fitted outcome: the regressor, its error band (log space) and held-out figures."""

    regressor: HistGradientBoostingRegressor
    error_low: float
    error_high: float
    rows: int
    holdout_rows: int
    holdout_mae: float  # mean absolute error of the median forecast, in outcome units
    holdout_coverage: float  # share of held-out weeks inside their forecast range
    # Clicks only: the same held-out weeks forecast from the market's evidence of the
    # training weeks (campaigns.evidence): the model is used only where it does better.
    evidence_mae: float | None = None

    @property
    def beats_evidence(self) -> bool:
        return self.evidence_mae is None or self.holdout_mae < self.evidence_mae


@dataclass(frozen=True)
class BudgetModel:
    categories: tuple[str, ...]  # coded 0..n-1; anything else is n ("other")
    fits: dict[str, TargetFit]
    weeks: int
    campaigns: int
    sellers: int
    summary: dict[str, float] = field(default_factory=dict)

    def category_code(self, category: str) -> int:
        try:
            return self.categories.index(category)
        except ValueError:
            return len(self.categories)

    def features(self, *, budgets_micros: Sequence[int], listings: int, average_price_micros: int,
                 category: str, manual: bool = False, week_share: float = 1.0) -> np.ndarray:
        """The feature matrix for one closet at several weekly budgets."""
        n = len(budgets_micros)
        x = np.empty((n, len(FEATURES)), dtype=float)
        x[:, 0] = np.log1p(np.asarray(budgets_micros, dtype=float) / 1e6)
        x[:, 1] = week_share
        x[:, 2] = math.log1p(max(0, listings))
        x[:, 3] = math.log1p(max(0, average_price_micros) / 1e6)
        x[:, 4] = 1.0 if manual else 0.0
        x[:, 5] = self.category_code(category)
        return x

    def predict(self, target: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(low, median, high) of ``target`` per row of ``x``, as non-negative floats."""
        fit = self.fits[target]
        mid = fit.regressor.predict(x)
        return (np.maximum(0.0, np.expm1(mid + fit.error_low)), np.maximum(0.0, np.expm1(mid)),
                np.maximum(0.0, np.expm1(mid + fit.error_high)))


def _matrix(rows: Sequence[WeekOutcome], categories: tuple[str, ...]) -> np.ndarray:
    codes = {c: i for i, c in enumerate(categories)}
    other = len(categories)
    return np.array([
        (math.log1p(r.budget_micros / 1e6), r.week_share, math.log1p(r.promoted_listings),
         math.log1p(r.average_price_micros / 1e6), 1.0 if r.bidding == "manual" else 0.0,
         codes.get(r.main_category, other))
        for r in rows
    ], dtype=float)


def _regressor(n_categories: int, n_rows: int) -> HistGradientBoostingRegressor:
    categorical = [False] * (len(FEATURES) - 1) + [True]
    # Leaves of 20 weeks on large histories; smaller ones on a short history, where 20
    # would leave too few leaves to see the budget's effect at all.
    leaf = max(5, min(20, n_rows // 40))
    return HistGradientBoostingRegressor(
        max_iter=120, learning_rate=0.08, max_leaf_nodes=15, min_samples_leaf=leaf, l2_regularization=1.0,
        monotonic_cst=_MONOTONIC, categorical_features=categorical if n_categories else None,
        early_stopping=False, random_state=RANDOM_STATE,
    )


def _evidence_forecasts(rows: Sequence[WeekOutcome], train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Held-out weeks' clicks as ``campaigns.evidence`` forecasts them from the training weeks."""
    rates = market_rates([rows[i] for i in train], reserve_micros=1)
    predicted = []
    for i in test:
        row = rows[i]
        evidence = market_evidence(rates, listings=row.promoted_listings, category=row.main_category)
        share = max(row.week_share, 1e-6)
        predicted.append(0.0 if evidence is None else expected_clicks(evidence, row.budget_micros / share) * share)
    return np.array(predicted)


def _fit_target(x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_categories: int,
                rows: Sequence[WeekOutcome] | None = None) -> TargetFit:
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=RANDOM_STATE)
    train, test = next(splitter.split(x, y, groups))
    log_y = np.log1p(y)
    regressor = _regressor(n_categories, len(train)).fit(x[train], log_y[train])
    predicted = regressor.predict(x[test])
    errors = log_y[test] - predicted
    low, high = (float(v) for v in np.percentile(errors, INTERVAL))
    inside = (log_y[test] >= predicted + low) & (log_y[test] <= predicted + high)
    mae = float(np.mean(np.abs(np.expm1(predicted) - y[test])))
    evidence_mae = None
    if rows is not None:
        evidence_mae = float(np.mean(np.abs(_evidence_forecasts(rows, train, test) - y[test])))
    return TargetFit(regressor, low, high, len(y), len(test), mae, float(np.mean(inside)), evidence_mae)


def budget_model_train(rows: Sequence[WeekOutcome]) -> BudgetModel | None:
    """Fit the model on finished campaign weeks; None below the minimum history.

    Needs ``MIN_WEEKS`` rows from ``MIN_CAMPAIGNS`` campaigns. Impressions and sales are
    modelled only when that many rows carry them; otherwise callers derive them from
    clicks with priors.
    """
    campaigns = {r.campaign_id for r in rows}
    if len(rows) < MIN_WEEKS or len(campaigns) < MIN_CAMPAIGNS:
        return None
    # One thread: a web or worker process shares its cores; OpenMP threads fighting for
    # them cost 5-10x (measured), and the data are small.
    with threadpool_limits(limits=1, user_api="openmp"):
        return _train(rows, campaigns)


def _train(rows: Sequence[WeekOutcome], campaigns: set[int]) -> BudgetModel:
    counts = Counter(r.main_category for r in rows)
    categories = tuple(sorted(c for c, n in counts.items() if n >= MIN_CATEGORY_ROWS))
    fits: dict[str, TargetFit] = {}
    for target in TARGETS:
        values = [(r, value) for r in rows if (value := _target_value(r, target)) is not None]
        usable = [r for r, _ in values]
        if len(usable) < MIN_WEEKS or len({r.campaign_id for r in usable}) < MIN_CAMPAIGNS:
            continue
        x = _matrix(usable, categories)
        y = np.array([float(value) for _, value in values])
        groups = np.array([r.campaign_id for r in usable])
        fits[target] = _fit_target(x, y, groups, len(categories), usable if target == "clicks" else None)
    summary = {f"{t}_holdout_mae": f.holdout_mae for t, f in fits.items()}
    summary.update({f"{t}_holdout_coverage": f.holdout_coverage for t, f in fits.items()})
    if "clicks" in fits and fits["clicks"].evidence_mae is not None:
        summary["clicks_evidence_holdout_mae"] = fits["clicks"].evidence_mae
    return BudgetModel(categories=categories, fits=fits, weeks=len(rows), campaigns=len(campaigns),
                       sellers=len({r.seller_id for r in rows}), summary=summary)
