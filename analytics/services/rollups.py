"""Hourly rollups: new events folded in every minute by id watermark, or any range recomputed.

Four sources, each with its own watermark (the highest id folded):

* impressions: +impressions in the hour they occurred (sponsored only);
* clicks: +clicks in the hour they occurred (sponsored, genuine resolved bid);
* the campaigns ledger: a charge is +1 charged click and +spend, a refund -1 and -spend,
  in the hour of the ledger entry (a charge is dated at its click);
* attribution credits: +orders/+sales (a reversal row: minus) in the hour of the purchase.

The fold adds each new row's contribution to its cell with ``INSERT ... ON CONFLICT DO
UPDATE SET x = x + excluded.x`` (and the cells' sums per campaign and hour to
``CampaignHourlyStat``) and moves the watermarks in the same transaction, so a row is
counted exactly once in both tables. The recompute rebuilds the cells of a range (both
tables) from every row up to the same watermarks, so both give identical tables.
Watermarks are ids (ingestion order), read up to ``committed_horizons`` (no id below it
can still appear): a late event is a new id and lands in its own (past) hour on the next fold.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import TruncHour

from analytics.horizon import committed_horizons
from analytics.models import AttributionCredit, CampaignHourlyStat, Click, HourlyStat, Impression
from analytics.models.rollups import METRICS
from analytics.services.watermarks import watermarks_lock
from campaigns.models import LedgerEntry

UTC = dt.UTC
# A backlog is folded in steps of at most this many ids per source, one transaction each.
MAX_IDS_PER_STEP = 1_000_000

Cell = tuple[int, int, dt.datetime]
Cells = dict[Cell, dict[str, int]]


def _hour(column: str) -> TruncHour:
    return TruncHour(column, tzinfo=UTC)


def _add(cells: Cells, campaign_id, listing_id, hour, **metrics: int) -> None:
    if campaign_id is None or listing_id is None:
        return
    cell = cells.setdefault((campaign_id, listing_id, hour.astimezone(UTC)), defaultdict(int))
    for name, value in metrics.items():
        cell[name] += value or 0


def _count_cells(rows, cells: Cells, metric: str) -> int:
    """Add each sponsored event row to its cell's ``metric``; returns how many were folded."""
    folded = 0
    for row in (rows.filter(campaign__isnull=False).order_by().annotate(hour=_hour("occurred_at"))
                .values("campaign_id", "listing_id", "hour").annotate(n=Count("id"))):
        _add(cells, row["campaign_id"], row["listing_id"], row["hour"], **{metric: row["n"]})
        folded += row["n"]
    return folded


def _ledger_cells(rows, cells: Cells) -> int:
    folded = 0
    clicked = Click.objects.filter(pk=OuterRef("click_id")).values("listing_id")[:1]
    for row in (rows.filter(click_id__isnull=False, kind__in=[LedgerEntry.Kind.CHARGE, LedgerEntry.Kind.REFUND])
                .order_by().annotate(hour=_hour("created_at"), clicked_listing=Subquery(clicked))
                .values("campaign_id", "clicked_listing", "hour", "kind")
                .annotate(n=Count("id"), amount=Sum("amount_micros"))):
        sign = 1 if row["kind"] == LedgerEntry.Kind.CHARGE else -1
        _add(cells, row["campaign_id"], row["clicked_listing"], row["hour"], charged_clicks=sign * row["n"],
             spend_micros=row["amount"])
        folded += row["n"]
    return folded


def _credit_cells(rows, cells: Cells) -> int:
    folded = 0
    for row in (rows.order_by().annotate(hour=_hour("purchased_at"))
                .values("campaign_id", "listing_id", "hour", "kind")
                .annotate(n=Count("id"), orders=Sum("order_count"), sales=Sum("amount_micros"))):
        prefix = "direct" if row["kind"] == AttributionCredit.Kind.DIRECT else "halo"
        _add(cells, row["campaign_id"], row["listing_id"], row["hour"],
             **{f"{prefix}_orders": row["orders"], f"{prefix}_sales_micros": row["sales"]})
        folded += row["n"]
    return folded


# name -> (source model, the time column a recompute filters on, aggregation)
SOURCES: dict[str, tuple[Any, str, Callable[[Any, Cells], int]]] = {
    "rollups.impressions": (Impression, "occurred_at", partial(_count_cells, metric="impressions")),
    "rollups.clicks": (Click, "occurred_at", partial(_count_cells, metric="clicks")),
    "rollups.ledger": (LedgerEntry, "created_at", _ledger_cells),
    "rollups.credits": (AttributionCredit, "purchased_at", _credit_cells),
}


