"""Weekly partitions of the raw event tables on PostgreSQL, created ahead and dropped after retention.

On PostgreSQL six tables are declaratively partitioned by range of their time column, one
partition per week (Monday to Monday), plus a default partition that catches a row no
weekly partition covers (an event dated before the oldest partition kept, or beyond the
weeks created ahead) so an insert never fails for want of a partition:

- ``analytics_impression`` by ``occurred_at`` (UTC weeks), kept
  ``CLOSETADS_RETENTION_IMPRESSIONS_DAYS`` (90 by default) and dropped only once the
  rollups hold it for good: every row of the week has an id at or below the impressions
  fold's watermark, which only moves past ids that are committed (``analytics.horizon``);
- ``analytics_click`` by ``occurred_at`` (UTC weeks), kept ``CLOSETADS_RETENTION_CLICKS_DAYS``
  (400 by default, 13 months) and dropped once the clicks fold's watermark is past it, as
  impressions; the bids' first-click claims (``ClickBid``, a plain table) are deleted at
  the same age;
- ``analytics_purchase`` by ``occurred_at``, ``analytics_purchaseitem`` and
  ``analytics_attributioncredit`` by ``purchased_at`` (the order's time, which items and
  credits carry), the same UTC weeks, kept ``CLOSETADS_RETENTION_PURCHASES_DAYS`` (400 by
  default). A week of the three is dropped together, once its attribution is final and
  folded (``purchases_week_final``): every order of the week attributed, no click or
  cancellation the attribution has not looked at that could change its credits, and every
  credit of the week folded into the rollups (docs/decisions/0010-purchases-in-weekly-partitions.md);
- ``auction_listingauctionday`` (the auction decision counts) by ``day`` (the marketplace's
  dates), kept ``CLOSETADS_RETENTION_DECISIONS_DAYS`` (90 by default). They are sums
  already, final once their day is over: nothing to wait for.

The periodic job ``partitions`` (beat, hourly) creates the coming weeks and drops whole
expired weeks. Dropping a partition is a catalogue change, not a long DELETE that would
hold the fold back. On SQLite the tables stay plain and every function here does nothing.

Why the keys changed: PostgreSQL requires a partitioned table's primary key and unique
constraints to include the partition key, so the primary keys are ``(id, occurred_at)``,
``(id, purchased_at)`` and ``(id, day)`` (ids still come from one sequence, so ``id`` alone
stays unique in practice and the fold reads by id range). The impressions' storefront-id constraint is ``UNIQUE
(event_id, occurred_at)`` (clicks' too): a resent event carries the same ``occurredAt`` and is still
stored once; the same id sent again with a *different* time would be stored twice. The
decision counts' upsert key ``(listing_id, day)`` holds the day already. The order id is
unique with the order's time, ``UNIQUE (order_id, occurred_at)``, as the events' ids; an
item's key and "one live credit per item" include the time, and a credit's reversal is unique
with it (an item's credits and reversals all carry the order's time, so these mean what
they meant). No foreign-key constraint points at a partitioned table (nothing may: it must
name the whole key): item -> order, credit -> item, credit -> order and reversal -> credit
are loose (``db_constraint=False``); Django still joins and cascades them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from core import clock

WEEK = dt.timedelta(days=7)
AHEAD_WEEKS = 4
IMPRESSIONS = "analytics_impression"
CLICKS = "analytics_click"
PURCHASES = "analytics_purchase"
PURCHASE_ITEMS = "analytics_purchaseitem"
CREDITS = "analytics_attributioncredit"
DECISIONS = "auction_listingauctionday"
# Partitioned alike and dropped together, a week at a time, once that week's attribution is final.
PURCHASE_TABLES = (PURCHASES, PURCHASE_ITEMS, CREDITS)
CREDITS_FOLD = "rollups.credits"


@dataclass(frozen=True)
class Partitioning:
    """How one table is partitioned: its time column (a date column when ``dates``), the
    watermark below which the rollups hold its rows for good (None: final when written, or
    judged by its group), the setting giving its retention in days, and whether its weeks
    are dropped with the purchases' (``grouped``: see ``purchases_drop_expired``)."""

    column: str
    retention_setting: str
    watermark: str | None = None
    dates: bool = False
    grouped: bool = False

    def bound(self, moment: dt.datetime) -> dt.datetime | dt.date:
        return moment.date() if self.dates else moment


PARTITIONED = {
    IMPRESSIONS: Partitioning("occurred_at", "RETENTION_IMPRESSIONS_DAYS", watermark="rollups.impressions"),
    CLICKS: Partitioning("occurred_at", "RETENTION_CLICKS_DAYS", watermark="rollups.clicks"),
    PURCHASES: Partitioning("occurred_at", "RETENTION_PURCHASES_DAYS", grouped=True),
    PURCHASE_ITEMS: Partitioning("purchased_at", "RETENTION_PURCHASES_DAYS", grouped=True),
    CREDITS: Partitioning("purchased_at", "RETENTION_PURCHASES_DAYS", grouped=True),
    DECISIONS: Partitioning("day", "RETENTION_DECISIONS_DAYS", dates=True),
}


