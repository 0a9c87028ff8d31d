"""Charging a batch of clicks: the events API's path (``click_charge`` charges one).

``charges_open`` locks the budget periods the batch's clicks fall in (``SELECT ... FOR
UPDATE``, in campaign id order, so two batches never wait on each other in a cycle), then
``ClickCharges.charge`` decides each click in memory against those locked rows, in the
caller's order, exactly as ``click_charge`` called click by click would (same refusals, same
exhaustion time), and ``ClickCharges.write`` writes it all: one conditional ``UPDATE`` of
the periods' spend (it refuses to go over a budget even if the lock were gone), the
exhaustion times and one multi-row insert of ledger entries. On PostgreSQL two statements for
a batch (campaigns with their locked periods; spend, exhaustion and ledger as data-modifying
CTEs), on SQLite four or more, instead of seven per click (docs/decisions/0009-event-ingest.md).

Money is integer micros; times are UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from campaigns import budget
from campaigns.models import BudgetPeriod, Campaign, LedgerEntry
from campaigns.services import ChargeResult, budget_period_current
from core import changes, clock
from core.db import select_bound


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
        if connection.vendor == "postgresql":
            entries = self._write_one_statement()
        else:
            entries = self._write_statements()
        if self._signal:
            changes.bump(changes.BUDGETS)
        return entries

    def _write_statements(self) -> dict[int, int]:
        """``write`` as three statements (SQLite): the spend, each exhaustion time, the ledger."""
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
        return {entry.click_id: entry.pk for entry in created if entry.click_id is not None}

    def _write_one_statement(self) -> dict[int, int]:
        """``write`` on PostgreSQL: one statement (a round trip) for the spend, the exhaustion
        times and the ledger entries. The spend stays conditional: a row that would go over
        its budget is not updated, which the count of updated rows tells, and the error then
        rolls the whole transaction back (its ledger entries with it)."""
        changed = [p for p in self._periods.values() if p.added_micros or p.newly_exhausted]
        if not changed and not self._entries:
            return {}
        periods, ledger = (connection.ops.quote_name(model._meta.db_table) for model in (BudgetPeriod, LedgerEntry))
        entries = self._entries
        # Table names come from the models, values are parameters.
        sql = (
            f"WITH v AS (SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::timestamptz[]) AS v(id, added, ex)), "  # noqa: S608
            f"spend AS (UPDATE {periods} SET spent_micros = {periods}.spent_micros + v.added, "
            f"exhausted_at = COALESCE({periods}.exhausted_at, v.ex) FROM v WHERE {periods}.id = v.id "
            f"AND (v.added = 0 OR {periods}.spent_micros + v.added <= {periods}.budget_micros) "
            f"RETURNING v.added), "
            f"ledger AS (INSERT INTO {ledger} (period_id, campaign_id, kind, amount_micros, click_id, refund_of_id, "
            f"note, created_at) SELECT e.period, e.campaign, %b, e.amount, e.click, NULL, '', e.at "
            f"FROM unnest(%b::bigint[], %b::bigint[], %b::bigint[], %b::bigint[], %b::timestamptz[]) "
            f"AS e(period, campaign, amount, click, at) RETURNING click_id, id) "
            "SELECT 'spend', count(*), NULL FROM spend WHERE added > 0 "
            "UNION ALL SELECT 'ledger', click_id, id FROM ledger")
        params: list[Any] = [[p.pk for p in changed], [p.added_micros for p in changed],
                  [p.exhausted_at if p.newly_exhausted else None for p in changed],
                  LedgerEntry.Kind.CHARGE.value,
                  [e.period_id for e in entries], [e.campaign_id for e in entries],
                  [e.price_micros for e in entries], [e.click_id for e in entries], [e.at for e in entries]]
        rows = select_bound(sql, params)  # the arrays bound by the server, not quoted in Python (core.db)
        added = sum(1 for p in changed if p.added_micros)
        spent = next(count for part, count, _ in rows if part == "spend")
        if spent != added:
            # Under the lock every row matches; if one did not, the batch would overspend.
            raise ChargeBatchError(f"{added - spent} budget period(s) changed under the lock")
        return {click_id: entry_id for part, click_id, entry_id in rows if part == "ledger"}


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


_CAMPAIGN_FIELDS = ("id", "status", "launched_at", "weekly_budget_micros", "next_weekly_budget_micros",
                    "next_weekly_budget_from")


def _campaigns_and_periods_lock(pairs: set[tuple[int, dt.datetime]]
                                ) -> tuple[dict[int, Campaign], dict[tuple[int, dt.datetime], _Period]]:
    """PostgreSQL: the campaigns of these (campaign id, click time) pairs and their existing
    periods of those weeks, the active campaigns' periods locked, in one statement (a round
    trip less than reading the campaigns, then locking). The lock order is ``_periods_lock``'s:
    the locking CTE sorts by (campaign id, week start) below its ``FOR UPDATE``."""
    ids = sorted({campaign_id for campaign_id, _ in pairs})
    weeks = sorted({_week_start(at) for _, at in pairs})
    campaign_table, period_table = (connection.ops.quote_name(m._meta.db_table) for m in (Campaign, BudgetPeriod))
    columns = ", ".join(f"c.{connection.ops.quote_name(name)}" for name in _CAMPAIGN_FIELDS)  # columns named as fields
    # Table and column names come from the models, values are parameters.
    sql = (f"WITH p AS MATERIALIZED (SELECT p.id, p.campaign_id, p.week_start, p.spent_micros, "  # noqa: S608
           f"p.budget_micros, p.exhausted_at FROM {period_table} p JOIN {campaign_table} a ON a.id = p.campaign_id "
           f"WHERE p.campaign_id = ANY(%b::bigint[]) AND p.week_start = ANY(%b::timestamptz[]) AND a.status = %b "
           f"ORDER BY p.campaign_id, p.week_start FOR UPDATE OF p) "
           f"SELECT {columns}, p.id, p.week_start, p.spent_micros, p.budget_micros, p.exhausted_at "
           f"FROM {campaign_table} c LEFT JOIN p ON p.campaign_id = c.id WHERE c.id = ANY(%b::bigint[])")
    campaigns: dict[int, Campaign] = {}
    periods: dict[tuple[int, dt.datetime], _Period] = {}
    # The arrays bound by the server, not quoted into the statement in Python (core.db).
    rows = select_bound(sql, [ids, weeks, Campaign.Status.ACTIVE.value, ids])
    width = len(_CAMPAIGN_FIELDS)
    for row in rows:
        if row[0] not in campaigns:
            campaigns[row[0]] = Campaign.from_db(connection.alias, list(_CAMPAIGN_FIELDS), row[:width])
        pk, week_start, spent, budget_micros, exhausted_at = row[width:]
        if pk is not None:
            periods[(row[0], week_start)] = _Period(pk, spent, budget_micros, exhausted_at)
    return campaigns, periods


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
    locked: dict[tuple[int, dt.datetime], _Period] | None = None
    if connection.vendor == "postgresql" and pairs:
        campaigns, locked = _campaigns_and_periods_lock(pairs)
    else:
        campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in={c for c, _ in pairs}).only(*_CAMPAIGN_FIELDS)}
    wanted: dict[tuple[int, dt.datetime], tuple[Campaign, dt.datetime]] = {}
    for campaign_id, at in sorted(pairs, key=lambda p: (p[0], p[1])):
        campaign = campaigns.get(campaign_id)
        if campaign is not None and campaign.status == Campaign.Status.ACTIVE:
            wanted.setdefault((campaign_id, _week_start(at)), (campaign, at))
    periods: dict[tuple[int, dt.datetime], _Period] = {}
    if wanted:
        periods = _periods_lock(wanted) if locked is None else {
            key: period for key, period in locked.items() if key in wanted}
        missing = [key for key in wanted if key not in periods]
        if missing:  # once a week per campaign: create, then lock those too
            for key in missing:
                budget_period_current(*wanted[key])
            periods.update(_periods_lock({key: wanted[key] for key in missing}))
    return ClickCharges(campaigns, periods, reserve_micros)
