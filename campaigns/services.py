"""Writes and rules for Promoted Closet campaigns, budget periods and the ledger.

Money is integer micros. Budget weeks are in the marketplace time zone
(``core.clock.marketplace_tz()``); stored times are UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import budget
from campaigns.models import BudgetForecast, BudgetPeriod, Campaign, CampaignListing, CampaignSettings, LedgerEntry
from campaigns.recommendation import budget_forecast, budget_model_current
from campaigns.selectors import campaign_closet_snapshot
from core import changes, clock
from core.marketplace_rules import rules_current
from core.money import MICROS_PER_CENT, format_money
from sellers.models import Listing, Seller


class CampaignError(ValueError):
    """A rule a campaign change breaks; ``field`` names the form field to show it on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def weekly_budget_check(weekly_budget_micros: int, field: str = "weekly_budget") -> None:
    """CampaignError unless the budget is within the admin's bounds and whole cents."""
    bounds = CampaignSettings.load()
    if weekly_budget_micros < bounds.min_weekly_budget_micros:
        lowest = format_money(bounds.min_weekly_budget_micros)
        raise CampaignError(field, _("The weekly budget must be at least %(amount)s.") % {"amount": lowest})
    if weekly_budget_micros > bounds.max_weekly_budget_micros:
        raise CampaignError(field, _("The weekly budget can be at most %(amount)s.")
                            % {"amount": format_money(bounds.max_weekly_budget_micros)})
    if weekly_budget_micros % MICROS_PER_CENT:
        raise CampaignError(field, _("The weekly budget must be in whole cents."))


def _bidding_check(bidding: str, max_cpc_micros: int | None) -> None:
    if bidding not in Campaign.Bidding.values:
        raise CampaignError("bidding", f"Unknown bidding mode {bidding!r}.")
    if bidding == Campaign.Bidding.MANUAL:
        if not max_cpc_micros or max_cpc_micros <= 0:
            raise CampaignError("max_cpc", "Manual bidding needs a maximum cost per click above $0.")
        if max_cpc_micros % MICROS_PER_CENT:
            raise CampaignError("max_cpc", "The maximum cost per click must be in whole cents.")


def _chosen_listing_ids(seller: Seller, listing_ids: Iterable[int]) -> list[int]:
    wanted = {int(i) for i in listing_ids}
    if not wanted:
        raise CampaignError("listings", _("Choose at least one listing, or promote the whole closet."))
    own = set(Listing.objects.filter(seller=seller, pk__in=wanted).values_list("pk", flat=True))
    if own != wanted:
        raise CampaignError("listings", _("Some chosen listings are not in your closet."))
    return sorted(own)


@transaction.atomic
def campaign_create(seller: Seller, *, weekly_budget_micros: int, bidding: str = Campaign.Bidding.AUTO,
                    max_cpc_micros: int | None = None, selection: str = Campaign.Selection.ALL,
                    listing_ids: Iterable[int] = (), name: str = "Promoted Closet") -> Campaign:
    """Create a seller's campaign as a draft (launch it with ``campaign_launch``).

    Raises CampaignError when the seller already has a live campaign or a value is off.
    """
    weekly_budget_check(weekly_budget_micros)
    _bidding_check(bidding, max_cpc_micros)
    if Campaign.objects.filter(seller=seller).exclude(status=Campaign.Status.ENDED).exists():
        raise CampaignError("__all__", _("You already have a Promoted Closet campaign."))
    campaign = Campaign.objects.create(
        seller=seller, name=name, weekly_budget_micros=weekly_budget_micros, bidding=bidding,
        max_cpc_micros=max_cpc_micros if bidding == Campaign.Bidding.MANUAL else None,
    )
    campaign_listings_set(campaign, selection, listing_ids)
    return campaign


