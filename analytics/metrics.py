"""The seller's KPIs from summed rollup metrics: plain arithmetic, money in integer micros.

CTR is clicks / impressions; average CPC is spend / charged clicks (what a click cost,
free ones aside); ROAS is attributed sales (direct + halo) / spend. A ratio with a zero
denominator is None (shown as a dash), never 0 or infinity.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from analytics.models.rollups import METRICS

ZERO = dict.fromkeys(METRICS, 0)


def add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    return {m: a.get(m, 0) + b.get(m, 0) for m in METRICS}


def total(cells: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The metrics of ``cells`` summed (ZERO for none)."""
    return functools.reduce(add, cells, dict(ZERO))


@dataclass(frozen=True)
class Kpis:
    """The dashboard's numbers for one period (money in micros)."""

    impressions: int
    clicks: int
    charged_clicks: int
    spend_micros: int
    direct_orders: int
    direct_sales_micros: int
    halo_orders: int
    halo_sales_micros: int

    @classmethod
    def of(cls, sums: Mapping[str, Any]) -> Kpis:
        """The figures of an aggregate's sums (a metric missing or None is 0)."""
        return cls(**{m: int(sums.get(m) or 0) for m in METRICS})

    @property
    def orders(self) -> int:
        return self.direct_orders + self.halo_orders

    @property
    def sales_micros(self) -> int:
        return self.direct_sales_micros + self.halo_sales_micros

    @property
    def ctr(self) -> Decimal | None:
        """Click-through rate as a fraction (0.0123 = 1.23%)."""
        return Decimal(self.clicks) / self.impressions if self.impressions else None

    @property
    def cpc_micros(self) -> int | None:
        """Average cost per charged click, in micros (rounded down)."""
        return self.spend_micros // self.charged_clicks if self.charged_clicks else None

    @property
    def roas(self) -> Decimal | None:
        """Attributed sales / spend (3.8 = $3.80 of sales per $1 of ads)."""
        return Decimal(self.sales_micros) / self.spend_micros if self.spend_micros else None

    @property
    def is_empty(self) -> bool:
        return not any((self.impressions, self.clicks, self.spend_micros, self.orders, self.sales_micros))


def change(current: int | Decimal | None, previous: int | Decimal | None) -> Decimal | None:
    """Relative change from ``previous`` to ``current`` (0.25 = +25%); None when it means nothing."""
    if current is None or previous is None or previous == 0:
        return None
    return (Decimal(current) - Decimal(previous)) / Decimal(previous)
