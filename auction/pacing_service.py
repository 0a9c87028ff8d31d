"""The pacing job: every minute, move each active campaign toward its ideal spend curve.

Reads each campaign's current budget period, its spend over the last hour (one grouped
ledger query for all campaigns) and the traffic profile, and applies
``auction.pacing_rules.pacing_step``. Opening the week's periods here on Monday 00:00 keeps that
work off the click path. Changes are written in one bulk update and signalled so that
auction indexes pick them up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum

from auction.pacing_rules import PacingState, pacing_step
from auction.traffic import traffic_profile, week_share
from campaigns import budget
from campaigns.models import BudgetPeriod, Campaign, LedgerEntry
from campaigns.services import budget_period_current
from core import changes, clock

WINDOW = dt.timedelta(hours=2)
# A campaign ahead of or behind its ideal curve aims to be back on it this much later
# (not at the week's end, which left early gaps standing for days; docs/architecture/pacing.md).
CATCH_UP = dt.timedelta(hours=12)
# What a click is taken to cost a campaign that has not been charged yet this week.
DEFAULT_CLICK_MICROS = 300_000


@dataclass(frozen=True)
class PacingResult:
    campaigns: int
    changed: int


def pacing_run(now: dt.datetime | None = None) -> PacingResult:
    """One pacing step for every active campaign (safe to run at any interval, or twice)."""
    now = now or clock.now()
    campaigns = list(Campaign.objects.filter(status=Campaign.Status.ACTIVE).only(
        "pk", "bidding", "pacing_multiplier", "pacing_throttle", "launched_at", "weekly_budget_micros",
        "next_weekly_budget_micros", "status"))
    if not campaigns:
        return PacingResult(0, 0)
    start, _ = budget.week_bounds(now, clock.marketplace_tz())
    periods = {p.campaign_id: p for p in BudgetPeriod.objects.filter(
        campaign_id__in=[c.pk for c in campaigns], week_start=start)}
    for campaign in campaigns:
        if campaign.pk not in periods:  # the week's first run opens its periods
            periods[campaign.pk] = budget_period_current(campaign, now)
    profile = traffic_profile(now)
    recent = dict(
        LedgerEntry.objects.filter(campaign_id__in=list(periods), created_at__gte=now - WINDOW, created_at__lt=now)
        .values_list("campaign_id").annotate(s=Sum("amount_micros")).values_list("campaign_id", "s"))
    week_charges = LedgerEntry.objects.filter(
        period_id__in=[p.pk for p in periods.values()], kind=LedgerEntry.Kind.CHARGE)
    charges = {campaign_id: (total, n) for campaign_id, total, n in week_charges.values_list("campaign_id")
               .annotate(s=Sum("amount_micros"), n=Count("id")).values_list("campaign_id", "s", "n")}
    changed = []
    for campaign in campaigns:
        period: BudgetPeriod = periods[campaign.pk]
        start = period.week_start
        if campaign.launched_at and campaign.launched_at > start:
            start = campaign.launched_at  # a mid-week launch paces its prorated budget over what is left
        def share(moment: dt.datetime, week_start: dt.datetime = period.week_start) -> float:
            return week_share(profile, week_start, moment)

        begun, passed = share(start), share(now)
        span = max(share(period.week_end) - begun, 1e-9)
        tau = (passed - begun) / span
        tau_ahead = (share(min(now + CATCH_UP, period.week_end)) - begun) / span
        window_traffic = (passed - share(max(start, now - WINDOW))) / span
        state = pacing_step(
            PacingState(campaign.pacing_multiplier, campaign.pacing_throttle),
            budget_micros=period.budget_micros, spent_micros=period.spent_micros, tau=tau,
            window_spent_micros=int(recent.get(campaign.pk) or 0), window_traffic=window_traffic,
            manual=campaign.bidding == Campaign.Bidding.MANUAL,
            click_micros=_typical_click(charges.get(campaign.pk)), tau_ahead=tau_ahead,
        )
        if (state.multiplier, state.throttle) != (campaign.pacing_multiplier, campaign.pacing_throttle):
            campaign.pacing_multiplier, campaign.pacing_throttle = state.multiplier, state.throttle
            changed.append(campaign)
    if changed:
        Campaign.objects.bulk_update(changed, ["pacing_multiplier", "pacing_throttle"], batch_size=500)
        changes.bump(changes.CAMPAIGNS)
    return PacingResult(len(campaigns), len(changed))


def _typical_click(charges: tuple[int, int] | None) -> int:
    if not charges or not charges[1]:
        return DEFAULT_CLICK_MICROS
    return charges[0] // charges[1]