@transaction.atomic
def campaign_listings_set(campaign: Campaign, selection: str, listing_ids: Iterable[int] = ()) -> None:
    """Promote the whole closet, or exactly the chosen listings of the campaign's seller.

    Only a draft may be switched to chosen listings with none chosen yet (the wizard's
    picker starts empty); launching refuses it until one is chosen.
    """
    if selection not in Campaign.Selection.values:
        raise CampaignError("selection", f"Unknown listing selection {selection!r}.")
    listing_ids = list(listing_ids)
    chosen: list[int] = []
    if selection == Campaign.Selection.CHOSEN and (listing_ids or campaign.status != Campaign.Status.DRAFT):
        chosen = _chosen_listing_ids(campaign.seller, listing_ids)
    CampaignListing.objects.filter(campaign=campaign).exclude(listing_id__in=chosen).delete()
    have = set(CampaignListing.objects.filter(campaign=campaign).values_list("listing_id", flat=True))
    CampaignListing.objects.bulk_create(
        [CampaignListing(campaign=campaign, listing_id=i) for i in chosen if i not in have])
    Campaign.objects.filter(pk=campaign.pk).update(selection=selection, updated_at=clock.now())
    campaign.selection = selection
    changes.bump(changes.CAMPAIGNS)


@transaction.atomic
def campaign_listings_update(campaign: Campaign, *, add: Iterable[int] = (), remove: Iterable[int] = ()) -> int:
    """Choose more listings and drop others (the picker saves a page at a time).

    Switches the campaign to chosen listings. Every id must be a listing of the campaign's
    seller, else CampaignError("listings") and nothing changes; so does leaving no listing
    chosen. Returns how many listings are chosen afterwards. Locks the campaign row.
    """
    add_ids, remove_ids = {int(i) for i in add}, {int(i) for i in remove}
    remove_ids -= add_ids
    mentioned = add_ids | remove_ids
    if mentioned:
        own = set(Listing.objects.filter(seller_id=campaign.seller_id, pk__in=mentioned).values_list("pk", flat=True))
        if own != mentioned:
            raise CampaignError("listings", _("Some chosen listings are not in your closet."))
    Campaign.objects.select_for_update().only("pk").get(pk=campaign.pk)
    have = set(CampaignListing.objects.filter(campaign=campaign).values_list("listing_id", flat=True))
    after = (have | add_ids) - remove_ids
    if not after:
        raise CampaignError("listings", _("Choose at least one listing, or promote the whole closet."))
    CampaignListing.objects.filter(campaign=campaign, listing_id__in=remove_ids & have).delete()
    CampaignListing.objects.bulk_create(
        [CampaignListing(campaign=campaign, listing_id=i) for i in sorted(add_ids - have)], batch_size=1000)
    Campaign.objects.filter(pk=campaign.pk).update(selection=Campaign.Selection.CHOSEN, updated_at=clock.now())
    campaign.selection = Campaign.Selection.CHOSEN
    changes.bump(changes.CAMPAIGNS)
    return len(after)


@transaction.atomic
def campaign_listing_promote(campaign: Campaign, listing_id: int, promote: bool) -> bool:
    """Promote one listing of the campaign's seller, or stop promoting it (the results
    table's toggle). Stopping one listing of a whole-closet campaign switches it to chosen
    listings: every other available listing. Returns True when the selection switched so.
    CampaignError("listings") for a listing not in the closet or the last one chosen.
    """
    if not Listing.objects.filter(seller_id=campaign.seller_id, pk=listing_id).exists():
        raise CampaignError("listings", _("That listing is not in your closet."))
    if campaign.selection == Campaign.Selection.ALL:
        if promote:
            return False
        others = Listing.objects.filter(seller_id=campaign.seller_id, status=Listing.Status.AVAILABLE).exclude(
            pk=listing_id).values_list("pk", flat=True)
        campaign_listings_set(campaign, Campaign.Selection.CHOSEN, list(others))
        return True
    campaign_listings_update(campaign, add=[listing_id] if promote else [], remove=[] if promote else [listing_id])
    return False


@transaction.atomic
def campaign_bidding_set(campaign: Campaign, bidding: str, max_cpc_micros: int | None = None) -> None:
    """Switch between automatic bidding and a manual maximum cost per click (whole cents)."""
    _bidding_check(bidding, max_cpc_micros)
    campaign.bidding = bidding
    campaign.max_cpc_micros = max_cpc_micros if bidding == Campaign.Bidding.MANUAL else None
    campaign.updated_at = clock.now()
    campaign.save(update_fields=["bidding", "max_cpc_micros", "updated_at"])
    changes.bump(changes.CAMPAIGNS)


