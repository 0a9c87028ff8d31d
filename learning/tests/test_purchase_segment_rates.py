"""The purchase model that knows, or segment rates: the method with the lower held-out log loss is stored."""

import io

import joblib
import numpy as np
import pytest

from auction.models import ModelVersion
from auction.predict import ListingFeatures
from learning.dataset import Dataset
from learning.features import ItemFeatures, Vocabulary, feature_matrix
from learning.segments import MAX_STRENGTH, SegmentRates, prior_strength
from learning.service import ModelPredictor, _store, model_predictor, models_forget
from learning.training import train_classifier, train_segment_rates
from sellers.tests.factories import ListingFactory

CATEGORIES = ["Women/Shoes/Sneakers", "Women/Bags/Totes", "Men/Jeans/Slim", "Men/Shirts/Oxford", "Home/Decor/Vases"]
CONDITIONS = ["nwt", "like_new", "good", "fair"]
DEPARTMENT_EFFECT = {"Women": 0.4, "Men": -0.2, "Home": -0.6}


@pytest.fixture(autouse=True)
def _no_loaded_models():
    models_forget()  # another test's version 1 is not this test's
    yield
    models_forget()


def purchases(n: int, seed: int = 1, *, brand_effect: float = 0.0) -> tuple[np.ndarray, np.ndarray, Vocabulary]:
    """Clicks whose purchase rate (about 3%) depends on department, condition and price; with
    ``brand_effect``, also on the brand, which segments do not see and boosting does."""
    rng = np.random.default_rng(seed)
    items = [ItemFeatures(CATEGORIES[rng.integers(5)], ["Nike", "Zara", "Coach"][rng.integers(3)],
                          CONDITIONS[rng.integers(4)], int(np.exp(rng.uniform(np.log(8), np.log(300)))) * 1_000_000,
                          age_days=10, closet_size=40, seller_tenure_days=400) for _ in range(n)]
    vocab = Vocabulary.learn(items)
    X = feature_matrix(items, ["search"] * n, rng.integers(1, 20, n), vocab)
    brand = np.array([{"Nike": 1.0, "Zara": 0.0, "Coach": -1.0}[i.brand] for i in items])
    logit = (-3.6 + np.array([DEPARTMENT_EFFECT[i.category.split("/")[0]] for i in items])
             + 0.45 * (X[:, 4] - 1.5) - 0.6 * (X[:, 5] - np.log(40)) + brand_effect * brand)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, vocab


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_segment_rates_beat_the_category_prior_with_few_purchases(seed):
    X, y = purchases(3000, seed)[:2]
    assert y.sum() < 120  # few positives: about 100 purchases
    _, evaluation = train_segment_rates(X, y)
    assert evaluation.log_loss < evaluation.baseline_log_loss
    assert evaluation.auc > evaluation.baseline_auc


def test_a_small_segment_is_shrunk_toward_its_parent_and_an_unseen_one_gets_its_parents_rate():
    X, y, _ = purchases(3000)
    model = SegmentRates().fit(X, y)
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (3000, 2) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert 0 < probabilities[:, 1].min() and probabilities[:, 1].max() < 0.5
    unseen = X[:1].copy()
    unseen[0, 1] = 99  # a department never seen: the overall rate
    assert model.predict_proba(unseen)[0, 1] == pytest.approx(model.overall_)
    # One row, bought: with shrinkage its segment does not jump to 100%.
    lonely = np.vstack([X, unseen])
    rates = SegmentRates().fit(lonely, np.append(y, 1)).predict_proba(unseen)[0, 1]
    assert rates < 0.2


def test_prior_strength_is_large_without_spread_and_small_with_it():
    counts = np.full(10, 1000.0)
    parent = np.full(10, 0.05)
    assert prior_strength(counts, counts * 0.05, parent) == MAX_STRENGTH
    spread = np.array([0.01, 0.09] * 5)
    assert prior_strength(counts, counts * spread, parent) < 50


def test_segment_rates_round_trip_through_joblib():
    X, y, _ = purchases(1000)
    model = SegmentRates().fit(X, y)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    loaded = joblib.load(io.BytesIO(buffer.getvalue()))
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_where_boosting_cannot_beat_the_prior_segment_rates_are_stored_and_activated(db):
    X, y, vocab = purchases(3000, seed=1)
    result = _store(ModelVersion.Kind.PURCHASE, Dataset(X, y, vocab))
    version = ModelVersion.objects.get(pk=result.version_id)
    methods = version.vocabulary["methods"]
    assert methods["segment_rates"]["log_loss"] < methods["gradient_boosting"]["log_loss"]
    assert version.vocabulary["method"] == "segment_rates" and "segment_rates" in result.message
    assert version.log_loss == pytest.approx(methods["segment_rates"]["log_loss"])
    assert version.active and version.log_loss < version.baseline_log_loss
    assert isinstance(joblib.load(io.BytesIO(bytes(version.blob))), SegmentRates)


def test_where_boosting_learns_more_than_segments_it_is_stored(db):
    X, y, vocab = purchases(12_000, seed=3, brand_effect=1.0)
    result = _store(ModelVersion.Kind.PURCHASE, Dataset(X, y, vocab))
    version = ModelVersion.objects.get(pk=result.version_id)
    methods = version.vocabulary["methods"]
    assert version.vocabulary["method"] == "gradient_boosting"
    assert methods["gradient_boosting"]["log_loss"] < methods["segment_rates"]["log_loss"]
    assert version.log_loss == pytest.approx(train_classifier(X, y)[1].log_loss)


def test_the_predictor_serves_segment_rates(db):
    X, y, vocab = purchases(3000, seed=1)
    _store(ModelVersion.Kind.PURCHASE, Dataset(X, y, vocab))
    cheap_nwt = ListingFactory(category="Women/Shoes/Sneakers", condition="nwt", price_micros=12_000_000)
    dear_fair = ListingFactory(category="Home/Decor/Vases", condition="fair", price_micros=250_000_000)
    predictor = model_predictor()
    assert isinstance(predictor, ModelPredictor) and predictor.click is None
    assert isinstance(predictor.purchase.model, SegmentRates)

    def features(listing):
        return ListingFeatures(listing_id=listing.pk, seller_id=listing.seller_id, category=listing.category,
                               brand=listing.brand, condition=listing.condition, price_micros=listing.price_micros)

    scores = predictor.scores_by_placement([features(cheap_nwt), features(dear_fair)])
    (_, cheap_cvr), (_, dear_cvr) = scores[0][0], scores[1][0]
    assert cheap_cvr > 2 * dear_cvr
    item = ItemFeatures(cheap_nwt.category, cheap_nwt.brand, "nwt", 12_000_000, 0, 1, 0)
    expected = predictor.purchase.model.predict_proba(feature_matrix([item], ["search"], [1], vocab))[0, 1]
    assert cheap_cvr == pytest.approx(expected)
