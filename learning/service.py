"""Training, storing and serving the click and purchase models, and the position curve.

``models_train`` (daily task, ``train_models`` command) trains on the last weeks of traffic:

- Click model: gradient boosting on organic impressions (``dataset.click_dataset``).
- Purchase model: gradient boosting *and* segment-level purchase rates
  (``segments.SegmentRates``) on clicks, evaluated on the same held-out rows; the one with
  the lower held-out log loss is stored, its name in ``vocabulary["method"]`` (both
  methods' held-out log loss and AUC in ``vocabulary["methods"]``).
- Either is activated only when it beats the category prior on held-out log loss;
  otherwise the priors keep serving (``predict.PriorPredictor``).
- Position curve ``v(k)``: organic impressions and clicks counted by page position
  (``dataset.position_counts``), fitted with ``position.fit_position_curve`` and stored on
  the new click version's ``position_curve`` (``as_dict`` plus the counts per position up
  to its depth). The auction uses the newest stored curve, active model or not
  (``active_position_curve``): how clicks fall with position does not depend on whether
  the click model beat the prior. Storing a curve bumps ``MODELS``, so indexes rebuild.

``model_figures`` reads the newest versions' figures for reports (the simulator's).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import threading
from dataclasses import dataclass

import joblib
import numpy as np
from django.db import transaction
from django.db.models import Q
from threadpoolctl import threadpool_limits

from auction.affinity import PRICE_EDGES
from auction.models import ModelVersion
from auction.position import PositionCurve, fit_position_curve
from auction.predict import PLACEMENTS, ListingFeatures, Predictor, PriorPredictor, ScoresByPlacement
from core import changes, clock, state
from learning.affinity import affinity_learn, price_fit_learn, shopper_traffic
from learning.dataset import Dataset, click_dataset, position_counts, purchase_dataset
from learning.features import PLACEMENTS as FEATURE_PLACEMENTS
from learning.features import ItemFeatures, Vocabulary, feature_matrix
from learning.training import GRADIENT_BOOSTING, METHODS, SEGMENT_RATES

logger = logging.getLogger(__name__)

MODELS = changes.MODELS  # change topic: auction indexes rebuild their scores when it moves
MIN_ROWS: dict[str, int] = {ModelVersion.Kind.CLICK: 2_000, ModelVersion.Kind.PURCHASE: 500}
MIN_POSITIVES = 30
# Which methods compete for each kind (the lower held-out log loss is stored).
METHODS_BY_KIND: dict[str, tuple[str, ...]] = {
    ModelVersion.Kind.CLICK: (GRADIENT_BOOSTING,),
    ModelVersion.Kind.PURCHASE: (GRADIENT_BOOSTING, SEGMENT_RATES),
}
# vocabulary["method"] of a click version that carries only a position curve (no model).
CURVE_ONLY = "position_curve_only"


@dataclass(frozen=True)
class TrainResult:
    kind: str
    version_id: int | None
    activated: bool
    message: str


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _curve_text(curve: dict | None) -> str:
    if not curve or "exponent" not in curve:
        return "too few organic clicks by position to fit a position curve"
    return f"position curve v(k) = k^-{curve['exponent']:.3f} over {curve['depth']} positions"


def _store(kind: str, dataset: Dataset | None, curve: dict | None = None) -> TrainResult:
    """Train ``kind``'s competing methods on ``dataset``, store the best as a new version
    (active if it beats the category prior), with ``curve`` as its position curve.

    With too little data for a model, a ``curve`` is still stored: on a version without a
    model (empty blob, no figures, ``vocabulary["method"] = CURVE_ONLY``, never active),
    so that a young marketplace learns its position curve before it has clicks enough for
    a click model. Without a curve nothing is stored.
    """
    rows = 0 if dataset is None else len(dataset.y)
    if dataset is None or rows < MIN_ROWS[kind] or int(dataset.y.sum()) < MIN_POSITIVES:
        message = f"too little data ({rows} rows) to train a {kind} model"
        if not curve:
            return TrainResult(kind, None, False, message)
        with transaction.atomic():
            version = ModelVersion.objects.create(kind=kind, active=False, vocabulary={"method": CURVE_ONLY},
                                                  position_curve=curve, blob=b"")
            changes.bump(MODELS)
        return TrainResult(kind, version.pk, False, f"{message}; {_curve_text(curve)} stored on {kind} "
                                                    f"version {version.pk} (no model)")
    with threadpool_limits(limits=1):  # predictable on a small shared machine; HGB trains fast anyway
        fitted = {name: METHODS[name](dataset.X, dataset.y) for name in METHODS_BY_KIND[kind]}
    method = min(fitted, key=lambda name: fitted[name][1].log_loss)  # ties: the first listed
    model, evaluation = fitted[method]
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    better = evaluation.log_loss < evaluation.baseline_log_loss
    vocabulary = dataset.vocabulary.as_dict() | {"method": method, "methods": {
        name: {"log_loss": _finite(e.log_loss), "auc": _finite(e.auc)} for name, (_, e) in fitted.items()}}
    with transaction.atomic():
        if better:
            ModelVersion.objects.filter(kind=kind, active=True).update(active=False)
        version = ModelVersion.objects.create(
            kind=kind, active=better, rows_train=evaluation.rows_train, rows_test=evaluation.rows_test,
            positive_rate=evaluation.positive_rate, auc=evaluation.auc, log_loss=evaluation.log_loss,
            calibration_error=evaluation.calibration_error, baseline_auc=evaluation.baseline_auc,
            baseline_log_loss=evaluation.baseline_log_loss, train_seconds=evaluation.seconds,
            vocabulary=vocabulary, position_curve=curve or {}, blob=buffer.getvalue(),
        )
        if better or curve:
            changes.bump(MODELS)
    verdict = "activated" if better else "kept inactive: no better than the category prior"
    others = "".join(f"; {name} log loss {e.log_loss:.4f}" for name, (_, e) in fitted.items() if name != method)
    return TrainResult(kind, version.pk, better, (
        f"{kind} model {version.pk} ({method}{others}): AUC {evaluation.auc:.3f} "
        f"(prior {evaluation.baseline_auc:.3f}), "
        f"log loss {evaluation.log_loss:.4f} (prior {evaluation.baseline_log_loss:.4f}), "
        f"calibration error {evaluation.calibration_error:.4f}, {evaluation.rows_train} rows, "
        f"{evaluation.seconds:.1f} s; {verdict}" + (f"; {_curve_text(curve)}" if kind == ModelVersion.Kind.CLICK
                                                     else "")))


def position_curve_learn(since: dt.datetime, until: dt.datetime) -> dict | None:
    """The position curve fitted on organic impressions and clicks by page position in
    [since, until), as stored on a click version: ``PositionCurve.as_dict()`` plus
    ``impressions`` and ``clicks``, the counts per position 1..depth it was fitted on. None
    when there is too little data (``fit_position_curve``)."""
    from auction.models import AuctionSettings

    impressions, clicks = position_counts(since, until)
    layout = AuctionSettings.load().slot_positions
    slot_places = {int(p) for positions in (layout.values() if isinstance(layout, dict) else ()) for p in positions}
    curve = fit_position_curve(impressions, clicks, source=f"organic clicks {since:%Y-%m-%d} to {until:%Y-%m-%d}",
                               exclude=slot_places)
    if curve is None:
        return None
    positions = range(1, curve.depth + 1)
    return curve.as_dict() | {"impressions": [impressions.get(k, 0) for k in positions],
                              "clicks": [clicks.get(k, 0) for k in positions]}


def models_train(now: dt.datetime | None = None, days: int = 28, limit: int = 1_000_000) -> list[TrainResult]:
    """Train the click and purchase models on the last ``days`` of traffic; activate each
    new version that beats the category prior on held-out log loss. The position curve
    learnt over the same days is stored with the click version (see ``_store``)."""
    now = now or clock.now()
    since = now - dt.timedelta(days=days)
    # What the page and the shopper do to a listing's clicks, stored together on the click
    # version: the position curve, and the lift of the shopper's own brands.
    curve = position_curve_learn(since, now) or {}
    traffic = shopper_traffic(since, now, limit)
    affinity = affinity_learn(since, now, limit, traffic)
    if affinity:
        curve["affinity"] = {kind: figures.as_dict() for kind, figures in affinity.items()}
    price_fit = price_fit_learn(since, now, limit, traffic)
    if price_fit is not None:
        curve["price_fit"] = price_fit
    return [
        _store(ModelVersion.Kind.CLICK, click_dataset(since, now, limit), curve or None),
        _store(ModelVersion.Kind.PURCHASE, purchase_dataset(since, now, limit)),
    ]


class _Loaded:
    def __init__(self, version: ModelVersion) -> None:
        self.id = version.pk
        self.model = joblib.load(io.BytesIO(bytes(version.blob)))
        self.vocabulary = Vocabulary.from_dict(version.vocabulary)


_cache: dict[int, _Loaded] = {}
_cache_lock = threading.Lock()


def models_forget() -> None:
    """Drop the loaded models (tests: a new database reuses version ids)."""
    with _cache_lock:
        _cache.clear()


state.register("loaded models", models_forget)


def _loaded(version_id: int) -> _Loaded:
    with _cache_lock:
        if version_id not in _cache:
            if len(_cache) >= 4:  # a click and a purchase model, plus the ones they replace
                _cache.clear()
            _cache[version_id] = _Loaded(ModelVersion.objects.get(pk=version_id))
        return _cache[version_id]


class ModelPredictor(Predictor):
    """Trained models for clicks (and purchases when there is one); priors fill any gap.

    Position is a training feature and fixed at 1 here. A whole catalog is scored in one
    vectorised call per model when the auction index builds.
    """

    def __init__(self, click: _Loaded | None, purchase: _Loaded | None) -> None:
        self.click, self.purchase, self.prior = click, purchase, PriorPredictor()
        self.version = f"models-c{click.id if click else 0}-p{purchase.id if purchase else 0}"

    def scores(self, listing: ListingFeatures, placement: str):
        return self.scores_by_placement([listing])[0][PLACEMENTS.index(placement)]

    def scores_by_placement(self, listings) -> list[ScoresByPlacement]:
        priors = self.prior.scores_by_placement(listings)
        if not listings:
            return priors
        items = _items(listings)
        ctr = self._predict(self.click, items)
        cvr = self._predict(self.purchase, items)
        out = []
        for i, prior in enumerate(priors):
            out.append(tuple(
                (float(ctr[i, j]) if ctr is not None else prior[j][0],
                 float(cvr[i, j]) if cvr is not None else prior[j][1])
                for j in range(len(PLACEMENTS))))
        return out

    @staticmethod
    def _predict(loaded: _Loaded | None, items: list[ItemFeatures]) -> np.ndarray | None:
        if loaded is None:
            return None
        n = len(items)
        grid = [(item, placement) for placement in PLACEMENTS for item in items]
        placements = [p if p in FEATURE_PLACEMENTS else "search" for _, p in grid]
        X = feature_matrix([g[0] for g in grid], placements, [1] * len(grid), loaded.vocabulary)
        with threadpool_limits(limits=1):
            p = loaded.model.predict_proba(X)[:, 1]
        return np.clip(p.reshape(len(PLACEMENTS), n).T, 0.0, 1.0)


def _items(listings) -> list[ItemFeatures]:
    from django.db.models import Count

    from sellers.models import Listing, Seller

    now = clock.now()
    seller_ids = {listing.seller_id for listing in listings}
    closet = dict(Listing.objects.filter(seller_id__in=seller_ids).values_list("seller_id")
                  .annotate(n=Count("id")).values_list("seller_id", "n"))
    joined = dict(Seller.objects.filter(pk__in=seller_ids).values_list("pk", "joined_at"))
    items = []
    for listing in listings:
        joined_at = joined.get(listing.seller_id)
        items.append(ItemFeatures(
            category=listing.category, brand=listing.brand, condition=listing.condition,
            price_micros=listing.price_micros,
            age_days=(now - listing.listed_at).total_seconds() / 86400 if listing.listed_at else 0.0,
            closet_size=closet.get(listing.seller_id, 1),
            seller_tenure_days=(now - joined_at).total_seconds() / 86400 if joined_at else 0.0,
        ))
    return items


def active_position_curve() -> PositionCurve | None:
    """The position curve the auction uses: the newest click version's that has one, whether
    that version's model is active or not; None before any was learnt."""
    row = (ModelVersion.objects.filter(kind=ModelVersion.Kind.CLICK, position_curve__has_key="exponent")
           .order_by("-created_at", "-pk").values_list("pk", "position_curve").first())
    if row is None:
        return None
    return PositionCurve.from_dict(row[1], source=f"click model {row[0]}")


