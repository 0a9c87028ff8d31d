"""Automatic bids against the best fixed CPC in hindsight, at equal spend (issue #7, item 5).

``python -m dev.bench.run --only bidding`` (not part of the default ``make bench``: 25 to 30
simulator runs, two at a time, about 45 minutes on 2 cores). Every run is the issue's
standard scenario in the calibrated world (7 days, 200 sellers, 20,000 buyers) on a fresh
SQLite database, pacing on (fixed-CPC campaigns are paced by the throttle). The sales are
the simulator's ground truth: ``true_ad_caused_sponsored_sales`` (purchases through an ad
that would not have happened on the same page without ads), ``true_ad_displaced_sales``
(purchases the ads took away) and ``net_ad_sales``, the change in the marketplace's sales
(every purchase the ads caused, organic ones too, minus the displaced).

Each of the seeds 1-5 is its own comparison (nothing chosen on one seed is reused on
another):

1. ``--bidding fixed:X`` for each X in ``FIXED_CPCS`` on the sellers' own budgets, and
   ``--bidding auto`` on the same budgets (scale 1), four runs at once. The **best fixed
   CPC in hindsight** is the one with the highest ``net_ad_sales`` on that seed (ties: the
   lower CPC); the one with the most ad-caused sales is recorded too
   (``best_fixed_cpc_by_caused``), but the comparison is with the best by net. Its spend
   is the target.
2. Auto again with ``--budget-scale s``, s chosen (``next_scale``) so that auto lands just
   on the other side of the target from the runs made (``AIM_MARGIN`` beyond it); one
   correction run when the runs still do not lie on both sides of the target, or when the
   nearest of the two around it is more than ``SPEND_TOLERANCE`` off. At most
   ``MAX_AUTO_RUNS`` auto runs per seed.
3. Auto's net and ad-caused sales at exactly the target spend are interpolated linearly
   between the nearest auto runs below and above it, never extrapolated: a seed whose auto
   runs do not lie on both sides of the target has no comparison (``seed_<n>_bracketed``
   false) and is left out of the means.

The figures. ``seed_<n>_auto_vs_best_fixed_net_at_equal_spend`` (dollars) is auto's
interpolated net sales minus the best fixed CPC's net sales: a *difference*, since net
sales can be zero or negative and a ratio to them means nothing; >= 0 means auto adds at
least as much net sales as the best fixed CPC for the same money.
``seed_<n>_auto_vs_best_fixed_caused_at_equal_spend`` is a relative gain: auto's
interpolated ad-caused sales over that same fixed CPC's (the best by net, at its spend),
minus one (none when that fixed CPC caused nothing). ``..._seed_mean`` is the mean over the
seeds compared (the acceptance: ``auto_vs_best_fixed_net_at_equal_spend_seed_mean`` >= 0);
``seeds_compared`` says how many. ``--quick``: a small scenario and seed 1 only (a smoke
test, not a measurement).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from dev.bench.simulator import _simulate

NOTE = ("The issue's standard scenario in the calibrated world, `simulate --days 7 --sellers 200 --buyers 20000 "
        "--seed N` for N = 1-5, each run on a fresh SQLite database, pacing on (fixed-CPC campaigns are paced by the "
        "throttle). Each seed is its own comparison: `--bidding fixed:X` for X = 0.10, 0.20, 0.35 on the sellers' "
        "own budgets; the best fixed CPC in hindsight is the one with the highest `net_ad_sales` (ad-caused minus "
        "displaced sales, the simulator's ground truth; `best_fixed_cpc_by_caused` is the best by ad-caused sales "
        "alone). `--bidding auto` runs at 2-3 budget scales (1, then scales aimed just across the best fixed CPC's "
        "spend) until one run lies below that spend and one above it, the nearer within 5%; auto's net and "
        "ad-caused sales are interpolated linearly at exactly that spend between them (never extrapolated: a seed "
        "without runs on both sides has no comparison). `auto_vs_best_fixed_net_at_equal_spend` is a difference "
        "in dollars, auto's net minus the best fixed CPC's (net sales can be <= 0, so no ratio): >= 0 means auto "
        "adds at least as much net sales for the same money (acceptance: the mean over seeds 1-5 >= 0). "
        "`auto_vs_best_fixed_caused_at_equal_spend` is a relative gain on ad-caused sales against the same fixed "
        "CPC (auto / fixed - 1). `..._seed_mean`: the mean over the seeds compared (`seeds_compared`). Single runs "
        "are noisy: read one seed's figures with that in mind. Money in dollars. Not part of the default "
        "`make bench`: `python -m dev.bench.run --only bidding` (about 30 runs, two at a time, about 45 minutes on "
        "2 cores).")
SCENARIO = ["--days", "7", "--sellers", "200", "--buyers", "20000"]
QUICK_SCENARIO = ["--days", "2", "--sellers", "30", "--buyers", "1500"]
SEEDS = (1, 2, 3, 4, 5)
QUICK_SEEDS = (1,)
FIXED_CPCS = ("0.10", "0.20", "0.35")
MAX_AUTO_RUNS = 3  # per seed: scale 1, one aimed across the target, one correction
SPEND_TOLERANCE = 0.05  # the nearer of the two runs around the target within 5% of it: no correction run
AIM_MARGIN = 0.03  # an aimed run aims 3% beyond the target, on the side where no run lies yet
PARALLEL = 2  # simulator runs at once (one per core)
SCALE_BOUNDS = (0.01, 100.0)  # what `simulate --budget-scale` accepts
KEYS = ("spend", "net_ad_sales", "true_ad_caused_sponsored_sales")


# -- Pure parts: plain dicts and numbers in, figures out (the unit tests call these). -----------------


def best_fixed_cpc(fixed: dict[str, dict], key: str = "net_ad_sales") -> str | None:
    """The fixed CPC (as in ``FIXED_CPCS``) whose run has the highest ``key``; ties go to the
    lower CPC. Runs that spent nothing are not candidates (nothing to compare at); None when
    no run spent anything."""
    spent = [cpc for cpc, report in fixed.items() if report["spend"] > 0]
    if not spent:
        return None
    return max(sorted(spent, key=float), key=lambda cpc: fixed[cpc][key])


def value_at_spend(points: list[tuple[float, float]], spend: float) -> float | None:
    """A figure at exactly ``spend`` from (spend, figure) points: linear between the nearest
    points at or below and at or above it; None when every point lies on one side (no
    extrapolation: a line through two runs on one side amplifies their noise)."""
    below = [p for p in points if p[0] <= spend]
    above = [p for p in points if p[0] >= spend]
    if not below or not above:
        return None
    (s1, v1), (s2, v2) = max(below), min(above)
    if s2 == s1:
        return (v1 + v2) / 2
    return v1 + (v2 - v1) * (spend - s1) / (s2 - s1)


def bracket(spends: list[float], target: float) -> tuple[float | None, float | None]:
    """The nearest spend at or below ``target`` and the nearest at or above it (None: none)."""
    below = [s for s in spends if s <= target]
    above = [s for s in spends if s >= target]
    return (max(below) if below else None), (min(above) if above else None)


def is_bracketed(spends: list[float], target: float, tolerance: float = SPEND_TOLERANCE) -> bool:
    """Runs on both sides of ``target``, the nearer of the two around it within ``tolerance``."""
    low, high = bracket(spends, target)
    if low is None or high is None:
        return False
    return min(abs(low / target - 1), abs(high / target - 1)) <= tolerance


def scale_for(points: list[tuple[float, float]], target: float) -> float:
    """The budget scale expected to make auto spend ``target`` from one run: auto spends nearly
    all it is given, so spend is close to proportional to the scale; ``points`` are (scale,
    spend) of runs made, the nearest one is scaled (3 decimals)."""
    scale, spend = min(points, key=lambda p: abs(p[1] - target))
    return round(scale * target / spend, 3)


def _scale_toward(points: list[tuple[float, float]], aim: float) -> float:
    """The scale expected to spend ``aim``: on the line (scale -> spend) through the two runs
    around it, or else through the two runs nearest it; ``scale_for`` when there is one run or
    that line does not rise."""
    by_spend = sorted(points, key=lambda p: p[1])
    low = [p for p in by_spend if p[1] <= aim]
    high = [p for p in by_spend if p[1] >= aim]
    pair = (low[-1], high[0]) if low and high else tuple(sorted(points, key=lambda p: abs(p[1] - aim))[:2])
    scale = None
    if len(pair) == 2:
        (s1, p1), (s2, p2) = pair
        if s1 != s2 and (p2 - p1) / (s2 - s1) > 0:
            scale = s1 + (aim - p1) * (s2 - s1) / (p2 - p1)
    if scale is None or scale <= 0:
        scale = scale_for(points, aim)
    return round(min(max(scale, SCALE_BOUNDS[0]), SCALE_BOUNDS[1]), 3)


def next_scale(runs: list[tuple[float, float]], target: float, *, tolerance: float = SPEND_TOLERANCE,
               margin: float = AIM_MARGIN) -> float | None:
    """The budget scale of the next auto run, from the (scale, spend) runs made, or None when
    none is needed (or none can help).

    Done once runs lie on both sides of ``target`` with the nearer of the two within
    ``tolerance``. With runs on one side only, aim ``margin`` beyond the target on the other;
    with runs on both sides but both far, aim at the target itself (wherever it lands, it
    tightens the bracket)."""
    usable = [(scale, spend) for scale, spend in runs if spend > 0]
    if not usable or target <= 0:
        return None
    spends = [spend for _, spend in usable]
    low, high = bracket(spends, target)
    if low is not None and high is not None:
        if is_bracketed(spends, target, tolerance):
            return None
        aim = target
    elif high is not None:
        aim = target * (1 - margin)
    else:
        aim = target * (1 + margin)
    scale = _scale_toward(usable, aim)
    return None if scale in {s for s, _ in runs} else scale


def net_difference(auto_net: float | None, fixed_net: float) -> float | None:
    """Auto's net sales minus the fixed CPC's, in dollars (net can be <= 0: no ratio)."""
    return None if auto_net is None else round(auto_net - fixed_net, 2)


def _gain(caused: float | None, base: float) -> float | None:
    """``caused`` against ``base``, as a share more (negative: less), 3 decimals; None when
    there is nothing to compare (no ``caused``, or ``base`` <= 0)."""
    if caused is None or base <= 0:
        return None
    return round(caused / base - 1, 3)


def _name(cpc: str) -> str:
    return "fixed_" + cpc.replace(".", "")


def seed_figures(seed: int, fixed: dict[str, dict], auto: list[tuple[float, dict]]) -> dict:
    """One seed's figures from its runs: ``fixed`` maps each fixed CPC to its report, ``auto``
    lists (budget scale, report) in the order run. Reports need ``spend``, ``net_ad_sales``
    and ``true_ad_caused_sponsored_sales``."""
    prefix, figures = f"seed_{seed}_", {}
    for cpc, report in fixed.items():
        for key in KEYS:
            figures[f"{prefix}{_name(cpc)}_{key}"] = report[key]
    for number, (scale, report) in enumerate(auto, start=1):
        figures[f"{prefix}auto_{number}_budget_scale"] = scale
        for key in KEYS:
            figures[f"{prefix}auto_{number}_{key}"] = report[key]
    best, by_caused = best_fixed_cpc(fixed), best_fixed_cpc(fixed, "true_ad_caused_sponsored_sales")
    figures[f"{prefix}best_fixed_cpc"] = float(best) if best else None
    figures[f"{prefix}best_fixed_cpc_by_caused"] = float(by_caused) if by_caused else None
    if best is None:
        return figures
    target, base = fixed[best]["spend"], fixed[best]
    spends = [report["spend"] for _, report in auto if report["spend"] > 0]
    low, high = bracket(spends, target)
    figures[f"{prefix}equal_spend_target"] = target
    figures[f"{prefix}auto_spend_below"], figures[f"{prefix}auto_spend_above"] = low, high
    figures[f"{prefix}bracketed"] = low is not None and high is not None
    net = value_at_spend([(r["spend"], r["net_ad_sales"]) for _, r in auto if r["spend"] > 0], target)
    caused = value_at_spend([(r["spend"], r["true_ad_caused_sponsored_sales"]) for _, r in auto if r["spend"] > 0],
                            target)
    figures[f"{prefix}auto_net_ad_sales_at_equal_spend"] = None if net is None else round(net, 2)
    figures[f"{prefix}auto_caused_sponsored_at_equal_spend"] = None if caused is None else round(caused, 2)
    figures[f"{prefix}auto_vs_best_fixed_net_at_equal_spend"] = net_difference(net, base["net_ad_sales"])
    figures[f"{prefix}auto_vs_best_fixed_caused_at_equal_spend"] = _gain(caused, base["true_ad_caused_sponsored_sales"])
    return figures


def seed_mean(figures: dict, per_seed: str = "auto_vs_best_fixed_net_at_equal_spend",
              digits: int = 2) -> float | None:
    """The mean of every ``seed_<n>_<per_seed>`` figure that is there (None ones left out);
    None when there is none."""
    pattern = re.compile(rf"seed_\d+_{re.escape(per_seed)}")
    values = [value for key, value in figures.items() if pattern.fullmatch(key) and value is not None]
    return round(sum(values) / len(values), digits) if values else None


def summary(figures: dict) -> dict:
    """The means over the seeds of the two comparisons, and how many seeds were compared."""
    net = "auto_vs_best_fixed_net_at_equal_spend"
    caused = "auto_vs_best_fixed_caused_at_equal_spend"
    compared = [key for key, value in figures.items()
                if re.fullmatch(rf"seed_\d+_{net}", key) and value is not None]
    return {f"{net}_seed_mean": seed_mean(figures, net, 2),
            f"{caused}_seed_mean": seed_mean(figures, caused, 3),
            "seeds_compared": len(compared)}


# -- Orchestration: simulator runs, two at a time. ----------------------------------------------------


def _run(scenario: list[str], seed: int, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as data_dir:
        report, _ = _simulate([*scenario, "--seed", str(seed), *extra], data_dir)
    return report


def _say(label: str, report: dict) -> None:
    print(f"{label}: spend ${report['spend']:.2f}, net ${report['net_ad_sales']:.2f}, "
          f"ad-caused ${report['true_ad_caused_sponsored_sales']:.2f}", flush=True)


def _auto(scale: float) -> list[str]:
    return ["--bidding", "auto", "--budget-scale", str(scale)]


def one_seed(simulate: Callable[[int, list[str]], Future], seed: int) -> dict:
    """One seed's comparison: the fixed CPCs and auto on the own budgets at once, then auto
    runs (``next_scale``) until they lie around the best fixed CPC's spend."""
    fixed_runs = {cpc: simulate(seed, ["--bidding", f"fixed:{cpc}"]) for cpc in FIXED_CPCS}
    first = simulate(seed, _auto(1.0))
    fixed = {cpc: future.result() for cpc, future in fixed_runs.items()}
    auto = [(1.0, first.result())]
    for cpc, report in fixed.items():
        _say(f"seed {seed} fixed:{cpc}", report)
    _say(f"seed {seed} auto x1", auto[0][1])
    best = best_fixed_cpc(fixed)
    if best is not None:
        target = fixed[best]["spend"]
        while len(auto) < MAX_AUTO_RUNS:
            scale = next_scale([(s, r["spend"]) for s, r in auto], target)
            if scale is None:
                break
            report = simulate(seed, _auto(scale)).result()
            _say(f"seed {seed} auto x{scale} (target ${target:.2f}, fixed:{best})", report)
            auto.append((scale, report))
    return seed_figures(seed, fixed, auto)


def run(quick: bool = False) -> dict:
    scenario = QUICK_SCENARIO if quick else SCENARIO
    seeds = QUICK_SEEDS if quick else SEEDS
    figures: dict = {"seeds": ",".join(map(str, seeds)), "fixed_cpcs": ",".join(FIXED_CPCS)}
    # Simulator runs queue in one pool of PARALLEL; each seed's steps wait on them in a pool of their own.
    with ThreadPoolExecutor(PARALLEL) as runs, ThreadPoolExecutor(len(seeds)) as orchestrators:
        def simulate(seed: int, extra: list[str]) -> Future:
            return runs.submit(_run, scenario, seed, extra)

        for found in orchestrators.map(lambda seed: one_seed(simulate, seed), seeds):
            figures.update(found)
    figures.update(summary(figures))
    return figures
