"""Do the ads add sales? The standard scenario in the calibrated world, seeds 1-3, with the
default page layout (1,5,9,13) and with sponsored slots lower (3,8,13,18).

Each run: `python manage.py simulate --days 7 --sellers 200 --buyers 20000 --seed N
[--slot-positions ...]` in-process on a fresh SQLite database, two runs at a time (one per
core). The figures are the simulator's ground truth (docs/simulator.md) and the pacing,
model and click-through figures of the same runs; `*_mean` is the mean over the seeds.
"""

from __future__ import annotations

from dev.bench.simulator import STANDARD, simulate_each

NOTE = ("The issue's standard scenario (`simulate --days 7 --sellers 200 --buyers 20000`) in the calibrated world, "
        "seeds 1-3, each on a fresh SQLite database, after the default 2 days of organic history (`--warmup-days`; "
        "until 2026-12-07 a cold start), with the default admin settings (sigma 0.3, margin 0, "
        "gamma 1): `default_*` with the default layout 1,5,9,13, `low_*` with `--slot-positions 3,8,13,18`. "
        "`net_ad_sales` = `true_ad_caused_sales` - `true_ad_displaced_sales` = `gmv` - `gmv_without_ads` "
        "(caused counts every purchase made only on the page with ads, `true_ad_caused_sponsored_sales` those "
        "through a sponsored click; targets: >= 0 on every seed, caused/displaced mean >= 1.5). Money in dollars. "
        "About 8 minutes on 2 cores: six runs, two at a time (each run's wall time: `*_wall_seconds`).")
SEEDS = (1, 2, 3)
LAYOUTS = {"default": "1,5,9,13", "low": "3,8,13,18"}
KEYS = ("net_ad_sales", "expected_net_ad_sales", "expected_true_lift", "true_ad_caused_sales",
        "true_ad_caused_sponsored_sales", "true_ad_displaced_sales", "ad_caused_to_displaced", "true_lift",
        "sponsored_ctr", "organic_ctr_position_1", "roas_attributed", "spend", "sponsored_impressions",
        "purchases", "gmv", "gmv_without_ads", "max_overspend", "budget_utilisation_median",
        "pacing_error_median", "early_exhaustion_rate", "campaigns_with_enough_demand",
        "model_purchase_method", "model_purchase_active", "model_purchase_log_loss",
        "model_purchase_prior_log_loss", "model_click_log_loss", "model_click_prior_log_loss",
        "position_curve_exponent", "wall_seconds")
MEANS = ("net_ad_sales", "expected_net_ad_sales", "expected_true_lift", "ad_caused_to_displaced", "true_lift",
         "sponsored_ctr", "organic_ctr_position_1",
         "roas_attributed", "budget_utilisation_median", "wall_seconds")


def run(quick: bool = False) -> dict:
    seeds = SEEDS[:1] if quick else SEEDS
    reports = simulate_each({(layout, seed): [*STANDARD[:-2], "--seed", str(seed), "--slot-positions", positions]
                             for layout, positions in LAYOUTS.items() for seed in seeds})
    figures: dict = {}
    for (layout, seed), report in reports.items():
        for key in KEYS:
            figures[f"{layout}_seed_{seed}_{key}"] = report.get(key)
    for layout in LAYOUTS:
        for key in MEANS:
            values = [figures[f"{layout}_seed_{s}_{key}"] for s in seeds]
            values = [v for v in values if v is not None]
            figures[f"{layout}_{key}_mean"] = round(sum(values) / len(values), 4) if values else None
        figures[f"{layout}_net_ad_sales_min"] = min(figures[f"{layout}_seed_{s}_net_ad_sales"] for s in seeds)
    return figures