def active_shopper_figures() -> tuple[float, float, tuple[float, ...]]:
    """What the newest click version learnt of shoppers: the lift of their own brands and of
    their own sizes (1.0: none learnt) and the factors per price band against their usual
    price (empty: none)."""
    curve = (ModelVersion.objects.filter(kind=ModelVersion.Kind.CLICK)
             .filter(Q(position_curve__has_key="affinity") | Q(position_curve__has_key="price_fit"))
             .order_by("-created_at", "-pk").values_list("position_curve", flat=True).first()) or {}
    affinity = curve.get("affinity") or {}
    lifts = [float((affinity.get(kind) or {}).get("lift") or 1.0) for kind in ("brand", "size")]
    price_fit = curve.get("price_fit") or {}
    factors = tuple(float(f) for f in price_fit.get("factors") or ())
    if tuple(price_fit.get("edges") or ()) != PRICE_EDGES or len(factors) != len(PRICE_EDGES) + 1:
        factors = ()  # learnt with other bands: not comparable
    return lifts[0], lifts[1], factors


def model_predictor() -> Predictor | None:
    """The predictor over the active model versions, or None when no model is active."""
    active = dict(ModelVersion.objects.filter(active=True).values_list("kind", "pk"))
    if not active:
        return None
    click = _loaded(active[ModelVersion.Kind.CLICK]) if ModelVersion.Kind.CLICK in active else None
    purchase = _loaded(active[ModelVersion.Kind.PURCHASE]) if ModelVersion.Kind.PURCHASE in active else None
    return ModelPredictor(click, purchase)


