"""Forecasts from evidence: a campaign's own finished weeks, else what the market's
campaigns actually got. Plain functions over ``WeekOutcome`` rows, no database.

- **Own weeks** (a campaign with at least one finished week of at least half a week):
  its clicks per full week and what a click cost it. A week that did not use its budget
  was limited by demand (the auction's gate, the closet, the shoppers), not money: more
  budget buys no more clicks than that demand, less budget buys budget ÷ CPC. A week that
  ran out was limited by money: clicks grow with the budget at its CPC. Once the market
  has its weeks, a closet's own clicks are shrunk toward the market's rate for its
  listings (gamma-Poisson, ``own_evidence``): a week of a few clicks is mostly noise.
- **The market** (a new campaign, once ``MIN_MARKET_WEEKS`` finished weeks of other
  campaigns exist): the clicks per promoted listing a week that campaigns not limited by
  money got, in the closet's top-level category when it has enough weeks, and the CPC the
  market paid (pacing, the gate and the reserve included, as they are).

Expected clicks are ``min(demand, budget ÷ CPC)``: never fewer for a larger budget. The
range is bounded by what the budget can buy at the reserve price. From own weeks it is a
Poisson interval widened by the week-to-week noise (``ClickEvidence.dispersion``). From
other closets' rate (the market's, or the rules' prior) the closet's own rate is unknown:
it spreads around the common one with a coefficient of variation (``rate_cv``), so the
clicks are negative binomial (a gamma mixture of Poissons) and the range is its 10th to
90th percentile, long on the high side, as closets' rates are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import nbinom

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
# A closet forecast from the rules' prior rate per listing: how far its own rate may lie
# from it, as a coefficient of variation. It covers closets' spread and the marketplace's
# own level, which the prior does not know (seeds 4 and 5 of the calibrated simulator
# drew 0.42 and 0.23 clicks per listing): 1.2 is the least of 0.8, 1.0, 1.2 whose ranges
# held 80% of both seeds' first weeks (83% and 96%; 1.0: 79% and 93%). The market measures
# its own spread (``MarketRates.rate_cv``): its level is this marketplace's.
PRIOR_RATE_CV = 1.2
RANGE_QUANTILES = (0.1, 0.9)


@dataclass(frozen=True)
class ClickEvidence:
    """What the forecast stands on: clicks a full week can reach, and a click's cost."""

    demand_clicks: float | None  # None: limited by money, no demand ceiling seen
    cpc_micros: int
    source: str  # "history" (own weeks) or "market"
    weeks: int
    # The spread of closets' rates around the one this forecast reads (other closets'
    # evidence only; own weeks measured the closet's own rate: 0).
    rate_cv: float = 0.0

    @property
    def dispersion(self) -> float:
        """The Poisson range's widening for own history: next week's own noise, plus the
        noise of a rate read from ``weeks`` weeks; 1 (Poisson) for the market's rate, whose
        closets' spread is ``rate_cv`` (a negative binomial range)."""
        if self.source == "history":
            return WEEK_TO_WEEK_DISPERSION * (1 + 1 / max(self.weeks, 1))
        return 1.0  # Poisson around the closet's own rate; the closets' spread is rate_cv


def _gamma_shape(rate_cv: float) -> float:
    """The shape of a gamma spread of closets' rates with coefficient of variation ``rate_cv``."""
    return 1 / rate_cv ** 2


def _usable(rows: Sequence[WeekOutcome]) -> list[WeekOutcome]:
    return [r for r in rows if r.week_share >= MIN_WEEK_SHARE and r.budget_micros > 0]


def _money_limited(row: WeekOutcome) -> bool:
    return row.exhausted or row.spent_micros >= USED_BUDGET * row.budget_micros


def _cpc(rows: Sequence[WeekOutcome], reserve_micros: int) -> int:
    clicks = sum(r.charged_clicks for r in rows)
    spent = sum(r.spent_micros for r in rows)
    return max(reserve_micros, round(spent / clicks)) if clicks else reserve_micros


def own_evidence(rows: Sequence[WeekOutcome], reserve_micros: int,
                 prior: ClickEvidence | None = None) -> ClickEvidence | None:
    """From one campaign's finished weeks (newest first); None without a usable week.

    The demand is the clicks a full week of the weeks not limited by money got. With
    ``prior``, the market's evidence for this closet (its rate for the closet's listings and
    how far closets spread around it, ``rate_cv``), that demand is the gamma-Poisson
    posterior mean (empirical Bayes): a week or two of a few clicks is mostly Poisson noise,
    so the closet's own count is shrunk toward the market's rate, the less the more weeks
    and clicks it has. A gamma prior of mean ``m`` and shape ``k = 1 / rate_cv ** 2``, with
    ``x`` clicks over ``w`` full weeks, gives ``(k + x) / (k / m + w)``.
    """
    weeks = _usable(rows)[:OWN_WEEKS]
    if not weeks:
        return None
    demand = None
    if not all(_money_limited(r) for r in weeks):
        free = [r for r in weeks if not _money_limited(r)]
        clicks = sum(r.charged_clicks for r in free)
        full_weeks = sum(r.week_share for r in free)
        demand = clicks / full_weeks
        # A spread of 0 (closets nearer the rate than Poisson noise) is an estimate at its
        # bound, not a certainty that would outweigh any count: the own count stands.
        if prior is not None and prior.demand_clicks and prior.rate_cv > 0:
            shape = _gamma_shape(prior.rate_cv)
            demand = (shape + clicks) / (shape / prior.demand_clicks + full_weeks)
    return ClickEvidence(demand, _cpc(weeks, reserve_micros), "history", len(weeks))


