"""When a seller is told: the rules of the alerts as plain functions (no database).

* Budget spent early: the week's budget ran out with at least ``SPENT_EARLY_MARGIN`` of the
  week still to go (the listings then go unpromoted until Monday 00:00).
* Low return on ad spend: the last finished week's return (attributed sales / spend) is
  below ``LOW_ROAS_SHARE`` of the median of the seller's previous ``LOW_ROAS_WEEKS`` finished
  weeks; the last week must have spent at least ``LOW_ROAS_MIN_SPEND_MICROS``, and only
  earlier weeks that did count, of which at least ``LOW_ROAS_MIN_WEEKS`` are needed (a
  seller's own history, not the market's: closets differ too much for one bar).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

# An hour: a budget spent in the week's last hour is pacing done right, not a lost evening.
SPENT_EARLY_MARGIN = dt.timedelta(hours=1)
LOW_ROAS_SHARE = 0.5
LOW_ROAS_WEEKS = 4
LOW_ROAS_MIN_WEEKS = 2
LOW_ROAS_MIN_SPEND_MICROS = 5_000_000  # $5: below it, one sale more or less swings the ratio


def spent_early(exhausted_at: dt.datetime, week_end: dt.datetime) -> bool:
    """Whether a budget that ran out at ``exhausted_at`` left too much of the week unpromoted."""
    return week_end - exhausted_at >= SPENT_EARLY_MARGIN


@dataclass(frozen=True)
class WeekReturn:
    """One finished week of a seller: ad spend and the sales attributed to it, in micros."""

    spend_micros: int
    sales_micros: int

    @property
    def roas(self) -> float:
        return self.sales_micros / self.spend_micros if self.spend_micros else 0.0


@dataclass(frozen=True)
class LowReturn:
    roas: float
    usual_roas: float  # the median of the earlier weeks that counted
    weeks: int  # how many earlier weeks counted


def low_return(last: WeekReturn, earlier: list[WeekReturn]) -> LowReturn | None:
    """A LowReturn when ``last`` is well below the seller's usual return, else None.

    ``earlier`` is newest first; only its first ``LOW_ROAS_WEEKS`` are read.
    """
    if last.spend_micros < LOW_ROAS_MIN_SPEND_MICROS:
        return None
    counted = [week.roas for week in earlier[:LOW_ROAS_WEEKS] if week.spend_micros >= LOW_ROAS_MIN_SPEND_MICROS]
    if len(counted) < LOW_ROAS_MIN_WEEKS:
        return None
    usual = statistics.median(counted)
    if last.roas >= LOW_ROAS_SHARE * usual:
        return None
    return LowReturn(roas=last.roas, usual_roas=usual, weeks=len(counted))
