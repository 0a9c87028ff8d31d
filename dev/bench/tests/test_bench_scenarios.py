"""dev/bench/scenarios.py: the runs it asks for and its summary (no simulator run)."""

from dev.bench import scenarios
from dev.bench.results import TARGETS


def test_each_scenario_is_the_standard_run_on_its_own_seed_with_its_change(monkeypatch):
    asked = {}

    def simulate_each(runs):
        asked.update(runs)
        return {name: {"net_ad_sales": 10.0, "expected_net_ad_sales": 20.0} for name in runs}

    monkeypatch.setattr(scenarios, "simulate_each", simulate_each)
    scenarios.run()
    assert asked["stacked"] == ["--days", "7", "--sellers", "200", "--buyers", "20000", "--seed", "7",
                                "--slot-positions", "1,2,3,4"]
    assert asked["plain"][-2:] == ["--seed", "6"]
    assert set(asked) == set(scenarios.SCENARIOS)


def test_the_summary_keeps_each_scenarios_figures_under_its_seed_and_the_worst_net():
    reports = {name: {"net_ad_sales": net, "expected_net_ad_sales": net + 300.0, "true_lift": 0.1}
               for name, net in zip(scenarios.SCENARIOS, (490.0, 56.0, -12.0, 300.0), strict=True)}
    figures = scenarios.summarise(reports)
    assert figures["stacked_seed_7_net_ad_sales"] == 56.0 and figures["lower_seed_8_true_lift"] == 0.1
    assert figures["net_ad_sales_min"] == -12.0 and figures["expected_net_ad_sales_min"] == 288.0
    assert figures["crowded_seed_9_roas_attributed"] is None  # a figure the run did not report
    assert all(f"scenarios.{name}_seed_{seed}_net_ad_sales" in TARGETS
               for name, (seed, _) in scenarios.SCENARIOS.items())  # net >= 0: the hard line, here too
