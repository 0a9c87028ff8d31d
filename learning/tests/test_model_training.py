import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import call_command

from analytics.services import events_ingest
from auction.models import ModelVersion
from auction.predict import ListingFeatures, PriorPredictor, active_predictor
from core import clock
from learning.service import ModelPredictor, models_train
from sellers.models import Listing
from sellers.tests.factories import ListingFactory, SellerFactory

T0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
BRAND_CTR = {"Nike": 0.30, "Zara": 0.03}


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def organic_traffic(db):
    """3,000 organic impressions where Nike is clicked ten times as often as Zara."""
    rng = np.random.default_rng(0)
    seller = SellerFactory(joined_at=T0 - dt.timedelta(days=400))
    listings = [ListingFactory(seller=seller, brand=brand, marketplace_id=f"L-{brand}-{i}")
                for brand in BRAND_CTR for i in range(20)]
    clock.set_now(T0 + dt.timedelta(days=3))  # every event is in the past
    impressions, clicks = [], []
    for n in range(3000):
        listing = listings[int(rng.integers(len(listings)))]
        at = T0 + dt.timedelta(minutes=n)
        user = f"u{n}"
        impressions.append({"id": f"i{n}", "occurredAt": iso(at), "opaqueUserId": user,
                            "entity": {"type": "listing", "id": listing.marketplace_id},
                            "placement": {"placementId": "search", "position": int(rng.integers(1, 20))}})
        if rng.random() < BRAND_CTR[listing.brand]:
            clicks.append({"id": f"c{n}", "occurredAt": iso(at + dt.timedelta(seconds=20)), "opaqueUserId": user,
                           "entity": {"type": "listing", "id": listing.marketplace_id},
                           "placement": {"placementId": "search", "position": 1}})
    for start in range(0, len(impressions), 500):
        events_ingest({"impressions": impressions[start:start + 500]})
    for start in range(0, len(clicks), 500):
        events_ingest({"clicks": clicks[start:start + 500]})
    return listings


def test_a_click_model_is_trained_stored_with_its_quality_and_activated(organic_traffic):
    results = models_train(now=T0 + dt.timedelta(days=3))
    click = ModelVersion.objects.get(kind="click")
    assert results[0].activated and click.active
    assert click.rows_train + click.rows_test == 3000
    assert click.auc > click.baseline_auc + 0.05  # the prior knows only the category
    assert click.log_loss < click.baseline_log_loss
    assert click.calibration_error < 0.05
    assert not results[1].activated  # too few clicks to learn purchases from: priors stay
    assert "too little data" in results[1].message


def test_the_auction_uses_the_active_model_with_priors_for_the_rest(organic_traffic):
    models_train(now=T0 + dt.timedelta(days=3))
    predictor = active_predictor()
    assert isinstance(predictor, ModelPredictor)
    nike = Listing.objects.filter(brand="Nike").first()
    zara = Listing.objects.filter(brand="Zara").first()

    def features(listing, **changes):
        values = dict(listing_id=listing.pk, seller_id=listing.seller_id, category=listing.category,
                      brand=listing.brand, condition=listing.condition, price_micros=listing.price_micros)
        values.update(changes)
        return ListingFeatures(**values)

    scores = predictor.scores_by_placement([features(nike), features(zara),
                                            features(nike, brand="NeverSeenBefore", category="Pets/Beds")])
    (nike_ctr, nike_cvr), (zara_ctr, _), (novel_ctr, _) = scores[0][0], scores[1][0], scores[2][0]
    assert nike_ctr > 3 * zara_ctr
    assert 0 < novel_ctr < 1  # an unknown brand and category still get a score
    assert nike_cvr == PriorPredictor().scores_by_placement([features(nike)])[0][0][1]


def test_train_models_command_reports_each_model(organic_traffic):
    clock.set_now(T0 + dt.timedelta(days=3))
    out = io.StringIO()
    call_command("train_models", "--days", "7", stdout=out)
    text = out.getvalue()
    assert "click model" in text and "AUC" in text and "activated" in text


def test_without_traffic_nothing_is_trained_and_the_priors_serve(db):
    results = models_train(now=T0)
    assert [r.activated for r in results] == [False, False]
    assert isinstance(active_predictor(), PriorPredictor)
