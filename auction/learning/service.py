"""Training, storing and serving the click and purchase models."""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from dataclasses import dataclass

import joblib
import numpy as np
from django.db import transaction
from threadpoolctl import threadpool_limits

from auction.learning.dataset import Dataset, click_dataset, purchase_dataset
from auction.learning.features import PLACEMENTS as FEATURE_PLACEMENTS
from auction.learning.features import ItemFeatures, Vocabulary, feature_matrix
from auction.learning.training import train_classifier
from auction.models import ModelVersion
from auction.position import PositionCurve
from auction.predict import PLACEMENTS, ListingFeatures, Predictor, PriorPredictor, ScoresByPlacement
from closetads import changes, clock

logger = logging.getLogger(__name__)

MODELS = "models"  # change topic: auction indexes rebuild their scores when it moves
MIN_ROWS = {ModelVersion.Kind.CLICK: 2_000, ModelVersion.Kind.PURCHASE: 500}
MIN_POSITIVES = 30


@dataclass(frozen=True)
class TrainResult:
    kind: str
    version_id: int | None
    activated: bool
    message: str


def _store(kind: str, dataset: Dataset | None) -> TrainResult:
    if dataset is None or len(dataset.y) < MIN_ROWS[kind] or int(dataset.y.sum()) < MIN_POSITIVES:
        rows = 0 if dataset is None else len(dataset.y)
        return TrainResult(kind, None, False, f"too little data ({rows} rows) to train a {kind} model")
    with threadpool_limits(limits=1):  # predictable on a small shared machine; HGB trains fast anyway
        model, evaluation = train_classifier(dataset.X, dataset.y)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    better = evaluation.log_loss < evaluation.baseline_log_loss
    with transaction.atomic():
        if better:
            ModelVersion.objects.filter(kind=kind, active=True).update(active=False)
        version = ModelVersion.objects.create(
            kind=kind, active=better, rows_train=evaluation.rows_train, rows_test=evaluation.rows_test,
            positive_rate=evaluation.positive_rate, auc=evaluation.auc, log_loss=evaluation.log_loss,
            calibration_error=evaluation.calibration_error, baseline_auc=evaluation.baseline_auc,
            baseline_log_loss=evaluation.baseline_log_loss, train_seconds=evaluation.seconds,
            vocabulary=dataset.vocabulary.as_dict(), blob=buffer.getvalue(),
        )
        if better:
            changes.bump(MODELS)
    verdict = "activated" if better else "kept inactive: no better than the category prior"
    return TrainResult(kind, version.pk, better, (
        f"{kind} model {version.pk}: AUC {evaluation.auc:.3f} (prior {evaluation.baseline_auc:.3f}), "
        f"log loss {evaluation.log_loss:.4f} (prior {evaluation.baseline_log_loss:.4f}), "
        f"calibration error {evaluation.calibration_error:.4f}, {evaluation.rows_train} rows, "
        f"{evaluation.seconds:.1f} s; {verdict}"))


def models_train(now: dt.datetime | None = None, days: int = 28, limit: int = 1_000_000) -> list[TrainResult]:
    """Train the click and purchase models on the last ``days`` of traffic; activate each
    new version that beats the category prior on held-out log loss."""
    now = now or clock.now()
    since = now - dt.timedelta(days=days)
    return [
        _store(ModelVersion.Kind.CLICK, click_dataset(since, now, limit)),
        _store(ModelVersion.Kind.PURCHASE, purchase_dataset(since, now, limit)),
    ]


class _Loaded:
    def __init__(self, version: ModelVersion) -> None:
        self.id = version.pk
        self.model = joblib.load(io.BytesIO(bytes(version.blob)))
        self.vocabulary = Vocabulary.from_dict(version.vocabulary)


_cache: dict[int, _Loaded] = {}
_cache_lock = threading.Lock()


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
    """The position curve stored with the active click model, or None when there is none."""
    row = ModelVersion.objects.filter(kind=ModelVersion.Kind.CLICK, active=True).values_list(
        "pk", "position_curve").first()
    if row is None:
        return None
    return PositionCurve.from_dict(row[1], source=f"click model {row[0]}")


def model_predictor() -> Predictor | None:
    """The predictor over the active model versions, or None when no model is active."""
    active = dict(ModelVersion.objects.filter(active=True).values_list("kind", "pk"))
    if not active:
        return None
    click = _loaded(active[ModelVersion.Kind.CLICK]) if ModelVersion.Kind.CLICK in active else None
    purchase = _loaded(active[ModelVersion.Kind.PURCHASE]) if ModelVersion.Kind.PURCHASE in active else None
    return ModelPredictor(click, purchase)
