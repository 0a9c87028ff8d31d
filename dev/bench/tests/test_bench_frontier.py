"""dev/bench/frontier.py's summary of the margin sweep (no simulator run)."""

from dev.bench.frontier import summarise


def _report(net: float, lift: float) -> dict:
    return {"net_ad_sales": net, "expected_net_ad_sales": net + 100, "true_lift": lift, "expected_true_lift": lift,
            "ad_caused_to_displaced": 1.2, "spend": 50.0, "sponsored_impressions": 1000}


def test_the_smallest_margin_whose_net_holds_on_every_seed_is_named():
    done = [(0.0, 1, _report(-85, 0.12)), (0.0, 2, _report(900, 0.16)),
            (0.5, 1, _report(12, 0.05)), (0.5, 2, _report(300, 0.07)),
            (1.0, 1, _report(0, 0.01)), (1.0, 2, _report(-5, 0.02))]
    figures = summarise(done, seeds=(1, 2), margins=(0.0, 0.5, 1.0))
    assert figures["m_0_net_ad_sales_min"] == -85 and figures["m_0_5_net_ad_sales_min"] == 12
    assert figures["m_0_true_lift_mean"] == 0.14
    assert figures["smallest_margin_net_nonnegative"] == 0.5


def test_no_margin_is_named_when_none_holds():
    done = [(0.0, 1, _report(-1, 0.1)), (0.5, 1, _report(-2, 0.0))]
    assert summarise(done, seeds=(1,), margins=(0.0, 0.5))["smallest_margin_net_nonnegative"] is None
