"""dev/bench/bidding.py: auto against the best fixed CPC in hindsight for the same spend, the pure
parts (plain dicts of run results in, figures out; no simulator run)."""

from concurrent.futures import Future

import pytest

from dev.bench import bidding
from dev.bench.bidding import _gain, best_fixed_for, difference, seed_figures, seed_mean, summary, value_at_spend


def _report(spend: float, expected: float, caused: float = 0.0, drawn: float | None = None) -> dict:
    return {"spend": spend, "expected_net_ad_sales": expected, "net_ad_sales": expected if drawn is None else drawn,
            "true_ad_caused_sponsored_sales": caused}


def test_a_figure_at_exactly_a_spend_is_interpolated_never_extrapolated():
    # Between the nearest points below and above the spend, linearly.
    assert value_at_spend([(400.0, 4000.0), (200.0, 3000.0), (180.0, 2000.0)], 190.0) == pytest.approx(2500.0)
    # Net sales interpolate the same way, through zero and below it.
    assert value_at_spend([(800.0, -100.0), (1000.0, 300.0)], 850.0) == pytest.approx(0.0)
    assert value_at_spend([(900.0, -40.0)], 900.0) == -40.0  # a point at exactly the spend
    # With every point on one side there is no figure.
    assert value_at_spend([(200.0, 3000.0), (210.0, 4000.0)], 100.0) is None
    assert value_at_spend([(200.0, 3000.0)], 300.0) is None


def test_the_best_fixed_cpc_is_the_best_by_expected_net_among_those_that_spent_no_more():
    fixed = {"0.10": _report(400.0, 300.0), "0.20": _report(900.0, 600.0), "0.35": _report(1500.0, 2000.0)}
    # 0.35 made the most but spent more than auto's 1000: not a candidate. The line between
    # 0.20 and 0.35 at 1000 (600 + 1400 / 6) beats 0.20's own 600.
    label, figures = best_fixed_for(fixed, 1000.0)
    assert label == "0.20-0.35" and figures["spend"] == 1000.0
    assert figures["expected_net_ad_sales"] == pytest.approx(600.0 + 1400.0 / 6)
    # A cheaper fixed CPC that did better than the line is the best: it had no more money.
    fixed["0.10"] = _report(400.0, 900.0)
    assert best_fixed_for(fixed, 1000.0)[0] == "0.10"
    # Auto spent more than every fixed CPC: every one is a candidate, no line.
    assert best_fixed_for(fixed, 5000.0)[0] == "0.35"
    # Net sales can all be negative: the least negative is the best; ties go to the lower CPC.
    assert best_fixed_for({"0.10": _report(400.0, -50.0), "0.20": _report(900.0, -300.0)}, 1000.0)[0] == "0.10"
    assert best_fixed_for({"0.35": _report(500.0, 100.0), "0.10": _report(400.0, 100.0)}, 1000.0)[0] == "0.10"


def test_no_fixed_cpc_is_the_best_when_every_one_spent_more_or_nothing():
    assert best_fixed_for({"0.10": _report(400.0, 300.0)}, 300.0) is None
    assert best_fixed_for({"0.10": _report(0.0, 500.0)}, 300.0) is None


def test_the_net_comparison_is_a_difference_in_dollars_and_the_caused_one_a_gain():
    assert difference(250.0, -100.0) == 350.0  # fixed's net below zero: a ratio would mean nothing
    assert difference(-120.0, -100.0) == -20.0
    assert difference(0.004, 0.0) == 0.0
    assert _gain(1100.0, 1000.0) == 0.1
    assert _gain(900.0, 1000.0) == -0.1
    assert _gain(900.0, 0.0) is None