def budget_forecast_record(campaign: Campaign, weekly_budget_micros: int | None = None) -> BudgetForecast:
    """Keep the forecast shown for the budget a seller chose, so it can be checked later.

    Forecasts what the campaign promotes at ``weekly_budget_micros`` (default: the budget
    in force next week), with the recommendation's current method.
    """
    amount = weekly_budget_micros or campaign.next_weekly_budget_micros or campaign.weekly_budget_micros
    forecast = budget_forecast(campaign.seller, amount, campaign)
    return BudgetForecast.objects.create(
        campaign=campaign, weekly_budget_micros=amount, method=forecast.method,
        history_weeks=budget_model_current().weeks,
        impressions_low=forecast.impressions.low, impressions_high=forecast.impressions.high,
        clicks_low=forecast.clicks.low, clicks_high=forecast.clicks.high,
        sales_low=forecast.sales.low, sales_high=forecast.sales.high, created_at=clock.now())


def forecasts_record_week(now: dt.datetime | None = None) -> dict:
    """As each budget week opens, record the forecast in force for it (active campaigns
    without one recorded since the week began), so that it can be set against what the week
    delivered: the forecast a seller sees on the campaign page going into the week. The
    periodic job ``forecasts``; a few queries per campaign, once a week each."""
    now = now or clock.now()
    start, _ = budget.week_bounds(now, clock.marketplace_tz())
    waiting = (Campaign.objects.filter(status=Campaign.Status.ACTIVE)
               .exclude(forecasts__created_at__gte=start).select_related("seller"))
    recorded = 0
    for campaign in waiting:
        budget_forecast_record(campaign, campaign.weekly_budget_micros)
        recorded += 1
    return {"recorded": recorded}


def _in_first_week(campaign: Campaign, now: dt.datetime) -> bool:
    if campaign.launched_at is None:
        return True
    start, _ = budget.week_bounds(now, clock.marketplace_tz())
    return campaign.launched_at >= start


@transaction.atomic
def campaign_launch(campaign: Campaign) -> BudgetPeriod:
    """Start (or restart) a draft or paused campaign and open this week's budget period.

    Launched mid-week, the first period gets the part of the weekly budget matching the
    part of the week left.
    """
    if campaign.status == Campaign.Status.ENDED:
        raise CampaignError("__all__", _("An ended campaign cannot be launched again; create a new one."))
    if campaign.selection == Campaign.Selection.CHOSEN and not campaign.chosen.exists():
        raise CampaignError("listings", _("Choose at least one listing, or promote the whole closet."))
    now = clock.now()
    campaign.status = Campaign.Status.ACTIVE
    if campaign.launched_at is None:
        campaign.launched_at = now
    campaign.updated_at = now
    campaign.save(update_fields=["status", "launched_at", "updated_at"])
    changes.bump(changes.CAMPAIGNS)
    return budget_period_current(campaign, at=now)


_STATUS_REFUSALS = {
    Campaign.Status.ACTIVE: gettext_lazy("The campaign is %(status)s; it cannot be active."),
    Campaign.Status.PAUSED: gettext_lazy("The campaign is %(status)s; it cannot be paused."),
    Campaign.Status.ENDED: gettext_lazy("The campaign is %(status)s; it cannot be ended."),
    "": gettext_lazy("The campaign is %(status)s; it cannot be %(to)s."),
}


def _status_change(campaign: Campaign, to: str, allowed_from: set[str]) -> None:
    updated = Campaign.objects.filter(pk=campaign.pk, status__in=allowed_from).update(
        status=to, updated_at=clock.now())
    if not updated:
        campaign.refresh_from_db(fields=["status"])
        status = str(campaign.get_status_display()).lower()
        refusal = str(_STATUS_REFUSALS.get(to, _STATUS_REFUSALS[""]))
        raise CampaignError("__all__", refusal % {"status": status, "to": to})
    campaign.status = to
    changes.bump(changes.CAMPAIGNS)


# What the admin's action log (django.contrib.admin's LogEntry) says of a status change made
# from the campaign list: the record of who paused a campaign, which the seller alerts read
# (a pause by the seller on their own page is not logged there).
ADMIN_LOG_PAUSED = "Paused"
ADMIN_LOG_RESUMED = "Resumed"
ADMIN_LOG_ENDED = "Ended"


def campaign_pause(campaign: Campaign) -> None:
    """Stop promoting at once; budget and history are kept."""
    _status_change(campaign, Campaign.Status.PAUSED, {Campaign.Status.ACTIVE})


def campaign_resume(campaign: Campaign) -> None:
    """Promote again after a pause."""
    campaign_launch(campaign) if campaign.status == Campaign.Status.PAUSED else _status_change(
        campaign, Campaign.Status.ACTIVE, {Campaign.Status.PAUSED})


