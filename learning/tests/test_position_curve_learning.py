"""The position curve: learnt from organic clicks by position, stored with click versions, used by the index."""

import datetime as dt

import numpy as np
import pytest

from analytics.services import events_ingest
from auction.index import auction_index
from auction.models import ModelVersion
from auction.position import DEFAULT_CURVE, fit_position_curve
from core import clock
from learning.dataset import position_counts
from learning.service import CURVE_ONLY, active_position_curve, model_predictor, models_train
from sellers.tests.factories import ListingFactory, SellerFactory

T0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
EXPONENT = 0.7
POSITIONS = 10


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def test_the_fit_recovers_a_known_exponent_from_synthetic_counts():
    rng = np.random.default_rng(3)
    impressions = {k: int(rng.poisson(50_000 * k ** -0.3)) for k in range(1, 41)}
    clicks = {k: int(rng.poisson(3_000 * k ** -0.65)) for k in range(1, 41)}
    curve = fit_position_curve(impressions, clicks)
    assert curve.exponent == pytest.approx(0.65, abs=0.02)
    assert curve.depth == 40
    assert curve.at(1) == 1.0 and curve.at(4) == pytest.approx(4 ** -curve.exponent)


def ingest_organic_traffic(impressions_per_position: int, click_share: float, *, sponsored: int = 0):
    """Organic impressions at positions 1..POSITIONS, each position's clicks exactly
    ``impressions * click_share * k ** -EXPONENT`` (rounded); ``sponsored`` sponsored-looking
    impressions at position 1 that must not count (they have an auction id)."""
    seller = SellerFactory(joined_at=T0 - dt.timedelta(days=400))
    listings = [ListingFactory(seller=seller, marketplace_id=f"L-{i}") for i in range(20)]
    clock.set_now(T0 + dt.timedelta(days=3))
    impressions, clicks, n = [], [], 0
    for k in range(1, POSITIONS + 1):
        clicked = round(impressions_per_position * click_share * k ** -EXPONENT)
        for i in range(impressions_per_position):
            n += 1
            at, user, listing = T0 + dt.timedelta(seconds=30 * n), f"u{n}", listings[n % len(listings)]
            entity = {"type": "listing", "id": listing.marketplace_id}
            placement = {"placementId": "search", "position": k}
            impressions.append({"id": f"i{n}", "occurredAt": iso(at), "opaqueUserId": user, "entity": entity,
                                "placement": placement})
            if i < clicked:
                clicks.append({"id": f"c{n}", "occurredAt": iso(at + dt.timedelta(seconds=10)),
                               "opaqueUserId": user, "entity": entity, "placement": placement})
    for start in range(0, len(impressions), 500):
        events_ingest({"impressions": impressions[start:start + 500]})
    for start in range(0, len(clicks), 500):
        events_ingest({"clicks": clicks[start:start + 500]})
    from analytics.models import Impression

    Impression.objects.bulk_create([
        Impression(event_id=f"s{i}", occurred_at=T0, listing=listings[0], placement="search", position=1,
                   auction_id=f"a{i}") for i in range(sponsored)])


def test_organic_events_are_counted_by_position_in_one_query_each(db, django_assert_num_queries):
    ingest_organic_traffic(20, 0.5, sponsored=7)
    with django_assert_num_queries(2):
        impressions, clicks = position_counts(T0, T0 + dt.timedelta(days=3))
    assert impressions == {k: 20 for k in range(1, POSITIONS + 1)}
    assert clicks[1] == 10 and clicks[4] == round(10 * 4 ** -EXPONENT)


def test_training_stores_the_curve_with_its_counts_on_the_click_version(db, django_capture_on_commit_callbacks):
    ingest_organic_traffic(300, 0.5)
    with django_capture_on_commit_callbacks() as callbacks:
        results = models_train(now=T0 + dt.timedelta(days=3))
    click = ModelVersion.objects.get(kind="click")
    assert results[0].version_id == click.pk and click.rows_train > 0
    curve = click.position_curve
    assert curve["exponent"] == pytest.approx(EXPONENT, abs=0.03)
    assert curve["depth"] == POSITIONS
    assert curve["impressions"] == [300] * POSITIONS
    assert curve["clicks"][0] == 150 and len(curve["clicks"]) == POSITIONS
    assert "position curve" in results[0].message
    assert callbacks  # the MODELS bump, on commit


