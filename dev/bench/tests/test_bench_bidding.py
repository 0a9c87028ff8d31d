"""dev/bench/bidding.py: auto against the best fixed CPC in hindsight at equal spend, the pure parts
(plain dicts of run results in, figures out; no simulator run)."""

from concurrent.futures import Future

import pytest

from dev.bench import bidding
from dev.bench.bidding import (
    _gain,
    best_fixed_cpc,
    is_bracketed,
    net_difference,
    next_scale,
    scale_for,
    seed_figures,
    seed_mean,
    summary,
    value_at_spend,
)


def _report(spend: float, net: float, caused: float) -> dict:
    return {"spend": spend, "net_ad_sales": net, "true_ad_caused_sponsored_sales": caused}


def test_the_best_fixed_cpc_in_hindsight_is_the_one_with_the_most_net_sales():
    fixed = {"0.10": _report(400.0, 900.0, 5000.0), "0.20": _report(900.0, 1500.0, 9000.0),
             "0.35": _report(1500.0, -200.0, 12000.0)}
    assert best_fixed_cpc(fixed) == "0.20"  # by net, although 0.35 causes the most
    assert best_fixed_cpc(fixed, "true_ad_caused_sponsored_sales") == "0.35"
    # Net sales can all be negative: the least negative is the best.
    assert best_fixed_cpc({"0.10": _report(400.0, -50.0, 100.0), "0.20": _report(900.0, -300.0, 900.0)}) == "0.10"
    # Ties go to the lower CPC; a run that spent nothing is no candidate.
    assert best_fixed_cpc({"0.35": _report(1500.0, 100.0, 1.0), "0.10": _report(400.0, 100.0, 1.0)}) == "0.10"
    assert best_fixed_cpc({"0.10": _report(0.0, 500.0, 1.0), "0.20": _report(900.0, 10.0, 1.0)}) == "0.20"
    assert best_fixed_cpc({"0.10": _report(0.0, 0.0, 0.0)}) is None


def test_auto_is_compared_with_the_fixed_cpc_at_exactly_its_spend():
    # Between the nearest runs below and above the target spend, linearly.
    assert value_at_spend([(400.0, 4000.0), (200.0, 3000.0), (180.0, 2000.0)], 190.0) == pytest.approx(2500.0)
    assert value_at_spend([(400.0, 4000.0), (195.0, 3000.0), (180.0, 2000.0), (100.0, 0.0)], 300.0) == \
        pytest.approx(3500.0, abs=20.0)
    # Net sales interpolate the same way, through zero and below it.
    assert value_at_spend([(800.0, -100.0), (1000.0, 300.0)], 850.0) == pytest.approx(0.0)
    assert value_at_spend([(900.0, -40.0)], 900.0) == -40.0  # a run at exactly the target spend
    # Never extrapolated: with every run on one side there is no figure.
    assert value_at_spend([(200.0, 3000.0), (210.0, 4000.0)], 100.0) is None
    assert value_at_spend([(200.0, 3000.0)], 300.0) is None


def test_the_equal_spend_scale_scales_the_auto_run_nearest_the_target():
    # Auto spends about what it is given: the run nearest the target is scaled to it.
    assert scale_for([(1.0, 1800.0), (0.5, 1000.0), (0.25, 480.0)], 900.0) == 0.45
    assert scale_for([(1.0, 1800.0)], 1800.0) == 1.0


def test_the_next_auto_run_aims_just_across_the_target_until_the_runs_bracket_it():
    # Scale 1 spent twice the target: aim 3% below it, proportionally.
    assert next_scale([(1.0, 2000.0)], 1000.0) == 0.485
    # Scale 1 spent less than the target: aim 3% above it (a scale over 1).
    assert next_scale([(1.0, 800.0)], 1000.0) == 1.288
    # Still on one side after the aimed run: the line through the two runs (spend rises with scale).
    assert next_scale([(1.0, 2000.0), (0.5, 1100.0)], 1000.0) == pytest.approx(0.428, abs=0.001)
    # Around the target, the nearer within 5%: done.
    assert next_scale([(1.0, 2000.0), (0.485, 970.0)], 1000.0) is None
    assert next_scale([(1.0, 2000.0), (0.5, 1040.0), (0.45, 990.0)], 1000.0) is None
    # Around it but both far: aim at the target itself, between the two.
    assert next_scale([(1.0, 2000.0), (0.4, 800.0)], 1000.0) == 0.5
    # Nothing to go on: no run spent anything, or the target is nothing.
    assert next_scale([(1.0, 0.0)], 1000.0) is None
    assert next_scale([(1.0, 2000.0)], 0.0) is None


def test_is_bracketed_needs_runs_on_both_sides_and_the_nearer_within_tolerance():
    assert is_bracketed([970.0, 2000.0], 1000.0)
    assert is_bracketed([1000.0], 1000.0)  # exactly at the target is on both sides
    assert not is_bracketed([1010.0, 2000.0], 1000.0)
    assert not is_bracketed([800.0, 2000.0], 1000.0)


def test_the_net_comparison_is_a_difference_in_dollars_and_the_caused_one_a_gain():
    assert net_difference(250.0, -100.0) == 350.0  # fixed's net below zero: a ratio would mean nothing
    assert net_difference(-120.0, -100.0) == -20.0
    assert net_difference(0.004, 0.0) == 0.0
    assert net_difference(None, 100.0) is None
    assert _gain(1100.0, 1000.0) == 0.1
    assert _gain(900.0, 1000.0) == -0.1
    assert _gain(900.0, 0.0) is None and _gain(None, 1000.0) is None


