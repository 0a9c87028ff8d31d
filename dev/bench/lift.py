"""Does the platform measure what its ads add? Ghost ads in the standard scenario, seeds 1-3,
with 10% and 50% of shoppers held out.

Each run: `python manage.py simulate --days 7 --sellers 200 --buyers 20000 --seed N
--holdout H` in-process on a fresh SQLite database, two at a time. `measured_lift` is the
platform's own estimate (analytics.services.lift: promoted sellers' sales of shoppers with
a real or a ghost win, 95% interval here), `true_lift_exposed` the simulator's truth on the
same shoppers. `*_error` is measured minus true, `*_width` the interval's width (lift
points as fractions), `*_covers` whether the interval holds the truth.
"""

from __future__ import annotations

from dev.bench.simulator import STANDARD, simulate_each

NOTE = ("Ghost ads in the issue's standard scenario (`simulate --days 7 --sellers 200 --buyers 20000 --holdout H`), "
        "seeds 1-3, each on a fresh SQLite database: `h10_*` with 10% of shoppers held out, `h50_*` with 50%. "
        "`measured_lift` is the platform's estimate (promoted sellers' sales, shoppers with a real or ghost win, "
        "95% interval), `true_lift_exposed` the truth on the same shoppers; `measured_net_ad_sales` (all sellers' "
        "sales, dollars) goes beside `net_ad_sales`. `*_shoppers` and `*_orders` are [exposed, held out]. "
        "Lift as fractions (0.1 = 10 points). About 10 minutes on 2 cores.")
SEEDS = (1, 2, 3)
HOLDOUTS = {"h10": "0.1", "h50": "0.5"}
KEYS = ("measured_lift", "measured_lift_95ci", "true_lift_exposed", "measured_incremental_sales",
        "true_incremental_sales_exposed", "measured_net_ad_sales", "measured_net_ad_sales_95ci", "net_ad_sales",
        "measured_lift_shoppers", "measured_lift_orders", "true_lift", "measured_lift_all_shoppers",
        "measured_lift_all_shoppers_95ci")


def figures_from(reports: list[tuple[str, int, dict]]) -> dict:
    """Per run the KEYS, its error, width and coverage; per holdout their summaries."""
    figures: dict = {}
    for name, seed, report in reports:
        prefix = f"{name}_seed_{seed}"
        for key in KEYS:
            figures[f"{prefix}_{key}"] = report.get(key)
        measured, truth, ci = report.get("measured_lift"), report.get("true_lift_exposed"), report.get(
            "measured_lift_95ci")
        if measured is not None and truth is not None and ci:
            figures[f"{prefix}_error"] = round(measured - truth, 4)
            # No upper bound (None) when some resamples' held-out shoppers bought nothing.
            figures[f"{prefix}_width"] = "unbounded" if ci[1] is None else round(ci[1] - ci[0], 4)
            figures[f"{prefix}_covers"] = ci[0] <= truth and (ci[1] is None or truth <= ci[1])
    for name in sorted({n for n, _, _ in reports}):
        seeds = sorted(s for n, s, _ in reports if n == name)
        errors = [e for s in seeds if (e := figures.get(f"{name}_seed_{s}_error")) is not None]
        widths = [figures.get(f"{name}_seed_{s}_width") for s in seeds]
        covers = [figures.get(f"{name}_seed_{s}_covers") for s in seeds]
        if len(errors) == len(seeds):
            figures[f"{name}_abs_error_mean"] = round(sum(abs(e) for e in errors) / len(errors), 4)
            figures[f"{name}_error_mean"] = round(sum(errors) / len(errors), 4)
            bounded = [w for w in widths if w is not None and w != "unbounded"]
            figures[f"{name}_width_max"] = "unbounded" if len(bounded) < len(widths) else max(bounded)
            figures[f"{name}_covers_all"] = all(covers)
    return figures


def run(quick: bool = False) -> dict:
    seeds = SEEDS[:1] if quick else SEEDS
    reports = simulate_each({(name, seed): [*STANDARD[:-2], "--seed", str(seed), "--holdout", share]
                             for name, share in HOLDOUTS.items() for seed in seeds})
    return figures_from([(name, seed, report) for (name, seed), report in reports.items()])
