"""The feature pipeline: listing, seller and context -> one row of numbers.

Categorical values (category, department, brand, placement) are coded against a
vocabulary learnt at training time; anything unseen (a new brand, a new category) maps to
the "other" code, so prediction never fails on novel items, which in resale is every item.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.money import log_dollars

OTHER = 0  # code of anything outside the vocabulary
MAX_CODES = 250  # HistGradientBoosting bins categorical features in at most 255 bins
CONDITIONS = {"nwt": 3.0, "like_new": 2.0, "good": 1.0, "fair": 0.0}
PLACEMENTS = ("search", "category", "feed", "listing", "closet")

COLUMNS = (
    "category", "department", "brand", "placement",  # categorical (first four)
    "condition", "log_price", "log_price_vs_category", "age_days", "log_closet_size", "seller_tenure_days",
    "position",
)
CATEGORICAL = (0, 1, 2, 3)


@dataclass(frozen=True)
class ItemFeatures:
    """What the model knows of a listing and its seller (all platform-visible)."""

    category: str
    brand: str
    condition: str
    price_micros: int
    age_days: float
    closet_size: int
    seller_tenure_days: float

    @property
    def department(self) -> str:
        return self.category.split("/", 1)[0] if self.category else ""


@dataclass
class Vocabulary:
    """Codes for categorical values plus each category's median price (learnt in training)."""

    categories: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    brands: dict[str, int] = field(default_factory=dict)
    category_log_price: dict[str, float] = field(default_factory=dict)
    global_log_price: float = math.log(30.0)

    @classmethod
    def learn(cls, items: Sequence[ItemFeatures]) -> Vocabulary:
        def codes(values: Iterable[str]) -> dict[str, int]:
            common = [v for v, _ in Counter(v for v in values if v).most_common(MAX_CODES)]
            return {v: i + 1 for i, v in enumerate(sorted(common))}

        prices: dict[str, list[float]] = {}
        for item in items:
            prices.setdefault(item.category, []).append(_log_price(item.price_micros))
        all_prices = [p for ps in prices.values() for p in ps]
        return cls(
            categories=codes(i.category for i in items),
            departments=codes(i.department for i in items),
            brands=codes(i.brand for i in items),
            category_log_price={c: float(np.median(ps)) for c, ps in prices.items()},
            global_log_price=float(np.median(all_prices)) if all_prices else math.log(30.0),
        )

    def as_dict(self) -> dict:
        return {"categories": self.categories, "departments": self.departments, "brands": self.brands,
                "category_log_price": self.category_log_price, "global_log_price": self.global_log_price}

    @classmethod
    def from_dict(cls, data: Mapping) -> Vocabulary:
        return cls(dict(data["categories"]), dict(data["departments"]), dict(data["brands"]),
                   dict(data["category_log_price"]), float(data["global_log_price"]))


_log_price = log_dollars


def feature_row(item: ItemFeatures, placement: str, position: int, vocab: Vocabulary) -> list[float]:
    """One row in COLUMNS order. Unknown categorical values get the OTHER code."""
    log_price = _log_price(item.price_micros)
    reference = vocab.category_log_price.get(item.category, vocab.global_log_price)
    return [
        float(vocab.categories.get(item.category, OTHER)),
        float(vocab.departments.get(item.department, OTHER)),
        float(vocab.brands.get(item.brand, OTHER)),
        float(PLACEMENTS.index(placement) + 1 if placement in PLACEMENTS else OTHER),
        CONDITIONS.get(item.condition, 1.0),
        log_price,
        log_price - reference,
        max(0.0, float(item.age_days)),
        math.log1p(max(0, item.closet_size)),
        max(0.0, float(item.seller_tenure_days)),
        float(max(1, position)),
    ]


def feature_matrix(items: Sequence[ItemFeatures], placements: Sequence[str], positions: Sequence[int],
                   vocab: Vocabulary) -> np.ndarray:
    return np.array([feature_row(i, p, pos, vocab) for i, p, pos in zip(items, placements, positions, strict=True)],
                    dtype=np.float64).reshape(len(items), len(COLUMNS))
