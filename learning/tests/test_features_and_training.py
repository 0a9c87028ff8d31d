import math

import numpy as np

from learning.features import COLUMNS, OTHER, ItemFeatures, Vocabulary, feature_matrix, feature_row
from learning.training import expected_calibration_error, train_classifier

BRANDS = ["Nike", "Coach", "Zara", "Vans"]
CATEGORIES = ["Women/Shoes/Sneakers", "Men/Jeans/Slim", "Women/Bags/Shoulder Bags"]


def item(category="Women/Shoes/Sneakers", brand="Nike", condition="good", price=45_000_000) -> ItemFeatures:
    return ItemFeatures(category, brand, condition, price, age_days=10, closet_size=40, seller_tenure_days=400)


def test_unknown_brand_and_category_map_to_other_and_do_not_fail():
    vocab = Vocabulary.learn([item(), item(brand="Coach")])
    row = feature_row(item(category="Pets/Collars", brand="NeverSeen"), "search", 1, vocab)
    assert len(row) == len(COLUMNS)
    assert row[0] == OTHER and row[2] == OTHER
    assert all(math.isfinite(v) for v in row)


def test_unknown_placement_and_condition_do_not_fail():
    vocab = Vocabulary.learn([item()])
    row = feature_row(item(condition="mint"), "homepage", 0, vocab)
    assert row[3] == OTHER and row[-1] == 1.0


def test_vocabulary_round_trips_through_json_shape():
    vocab = Vocabulary.learn([item(), item(brand="Zara", category="Men/Jeans/Slim")])
    assert Vocabulary.from_dict(vocab.as_dict()) == vocab


def synthetic(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    items = [item(category=CATEGORIES[rng.integers(3)], brand=BRANDS[rng.integers(4)],
                  condition=["nwt", "like_new", "good", "fair"][rng.integers(4)],
                  price=int(rng.uniform(10, 200)) * 1_000_000) for _ in range(n)]
    positions = rng.integers(1, 25, size=n)
    vocab = Vocabulary.learn(items)
    X = feature_matrix(items, ["search"] * n, positions, vocab)
    brand_effect = np.array([{"Nike": 0.8, "Coach": 0.4, "Zara": -0.3, "Vans": -0.6}[i.brand] for i in items])
    logit = -3.0 + brand_effect - 0.05 * positions + 0.3 * X[:, 4]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def test_the_model_beats_the_category_prior_and_is_calibrated():
    X, y = synthetic(40_000)
    _, evaluation = train_classifier(X, y)
    assert evaluation.auc > evaluation.baseline_auc + 0.05
    assert evaluation.log_loss < evaluation.baseline_log_loss
    assert evaluation.calibration_error < 0.01


def test_calibration_error_is_zero_for_perfect_rates_and_large_for_wrong_ones():
    y = np.array([0, 0, 0, 1] * 250)
    assert expected_calibration_error(y, np.full(1000, 0.25)) < 1e-9
    assert expected_calibration_error(y, np.full(1000, 0.75)) > 0.49