def test_with_too_few_rows_for_a_click_model_the_curve_is_still_stored_without_a_model(db):
    ingest_organic_traffic(150, 0.9)  # 1,500 impressions (536 clicks): too few for a click model
    results = models_train(now=T0 + dt.timedelta(days=3))
    assert "too little data" in results[0].message and "position curve" in results[0].message
    version = ModelVersion.objects.get(kind="click")
    assert not version.active and version.vocabulary["method"] == CURVE_ONLY and bytes(version.blob) == b""
    assert active_position_curve().exponent == pytest.approx(EXPONENT, abs=0.05)
    assert model_predictor() is None  # the curve-only version never serves predictions


def curve_version(exponent: float, depth: int, at: dt.datetime, *, active: bool = False) -> ModelVersion:
    return ModelVersion.objects.create(kind="click", active=active, created_at=at, blob=b"", rows_train=1,
                                       position_curve={"exponent": exponent, "depth": depth, "source": "test"})


def test_the_newest_curve_is_used_whether_its_model_is_active_or_not(db):
    assert active_position_curve() is None
    active = curve_version(0.9, 30, T0, active=True)
    newest = curve_version(0.5, 20, T0 + dt.timedelta(days=1))
    ModelVersion.objects.create(kind="click", created_at=T0 + dt.timedelta(days=2), blob=b"")  # no curve
    ModelVersion.objects.create(kind="purchase", created_at=T0 + dt.timedelta(days=3), blob=b"",
                                position_curve={"exponent": 0.1, "depth": 5})  # not a click version
    curve = active_position_curve()
    assert (curve.exponent, curve.depth, curve.source) == (0.5, 20, f"click model {newest.pk}")
    assert active.pk != newest.pk


def test_the_index_uses_the_newest_curve_and_rebuilds_when_training_stores_one(
        db, django_capture_on_commit_callbacks, monkeypatch):
    ListingFactory(marketplace_id="ORG-1")
    clock.set_now(T0 + dt.timedelta(days=3))
    index = auction_index()
    monkeypatch.setattr(index, "background_reloads", False)  # the rebuild at once (the simulator's way)
    assert index.refresh(clock.now()).rules.position_curve == DEFAULT_CURVE
    ingest_organic_traffic(150, 0.9)
    with django_capture_on_commit_callbacks(execute=True):
        models_train(now=T0 + dt.timedelta(days=3))
    builds = index.stats["full_builds"]
    curve = index.refresh(clock.now()).rules.position_curve
    assert index.stats["full_builds"] == builds + 1  # the MODELS bump rebuilt the index
    assert curve.exponent == pytest.approx(EXPONENT, abs=0.05) and curve.depth == POSITIONS
    assert curve.source.startswith("click model")


def test_a_first_nights_handful_of_clicks_fits_no_curve():
    # A few hours of traffic: the default curve stays rather than a fit on noise.
    impressions = {k: 40 for k in range(1, 21)}
    clicks = {k: max(5, round(30 * k ** -0.7)) for k in range(1, 21)}
    assert sum(clicks.values()) < 500
    assert fit_position_curve(impressions, clicks) is None


def test_a_web_process_rebuilds_for_new_models_off_the_request_path(db, django_capture_on_commit_callbacks,
                                                                    monkeypatch):
    ListingFactory(marketplace_id="ORG-1")
    clock.set_now(T0 + dt.timedelta(days=3))
    index = auction_index()
    index.refresh(clock.now())
    started = []
    monkeypatch.setattr(index, "_start_periodic", lambda now, tick: started.append(index._full_due))
    ingest_organic_traffic(150, 0.9)
    with django_capture_on_commit_callbacks(execute=True):
        models_train(now=T0 + dt.timedelta(days=3))
    builds = index.stats["full_builds"]
    assert index.refresh(clock.now()).rules.position_curve == DEFAULT_CURVE  # the request does not wait
    assert index.stats["full_builds"] == builds
    assert started == [0.0]  # a background rebuild is due at once
