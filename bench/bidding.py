"""Automatic bids against fixed CPCs at equal spend (issue #7, Acceptance 5), in the simulator.

``python -m bench.run --only bidding`` (not part of the default ``make bench``: about ten
simulator runs). Every run is the same world (60 sellers, 5,000 buyers, 7 days, seed 2) on
a fresh SQLite database, with pacing on (fixed-CPC campaigns are paced by the throttle).
"Ad-caused sales" are the simulator's ground truth: purchases through an ad that would not
have happened on the same page without ads.

1. ``--bidding fixed:X`` for each X in ``FIXED_CPCS``, with the sellers' own budgets; the
   best fixed CPC is the one that causes the most sales.
2. ``--bidding auto`` with the same budgets: it spends what it is given, so it spends more.
3. ``--bidding auto --budget-scale s``, with ``s`` chosen to make auto spend what the best
   fixed CPC spent (one correction run when the first is more than 5% off); auto's
   ad-caused sales at exactly that spend are interpolated linearly between the two auto
   runs nearest to it.

``auto_vs_best_fixed_at_equal_spend`` is that auto figure over the best fixed CPC's, minus
one (the target is +20%).
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor

from bench.simulator import _simulate

NOTE = ("`simulate --days 7 --sellers 60 --buyers 5000 --seed 2`, each run on a fresh SQLite database, pacing on "
        "(fixed-CPC campaigns are paced by the throttle): `--bidding fixed:X` for each X below and `--bidding auto`, "
        "all with the sellers' own budgets, then `--bidding auto --budget-scale s` with s chosen so that auto spends "
        "what the best fixed CPC (the most ad-caused sales) spent. `true_ad_caused_sales` is the simulator's ground "
        "truth. `auto_vs_best_fixed_at_equal_spend` compares auto's ad-caused sales, interpolated to the best fixed "
        "CPC's spend, with that fixed CPC's. `auto_scaled_*` are the scaled auto runs. Not part of the default "
        "`make bench`: `python -m bench.run --only bidding`.")
SCENARIO = ["--days", "7", "--sellers", "60", "--buyers", "5000", "--seed", "2"]
QUICK_SCENARIO = ["--days", "2", "--sellers", "30", "--buyers", "1500", "--seed", "2"]
FIXED_CPCS = ("0.10", "0.20", "0.30", "0.50", "0.80")
SPEND_TOLERANCE = 0.05  # a scaled auto run within 5% of the target spend needs no correction run
PARALLEL = 2  # simulator runs at once (one per core)


def _run(scenario: list[str], extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as data_dir:
        report, _ = _simulate([*scenario, *extra], data_dir)
    return report


def _name(bidding: str) -> str:
    return bidding.replace("fixed:0.", "fixed_0").replace(":", "_")


def caused_at_spend(points: list[tuple[float, float]], spend: float) -> float:
    """Ad-caused sales at ``spend``, linear between the two (spend, caused) points nearest to
    it (extrapolated when all points lie on one side; the one point's figure when alone)."""
    if len(points) == 1:
        return points[0][1]
    (s1, c1), (s2, c2) = sorted(sorted(points, key=lambda p: abs(p[0] - spend))[:2])
    if s2 == s1:
        return (c1 + c2) / 2
    return c1 + (c2 - c1) * (spend - s1) / (s2 - s1)


def run(quick: bool = False) -> dict:
    scenario = QUICK_SCENARIO if quick else SCENARIO
    biddings = ["auto", *(f"fixed:{cpc}" for cpc in FIXED_CPCS[: 2 if quick else None])]
    with ThreadPoolExecutor(PARALLEL) as pool:
        reports = dict(zip(biddings, pool.map(lambda b: _run(scenario, ["--bidding", b]), biddings), strict=True))
    figures: dict = {}
    for bidding, report in reports.items():
        print(f"{bidding}: spend ${report['spend']:.2f}, ad-caused ${report['true_ad_caused_sales']:.2f}", flush=True)
        _figures(figures, _name(bidding), report)

    fixed = {k: v for k, v in reports.items() if k != "auto" and v["spend"]}
    auto = reports["auto"]
    if not fixed or not auto["spend"]:
        return figures
    best = max(fixed, key=lambda k: fixed[k]["true_ad_caused_sales"])
    target = fixed[best]["spend"]
    figures["best_fixed"] = best
    figures["equal_spend_target"] = target

    points = [(auto["spend"], auto["true_ad_caused_sales"])]
    scale = round(target / auto["spend"], 3)
    for attempt in (1, 2):
        report = _run(scenario, ["--bidding", "auto", "--budget-scale", str(scale)])
        print(f"auto x{scale}: spend ${report['spend']:.2f}, ad-caused ${report['true_ad_caused_sales']:.2f}",
              flush=True)
        _figures(figures, f"auto_scaled_{attempt}", report)
        figures[f"auto_scaled_{attempt}_budget_scale"] = scale
        points.append((report["spend"], report["true_ad_caused_sales"]))
        if not report["spend"] or abs(report["spend"] / target - 1) <= SPEND_TOLERANCE:
            break
        scale = round(scale * target / report["spend"], 3)
    caused = caused_at_spend(points, target)
    figures["auto_true_ad_caused_sales_at_equal_spend"] = round(caused, 2)
    figures["auto_vs_best_fixed_at_equal_spend"] = round(caused / fixed[best]["true_ad_caused_sales"] - 1, 3)
    per_dollar = {k: v["true_ad_caused_sales"] / v["spend"] for k, v in fixed.items()}
    top = max(per_dollar, key=per_dollar.get)
    figures["auto_vs_best_fixed_per_dollar"] = round(
        auto["true_ad_caused_sales"] / auto["spend"] / per_dollar[top] - 1, 3)
    return figures


def _figures(figures: dict, name: str, report: dict) -> None:
    spend, caused = report["spend"], report["true_ad_caused_sales"]
    figures[f"{name}_spend"] = spend
    figures[f"{name}_true_ad_caused_sales"] = caused
    figures[f"{name}_charged_clicks"] = report["charged_clicks"]
    figures[f"{name}_cpc"] = round(spend / report["charged_clicks"], 3) if report["charged_clicks"] else None
    figures[f"{name}_caused_per_dollar"] = round(caused / spend, 2) if spend else None
    figures[f"{name}_budget_utilisation_median"] = report["budget_utilisation_median"]
