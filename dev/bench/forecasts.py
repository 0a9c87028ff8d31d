"""Do the forecasts hold? The standard scenario over 14 days, seeds 1-3.

Each run: `python manage.py simulate --days 14 --sellers 200 --buyers 20000 --seed N`
in-process on a fresh SQLite database, two at a time. First-week forecasts are made at
launch, before any campaign has finished a week (the rules); second-week forecasts as the
second week opens, from each campaign's own first week (the `forecasts` job).
"""

from __future__ import annotations

from dev.bench.simulator import simulate_each

NOTE = ("Forecasts in the standard scenario over 14 days (`simulate --days 14 --sellers 200 --buyers 20000`), "
        "seeds 1-3, each on a fresh SQLite database. `forecast_*`: the first week's forecasts (made at launch, "
        "no campaign history: the rules); `forecast_week2_*`: the second week's (from each campaign's own first "
        "week). `range_coverage`: realised charged clicks inside the stated range; `within_35pct_share`: the "
        "range's midpoint within 35% of them; `within_35pct_best_possible`: what a forecaster knowing each "
        "campaign's true rate would reach under Poisson noise alone. About 12 minutes on 2 cores.")
SEEDS = (1, 2, 3)
ARGS = ["--days", "14", "--sellers", "200", "--buyers", "20000"]
KEYS = ("forecast_range_coverage", "forecast_within_35pct_share", "forecast_within_35pct_best_possible",
        "forecast_clicks_median", "forecast_midpoint_median", "forecast_week2_range_coverage",
        "forecast_week2_within_35pct_share", "forecast_week2_within_35pct_best_possible",
        "forecast_week2_clicks_median", "forecast_week2_midpoint_median", "forecast_checked")
MEANS = KEYS[:3] + KEYS[5:8]


def run(quick: bool = False) -> dict:
    seeds = SEEDS[:1] if quick else SEEDS
    reports = simulate_each({seed: [*ARGS, "--seed", str(seed)] for seed in seeds})
    figures: dict = {}
    for seed, report in reports.items():
        for key in KEYS:
            figures[f"seed_{seed}_{key}"] = report.get(key)
    for key in MEANS:
        values = [v for s in seeds if (v := reports[s].get(key)) is not None]
        figures[f"{key}_mean"] = round(sum(values) / len(values), 4) if values else None
    return figures