@dataclass
class PartitionsResult:
    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    kept_unfolded: list[str] = field(default_factory=list)  # past retention, rows not folded yet
    claims_dropped: int = 0  # click claims past the clicks' retention

    def as_dict(self) -> dict[str, list[str] | int]:
        return {"created": self.created, "dropped": self.dropped, "kept_unfolded": self.kept_unfolded,
                "claims_dropped": self.claims_dropped}


def week_start(moment: dt.datetime) -> dt.datetime:
    """The UTC Monday 00:00 at or before ``moment`` (partitions are UTC weeks)."""
    day = moment.astimezone(dt.UTC).date()
    monday = day - dt.timedelta(days=day.weekday())
    return dt.datetime(monday.year, monday.month, monday.day, tzinfo=dt.UTC)


def partition_name(table: str, start: dt.datetime) -> str:
    return f"{table}_p{start:%Y%m%d}"


def enabled() -> bool:
    return connection.vendor == "postgresql"


def partitions_of(table: str) -> list[tuple[str, dt.datetime | None, dt.datetime | None]]:
    """The partitions of ``table``: (name, from, to), the default one with None bounds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [table])
        rows = cursor.fetchall()
    out: list[tuple[str, dt.datetime | None, dt.datetime | None]] = []
    for name, bound in rows:
        if bound == "DEFAULT":
            out.append((name, None, None))
            continue
        # FOR VALUES FROM ('2026-11-30 00:00:00+00') TO ('2026-12-07 00:00:00+00')
        low, high = (part.split("'")[1] for part in bound.split(" TO "))
        out.append((name, _parse(low), _parse(high)))
    return out


def partition_holding(table: str, where: str, params: Sequence[int | str | dt.date]) -> str | None:
    """The partition of ``table`` that holds the first row matching ``where`` (SQL over
    its columns, ``%s`` placeholders for ``params``); None when no row matches. For tests
    and for an operator checking where rows went."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT tableoid::regclass::text FROM "{table}" WHERE {where} LIMIT 1', params)  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def _parse(text: str) -> dt.datetime:
    """A partition bound: a timestamp ('2026-11-30 00:00:00+00') or a date ('2026-11-30', midnight UTC)."""
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(text.replace("+00", "+00:00") if text.endswith("+00") else text)


