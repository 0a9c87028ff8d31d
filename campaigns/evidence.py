"""Forecasts from evidence: a campaign's own finished weeks, else what the market's
campaigns actually got. Plain functions over ``WeekOutcome`` rows, no database.

- **Own weeks** (a campaign with at least one finished week of at least half a week):
  its clicks per full week and what a click cost it. A week that did not use its budget
  was limited by demand (the auction's gate, the closet, the shoppers), not money: more
  budget buys no more clicks than that demand, less budget buys budget ÷ CPC. A week that
  ran out was limited by money: clicks grow with the budget at its CPC.
- **The market** (a new campaign, once ``MIN_MARKET_WEEKS`` finished weeks of other
  campaigns exist): the clicks per promoted listing a week that campaigns not limited by
  money got, in the closet's top-level category when it has enough weeks, and the CPC the
  market paid (pacing, the gate and the reserve included, as they are).

Expected clicks are ``min(demand, budget ÷ CPC)``: never fewer for a larger budget. The
range is a Poisson interval widened by the noise it carries (``ClickEvidence.dispersion``), bounded
by what the budget can buy at the reserve price.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from campaigns.selectors import WeekOutcome, top_level

MIN_WEEK_SHARE = 0.5  # a launch week shorter than this says little
OWN_WEEKS = 4  # the latest finished weeks a campaign is forecast from
MARKET_WEEKS = 4  # ... and the market's, in weeks back from now
MIN_MARKET_WEEKS = 20  # finished weeks of other campaigns before the market replaces the rules
MIN_CATEGORY_WEEKS = 10  # weeks of a top-level category before it gets its own rate
USED_BUDGET = 0.9  # a week that spent this share of its budget (or ran out) was limited by money
Z80 = 1.2816  # the range is an ~80% interval
# Week-to-week variance of a campaign's clicks against a Poisson count's (models retrain,
# closets change, the gate learns shoppers): 1.25 measured on the calibrated simulator
# (seed 4, 14 days: var(week 2 - week 1) / (week 1 + week 2) over 71 campaigns).
WEEK_TO_WEEK_DISPERSION = 1.25
# A closet forecast from other closets' rate per listing (the market's, or the rules' prior):
# closets differ about 2x in it.
CLOSET_SPREAD_DISPERSION = 4.0


@dataclass(frozen=True)
class ClickEvidence:
    """What the forecast stands on: clicks a full week can reach, and a click's cost."""

    demand_clicks: float | None  # None: limited by money, no demand ceiling seen
    cpc_micros: int
    source: str  # "history" (own weeks) or "market"
    weeks: int

    @property
    def dispersion(self) -> float:
        """The range's widening: next week's own noise, plus the noise of a rate read from
        ``weeks`` weeks (own history), or closets' spread around the market's rate."""
        if self.source == "history":
            return WEEK_TO_WEEK_DISPERSION * (1 + 1 / max(self.weeks, 1))
        return CLOSET_SPREAD_DISPERSION


def _usable(rows: Sequence[WeekOutcome]) -> list[WeekOutcome]:
    return [r for r in rows if r.week_share >= MIN_WEEK_SHARE and r.budget_micros > 0]


def _money_limited(row: WeekOutcome) -> bool:
    return row.exhausted or row.spent_micros >= USED_BUDGET * row.budget_micros


def _cpc(rows: Sequence[WeekOutcome], reserve_micros: int) -> int:
    clicks = sum(r.charged_clicks for r in rows)
    spent = sum(r.spent_micros for r in rows)
    return max(reserve_micros, round(spent / clicks)) if clicks else reserve_micros


def own_evidence(rows: Sequence[WeekOutcome], reserve_micros: int) -> ClickEvidence | None:
    """From one campaign's finished weeks (newest first); None without a usable week."""
    weeks = _usable(rows)[:OWN_WEEKS]
    if not weeks:
        return None
    demand = None
    if not all(_money_limited(r) for r in weeks):
        free = [r for r in weeks if not _money_limited(r)]
        demand = sum(r.charged_clicks / r.week_share for r in free) / len(free)
    return ClickEvidence(demand, _cpc(weeks, reserve_micros), "history", len(weeks))


@dataclass(frozen=True)
class MarketRates:
    """The market's finished weeks in a few numbers (cached: they change once a week)."""

    weeks: int
    cpc_micros: int
    per_listing: float | None  # clicks per promoted listing a full week, weeks not limited by money
    per_listing_by_category: dict[str, float]  # top-level categories with ``MIN_CATEGORY_WEEKS`` such weeks


def market_rates(rows: Sequence[WeekOutcome], reserve_micros: int) -> MarketRates:
    weeks = [r for r in _usable(rows) if r.promoted_listings > 0]
    free = [r for r in weeks if not _money_limited(r)]

    def rate(basis: list[WeekOutcome]) -> float:
        return sum(r.charged_clicks / r.week_share for r in basis) / sum(r.promoted_listings for r in basis)

    by_category: dict[str, list[WeekOutcome]] = {}
    for r in free:
        by_category.setdefault(top_level(r.main_category), []).append(r)
    return MarketRates(len(weeks), _cpc(weeks, reserve_micros), rate(free) if free else None,
                       {c: rate(basis) for c, basis in by_category.items() if len(basis) >= MIN_CATEGORY_WEEKS})


def market_evidence(rates: MarketRates, *, listings: int, category: str) -> ClickEvidence | None:
    """For a new campaign of ``listings`` promoted listings mostly in ``category`` (top
    level); None below ``MIN_MARKET_WEEKS`` finished weeks of the market."""
    if rates.weeks < MIN_MARKET_WEEKS:
        return None
    per_listing = rates.per_listing_by_category.get(top_level(category), rates.per_listing)
    demand = None if per_listing is None else per_listing * listings
    return ClickEvidence(demand, rates.cpc_micros, "market", rates.weeks)


def expected_clicks(evidence: ClickEvidence, budget_micros: int) -> float:
    """Clicks a full week at ``budget_micros`` is likely to buy: never fewer for more budget."""
    affordable = budget_micros / evidence.cpc_micros
    return affordable if evidence.demand_clicks is None else min(evidence.demand_clicks, affordable)


def clicks_range(expected: float, budget_micros: int, reserve_micros: int,
                 dispersion: float) -> tuple[int, int]:
    """An ~80% range around ``expected``: Poisson widened by ``dispersion``, never above
    what the budget buys at the reserve price (nothing to promote: nothing)."""
    if expected <= 0:
        return 0, 0
    spread = Z80 * math.sqrt(dispersion * max(expected, 1.0))
    most = budget_micros // reserve_micros
    low = max(0, math.floor(expected - spread))
    high = min(most, math.ceil(expected + spread))
    return min(low, high), high
