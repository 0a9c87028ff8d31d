"""model_figures: the newest models' held-out figures and the position curve, for reports."""

import datetime as dt

import pytest

from auction.models import ModelVersion
from learning.service import CURVE_ONLY, model_figures

T0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
KEYS = {
    "model_click_auc", "model_click_prior_auc", "model_click_log_loss", "model_click_prior_log_loss",
    "model_click_calibration_error", "model_click_rows_train", "model_purchase_log_loss",
    "model_purchase_prior_log_loss", "model_purchase_auc", "model_purchase_prior_auc", "model_purchase_rows_train",
    "model_purchase_positive_rate", "model_purchase_method", "model_purchase_active", "position_curve_exponent",
    "position_curve_depth",
}


def test_without_models_every_figure_is_absent(db):
    figures = model_figures()
    assert set(figures) == KEYS
    assert figures["model_purchase_active"] is False
    assert all(value is None for key, value in figures.items() if key != "model_purchase_active")


def test_the_newest_versions_figures_rounded_with_the_purchase_method_and_the_curve_in_use(db):
    ModelVersion.objects.create(kind="click", created_at=T0, auc=0.5, rows_train=10, blob=b"")
    ModelVersion.objects.create(
        kind="click", created_at=T0 + dt.timedelta(days=1), active=True, auc=0.712345678, baseline_auc=0.61,
        log_loss=0.1234567, baseline_log_loss=0.13, calibration_error=0.00412345, rows_train=4000, blob=b"",
        position_curve={"exponent": 0.71234, "depth": 24})
    # Newer, but carrying only a curve: its curve is used, the model figures stay the trained version's.
    ModelVersion.objects.create(kind="click", created_at=T0 + dt.timedelta(days=2), blob=b"",
                                vocabulary={"method": CURVE_ONLY}, position_curve={"exponent": 0.6, "depth": 30})
    ModelVersion.objects.create(kind="purchase", created_at=T0, active=True, log_loss=0.2, rows_train=900, blob=b"")
    ModelVersion.objects.create(
        kind="purchase", created_at=T0 + dt.timedelta(days=1), active=False, log_loss=0.147111,
        baseline_log_loss=0.1646, auc=float("nan"), baseline_auc=0.559, rows_train=2400, positive_rate=0.0330001,
        blob=b"", vocabulary={"method": "segment_rates"})
    figures = model_figures()
    assert figures["model_click_auc"] == 0.7123 and figures["model_click_prior_auc"] == 0.61
    assert figures["model_click_log_loss"] == 0.1235 and figures["model_click_calibration_error"] == 0.0041
    assert figures["model_click_rows_train"] == 4000
    assert figures["model_purchase_log_loss"] == 0.1471 and figures["model_purchase_prior_log_loss"] == 0.1646
    assert figures["model_purchase_auc"] is None  # not a number: absent
    assert figures["model_purchase_positive_rate"] == pytest.approx(0.033)
    assert figures["model_purchase_method"] == "segment_rates"
    assert figures["model_purchase_active"] is False  # the newest lost to the prior; the older one serves
    assert figures["position_curve_exponent"] == 0.6 and figures["position_curve_depth"] == 30