def campaign_end(campaign: Campaign) -> None:
    """End a campaign for good (the seller may then create a new one)."""
    _status_change(campaign, Campaign.Status.ENDED,
                   {Campaign.Status.ACTIVE, Campaign.Status.PAUSED, Campaign.Status.DRAFT})


@dataclass(frozen=True)
class BudgetChange:
    weekly_budget_micros: int
    applies_now: bool
    applies_from: dt.datetime


@transaction.atomic
def campaign_budget_change(campaign: Campaign, weekly_budget_micros: int) -> BudgetChange:
    """Change the weekly budget: at once in a draft or in the campaign's first week,
    otherwise from the next budget week (Monday 00:00, marketplace time).
    """
    weekly_budget_check(weekly_budget_micros)
    now = clock.now()
    tz = clock.marketplace_tz()
    start, end = budget.week_bounds(now, tz)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.DRAFT or _in_first_week(campaign, now):
        campaign.weekly_budget_micros = weekly_budget_micros
        campaign.next_weekly_budget_micros = None
        campaign.next_weekly_budget_from = None
        campaign.save(update_fields=["weekly_budget_micros", "next_weekly_budget_micros", "next_weekly_budget_from"])
        period = BudgetPeriod.objects.filter(campaign=campaign, week_start=start).first()
        if period is not None:
            new_budget = budget.prorated_budget(weekly_budget_micros, campaign.launched_at or now, start, end)
            # Never below what was already spent (the database refuses spent > budget).
            BudgetPeriod.objects.filter(pk=period.pk).update(budget_micros=max(new_budget, period.spent_micros))
            changes.bump(changes.BUDGETS)
        return BudgetChange(weekly_budget_micros, True, now)
    pending = weekly_budget_micros != campaign.weekly_budget_micros
    campaign.next_weekly_budget_micros = weekly_budget_micros if pending else None
    campaign.next_weekly_budget_from = end if pending else None
    campaign.save(update_fields=["next_weekly_budget_micros", "next_weekly_budget_from"])
    return BudgetChange(weekly_budget_micros, False, end)


def pending_budget_due(campaign: Campaign, week_start: dt.datetime) -> bool:
    """Whether the campaign's pending budget change applies to the week starting then."""
    if campaign.launched_at is not None and campaign.launched_at >= week_start:
        return False
    return campaign.next_weekly_budget_from is None or campaign.next_weekly_budget_from <= week_start


def budget_period_current(campaign: Campaign, at: dt.datetime | None = None) -> BudgetPeriod:
    """The budget period of the week containing ``at`` (default now), created if missing.

    A new week takes the pending budget change once the week it applies from has come
    (never the week it was made in, even if that week's period opens after the change).
    The week the campaign was launched in gets a prorated budget.
    """
    at = at or clock.now()
    start, end = budget.week_bounds(at, clock.marketplace_tz())
    period = BudgetPeriod.objects.filter(campaign_id=campaign.pk, week_start=start).first()
    if period is not None:
        return period
    # Read outside the lock: once a week per campaign, what the recommendation learns from.
    snapshot = campaign_closet_snapshot(
        Campaign.objects.only("pk", "seller_id", "selection").get(pk=campaign.pk))
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.next_weekly_budget_micros and pending_budget_due(locked, start):
            locked.weekly_budget_micros = locked.next_weekly_budget_micros
            locked.next_weekly_budget_micros = None
            locked.next_weekly_budget_from = None
            locked.save(update_fields=["weekly_budget_micros", "next_weekly_budget_micros", "next_weekly_budget_from"])
        weekly = locked.weekly_budget_micros
        if locked.launched_at is not None and locked.launched_at > start:
            amount = budget.prorated_budget(weekly, locked.launched_at, start, end)
        else:
            amount = weekly
        try:
            with transaction.atomic():
                period = BudgetPeriod.objects.create(
                    campaign=locked, week_start=start, week_end=end, budget_micros=amount,
                    promoted_listings=snapshot.promoted_listings,
                    average_price_micros=snapshot.average_price_micros, main_category=snapshot.main_category)
        except IntegrityError:  # created by a concurrent caller
            period = BudgetPeriod.objects.get(campaign_id=campaign.pk, week_start=start)
    changes.bump(changes.BUDGETS)
    return period


