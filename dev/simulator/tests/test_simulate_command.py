import io
import json

import pytest
from django.core.management import CommandError, call_command

from auction.models import AuctionSettings


def simulate(*args) -> dict:
    out = io.StringIO()
    # A cold start unless a test asks for history (--warmup-days again: the last one counts).
    call_command("simulate", "--days", "1", "--sellers", "10", "--buyers", "400", "--warmup-days", "0", "--json",
                 *args, stdout=out)
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    report.pop("wall_seconds")
    return report


def fresh_platform() -> None:
    """An empty database and empty in-process state, as on a new deployment."""
    from django.core.cache import cache

    from auction.index import auction_index
    from auction.recording import recorder
    from auction.traffic import counter

    counter.wait()
    counter.flush()  # the previous run's last counts go to the database that is about to be emptied
    recorder.clear()
    call_command("flush", "--noinput", verbosity=0)
    cache.clear()
    auction_index().reset()


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_figures_and_another_seed_another_world():
    first = simulate("--seed", "3")
    fresh_platform()
    assert simulate("--seed", "3") == first
    fresh_platform()
    assert simulate("--seed", "4") != first


@pytest.mark.django_db(transaction=True)
def test_a_run_reports_the_contracted_figures_and_never_overspends():
    report = simulate("--seed", "5", "--holdout", "0.2")
    for key in ("auctions", "impressions", "clicks", "charged_clicks", "spend", "purchases", "gmv",
                "attributed_direct_sales", "attributed_halo_sales", "true_ad_caused_sales", "campaigns",
                "budget_utilisation_median", "max_overspend", "pacing_error_median", "early_exhaustion_rate",
                "forecast_within_35pct_share", "measured_lift", "measured_lift_95ci", "true_lift",
                "true_lift_exposed", "measured_net_ad_sales", "measured_net_ad_sales_95ci", "measured_lift_shoppers",
                "measured_lift_all_shoppers"):
        assert key in report, key
    # The platform held a fifth of the shoppers out itself, and recorded their ghost wins.
    exposed, held_out = report["measured_lift_shoppers"]
    assert exposed > 0 and held_out > 0 and 0.1 < held_out / (exposed + held_out) < 0.3
    assert AuctionSettings.load().holdout_share == 0.2
    assert report["auctions"] > 0 and report["impressions"] > report["clicks"] > 0
    assert report["max_overspend"] == 0
    assert report["rejected_events"] == 0
    assert report["charged_clicks"] <= report["sponsored_clicks"]


@pytest.mark.django_db(transaction=True)
def test_warm_up_days_give_the_platform_history_and_measure_only_the_days_after(monkeypatch):
    from analytics.models import Click, Impression, Purchase
    from auction.models import ModelVersion
    from campaigns.models import Campaign
    from dev.simulator.management.commands.simulate import DEFAULT_START
    from learning import service

    # This small world's history is below the production floor on training rows.
    monkeypatch.setattr(service, "MIN_ROWS", dict.fromkeys(service.MIN_ROWS, 50))
    monkeypatch.setattr(service, "MIN_POSITIVES", 5)

    cold = simulate("--seed", "6")
    fresh_platform()
    warm = simulate("--seed", "6", "--warmup-days", "2")
    # The measured day draws the same sessions; only what the platform knows differs.
    assert warm["sessions"] == cold["sessions"] and warm["auctions"] == cold["auctions"]
    # The history is stored (events before the launch), and no campaign ran during it.
    assert Impression.objects.filter(occurred_at__lt=DEFAULT_START).exists()
    assert Click.objects.filter(occurred_at__lt=DEFAULT_START).exists()
    assert not Click.objects.filter(occurred_at__lt=DEFAULT_START, campaign__isnull=False).exists()
    assert Purchase.objects.filter(occurred_at__lt=DEFAULT_START).count() > 0
    assert not Campaign.objects.filter(launched_at__lt=DEFAULT_START).exists()
    # The platform's jobs ran once, at the launch: the click model was trained there on the
    # history (not once a night during it), before the first auction.
    at_launch = ModelVersion.objects.filter(kind=ModelVersion.Kind.CLICK, created_at__lte=DEFAULT_START)
    assert at_launch.count() == 1 and at_launch.get().rows_train > 0
    assert warm["max_overspend"] == 0 and warm["rejected_events"] == 0
    assert (cold["warmup_days"], warm["warmup_days"]) == (0, 2)


@pytest.mark.django_db(transaction=True)
def test_margin_and_sigma_set_the_gate_for_the_run_and_the_report_says_so():
    report = simulate("--seed", "3", "--margin", "0.75", "--sigma", "0.2")
    rules = AuctionSettings.load()
    assert (rules.incrementality_margin, rules.substitution_share) == (0.75, 0.2)
    assert (report["gate_margin"], report["gate_sigma"]) == (0.75, 0.2)


@pytest.mark.django_db(transaction=True)
def test_pricing_flags_set_the_auction_for_the_run_and_the_report_says_so():
    report = simulate("--seed", "3", "--days", "1", "--pricing", "second", "--reserve-cpc", "0.25",
                      "--least-bid-share", "0.8")
    rules = AuctionSettings.load()
    assert (rules.pricing, rules.reserve_cpc_micros, rules.least_bid_share) == ("second", 250_000, 0.8)
    assert (report["pricing"], report["reserve_cpc"], report["least_bid_share"]) == ("second", 0.25, 0.8)


@pytest.mark.django_db(transaction=True)
def test_budget_scale_multiplies_every_budget_within_the_admin_bounds():
    from campaigns.models import Campaign, CampaignSettings

    def budgets() -> dict[str, int]:
        return dict(Campaign.objects.values_list("seller__marketplace_id", "weekly_budget_micros"))

    simulate("--seed", "3", "--days", "1")
    plain = budgets()
    fresh_platform()
    simulate("--seed", "3", "--days", "1", "--budget-scale", "0.5")
    halved = budgets()
    lowest = CampaignSettings.load().min_weekly_budget_micros
    assert plain and halved.keys() == plain.keys()
    for seller, budget in plain.items():
        assert halved[seller] == max(lowest, round(budget / 2 / 10_000) * 10_000), seller
    assert any(halved[seller] < budget for seller, budget in plain.items())


@pytest.mark.parametrize("args, message", [
    (["--budget-scale", "0"], "--budget-scale"),
    (["--bidding", "fixed:abc"], "--bidding"),
    (["--bidding", "cheap"], "--bidding"),
    (["--holdout", "0.9"], "--holdout"),
    (["--start", "next week"], "--start"),
    (["--margin", "-1"], "--margin"),
    (["--sigma", "0.99"], "--sigma"),
    (["--reserve-cpc", "0"], "--reserve-cpc"),
    (["--least-bid-share", "1.5"], "--least-bid-share"),
    (["--warmup-days", "-1"], "--warmup-days"),
    (["--warmup-days", "60"], "--warmup-days"),
])
def test_bad_options_are_clear_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("simulate", *args, stdout=io.StringIO())
