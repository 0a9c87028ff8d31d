"""Setting up the simulated sellers' campaigns, and the figures of a finished run."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from django.db.models import Sum
from scipy.stats import poisson

from analytics.models import AttributionCredit, Click
from analytics.services.lift import Z95, lift_estimate, lift_groups
from auction.holdout import exposures
from auction.models import AuctionSettings
from campaigns.models import BudgetPeriod, Campaign, CampaignSettings, LedgerEntry
from campaigns.recommendation import budget_recommend
from campaigns.selectors import forecast_checks
from campaigns.services import budget_forecast_record, campaign_create, campaign_launch
from core import clock
from core.money import MICROS_PER_CENT
from dev.simulator.measures import holdout_lift, median, period_measure
from dev.simulator.runner import Options, Simulation
from dev.simulator.traffic import ideal_share
from dev.simulator.world import World
from learning.service import model_figures
from sellers.models import Seller


def campaigns_launch(world: World, options: Options) -> dict:
    """Every promoting seller launches Promoted Closet at the start: own budget or the recommendation."""
    sellers = {s.marketplace_id: s for s in Seller.objects.filter(marketplace_id__in=[s.key for s in world.sellers])}
    launched = 0
    bounds = CampaignSettings.load()
    # The marketplace's admin default layout is its storefront's (requests also send it).
    rules = AuctionSettings.load()
    if rules.slot_positions.get("search") != list(options.slot_positions):
        rules.slot_positions = {**rules.slot_positions, "search": list(options.slot_positions)}
        rules.save()
    for sim_seller in world.sellers:
        if not sim_seller.promotes:
            continue
        seller = sellers[sim_seller.key]
        if sim_seller.own_budget_dollars:
            budget = sim_seller.own_budget_dollars * 1_000_000
        else:
            budget = budget_recommend(seller).recommended.weekly_budget_micros
        if options.budget_scale != 1.0:  # within the admin's bounds
            budget = round(budget * options.budget_scale / MICROS_PER_CENT) * MICROS_PER_CENT
            budget = min(max(budget, bounds.min_weekly_budget_micros), bounds.max_weekly_budget_micros)
        kwargs: dict[str, Any] = {}
        if options.fixed_cpc is not None:
            kwargs = {"bidding": Campaign.Bidding.MANUAL, "max_cpc_micros": round(options.fixed_cpc * 100) * 10_000}
        campaign = campaign_create(seller, weekly_budget_micros=budget, **kwargs)
        if not options.pacing:  # the unpaced baseline bids the full value in every auction
            Campaign.objects.filter(pk=campaign.pk).update(pacing_multiplier=1.0, pacing_throttle=1.0)
        budget_forecast_record(campaign, budget)
        campaign_launch(campaign)
        launched += 1
    return {"campaigns": launched}


def run_report(sim: Simulation) -> dict:
    """The run's figures (money in dollars), platform side read from the database."""
    o, t, world = sim.o, sim.truth, sim.world
    seller_keys = [s.key for s in world.sellers]
    campaigns = list(Campaign.objects.filter(seller__marketplace_id__in=seller_keys))
    campaign_ids = [c.pk for c in campaigns]
    end = o.start + dt.timedelta(days=o.days)
    settings = AuctionSettings.load()
    spend = LedgerEntry.objects.filter(campaign_id__in=campaign_ids).aggregate(s=Sum("amount_micros"))["s"] or 0
    credits = AttributionCredit.objects.filter(campaign_id__in=campaign_ids)
    by_kind = dict(credits.values_list("kind").annotate(s=Sum("amount_micros")).values_list("kind", "s"))

    charges = defaultdict(list)
    for period_id, at, amount in LedgerEntry.objects.filter(campaign_id__in=campaign_ids).values_list(
            "period_id", "created_at", "amount_micros"):
        charges[period_id].append((at, amount))
    measures = []
    demand, eligible_demand = sim.demand_by_seller, sim.eligible_demand_by_seller
    seller_of = {c.pk: c.seller.marketplace_id for c in Campaign.objects.filter(pk__in=campaign_ids)
                 .select_related("seller")}
    for period in BudgetPeriod.objects.filter(campaign_id__in=campaign_ids, week_start__lt=end):
        hours = int(min((end - period.week_start).total_seconds(), (period.week_end - period.week_start)
                        .total_seconds()) // 3600)
        m = period_measure(period.budget_micros, period.week_start, hours, charges[period.pk],
                           ideal_share, period.exhausted_at, settings.reserve_cpc_micros)
        seller = seller_of[period.campaign_id]
        enough = demand.get(seller, 0.0) >= period.budget_micros
        measures.append((m, enough, eligible_demand.get(seller, 0.0) >= period.budget_micros, hours))
    full = [(m, enough) for m, enough, _, hours in measures if hours >= 167]
    full_eligible = [(m, enough) for m, _, enough, hours in measures if hours >= 167]
    check_ids = set(campaign_ids)
    mine = [c for c in forecast_checks() if c.campaign_id in check_ids]
    first_week = [c for c in mine if c.week_start == o.start]
    second_week = [c for c in mine if c.week_start == o.start + dt.timedelta(days=7)]
    charged_clicks = Click.objects.filter(campaign_id__in=campaign_ids, charged=True).count()
    gate = AuctionSettings.load()
    report = {
        "seed": o.seed, "days": o.days, "sellers": o.sellers, "buyers": o.buyers, "warmup_days": o.warmup_days,
        "pacing": o.pacing, "bidding": f"fixed:{o.fixed_cpc:.2f}" if o.fixed_cpc is not None else "auto",
        "holdout": o.holdout,
        "sessions": t.sessions, "auctions": t.auctions, "impressions": t.impressions, "clicks": t.clicks,
        "sponsored_clicks": t.sponsored_clicks, "charged_clicks": charged_clicks,
        "spend": round(spend / 1e6, 2), "purchases": t.purchases, "gmv": round(t.gmv_cents / 100, 2),
        "attributed_direct_sales": round((by_kind.get("direct") or 0) / 1e6, 2),
        "attributed_halo_sales": round((by_kind.get("halo") or 0) / 1e6, 2),
        "true_ad_caused_sales": round(t.ad_caused_cents / 100, 2),
        "true_ad_caused_sponsored_sales": round(t.ad_caused_sponsored_cents / 100, 2),
        "true_ad_displaced_sales": round(t.ad_displaced_cents / 100, 2),
        "net_ad_sales": round((t.ad_caused_cents - t.ad_displaced_cents) / 100, 2),
        "ad_caused_to_displaced": _r(t.ad_caused_cents / t.ad_displaced_cents) if t.ad_displaced_cents else None,
        "gmv_without_ads": round(t.gmv_without_ads_cents / 100, 2),
        # Purchases through an ad that replaced one the shopper would have made on the page
        # without ads: the substitution share (sigma) the incrementality gate assumes.
        "substitution_share_observed": (_r(t.sponsored_purchases_instead / t.sponsored_purchases)
                                        if t.sponsored_purchases else None),
        "expected_net_ad_sales": round((t.expected_with_ads_cents - t.expected_without_ads_cents) / 100, 2),
        "expected_true_lift": (_r((t.expected_promoted_with_ads_cents - t.expected_promoted_without_ads_cents)
                                  / t.expected_promoted_without_ads_cents)
                               if t.expected_promoted_without_ads_cents else None),
        "slot_positions": list(o.slot_positions),
        "gate_margin": gate.incrementality_margin,
        "gate_sigma": gate.substitution_share,
        "pricing": gate.pricing, "reserve_cpc": gate.reserve_cpc_micros / 1e6,
        "least_bid_share": gate.least_bid_share,
        "sponsored_impressions": t.sponsored_impressions,
        "sponsored_ctr": _r(t.sponsored_clicks / t.sponsored_impressions) if t.sponsored_impressions else None,
        "organic_ctr_position_1": (_r(t.organic_clicks_position_1 / t.organic_impressions_position_1)
                                   if t.organic_impressions_position_1 else None),
        "roas_attributed": (_r(((by_kind.get("direct") or 0) + (by_kind.get("halo") or 0)) / spend)
                            if spend else None),
        "campaigns": len(campaigns),
        "budget_utilisation_median": _r(median([m.utilisation for m, enough in full if enough])),
        "budget_utilisation_median_all": _r(median([m.utilisation for m, _ in full])),
        "campaigns_with_enough_demand": sum(1 for _, enough in full if enough),
        # "Enough demand": incremental demand (Simulation._demand) at least the budget. The
        # *_eligible_demand figures count every page a closet was eligible on, gate or not.
        "budget_utilisation_median_eligible_demand": _r(median([m.utilisation for m, e in full_eligible if e])),
        "campaigns_with_enough_eligible_demand": sum(1 for _, e in full_eligible if e),
        "max_overspend": round(max((m.overspend_micros for m, *_ in measures), default=0) / 1e6, 2),
        "pacing_error_median": _r(median([m.pacing_error for m, _ in full])),
        "pacing_error_median_enough_demand": _r(median([m.pacing_error for m, enough in full if enough])),
        "early_exhaustion_rate": _r(sum(m.exhausted_early for m, _ in full) / len(full)) if full else None,
        "forecast_checked": len(mine),
        **_forecast_figures("forecast", first_week),
        **_forecast_figures("forecast_week2", second_week),
        "rejected_events": sim.rejected,
        "wall_seconds": round(sim.elapsed, 1),
    }
    base = t.exposed_promoted_without_ads_cents
    # Promoted sellers' sales with ads against the same pages without them, exposed buyers only.
    report["true_lift"] = _r((t.exposed_promoted_with_ads_cents - base) / base) if base else None
    report.update(model_figures())
    if o.holdout:
        report.update(_measured_lift(sim, end))
    clock.reset()
    return report


def _measured_lift(sim: Simulation, end: dt.datetime) -> dict:
    """The platform's ghost-ads estimates (analytics.services.lift, 95% intervals here) beside
    the truth on the same population, and the older estimate over all shoppers."""
    t, world = sim.truth, sim.world
    exposures.flush()
    groups, _ = lift_groups(end, lookback_days=sim.o.days + 1)
    promoted = lift_estimate(groups["marketplace"], z=Z95) if "marketplace" in groups else None
    net = lift_estimate(groups["net"], z=Z95) if "net" in groups else None
    sales = promoted[0] if promoted else None
    bounded = sales if sales is not None and sales.lift is not None else None
    figures: dict = {
        "measured_lift": _r(bounded.lift) if bounded is not None else None,
        "measured_lift_95ci": [_r(bounded.lift_low), _r(bounded.lift_high)] if bounded is not None else None,
        "measured_incremental_sales": round(sales.incremental / 1e6, 2) if sales else None,
        "measured_net_ad_sales": round(net[0].incremental / 1e6, 2) if net else None,
        "measured_net_ad_sales_95ci": [round(net[0].low / 1e6, 2), round(net[0].high / 1e6, 2)] if net else None,
    }
    if "marketplace" in groups:  # the sample behind it: shoppers and orders per group
        orders = groups["marketplace"].orders
        figures["measured_lift_shoppers"] = [orders[0].n, orders[1].n]
        figures["measured_lift_orders"] = [round(orders[0].total), round(orders[1].total)]
    base = t.triggered_without_ads_cents
    # The same population: shoppers not held out, from their first win of a seller on.
    figures["true_lift_exposed"] = _r((t.triggered_with_ads_cents - base) / base) if base else None
    figures["true_incremental_sales_exposed"] = round((t.triggered_with_ads_cents - base) / 100, 2)
    exposed = [t.promoted_gmv_by_buyer.get(b.index, 0) / 100 for b in world.buyers if not b.holdout]
    held = [t.promoted_gmv_by_buyer.get(b.index, 0) / 100 for b in world.buyers if b.holdout]
    lift = holdout_lift(exposed, held)  # every shopper, exposed or not (diluted: see docs/simulator.md)
    figures["measured_lift_all_shoppers"] = _r(lift.estimate) if lift else None
    figures["measured_lift_all_shoppers_95ci"] = [_r(lift.low), _r(lift.high)] if lift else None
    return figures


def _forecast_figures(prefix: str, checks: list) -> dict:
    """How the forecasts in force for a week fared: realised clicks inside the stated range,
    and the range's midpoint within 35% of them (of campaigns with a full week checked)."""
    def within(c) -> bool:
        mid = (c.clicks_low + c.clicks_high) / 2
        return abs(c.clicks - mid) <= 0.35 * max(mid, 1)

    def best_possible(c) -> float:
        # A forecaster that knew each campaign's true weekly rate (taken as its realised
        # clicks) still sees Poisson noise: the chance the week lands within 35% of it.
        lam = max(c.clicks, 1e-9)
        edge = 0.35 * max(c.clicks, 1)
        return float(poisson.cdf(math.floor(lam + edge), lam) - poisson.cdf(math.ceil(lam - edge) - 1, lam))

    n = len(checks)
    return {f"{prefix}_range_coverage": _r(sum(c.clicks_inside for c in checks) / n) if n else None,
            f"{prefix}_within_35pct_share": _r(sum(within(c) for c in checks) / n) if n else None,
            f"{prefix}_within_35pct_best_possible": _r(sum(best_possible(c) for c in checks) / n) if n else None,
            f"{prefix}_clicks_median": median([c.clicks for c in checks]),
            f"{prefix}_midpoint_median": median([(c.clicks_low + c.clicks_high) / 2 for c in checks])}


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)