def partition_create(table: str, start: dt.datetime) -> str | None:
    """Create ``table``'s partition for the UTC week starting at ``start`` if it is missing.

    Rows of that week already in the default partition move into the new one, in the same
    transaction (PostgreSQL refuses to attach a range the default partition has rows in).
    Returns the partition's name when it was created.
    """
    name = partition_name(table, start)
    spec = PARTITIONED[table]
    low, high = spec.bound(start), spec.bound(start + WEEK)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
        if cursor.fetchone():
            return None
        # Serialise with other creators and with inserts' routing (SHARE ROW EXCLUSIVE blocks writers
        # only for these few statements).
        cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
        cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
        if cursor.fetchone():
            return None
        cursor.execute(f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
        default = f"{table}_default"
        column = spec.column
        cursor.execute(f'WITH moved AS (DELETE FROM "{default}" WHERE {column} >= %s AND {column} < %s '  # noqa: S608 - our names
                       f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved', [low, high])
        cursor.execute(f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)', [low, high])
    return name


def partitions_ensure(now: dt.datetime | None = None, ahead: int = AHEAD_WEEKS) -> list[str]:
    """Create the partitions of this week and the ``ahead`` weeks after it (PostgreSQL only)."""
    if not enabled():
        return []
    first = week_start(now or clock.now())
    created = []
    for table in PARTITIONED:
        for i in range(ahead + 1):
            name = partition_create(table, first + i * WEEK)
            if name:
                created.append(name)
    return created


def retention_days(table: str) -> int:
    return int(getattr(settings, PARTITIONED[table].retention_setting))


def partitions_drop_expired(now: dt.datetime | None = None) -> PartitionsResult:
    """Drop each weekly partition that ended more than the retention ago and whose rows the
    rollups hold for good (all ids at or below the fold's watermark, for a table that has
    one). PostgreSQL only."""
    from analytics.models import Watermark

    result = PartitionsResult()
    if not enabled():
        return result
    now = now or clock.now()
    for table, spec in PARTITIONED.items():
        if spec.grouped:
            continue
        cutoff = now - dt.timedelta(days=retention_days(table))
        for name, _low, high in partitions_of(table):
            if high is None or high > cutoff:
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                if spec.watermark is not None:
                    # The fold moves the watermark under this row lock: a fold running now finishes first.
                    watermark = (Watermark.objects.select_for_update().filter(name=spec.watermark)
                                 .values_list("position", flat=True).first()) or 0
                    cursor.execute(f'SELECT max(id) FROM "{name}"')  # noqa: S608 - our partition's name
                    (highest,) = cursor.fetchone()
                    if highest is not None and highest > watermark:
                        result.kept_unfolded.append(name)
                        continue
                cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"')
                cursor.execute(f'DROP TABLE "{name}"')
            result.dropped.append(name)
    purchases_drop_expired(now, result)
    return result


def purchases_drop_expired(now: dt.datetime, result: PartitionsResult) -> None:
    """Drop each week of purchases, their items and their credits (the three tables' partitions
    of that week, together) that ended more than the retention ago once its attribution is
    final and folded (``purchases_week_final``). PostgreSQL only."""
    cutoff = now - dt.timedelta(days=retention_days(PURCHASES))
    weeks: dict[dt.datetime, dict[str, str]] = {}
    for table in PURCHASE_TABLES:
        for name, low, high in partitions_of(table):
            if low is not None and high is not None and high <= cutoff:
                weeks.setdefault(low, {})[table] = name
    for low, names in sorted(weeks.items()):
        ordered = [names[table] for table in PURCHASE_TABLES if table in names]
        with transaction.atomic(), connection.cursor() as cursor:
            if not purchases_week_final(names, low, low + WEEK):
                result.kept_unfolded.extend(ordered)
                continue
            # Orders, then items, then credits: the order ingestion and attribution write them in.
            for table in PURCHASE_TABLES:
                if table in names:
                    cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{names[table]}"')
                    cursor.execute(f'DROP TABLE "{names[table]}"')
        result.dropped.extend(ordered)


def _highest_id(partition: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT max(id) FROM "{partition}"')  # noqa: S608 - our partition's name
        return cursor.fetchone()[0]


def purchases_week_final(names: dict[str, str], low: dt.datetime, high: dt.datetime) -> bool:
    """Whether the week [low, high) of purchases (``names``: table -> that week's partition)
    may be dropped: nothing can change its credits any more and the rollups hold them.

    Call inside a transaction: it locks the attribution's mutex (no attribution run writes
    credits until the caller commits) and the credits fold's watermark. Final means: every
    order of the week was attributed (ids at or below the attribution's purchases
    watermark), no charged click and no cancellation that the attribution has not looked at
    yet could change its credits, and every credit of the week is folded (ids at or below
    the credits fold's watermark, which only passes committed ids).
    """
    from analytics.models import Cancellation, Click
    from analytics.services.attribution import CANCELLATIONS_MARK, CLICKS_MARK, MUTEX, PURCHASES_MARK
    from analytics.services.watermarks import watermark_positions, watermarks_lock
    from auction.models import AuctionSettings
    from core.marketplace_rules import attribution_window

    locked = watermarks_lock([MUTEX, CREDITS_FOLD])
    # Read after taking the mutex: each moves only after the credits it covers were committed.
    marks = watermark_positions([PURCHASES_MARK, CLICKS_MARK, CANCELLATIONS_MARK])
    purchases = names.get(PURCHASES)
    highest = _highest_id(purchases) if purchases else None
    if highest is not None:
        if highest > marks[PURCHASES_MARK]:
            return False
        window = attribution_window(AuctionSettings.load().attribution_window_days)
        if Click.objects.filter(pk__gt=marks[CLICKS_MARK], charged=True, occurred_at__gte=low - window,
                                occurred_at__lt=high).exists():
            return False  # a click the attribution has not looked at may credit an order of the week
        table = Cancellation._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT 1 FROM "{table}" c JOIN "{purchases}" p ON p.order_id = c.purchase_order_id '  # noqa: S608
                           f"WHERE c.id > %s LIMIT 1", [marks[CANCELLATIONS_MARK]])
            if cursor.fetchone():
                return False  # an order of the week was cancelled and its credits not reversed yet
    credits = names.get(CREDITS)
    highest = _highest_id(credits) if credits else None
    return highest is None or highest <= locked[CREDITS_FOLD].position


def click_claims_drop_expired(now: dt.datetime | None = None) -> int:
    """Delete the bids' first-click claims (``ClickBid``) older than the clicks' retention: a
    resolved bid expires within hours, so an old claim guards nothing. Both databases."""
    from analytics.models import ClickBid

    cutoff = (now or clock.now()) - dt.timedelta(days=retention_days(CLICKS))
    deleted, _ = ClickBid.objects.filter(claimed_at__lt=cutoff).delete()
    return deleted


def partitions_maintain(now: dt.datetime | None = None) -> PartitionsResult:
    """The periodic job: create the coming weeks' partitions, drop the expired ones, and the
    expired click claims."""
    result = partitions_drop_expired(now)
    result.created = partitions_ensure(now)
    result.claims_dropped = click_claims_drop_expired(now)
    return result
