"""Budget-week arithmetic: plain functions over datetimes and micros (no database).

A budget week runs Monday 00:00 to the next Monday 00:00 in the marketplace time zone, so
with daylight-saving changes a week lasts 167 or 169 hours. All inputs and outputs are
aware datetimes; results are in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.money import cents_floor


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    # fold=0 picks the first of two midnights; a skipped midnight maps to the transition
    # instant, which is then the first instant of that local day.
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(dt.UTC)


def week_bounds(moment: dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) in UTC of the budget week containing ``moment``; end is exclusive."""
    local = moment.astimezone(tz)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return _local_midnight(monday, tz), _local_midnight(monday + dt.timedelta(days=7), tz)


def week_start(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Start (UTC) of the budget week that contains ``moment``."""
    return week_bounds(moment, tz)[0]


def week_fraction_left(moment: dt.datetime, start: dt.datetime, end: dt.datetime) -> float:
    """Share of the week [start, end) still ahead at ``moment`` (0..1)."""
    total = (end - start).total_seconds()
    left = (end - max(moment, start)).total_seconds()
    return min(1.0, max(0.0, left / total))


def prorated_budget(weekly_budget_micros: int, moment: dt.datetime, start: dt.datetime,
                    end: dt.datetime) -> int:
    """The part of a weekly budget matching the part of the week left, in whole cents.

    Integer arithmetic on seconds, rounded down to the cent, so it never exceeds the
    weekly budget.
    """
    total = int((end - start).total_seconds())
    left = max(0, min(total, int((end - max(moment, start)).total_seconds())))
    return cents_floor(weekly_budget_micros * left // total)
