"""Click and purchase probabilities for the auction: the interface the models will fill.

A predictor answers, for one listing and one placement, ``(ctr, cvr)``: the probability
of a click at slot 1 (position-normalised) and of a purchase given a click. The auction
index asks for every placement of every listing when it builds, never per request.

Until trained models exist (issue 7), ``active_predictor()`` returns ``PriorPredictor``:
a table of priors by top-level category and placement. A trained model plugs in by
subclassing ``Predictor`` (``version`` names it; ``scores_by_placement`` may be
overridden to predict a whole catalog in one vectorised call) and being returned by
``active_predictor()``; activating a new model should bump a change topic (for example
``changes.bump("models")``) so that running indexes rebuild with it.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from auction.position import PositionCurve

PLACEMENTS = ("search", "category", "feed", "listing", "closet")
PLACEMENT_INDEX = {name: index for index, name in enumerate(PLACEMENTS)}

Scores = tuple[float, float]  # (ctr, cvr)
ScoresByPlacement = tuple[Scores, ...]  # indexed like PLACEMENTS


@dataclass(frozen=True, slots=True)
class ListingFeatures:
    """What a predictor may know about a listing (item and seller)."""

    listing_id: int
    seller_id: int
    category: str = ""
    brand: str = ""
    condition: str = ""
    size: str = ""
    price_micros: int = 0
    listed_at: dt.datetime | None = None


class Predictor(ABC):
    """Predicted click and purchase probabilities; both calibrated, in [0, 1]."""

    version: str = "abstract"

    @abstractmethod
    def scores(self, listing: ListingFeatures, placement: str) -> Scores:
        """``(ctr, cvr)`` of ``listing`` shown at slot 1 of ``placement``."""

    def scores_by_placement(self, listings: Sequence[ListingFeatures]) -> list[ScoresByPlacement]:
        """For each listing, its ``(ctr, cvr)`` per placement in ``PLACEMENTS`` order."""
        return [tuple(self.scores(listing, placement) for placement in PLACEMENTS) for listing in listings]


def top_level_category(category: str) -> str:
    """``"Women/Shoes/Sneakers"`` -> ``"women"``; blank for no category."""
    return category.split("/", 1)[0].strip().lower()


# Search-page priors per top-level category, (ctr, cvr): a resale marketplace's typical
# figures (a few percent click, a few percent of clicks buy). Issue 7's models replace them.
DEFAULT_CATEGORY_PRIORS: dict[str, Scores] = {
    "women": (0.025, 0.030),
    "men": (0.022, 0.028),
    "kids": (0.020, 0.035),
    "home": (0.015, 0.025),
    "pets": (0.018, 0.040),
    "electronics": (0.012, 0.020),
}
DEFAULT_GLOBAL_PRIOR: Scores = (0.020, 0.030)
# How each placement shifts the search figures, (ctr factor, cvr factor): a closet page is
# visited by buyers already interested in the seller, a feed is browsed casually.
DEFAULT_PLACEMENT_FACTORS: dict[str, Scores] = {
    "search": (1.0, 1.0),
    "category": (0.8, 0.9),
    "feed": (0.6, 0.8),
    "listing": (0.7, 1.1),
    "closet": (1.2, 1.2),
}


class PriorPredictor(Predictor):
    """Priors by top-level category x placement; an unknown category gets the global prior."""

    version = "priors-v1"

    def __init__(self, category_priors: Mapping[str, Scores] | None = None,
                 placement_factors: Mapping[str, Scores] | None = None,
                 global_prior: Scores = DEFAULT_GLOBAL_PRIOR) -> None:
        self.category_priors = dict(DEFAULT_CATEGORY_PRIORS if category_priors is None else category_priors)
        self.placement_factors = dict(DEFAULT_PLACEMENT_FACTORS if placement_factors is None else placement_factors)
        self.global_prior = global_prior
        # One shared tuple per top-level category: a catalog of a million listings holds a
        # handful of score tuples, not a million.
        self._by_category: dict[str, ScoresByPlacement] = {}

    def scores(self, listing: ListingFeatures, placement: str) -> Scores:
        return self._for_category(top_level_category(listing.category))[PLACEMENT_INDEX[placement]]

    def scores_by_placement(self, listings: Sequence[ListingFeatures]) -> list[ScoresByPlacement]:
        return [self._for_category(top_level_category(listing.category)) for listing in listings]

    def _for_category(self, top: str) -> ScoresByPlacement:
        cached = self._by_category.get(top)
        if cached is None:
            ctr, cvr = self.category_priors.get(top, self.global_prior)
            cached = tuple(
                (_probability(ctr * self.placement_factors.get(p, (1.0, 1.0))[0]),
                 _probability(cvr * self.placement_factors.get(p, (1.0, 1.0))[1]))
                for p in PLACEMENTS
            )
            self._by_category[top] = cached
        return cached


def _probability(value: float) -> float:
    return min(1.0, max(0.0, value))


@dataclass
class LearntSources:
    """Where the auction reads what was learnt: the active models, the position curve and
    the shoppers' figures. The learning app (a layer above the auction) plugs its own in at
    start-up (learning/apps.py); without it the auction runs on the priors."""

    predictor: Callable[[], Predictor | None] = lambda: None
    position_curve: Callable[[], PositionCurve | None] = lambda: None
    shopper_figures: Callable[[], tuple[float, float, tuple[float, ...]]] = lambda: (1.0, 1.0, ())


learnt = LearntSources()


def learnt_sources_set(*, predictor: Callable[[], Predictor | None],
                       position_curve: Callable[[], PositionCurve | None],
                       shopper_figures: Callable[[], tuple[float, float, tuple[float, ...]]]) -> None:
    """Register what the learning app learnt (called once, from its AppConfig.ready)."""
    learnt.predictor, learnt.position_curve, learnt.shopper_figures = predictor, position_curve, shopper_figures


def active_predictor() -> Predictor:
    """The predictor the auction index uses now: the active trained models (train_models),
    with the priors where no model is active yet."""
    return learnt.predictor() or PriorPredictor()
