"""Automatic bids against fixed CPCs (issue #7, Acceptance 5), in the simulator.

``python -m bench.run --only bidding`` (not part of the default ``make bench``: six
simulator runs). Each run is the same world (60 sellers, 5,000 buyers, 7 days, seed 2) on
a fresh SQLite database, with ``--bidding auto`` and ``--bidding fixed:X``; pacing is on
(fixed-CPC campaigns are paced by the throttle). "Ad-caused sales" are the simulator's
ground truth: purchases that would not have happened without the ad click.
"""

from __future__ import annotations

import tempfile

from bench.simulator import _simulate

NOTE = ("`simulate --days 7 --sellers 60 --buyers 5000 --seed 2` with `--bidding auto` and `--bidding fixed:X` for "
        "each X below, each on a fresh SQLite database; pacing on (fixed-CPC campaigns are paced by the throttle). "
        "`*_caused_per_dollar` is ground-truth ad-caused sales per dollar of spend; `auto_vs_best_fixed_per_dollar` "
        "compares auto with the fixed CPC that buys the most per dollar, `auto_vs_nearest_spend_fixed` with the fixed "
        "CPC whose total spend is nearest to auto's (ad-caused sales scaled to auto's spend). Not part of the default "
        "`make bench` (six runs): `python -m bench.run --only bidding`.")
SCENARIO = ["--days", "7", "--sellers", "60", "--buyers", "5000", "--seed", "2"]
FIXED_CPCS = ("0.10", "0.20", "0.30", "0.50", "0.80")


def run(quick: bool = False) -> dict:
    scenario = ["--days", "2", "--sellers", "30", "--buyers", "1500", "--seed", "2"] if quick else SCENARIO
    runs = {}
    for bidding in ("auto", *(f"fixed:{cpc}" for cpc in FIXED_CPCS[: 2 if quick else None])):
        with tempfile.TemporaryDirectory() as data_dir:
            report, _ = _simulate([*scenario, "--bidding", bidding], data_dir)
        runs[bidding] = report
        print(f"{bidding}: spend ${report['spend']:.2f}, ad-caused ${report['true_ad_caused_sales']:.2f}", flush=True)
    figures: dict = {}
    for bidding, report in runs.items():
        name = bidding.replace("fixed:0.", "fixed_0").replace(":", "_")
        spend, caused = report["spend"], report["true_ad_caused_sales"]
        figures[f"{name}_spend"] = spend
        figures[f"{name}_true_ad_caused_sales"] = caused
        figures[f"{name}_caused_per_dollar"] = round(caused / spend, 2) if spend else None
        figures[f"{name}_budget_utilisation_median"] = report["budget_utilisation_median"]
    auto = runs["auto"]
    fixed = {k: v for k, v in runs.items() if k != "auto" and v["spend"]}
    if auto["spend"] and fixed:
        per_dollar = {k: v["true_ad_caused_sales"] / v["spend"] for k, v in fixed.items()}
        best = max(per_dollar, key=per_dollar.get)
        auto_per_dollar = auto["true_ad_caused_sales"] / auto["spend"]
        figures["best_fixed_per_dollar"] = best
        figures["auto_vs_best_fixed_per_dollar"] = round(auto_per_dollar / per_dollar[best] - 1, 3)
        nearest = min(fixed, key=lambda k: abs(fixed[k]["spend"] - auto["spend"]))
        figures["nearest_spend_fixed"] = nearest
        figures["auto_vs_nearest_spend_fixed"] = round(auto_per_dollar / per_dollar[nearest] - 1, 3)
    return figures