def test_a_seed_compares_auto_with_the_best_fixed_cpc_for_its_spend_on_expected_and_drawn_net():
    fixed = {"0.10": _report(400.0, 300.0, 5000.0, drawn=900.0), "0.20": _report(900.0, 600.0, 9000.0, drawn=100.0),
             "0.35": _report(1500.0, -200.0, 12000.0, drawn=-800.0), "0.50": _report(2000.0, -400.0, 13000.0)}
    auto = _report(950.0, 700.0, 10000.0, drawn=1200.0)
    figures = seed_figures(3, fixed, auto)
    assert figures["seed_3_fixed_020_spend"] == 900.0 and figures["seed_3_fixed_035_net_ad_sales"] == -800.0
    assert figures["seed_3_fixed_010_true_ad_caused_sponsored_sales"] == 5000.0
    assert figures["seed_3_auto_spend"] == 950.0 and figures["seed_3_auto_expected_net_ad_sales"] == 700.0
    assert figures["seed_3_equal_spend_target"] == 950.0
    # Chosen on expected net, not on the luckier drawn net of 0.10: 0.20 (600), and the line
    # to 0.35 at 950 is lower (600 - 800 / 12).
    assert figures["seed_3_best_fixed_cpc"] == "0.20" and figures["seed_3_best_fixed_spend"] == 900.0
    assert figures["seed_3_auto_vs_best_fixed_net_at_equal_spend"] == 100.0  # 700 - 600
    assert figures["seed_3_auto_vs_best_fixed_drawn_net_at_equal_spend"] == 1100.0  # 1200 - 100, same fixed CPC
    assert figures["seed_3_auto_vs_best_fixed_caused_at_equal_spend"] == pytest.approx(0.111)  # 10000 / 9000 - 1


def test_a_seed_where_auto_spent_less_than_every_fixed_cpc_has_no_comparison():
    figures = seed_figures(2, {"0.10": _report(900.0, 600.0, 9000.0)}, _report(500.0, 100.0, 1400.0))
    assert figures["seed_2_best_fixed_cpc"] is None and figures["seed_2_auto_spend"] == 500.0
    assert "seed_2_auto_vs_best_fixed_net_at_equal_spend" not in figures
    assert summary(figures)["seeds_compared"] == 0


def test_the_comparisons_are_averaged_over_the_seeds_compared():
    figures = {"seed_1_auto_vs_best_fixed_net_at_equal_spend": -30.0,
               "seed_2_auto_vs_best_fixed_net_at_equal_spend": 40.0,
               "seed_3_auto_vs_best_fixed_net_at_equal_spend": 50.0,
               "seed_1_auto_vs_best_fixed_drawn_net_at_equal_spend": 100.0,
               "seed_2_auto_expected_net_ad_sales": 9999.0,  # not the comparison
               "seed_1_auto_vs_best_fixed_caused_at_equal_spend": 0.1,
               "seed_2_auto_vs_best_fixed_caused_at_equal_spend": -0.05,
               "seed_3_auto_vs_best_fixed_caused_at_equal_spend": None}  # the fixed CPC caused nothing
    assert seed_mean(figures) == 20.0
    assert seed_mean(figures, "auto_vs_best_fixed_caused_at_equal_spend", 3) == 0.025
    assert seed_mean({}) is None
    assert summary(figures) == {"auto_vs_best_fixed_net_at_equal_spend_seed_mean": 20.0,
                                "auto_vs_best_fixed_drawn_net_at_equal_spend_seed_mean": 100.0,
                                "auto_vs_best_fixed_caused_at_equal_spend_seed_mean": 0.025,
                                "seeds_compared": 3}


def test_one_seed_runs_every_fixed_cpc_and_auto_on_the_sellers_own_budgets():
    # A toy world in place of the simulator: fixed X spends 5000 X, its net peaks at 0.20.
    made = []

    def simulate(seed: int, extra: list[str]) -> Future:
        made.append(extra)
        if extra == ["--bidding", "auto"]:
            report = _report(1200.0, 850.0, 12000.0)
        else:
            cpc = float(extra[1].split(":")[1])
            report = _report(5000.0 * cpc, 1000.0 - abs(cpc - 0.2) * 4000, 50000.0 * cpc)
        done = Future()
        done.set_result(report)
        return done

    figures = bidding.one_seed(simulate, 5)
    assert sorted(map(tuple, made)) == sorted([("--bidding", "auto")] +
                                              [("--bidding", f"fixed:{cpc}") for cpc in bidding.FIXED_CPCS])
    # Auto spent 1200: 0.10 (500, net 600) and 0.20 (1000, net 1000) had no more; 0.50 (2500) had more,
    # and the line from 0.20 to 0.50 at 1200 (840) is below 0.20's own 1000.
    assert figures["seed_5_best_fixed_cpc"] == "0.20"
    assert figures["seed_5_auto_vs_best_fixed_net_at_equal_spend"] == -150.0
