"""What the dashboard shows, formatted: KPI cards with their change, chart series. No queries here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from analytics.metrics import Kpis, change
from analytics.selectors.dashboard import Dashboard
from closetads.money import MICROS_PER_UNIT, format_money, to_decimal

DASH = "\u2013"


def percent(fraction: Decimal | None, places: int = 1) -> str:
    if fraction is None:
        return DASH
    quantum = Decimal(1).scaleb(-places)
    return f"{(fraction * 100).quantize(quantum, rounding=ROUND_HALF_UP)}%"


def roas_text(value: Decimal | None) -> str:
    return DASH if value is None else f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}x"


def money_or_dash(micros: int | None) -> str:
    return DASH if micros is None else format_money(micros)


def decimal_string(micros: int) -> str:
    """Money for the CSV: exact, two decimals unless the amount has finer digits ("12.30", "0.123456")."""
    if micros % 10_000 == 0:
        return f"{to_decimal(micros):.2f}"
    return f"{to_decimal(micros):.6f}"


@dataclass(frozen=True)
class KpiCard:
    key: str
    label: str
    value: str
    change: Decimal | None
    detail: str = ""
    # Spend going up is not "good" or "bad" in itself: shown without colour.
    neutral: bool = False

    @property
    def change_text(self) -> str:
        if self.change is None:
            return "no earlier data"
        sign = "+" if self.change > 0 else ""
        return f"{sign}{percent(self.change)} vs previous period"

    @property
    def direction(self) -> str:
        if self.change is None or self.change == 0 or self.neutral:
            return "flat"
        return "up" if self.change > 0 else "down"


def _charged_detail(clicks: int, charged: int) -> str:
    """What the seller paid for, and why some clicks were free (api.md: a repeat click by the
    same shopper within the dedup window, an expired token, or a click after the budget ran out)."""
    free = clicks - charged
    if free <= 0:
        return f"{charged:,} charged"
    return (f"{charged:,} charged · {free:,} free (repeat clicks by the same shopper, "
            f"or clicks after the week's budget ran out)")


def kpi_cards(dashboard: Dashboard) -> list[KpiCard]:
    """The KPI cards of the dashboard, each with its change against the previous period of equal length."""
    now, before = dashboard.current, dashboard.previous
    return [
        KpiCard("impressions", "Impressions", f"{now.impressions:,}", change(now.impressions, before.impressions)),
        KpiCard("clicks", "Clicks", f"{now.clicks:,}", change(now.clicks, before.clicks),
                detail=_charged_detail(now.clicks, now.charged_clicks)),
        KpiCard("ctr", "CTR", percent(now.ctr, 2), change(now.ctr, before.ctr)),
        KpiCard("cpc", "Average CPC", money_or_dash(now.cpc_micros), change(now.cpc_micros, before.cpc_micros),
                neutral=True),
        KpiCard("spend", "Spend", format_money(now.spend_micros), change(now.spend_micros, before.spend_micros),
                neutral=True),
        KpiCard("orders", "Orders", f"{now.orders:,}", change(now.orders, before.orders),
                detail=f"{now.direct_orders:,} direct · {now.halo_orders:,} halo"),
        KpiCard("sales", "Sales", format_money(now.sales_micros), change(now.sales_micros, before.sales_micros),
                detail=f"{format_money(now.direct_sales_micros)} direct · {format_money(now.halo_sales_micros)} halo"),
        KpiCard("roas", "ROAS", roas_text(now.roas), change(now.roas, before.roas),
                detail="sales ÷ spend, incl. sales that would have happened anyway"),
    ]


def _units(micros: int) -> float:
    # Charts only: floats are fine for drawing, never for sums.
    return micros / MICROS_PER_UNIT


def chart_data(dashboard: Dashboard) -> dict:
    """Per-day series for the three Plotly charts (JSON-ready)."""
    days = [p.day.isoformat() for p in dashboard.series]

    def col(getter):
        return [getter(p.kpis) for p in dashboard.series]

    return {
        "days": days,
        "spend": col(lambda k: _units(k.spend_micros)),
        "sales_direct": col(lambda k: _units(k.direct_sales_micros)),
        "sales_halo": col(lambda k: _units(k.halo_sales_micros)),
        "impressions": col(lambda k: k.impressions),
        "clicks": col(lambda k: k.clicks),
        "ctr": col(lambda k: None if k.ctr is None else round(float(k.ctr) * 100, 3)),
    }


def kpis_row(kpis: Kpis) -> dict[str, str]:
    """A listing-table row's formatted cells."""
    return {"ctr": percent(kpis.ctr, 2), "cpc": money_or_dash(kpis.cpc_micros), "roas": roas_text(kpis.roas)}