def _campaign_cells(cells: Cells) -> dict[tuple[int, dt.datetime], dict[str, int]]:
    """The listing cells summed per (campaign, hour): the ``CampaignHourlyStat`` deltas of the same step."""
    totals: dict[tuple[int, dt.datetime], dict[str, int]] = {}
    for (campaign_id, _, hour), metrics in cells.items():
        total = totals.setdefault((campaign_id, hour), defaultdict(int))
        for name, value in metrics.items():
            total[name] += value
    return totals


def _upsert_rows(model, keys: list[str], items: list[tuple[tuple, dict[str, int]]]) -> None:
    """Add each row's metrics to ``model``'s row with the same ``keys`` (created at zero if missing)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*keys, *METRICS]
    per_statement = (500 if connection.vendor == "postgresql"
                     else (connection.features.max_query_params or 999) // len(columns))
    # Identifiers come from the model, values are parameters.
    head = f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    tail = (f" ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET "
            + ", ".join(f"{quote(m)} = {table}.{quote(m)} + excluded.{quote(m)}" for m in METRICS))
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(items), per_statement):
            part = items[start:start + per_statement]
            params: list = []
            for (*ids, hour), metrics in part:
                params.extend([*ids, adapt(hour), *(metrics.get(m, 0) for m in METRICS)])
            cursor.execute(head + ", ".join([placeholder] * len(part)) + tail, params)


def rollups_add(cells: Cells) -> None:
    """Add each (campaign, listing, UTC hour) cell's metrics to its ``HourlyStat`` row and their sums to the
    ``CampaignHourlyStat`` rows (rows created at zero if missing); money in micros.

    The one write of both rollup tables (the fold, the recompute, test fixtures): call it inside
    the caller's transaction so the campaign rows stay the exact sums of the listing rows. Rows
    are written in a stable order, so concurrent calls lock them in the same order.
    """
    if not cells:
        return
    _upsert_rows(HourlyStat, ["campaign_id", "listing_id", "hour"], sorted(cells.items()))
    _upsert_rows(CampaignHourlyStat, ["campaign_id", "hour"], sorted(_campaign_cells(cells).items()))


@dataclass
class FoldResult:
    folded: dict[str, int] = field(default_factory=dict)
    cells: int = 0
    waiting: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def rollups_fold(*, max_ids_per_step: int = MAX_IDS_PER_STEP) -> FoldResult:
    """Fold every committed row not yet folded into the hourly rollups; safe to run twice (and at once).

    Reads up to ``committed_horizons`` (may wait a few milliseconds on PostgreSQL for open
    writers); a source whose horizon is unknown (a long-open writer) is retried next run and
    listed in ``waiting``. Each step is one transaction: the watermarks are locked, the rows
    (watermark, horizon] aggregated, the cells upserted and the watermarks moved.
    """
    horizons = committed_horizons([model for model, _, _ in SOURCES.values()])
    result = FoldResult(folded={name: 0 for name in SOURCES})
    while True:
        progressed = False
        with transaction.atomic():
            marks = watermarks_lock(SOURCES)
            cells: Cells = {}
            for name, (model, _, aggregate) in SOURCES.items():
                horizon = horizons[model]
                if horizon is None:
                    if name not in result.waiting:
                        result.waiting.append(name)
                    continue
                low = marks[name].position
                if horizon <= low:
                    continue
                high = min(horizon, low + max_ids_per_step)
                result.folded[name] += aggregate(model.objects.filter(pk__gt=low, pk__lte=high), cells)
                marks[name].position = high
                marks[name].save(update_fields=["position", "updated_at"])
                progressed = progressed or high < horizon
            rollups_add(cells)
            result.cells += len(cells)
        if not progressed:
            return result


def _hour_floor(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def rollups_recompute(since: dt.datetime, until: dt.datetime) -> FoldResult:
    """Rebuild the rollup rows (both tables) of the hours overlapping [since, until) from the stored events.

    Uses every row up to the current watermarks (the rows after them are the next fold's),
    in one transaction holding the watermarks, so the result equals what folding produced.
    """
    start = _hour_floor(since)
    end = _hour_floor(until)
    if end < until.astimezone(UTC):
        end += dt.timedelta(hours=1)
    result = FoldResult(folded={name: 0 for name in SOURCES})
    with transaction.atomic():
        marks = watermarks_lock(SOURCES)
        HourlyStat.objects.filter(hour__gte=start, hour__lt=end).delete()
        CampaignHourlyStat.objects.filter(hour__gte=start, hour__lt=end).delete()
        cells: Cells = {}
        for name, (model, time_column, aggregate) in SOURCES.items():
            rows = model.objects.filter(pk__lte=marks[name].position,
                                        **{f"{time_column}__gte": start, f"{time_column}__lt": end})
            result.folded[name] = aggregate(rows, cells)
        rollups_add(cells)
        result.cells = len(cells)
    return result
