import pytest

from auction.predict import (
    DEFAULT_GLOBAL_PRIOR,
    PLACEMENTS,
    ListingFeatures,
    Predictor,
    PriorPredictor,
    active_predictor,
    top_level_category,
)


def features(category: str) -> ListingFeatures:
    return ListingFeatures(listing_id=1, seller_id=1, category=category, price_micros=45_000_000)


def test_priors_depend_on_the_top_level_category_and_the_placement():
    predictor = PriorPredictor()
    women = predictor.scores(features("Women/Shoes/Sneakers"), "search")
    home = predictor.scores(features("Home/Decor/Vases"), "search")
    assert women != home
    assert predictor.scores(features("Women/Dresses"), "search") == women
    assert predictor.scores(features("Women/Dresses"), "feed")[0] < women[0]


@pytest.mark.parametrize("category", ["", "Collectibles/Stamps", "   "])
def test_an_unknown_category_falls_back_to_the_global_prior(category):
    assert PriorPredictor().scores(features(category), "search") == DEFAULT_GLOBAL_PRIOR


def test_every_score_is_a_probability_for_every_placement():
    predictor = PriorPredictor(category_priors={"women": (0.9, 0.9)})
    for row in predictor.scores_by_placement([features("Women/Bags"), features("")]):
        assert len(row) == len(PLACEMENTS)
        assert all(0.0 <= ctr <= 1.0 and 0.0 <= cvr <= 1.0 for ctr, cvr in row)


def test_the_batch_interface_agrees_with_single_scores():
    class Constant(Predictor):
        version = "test"

        def scores(self, listing, placement):
            return (0.01 * (PLACEMENTS.index(placement) + 1), 0.05)

    batch = Constant().scores_by_placement([features("Women")])
    assert batch == [tuple((0.01 * (i + 1), 0.05) for i in range(len(PLACEMENTS)))]
    prior = PriorPredictor()
    listing = features("Men/Shoes")
    assert prior.scores_by_placement([listing])[0] == tuple(prior.scores(listing, p) for p in PLACEMENTS)


def test_top_level_category_and_active_predictor(db):
    assert top_level_category("Women/Shoes/Sneakers") == "women"
    assert top_level_category("") == ""
    assert isinstance(active_predictor(), PriorPredictor)
