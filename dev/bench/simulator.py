"""The marketplace simulator's standard scenario: its speed, and pacing, attribution,
forecast and model figures, with pacing against the same run without it.

Standard scenario: 7 days, 200 sellers, 20,000 buyers, seed 1, in-process, each run on a
fresh SQLite database of its own (``CLOSETADS_DATA_DIR`` in a temp folder). The nightly
training inside the run trains the click and purchase models; their held-out figures
are read from the run's database.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
NOTE = ("`python manage.py simulate --days 7 --sellers 200 --buyers 20000 --seed 1` in-process on a fresh SQLite "
        "database (after the default 2 days of organic history, `--warmup-days`, which `seconds` includes), once "
        "with pacing and once with `--no-pacing`; `*_nopacing` figures are the baseline. Money in "
        "dollars. `model_*` figures are the click model trained by the run's nightly training, held out 20%.")
STANDARD = ["--days", "7", "--sellers", "200", "--buyers", "20000", "--seed", "1"]
QUICK = ["--days", "2", "--sellers", "40", "--buyers", "2000", "--seed", "1"]


def _simulate(args: list[str], data_dir: str) -> tuple[dict, float]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["CLOSETADS_DATA_DIR"] = data_dir
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    began = time.perf_counter()
    out = subprocess.run([*manage, "simulate", *args, "--json"], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1]), time.perf_counter() - began


def simulate_each(runs: dict[Any, list[str]], *, workers: int = 2) -> dict[Any, dict]:
    """The report of each run (label -> its ``simulate`` arguments), every run on a fresh
    SQLite database of its own, ``workers`` at a time (the machine has two cores)."""
    def one(args: list[str]) -> dict:
        with tempfile.TemporaryDirectory() as data_dir:
            return _simulate(args, data_dir)[0]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(runs, pool.map(one, runs.values()), strict=True))


def _click_model(data_dir: str) -> dict:
    db = sqlite3.connect(Path(data_dir) / "closetads.sqlite3")
    row = db.execute(
        "SELECT auc, baseline_auc, log_loss, baseline_log_loss, calibration_error, rows_train, train_seconds "
        "FROM auction_modelversion WHERE kind = 'click' ORDER BY id DESC LIMIT 1").fetchone()
    db.close()
    if row is None:
        return {}
    keys = ("model_click_auc", "model_click_prior_auc", "model_click_log_loss", "model_click_prior_log_loss",
            "model_click_calibration_error", "model_click_rows_train", "model_click_train_seconds")
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in zip(keys, row, strict=True)}


def run(quick: bool = False) -> dict:
    args = QUICK if quick else STANDARD
    figures: dict = {}
    with tempfile.TemporaryDirectory() as paced, tempfile.TemporaryDirectory() as unpaced:
        report, seconds = _simulate(args, paced)
        figures["seconds"] = round(seconds, 1)
        for key in ("auctions", "impressions", "clicks", "charged_clicks", "spend", "purchases", "gmv",
                    "attributed_direct_sales", "attributed_halo_sales", "true_ad_caused_sales",
                    "true_ad_displaced_sales", "net_ad_sales", "expected_net_ad_sales", "expected_true_lift",
                    "ad_caused_to_displaced", "true_lift",
                    "sponsored_ctr", "organic_ctr_position_1", "roas_attributed", "sponsored_impressions",
                    "gmv_without_ads", "campaigns", "campaigns_with_enough_demand",
                    "budget_utilisation_median", "max_overspend", "pacing_error_median", "early_exhaustion_rate",
                    "forecast_within_35pct_share", "forecast_checked"):
            figures[key] = report.get(key)
        figures.update(_click_model(paced))
        figures.update({k: v for k, v in report.items() if k.startswith(("model_", "position_curve_"))})
        baseline, _ = _simulate([*args, "--no-pacing"], unpaced)
        for key in ("spend", "budget_utilisation_median", "max_overspend", "pacing_error_median",
                    "early_exhaustion_rate", "true_ad_caused_sales"):
            figures[f"{key}_nopacing"] = baseline.get(key)
    return figures


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