def _rounded(value: float | None) -> float | None:
    value = _finite(value)
    return None if value is None else round(value, 4)


def _newest_model(kind: str) -> ModelVersion | None:
    # rows_train > 0: a version with a model (not one that carries only a position curve).
    return (ModelVersion.objects.filter(kind=kind, rows_train__gt=0).defer("blob")
            .order_by("-created_at", "-pk").first())


def model_figures() -> dict:
    """The held-out figures of the newest click and purchase models and of the position
    curve in use, flat, for reports (the simulator's).

    ``model_click_*``: the newest click version with a model; ``model_purchase_*``: the
    newest purchase version, active or not (``model_purchase_active`` says whether it
    serves; ``model_purchase_method`` how it was fitted: ``gradient_boosting`` or
    ``segment_rates``); ``position_curve_*``: the curve ``active_position_curve`` returns.
    Floats rounded to 4 places; None where there is no such version or figure.
    """
    click = _newest_model(ModelVersion.Kind.CLICK)
    purchase = _newest_model(ModelVersion.Kind.PURCHASE)
    curve = active_position_curve()

    def figure(version: ModelVersion | None, field: str) -> float | None:
        return None if version is None else _rounded(getattr(version, field))

    return {
        "model_click_auc": figure(click, "auc"),
        "model_click_prior_auc": figure(click, "baseline_auc"),
        "model_click_log_loss": figure(click, "log_loss"),
        "model_click_prior_log_loss": figure(click, "baseline_log_loss"),
        "model_click_calibration_error": figure(click, "calibration_error"),
        "model_click_rows_train": None if click is None else click.rows_train,
        "model_purchase_log_loss": figure(purchase, "log_loss"),
        "model_purchase_prior_log_loss": figure(purchase, "baseline_log_loss"),
        "model_purchase_auc": figure(purchase, "auc"),
        "model_purchase_prior_auc": figure(purchase, "baseline_auc"),
        "model_purchase_rows_train": None if purchase is None else purchase.rows_train,
        "model_purchase_positive_rate": figure(purchase, "positive_rate"),
        "model_purchase_method": None if purchase is None else purchase.method,
        "model_purchase_active": purchase is not None and purchase.active,
        "position_curve_exponent": None if curve is None else _rounded(curve.exponent),
        "position_curve_depth": None if curve is None else curve.depth,
    }
