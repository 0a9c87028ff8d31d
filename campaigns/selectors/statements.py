"""Reads for weekly statements: a line per budget week, a week's days, its entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from campaigns.models import BudgetPeriod, LedgerEntry
from core import clock
from sellers.models import Seller


class LedgerTotals:
    """What a set of ledger entries adds up to; the dataclasses below declare the fields."""

    charges_micros: int
    refunds_micros: int  # negative or zero
    adjustments_micros: int

    @property
    def net_micros(self) -> int:
        return self.charges_micros + self.refunds_micros + self.adjustments_micros


@dataclass(frozen=True)
class StatementLine(LedgerTotals):
    period_id: int
    campaign_id: int
    campaign_name: str
    week_start: dt.datetime
    week_end: dt.datetime
    budget_micros: int
    charges_micros: int
    refunds_micros: int  # negative or zero
    adjustments_micros: int
    charged_clicks: int
    refunded_clicks: int

    @property
    def is_current(self) -> bool:
        return self.week_start <= clock.now() < self.week_end


def _statement_lines(periods: QuerySet[BudgetPeriod]) -> list[StatementLine]:
    charge, refund, adjustment = (Q(entries__kind=k) for k in LedgerEntry.Kind.values)
    rows = periods.order_by("-week_start", "-id").annotate(
        charges=Sum("entries__amount_micros", filter=charge, default=0),
        refunds=Sum("entries__amount_micros", filter=refund, default=0),
        adjustments=Sum("entries__amount_micros", filter=adjustment, default=0),
        charged_clicks=Count("entries", filter=charge),
        refunded_clicks=Count("entries", filter=refund),
    ).values_list("pk", "campaign_id", "campaign__name", "week_start", "week_end", "budget_micros",
                  "charges", "refunds", "adjustments", "charged_clicks", "refunded_clicks")
    return [StatementLine(*row) for row in rows]


def statement_lines_for_seller(seller: Seller) -> list[StatementLine]:
    """One line per budget week of the seller's campaigns, newest first, in one query.

    Refunds belong to the week of the charge they reverse, so a week's net equals what
    that week's period spent.
    """
    return _statement_lines(BudgetPeriod.objects.filter(campaign__seller=seller))


@dataclass(frozen=True)
class StatementDay(LedgerTotals):
    day: dt.date
    charges_micros: int
    refunds_micros: int
    adjustments_micros: int
    charged_clicks: int


@dataclass(frozen=True)
class StatementDetail:
    line: StatementLine
    period: BudgetPeriod
    days: list[StatementDay]


def statement_detail_for_seller(seller: Seller, period_id: int) -> StatementDetail | None:
    """A week's statement with a line per day (marketplace time), or None when the period
    is not one of the seller's (callers answer 404).
    """
    period = BudgetPeriod.objects.filter(pk=period_id, campaign__seller=seller).select_related("campaign").first()
    if period is None:
        return None
    line = _statement_lines(BudgetPeriod.objects.filter(pk=period.pk))[0]
    kinds = {k: Q(kind=k) for k in LedgerEntry.Kind.values}
    per_day = (
        LedgerEntry.objects.filter(period=period)
        .annotate(day=TruncDate("created_at", tzinfo=clock.marketplace_tz()))
        .order_by().values("day")
        .annotate(
            charges=Sum("amount_micros", filter=kinds["charge"], default=0),
            refunds=Sum("amount_micros", filter=kinds["refund"], default=0),
            adjustments=Sum("amount_micros", filter=kinds["adjustment"], default=0),
            clicks=Count("id", filter=kinds["charge"]),
        ).order_by("day")
    )
    days = [StatementDay(r["day"], r["charges"], r["refunds"], r["adjustments"], r["clicks"]) for r in per_day]
    return StatementDetail(line, period, days)


def statement_entries(period: BudgetPeriod) -> Iterator[tuple]:
    """A week's ledger entries, oldest first, streamed in chunks (for the CSV):
    (created_at, kind, amount_micros, click_id, note).
    """
    return (LedgerEntry.objects.filter(period=period).order_by("created_at", "id")
            .values_list("created_at", "kind", "amount_micros", "click_id", "note").iterator(chunk_size=2000))