@dataclass(frozen=True)
class ChargeResult:
    charged: bool
    reason: str | None  # why not: "budget_exhausted", "campaign_not_active", "already_charged"
    amount_micros: int
    period_id: int | None
    entry_id: int | None


def click_charge(campaign_id: int, price_micros: int, *, click_id: int | None = None,
                 at: dt.datetime | None = None, require_active: bool = True,
                 reserve_micros: int | None = None) -> ChargeResult:
    """Charge one click at ``price_micros`` against the campaign's current budget period.

    One atomic conditional ``UPDATE ... SET spent = spent + price WHERE spent + price <=
    budget``; only if it changed a row is the ledger entry written, in the same
    transaction. A click the budget cannot cover is refused (it stays free). The period is
    marked exhausted once what is left cannot pay the reserve price. A click id is charged
    at most once (unique ledger constraint).
    Safe under any number of concurrent callers on PostgreSQL. ``reserve_micros`` is the
    marketplace's reserve CPC (the caller has the settings at hand; read when not given).
    """
    if price_micros <= 0:
        raise ValueError("a click price must be positive")
    at = at or clock.now()
    campaign = Campaign.objects.filter(pk=campaign_id).only("pk", "status", "launched_at",
                                                            "weekly_budget_micros",
                                                            "next_weekly_budget_micros",
                                                            "next_weekly_budget_from").first()
    if campaign is None or (require_active and campaign.status != Campaign.Status.ACTIVE):
        return ChargeResult(False, "campaign_not_active", 0, None, None)
    period = budget_period_current(campaign, at)
    try:
        with transaction.atomic():
            updated = BudgetPeriod.objects.filter(
                pk=period.pk, spent_micros__lte=F("budget_micros") - price_micros,
            ).update(spent_micros=F("spent_micros") + price_micros)
            if not updated:
                entry = None
            else:
                entry = LedgerEntry.objects.create(
                    period_id=period.pk, campaign_id=campaign_id, kind=LedgerEntry.Kind.CHARGE,
                    amount_micros=price_micros, click_id=click_id, created_at=at)
    except IntegrityError:
        return ChargeResult(False, "already_charged", 0, period.pk, None)
    # Exhausted as soon as what is left cannot pay the reserve: no click can be charged any
    # more, and the signal takes the campaign out of every auction index at once instead
    # of at its next periodic reload.
    # The caller passes the reserve (the events ingest has the settings): no extra round trip.
    reserve = rules_current().reserve_cpc_micros if reserve_micros is None else reserve_micros
    now_exhausted = BudgetPeriod.objects.filter(
        pk=period.pk, spent_micros__gt=F("budget_micros") - reserve, exhausted_at__isnull=True,
    ).update(exhausted_at=at)
    if entry is None:
        # Refused, but what is left may still pay a cheaper click: the campaign bid on a
        # stale remainder. Signal it either way so that bids are capped by the real one.
        changes.bump(changes.BUDGETS)
        return ChargeResult(False, "budget_exhausted", 0, period.pk, None)
    if now_exhausted:
        changes.bump(changes.BUDGETS)
    return ChargeResult(True, None, price_micros, period.pk, entry.pk)


@dataclass(frozen=True)
class RefundResult:
    refunded: bool
    reason: str | None
    entry_id: int | None


def charge_refund(charge_entry_id: int, note: str = "") -> RefundResult:
    """Refund a charge: a refund entry (negative) and the amount back in its period.

    A charge is refunded at most once. Refunding lifts the period's exhaustion.
    """
    charge = LedgerEntry.objects.filter(pk=charge_entry_id, kind=LedgerEntry.Kind.CHARGE).first()
    if charge is None:
        return RefundResult(False, "not_a_charge", None)
    try:
        with transaction.atomic():
            refund = LedgerEntry.objects.create(
                period_id=charge.period_id, campaign_id=charge.campaign_id, kind=LedgerEntry.Kind.REFUND,
                amount_micros=-charge.amount_micros, click_id=charge.click_id, refund_of=charge,
                note=note[:200], created_at=clock.now())
            BudgetPeriod.objects.filter(pk=charge.period_id).update(
                spent_micros=F("spent_micros") - charge.amount_micros, exhausted_at=None)
    except IntegrityError:
        return RefundResult(False, "already_refunded", None)
    changes.bump(changes.BUDGETS)
    return RefundResult(True, None, refund.pk)
