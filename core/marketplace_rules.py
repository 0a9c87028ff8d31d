"""The marketplace's rules of money and credit, in one place below campaigns and the auction.

The reserve (the least a click costs), the take rate, the automatic-bid formula and its caps,
the attribution window and the repeat-click (dedup) window. The values are the admin's
*Auction settings* (``auction.models.AuctionSettings``); this module holds the rules and a
plain snapshot of those values, so that campaigns (the recommendation, the charge) and the
auction (ranking) apply the same formula without campaigns importing the auction. The auction
app registers where the current values come from at start-up (``rules_source_set``).

Pure: plain functions over plain values, money in integer micros.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from core.money import MICROS_PER_CENT

CENT = MICROS_PER_CENT
# An automatic bid is at most the period's budget over this (never below the reserve): a
# week's budget buys at least this many clicks, so one click of a small budget never takes
# a fifth of it at once.
MIN_CLICKS_PER_BUDGET = 20


@dataclass(frozen=True, slots=True)
class MarketplaceRules:
    """The admin's values for the marketplace rules, as ``AuctionSettings.marketplace_rules()``
    reads them (no defaults here: the admin's row has them)."""

    reserve_cpc_micros: int
    auto_max_cpc_micros: int
    take_rate: float
    attribution_window_days: int
    halo_enabled: bool
    click_dedup_minutes: int

    @property
    def attribution_window(self) -> dt.timedelta:
        """How long before a purchase a click can be credited with it."""
        return attribution_window(self.attribution_window_days)

    @property
    def click_dedup_window(self) -> dt.timedelta:
        """A repeat click by the same shopper on the same listing within this is free."""
        return click_dedup_window(self.click_dedup_minutes)


def attribution_window(days: int) -> dt.timedelta:
    """The attribution window of ``days`` days."""
    return dt.timedelta(days=days)


def click_dedup_window(minutes: int) -> dt.timedelta:
    """The repeat-click window of ``minutes`` minutes."""
    return dt.timedelta(minutes=minutes)


def budget_bid_cap(budget_micros: int) -> int:
    """The most an automatic bid may be for a period of ``budget_micros``, in whole cents."""
    return budget_micros // MIN_CLICKS_PER_BUDGET // CENT * CENT


def auto_bid_micros(multiplier: float, cvr: float, price_micros: int, *, take_rate: float, reserve_micros: int,
                    max_cpc_micros: int, budget_micros: int | None = None) -> int:
    """ClosetAds' automatic bid for one click, in whole-cent micros: ``multiplier x cvr x
    price x (1 - take rate)``, capped by the automatic maximum and (given the period's
    budget) ``budget_bid_cap``, and never below the reserve."""
    raw = multiplier * cvr * price_micros * (1.0 - take_rate)
    bid = int(raw) // CENT * CENT if raw > 0 else 0
    cap = max_cpc_micros
    if budget_micros:
        cap = min(cap, budget_bid_cap(budget_micros))
    return max(min(bid, cap), reserve_micros)


def is_exhausted(spent_micros: int, budget_micros: int, reserve_micros: int) -> bool:
    """A budget period is exhausted once what is left cannot pay the reserve."""
    return spent_micros > budget_micros - reserve_micros


_source: Callable[[], MarketplaceRules] | None = None


def rules_source_set(source: Callable[[], MarketplaceRules]) -> None:
    """Where ``rules_current`` reads the admin's values (the auction app, at start-up)."""
    global _source
    _source = source


def rules_current() -> MarketplaceRules:
    """The admin's current values (one settings read)."""
    if _source is None:
        raise RuntimeError("no source for the marketplace rules: the auction app registers one in its ready()")
    return _source()