def test_a_seed_compares_auto_at_the_best_fixed_cpcs_spend_by_net_and_by_caused():
    fixed = {"0.10": _report(400.0, 300.0, 5000.0), "0.20": _report(900.0, 600.0, 9000.0),
             "0.35": _report(1500.0, -200.0, 12000.0)}
    auto = [(1.0, _report(1800.0, 100.0, 14000.0)), (0.47, _report(950.0, 800.0, 10000.0)),
            (0.44, _report(850.0, 700.0, 9000.0))]
    figures = seed_figures(3, fixed, auto)
    assert figures["seed_3_best_fixed_cpc"] == 0.2 and figures["seed_3_best_fixed_cpc_by_caused"] == 0.35
    assert figures["seed_3_fixed_020_spend"] == 900.0 and figures["seed_3_fixed_035_net_ad_sales"] == -200.0
    assert figures["seed_3_fixed_010_true_ad_caused_sponsored_sales"] == 5000.0
    assert figures["seed_3_auto_2_budget_scale"] == 0.47 and figures["seed_3_auto_3_spend"] == 850.0
    assert figures["seed_3_auto_1_net_ad_sales"] == 100.0
    assert figures["seed_3_equal_spend_target"] == 900.0 and figures["seed_3_bracketed"] is True
    assert (figures["seed_3_auto_spend_below"], figures["seed_3_auto_spend_above"]) == (850.0, 950.0)
    # Halfway between 850 and 950: net 750, caused 9500.
    assert figures["seed_3_auto_net_ad_sales_at_equal_spend"] == 750.0
    assert figures["seed_3_auto_caused_sponsored_at_equal_spend"] == 9500.0
    assert figures["seed_3_auto_vs_best_fixed_net_at_equal_spend"] == 150.0  # 750 - 600 dollars
    assert figures["seed_3_auto_vs_best_fixed_caused_at_equal_spend"] == pytest.approx(0.056)  # 9500 / 9000 - 1


def test_a_seed_whose_auto_runs_do_not_bracket_the_spend_has_no_comparison():
    fixed = {"0.20": _report(900.0, 600.0, 9000.0)}
    figures = seed_figures(2, fixed, [(1.0, _report(1800.0, 100.0, 14000.0)), (0.5, _report(1000.0, 80.0, 9900.0))])
    assert figures["seed_2_bracketed"] is False and figures["seed_2_auto_spend_below"] is None
    assert figures["seed_2_auto_vs_best_fixed_net_at_equal_spend"] is None
    assert figures["seed_2_auto_vs_best_fixed_caused_at_equal_spend"] is None
    # No fixed CPC spent anything: the runs' figures, no comparison.
    nothing = seed_figures(4, {"0.10": _report(0.0, 0.0, 0.0)}, [(1.0, _report(10.0, 1.0, 2.0))])
    assert nothing["seed_4_best_fixed_cpc"] is None and "seed_4_auto_vs_best_fixed_net_at_equal_spend" not in nothing


def test_the_comparisons_are_averaged_over_the_seeds_compared():
    figures = {"seed_1_auto_vs_best_fixed_net_at_equal_spend": -30.0,
               "seed_2_auto_vs_best_fixed_net_at_equal_spend": 40.0,
               "seed_3_auto_vs_best_fixed_net_at_equal_spend": 50.0,
               "seed_4_auto_vs_best_fixed_net_at_equal_spend": None,  # not bracketed: left out
               "seed_2_auto_net_ad_sales_at_equal_spend": 9999.0,  # not the comparison
               "seed_1_auto_vs_best_fixed_caused_at_equal_spend": 0.1,
               "seed_2_auto_vs_best_fixed_caused_at_equal_spend": -0.05}
    assert seed_mean(figures) == 20.0
    assert seed_mean(figures, "auto_vs_best_fixed_caused_at_equal_spend", 3) == 0.025
    assert seed_mean({}) is None
    assert summary(figures) == {"auto_vs_best_fixed_net_at_equal_spend_seed_mean": 20.0,
                                "auto_vs_best_fixed_caused_at_equal_spend_seed_mean": 0.025,
                                "seeds_compared": 3}


def test_one_seed_runs_auto_until_it_brackets_the_best_fixed_cpcs_spend():
    # A toy world in place of the simulator: auto spends 200 + 1600 x scale; fixed 0.20 is best by net.
    made = []

    def simulate(seed: int, extra: list[str]) -> Future:
        made.append(extra)
        if extra[1] == "auto":
            scale = float(extra[3])
            spend = 200.0 + 1600.0 * scale
            report = _report(spend, spend * 0.8, spend * 10)
        else:
            cpc = float(extra[1].split(":")[1])
            report = _report(5000.0 * cpc, 1000.0 - abs(cpc - 0.2) * 4000, 50000.0 * cpc)
        done = Future()
        done.set_result(report)
        return done

    figures = bidding.one_seed(simulate, 5)
    assert figures["seed_5_best_fixed_cpc"] == 0.2 and figures["seed_5_equal_spend_target"] == 1000.0
    scales = [extra[3] for extra in made if extra[1] == "auto"]
    assert scales[0] == "1.0" and 2 <= len(scales) <= bidding.MAX_AUTO_RUNS
    assert figures["seed_5_bracketed"] is True
    # Auto's net at 1000 of spend is 800 in the toy world: 800 - 1000 = -200 against fixed 0.20.
    assert figures["seed_5_auto_vs_best_fixed_net_at_equal_spend"] == pytest.approx(-200.0, abs=0.5)
    assert len(made) == len(bidding.FIXED_CPCS) + len(scales)
