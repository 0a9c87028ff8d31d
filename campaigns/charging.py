"""Charging a batch of clicks: the events API's path (``click_charge`` charges one).

``charges_open`` locks the budget periods the batch's clicks fall in (``SELECT ... FOR
UPDATE``, in campaign id order, so two batches never wait on each other in a cycle), then
``ClickCharges.charge`` decides each click in memory against those locked rows, in the
caller's order, exactly as ``click_charge`` called click by click would (same refusals, same
exhaustion time), and ``ClickCharges.write`` writes it all: one conditional ``UPDATE`` of
the periods' spend (it refuses to go over a budget even if the lock were gone), one
multi-row insert of ledger entries. Four statements for a batch (campaigns, locks, spend,
ledger) instead of seven per click (docs/decisions/0009-event-ingest.md).

Money is integer micros; times are UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from campaigns import budget
from campaigns.models import BudgetPeriod, Campaign, LedgerEntry
from campaigns.services import ChargeResult, budget_period_current
from core import changes, clock


@dataclass
class _Period:
    pk: int
    spent_micros: int
    budget_micros: int
    exhausted_at: dt.datetime | None
    newly_exhausted: bool = False
    added_micros: int = 0


@dataclass(frozen=True)
class _Entry:
    period_id: int
    campaign_id: int
    price_micros: int
    click_id: int
    at: dt.datetime


class ChargeBatchError(RuntimeError):
    """The database disagreed with the locked budget periods (a charge would overspend)."""


class ClickCharges:
    """The charges of one batch of clicks, decided against locked budget periods; see the module docstring."""

    def __init__(self, campaigns: dict[int, Campaign], periods: dict[tuple[int, dt.datetime], _Period],
                 reserve_micros: int) -> None:
        self._campaigns = campaigns
        self._periods = periods
        self._reserve = reserve_micros
        self._entries: list[_Entry] = []
        self._signal = False

    def charge(self, campaign_id: int, price_micros: int, *, click_id: int, at: dt.datetime) -> ChargeResult:
        """Decide one click as ``click_charge`` would at this point of the batch (nothing written yet).

        The ledger entry's id is known after ``write``: ``entry_id`` is None here.
        """
        if price_micros <= 0:
            raise ValueError("a click price must be positive")
        campaign = self._campaigns.get(campaign_id)
        if campaign is None or campaign.status != Campaign.Status.ACTIVE:
            return ChargeResult(False, "campaign_not_active", 0, None, None)
        period = self._periods[(campaign_id, _week_start(at))]
        charged = period.spent_micros <= period.budget_micros - price_micros
        if charged:
            period.spent_micros += price_micros
            period.added_micros += price_micros
            self._entries.append(_Entry(period.pk, campaign_id, price_micros, click_id, at))
        # Exhausted as soon as what is left cannot pay the reserve (as click_charge).
        if period.exhausted_at is None and period.spent_micros > period.budget_micros - self._reserve:
            period.exhausted_at = at
            period.newly_exhausted = True
            self._signal = True
        if not charged:
            self._signal = True
            return ChargeResult(False, "budget_exhausted", 0, period.pk, None)
        return ChargeResult(True, None, price_micros, period.pk, None)

    def write(self) -> dict[int, int]:
        """Write the spend, the exhaustion times and the ledger entries; {click id: ledger entry id}.

        Bumps the budgets signal after commit when a click was refused or a period exhausted.
        """
        added = [(p.pk, p.added_micros) for p in self._periods.values() if p.added_micros]
        if added:
            table = connection.ops.quote_name(BudgetPeriod._meta.db_table)
            values = ", ".join(["(%s, %s)"] * len(added))
            # Conditional, as click_charge's: under the lock every row matches; if one did not,
            # the batch would overspend, so it fails instead.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET spent_micros = {table}.spent_micros + v.column2 "  # noqa: S608 - a table name
                    f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1 "
                    f"AND {table}.spent_micros + v.column2 <= {table}.budget_micros",
                    [value for pair in added for value in pair])
                if cursor.rowcount != len(added):
                    raise ChargeBatchError(f"{len(added) - cursor.rowcount} budget period(s) changed under the lock")
        for period in self._periods.values():
            if period.newly_exhausted:
                BudgetPeriod.objects.filter(pk=period.pk, exhausted_at__isnull=True).update(
                    exhausted_at=period.exhausted_at)
        created = LedgerEntry.objects.bulk_create([
            LedgerEntry(period_id=e.period_id, campaign_id=e.campaign_id, kind=LedgerEntry.Kind.CHARGE,
                        amount_micros=e.price_micros, click_id=e.click_id, created_at=e.at)
            for e in self._entries], batch_size=500)
        if self._signal:
            changes.bump(changes.BUDGETS)
        return {entry.click_id: entry.pk for entry in created if entry.click_id is not None}


def _week_start(at: dt.datetime) -> dt.datetime:
    return budget.week_start(at, clock.marketplace_tz())


def _periods_lock(wanted: dict[tuple[int, dt.datetime], tuple[Campaign, dt.datetime]]
                  ) -> dict[tuple[int, dt.datetime], _Period]:
    """Lock the existing periods of these (campaign id, week start) pairs, in campaign id order."""
    locked = {}
    for pk, campaign_id, week_start, spent, budget_micros, exhausted_at in (
            BudgetPeriod.objects.select_for_update()
            .filter(campaign_id__in={c for c, _ in wanted}, week_start__in={w for _, w in wanted})
            .order_by("campaign_id", "week_start")
            .values_list("pk", "campaign_id", "week_start", "spent_micros", "budget_micros", "exhausted_at")):
        if (campaign_id, week_start) in wanted:
            locked[(campaign_id, week_start)] = _Period(pk, spent, budget_micros, exhausted_at)
    return locked


def charges_open(clicks: Iterable[tuple[int, dt.datetime]], *, reserve_micros: int) -> ClickCharges:
    """Lock the budget periods of these (campaign id, click time) pairs; the batch to charge against.

    Must run inside the caller's transaction, which holds the locks until it ends; the
    clicks charged must be new in it (a click id is charged at most once: the ledger's unique
    click id would refuse a second entry). Creates a missing week's period as
    ``budget_period_current`` does. Campaigns that are not active take no lock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("charges_open needs a transaction (it locks budget periods until commit)")
    pairs = {(campaign_id, at) for campaign_id, at in clicks}
    campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in={c for c, _ in pairs}).only(
        "pk", "status", "launched_at", "weekly_budget_micros", "next_weekly_budget_micros", "next_weekly_budget_from")}
    wanted: dict[tuple[int, dt.datetime], tuple[Campaign, dt.datetime]] = {}
    for campaign_id, at in sorted(pairs, key=lambda p: (p[0], p[1])):
        campaign = campaigns.get(campaign_id)
        if campaign is not None and campaign.status == Campaign.Status.ACTIVE:
            wanted.setdefault((campaign_id, _week_start(at)), (campaign, at))
    periods: dict[tuple[int, dt.datetime], _Period] = {}
    if wanted:
        periods = _periods_lock(wanted)
        missing = [key for key in wanted if key not in periods]
        if missing:  # once a week per campaign: create, then lock those too
            for key in missing:
                budget_period_current(*wanted[key])
            periods.update(_periods_lock({key: wanted[key] for key in missing}))
    return ClickCharges(campaigns, periods, reserve_micros)
