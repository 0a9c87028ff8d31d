"""The incrementality gate's frontier: net sales against lift as the margin m grows.

``python -m dev.bench.run --only frontier`` (optional, about 25 minutes on 2 cores): the issue's
standard scenario in the calibrated world, default layout (1,5,9,13), seeds 1-3, with
``--margin`` 0, 0.5, 1 and 2 (sigma at its default 0.3); each run on a fresh SQLite
database, two at a time. For each margin: the drawn ``net_ad_sales`` per seed and its
minimum, the expected net (each page played in expectation) and ``true_lift`` means, what
was spent and shown. ``smallest_margin_net_nonnegative`` is the least margin whose drawn
net is >= 0 on every seed (None when none is).
"""

from __future__ import annotations

from dev.bench.simulator import STANDARD, simulate_each

NOTE = ("The gate's frontier: the standard scenario (7 days, 200 sellers, 20,000 buyers, after the default 2 days "
        "of organic history), default layout "
        "1,5,9,13, seeds 1-3, sigma 0.3, with `simulate --margin m` for m in 0, 0.5, 1, 2. `m_<m>_*`: drawn "
        "`net_ad_sales` per seed and its minimum, means of `expected_net_ad_sales`, `true_lift`, "
        "`expected_true_lift`, `spend` and `sponsored_impressions`. Money in dollars.")
SEEDS = (1, 2, 3)
MARGINS = (0.0, 0.5, 1.0, 2.0)
MEANS = ("net_ad_sales", "expected_net_ad_sales", "true_lift", "expected_true_lift", "ad_caused_to_displaced",
         "spend", "sponsored_impressions")


def _label(margin: float) -> str:
    return f"m_{margin:g}".replace(".", "_")


def summarise(done: list[tuple[float, int, dict]], seeds=SEEDS, margins=MARGINS) -> dict:
    figures: dict = {}
    by = {(margin, seed): report for margin, seed, report in done}
    for margin in margins:
        label = _label(margin)
        for seed in seeds:
            figures[f"{label}_seed_{seed}_net_ad_sales"] = by[margin, seed].get("net_ad_sales")
        for key in MEANS:
            values = [v for seed in seeds if (v := by[margin, seed].get(key)) is not None]
            figures[f"{label}_{key}_mean"] = round(sum(values) / len(values), 4) if values else None
        figures[f"{label}_net_ad_sales_min"] = min(by[margin, seed]["net_ad_sales"] for seed in seeds)
    holding = [m for m in margins if figures[f"{_label(m)}_net_ad_sales_min"] >= 0]
    figures["smallest_margin_net_nonnegative"] = min(holding) if holding else None
    return figures


def run(quick: bool = False) -> dict:
    seeds = SEEDS[:1] if quick else SEEDS
    margins = MARGINS[:2] if quick else MARGINS
    reports = simulate_each({(margin, seed): [*STANDARD[:-2], "--seed", str(seed), "--margin", str(margin)]
                             for margin in margins for seed in seeds})
    return summarise([(margin, seed, report) for (margin, seed), report in reports.items()], seeds, margins)