@dataclass(frozen=True)
class MarketRates:
    """The market's finished weeks in a few numbers (cached: they change once a week)."""

    weeks: int
    cpc_micros: int
    per_listing: float | None  # clicks per promoted listing a full week, weeks not limited by money
    per_listing_by_category: dict[str, float]  # top-level categories with ``MIN_CATEGORY_WEEKS`` such weeks
    rate_cv: float = PRIOR_RATE_CV  # closets' spread around the rate (measured with enough such weeks)


def market_rates(rows: Sequence[WeekOutcome], reserve_micros: int) -> MarketRates:
    weeks = [r for r in _usable(rows) if r.promoted_listings > 0]
    free = [r for r in weeks if not _money_limited(r)]

    def rate(basis: list[WeekOutcome]) -> float:
        return sum(r.charged_clicks / r.week_share for r in basis) / sum(r.promoted_listings for r in basis)

    by_category: dict[str, list[WeekOutcome]] = {}
    for r in free:
        by_category.setdefault(top_level(r.main_category), []).append(r)
    rates = {c: rate(basis) for c, basis in by_category.items() if len(basis) >= MIN_CATEGORY_WEEKS}
    overall = rate(free) if free else None
    return MarketRates(len(weeks), _cpc(weeks, reserve_micros), overall, rates, _rate_cv(free, overall, rates))


def _rate_cv(free: list[WeekOutcome], overall: float | None, by_category: dict[str, float]) -> float:
    """How far closets' own rates spread around the rate a new closet is forecast from
    (method of moments: a week's squared miss is its Poisson noise plus (cv * mean)^2);
    ``PRIOR_RATE_CV`` until ``MIN_MARKET_WEEKS`` weeks not limited by money say otherwise."""
    if overall is None or len(free) < MIN_MARKET_WEEKS:
        return PRIOR_RATE_CV
    noise = squares = 0.0
    for r in free:
        mean = by_category.get(top_level(r.main_category), overall) * r.promoted_listings * r.week_share
        noise += (r.charged_clicks - mean) ** 2 - mean
        squares += mean ** 2
    return math.sqrt(max(noise, 0.0) / squares) if squares else PRIOR_RATE_CV


def market_evidence(rates: MarketRates, *, listings: int, category: str) -> ClickEvidence | None:
    """For a new campaign of ``listings`` promoted listings mostly in ``category`` (top
    level); None below ``MIN_MARKET_WEEKS`` finished weeks of the market."""
    if rates.weeks < MIN_MARKET_WEEKS:
        return None
    per_listing = rates.per_listing_by_category.get(top_level(category), rates.per_listing)
    demand = None if per_listing is None else per_listing * listings
    return ClickEvidence(demand, rates.cpc_micros, "market", rates.weeks, rates.rate_cv)


def expected_clicks(evidence: ClickEvidence, budget_micros: int) -> float:
    """Clicks a full week at ``budget_micros`` is likely to buy: never fewer for more budget."""
    affordable = budget_micros / evidence.cpc_micros
    return affordable if evidence.demand_clicks is None else min(evidence.demand_clicks, affordable)


def clicks_range(expected: float, budget_micros: int, reserve_micros: int,
                 dispersion: float, rate_cv: float = 0.0) -> tuple[int, int]:
    """An ~80% range around ``expected``, never above what the budget buys at the reserve
    price (nothing to promote: nothing). With ``rate_cv`` (a rate read from other closets):
    the 10th-90th percentiles of a negative binomial of that mean, whose variance is
    ``expected + (rate_cv * expected)^2``. Without: Poisson widened by ``dispersion``."""
    if expected <= 0:
        return 0, 0
    most = budget_micros // reserve_micros
    if rate_cv > 0:
        shape = _gamma_shape(rate_cv)  # a fixed shape keeps the range monotone in the mean
        low_q, high_q = nbinom.ppf(RANGE_QUANTILES, shape, shape / (shape + expected))
        low, high = int(low_q), min(most, int(high_q))
        return min(low, high), high
    spread = Z80 * math.sqrt(dispersion * max(expected, 1.0))
    low = max(0, math.floor(expected - spread))
    high = min(most, math.ceil(expected + spread))
    return min(low, high), high
