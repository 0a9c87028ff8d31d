"""What the dashboard shows, formatted: KPI cards with their change, chart series. No queries here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.metrics import Kpis, change
from analytics.selectors.dashboard import Dashboard
from core.l10n import grouped
from core.money import MICROS_PER_UNIT, format_money, money_style, to_decimal

DASH = "\u2013"


def percent(fraction: Decimal | None, places: int = 1) -> str:
    if fraction is None:
        return DASH
    quantum = Decimal(1).scaleb(-places)
    return f"{grouped((fraction * 100).quantize(quantum, rounding=ROUND_HALF_UP), places)}%"


def roas_text(value: Decimal | None) -> str:
    return DASH if value is None else f"{grouped(value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP), 2)}x"


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
            return _("no earlier data")
        sign = "+" if self.change > 0 else ""
        return _("%(change)s vs previous period") % {"change": f"{sign}{percent(self.change)}"}

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
        return _("%(charged)s charged") % {"charged": grouped(charged)}
    return (_("%(charged)s charged · %(free)s free (repeat clicks by the same shopper, or clicks after the week's "
              "budget ran out)") % {"charged": grouped(charged), "free": grouped(free)})


def kpi_cards(dashboard: Dashboard) -> list[KpiCard]:
    """The KPI cards of the dashboard, each with its change against the previous period of equal length."""
    now, before = dashboard.current, dashboard.previous
    return [
        KpiCard("impressions", _("Impressions"), grouped(now.impressions), change(now.impressions, before.impressions)),
        KpiCard("clicks", _("Clicks"), grouped(now.clicks), change(now.clicks, before.clicks),
                detail=_charged_detail(now.clicks, now.charged_clicks)),
        KpiCard("ctr", _("CTR"), percent(now.ctr, 2), change(now.ctr, before.ctr)),
        KpiCard("cpc", _("Average CPC"), money_or_dash(now.cpc_micros), change(now.cpc_micros, before.cpc_micros),
                neutral=True),
        KpiCard("spend", _("Spend"), format_money(now.spend_micros), change(now.spend_micros, before.spend_micros),
                neutral=True),
        KpiCard("orders", _("Orders"), grouped(now.orders), change(now.orders, before.orders),
                detail=_("%(direct)s direct · %(halo)s halo") % {"direct": grouped(now.direct_orders),
                                                                 "halo": grouped(now.halo_orders)}),
        KpiCard("sales", _("Sales"), format_money(now.sales_micros), change(now.sales_micros, before.sales_micros),
                detail=_("%(direct)s direct · %(halo)s halo") % {"direct": format_money(now.direct_sales_micros),
                                                                 "halo": format_money(now.halo_sales_micros)}),
        KpiCard("roas", _("ROAS"), roas_text(now.roas), change(now.roas, before.roas),
                detail=_("sales ÷ spend, incl. sales that would have happened anyway")),
    ]


def _day(day) -> str:
    """A day as the charts and their tables name it: "Dec 6" / "6 dic"."""
    return formats.date_format(day, _("M j"))


CHART_LABELS = {
    "direct_sales": gettext_lazy("Direct sales"), "halo_sales": gettext_lazy("Halo sales"),
    "spend_right": gettext_lazy("Spend (right)"), "sales": gettext_lazy("Sales"), "spend": gettext_lazy("Spend"),
    "impressions": gettext_lazy("Impressions"), "clicks_right": gettext_lazy("Clicks (right)"),
    "clicks": gettext_lazy("Clicks"), "cpc": gettext_lazy("Cost per click"),
    "roas": gettext_lazy("Return on ad spend"), "ctr": gettext_lazy("CTR"),
}


def _units(micros: int) -> float:
    # Charts only: floats are fine for drawing, never for sums.
    return micros / MICROS_PER_UNIT


def chart_data(dashboard: Dashboard) -> dict:
    """Per-day series for the Plotly charts (JSON-ready)."""
    days = [p.day.isoformat() for p in dashboard.series]

    def col(getter):
        return [getter(p.kpis) for p in dashboard.series]

    style = money_style()
    return {
        "days": days,
        # The charts' words and number format in the reader's language (static/js/dashboard.js).
        "labels": {key: str(label) for key, label in CHART_LABELS.items()},
        "separators": style.decimal + style.group,
        "date_tick": _("%b %d"),
        "money_prefix": "$" if style.pattern.startswith("{sign}{symbol}") else "",
        "money_suffix": "" if style.pattern.startswith("{sign}{symbol}") else "\u00a0$",
        "spend": col(lambda k: _units(k.spend_micros)),
        "sales_direct": col(lambda k: _units(k.direct_sales_micros)),
        "sales_halo": col(lambda k: _units(k.halo_sales_micros)),
        "impressions": col(lambda k: k.impressions),
        "clicks": col(lambda k: k.clicks),
        "ctr": col(lambda k: None if k.ctr is None else round(float(k.ctr) * 100, 3)),
        "cpc": col(lambda k: None if k.cpc_micros is None else _units(k.cpc_micros)),
        "roas": col(lambda k: None if k.roas is None else round(float(k.roas), 3)),
    }


@dataclass(frozen=True)
class ChartView:
    """One chart as every reader gets it: a title, a sentence for a screen reader or a
    browser without JavaScript, and the numbers behind it as a table."""

    key: str
    title: str
    summary: str
    columns: tuple[str, ...]
    rows: list[list[str]]

    @property
    def body_html(self) -> str:
        """The table's rows as HTML, built here with the standard library's escape: a
        template loop (or format_html) over a year of days and five charts cost the 365-day
        dashboard about 100 ms."""
        return mark_safe("".join(  # noqa: S308 - every cell is escaped just here
            f'<tr><th scope="row">{escape(row[0])}</th>'
            + "".join(f'<td class="num">{escape(cell)}</td>' for cell in row[1:]) + "</tr>"
            for row in self.rows))


def _best(points, value: Callable[[Kpis], int]) -> tuple[str, int] | None:
    """(day, value) of the largest non-empty value, the earliest on a tie."""
    found = [(value(p.kpis), p.day) for p in points if value(p.kpis)]
    if not found:
        return None
    top = max(v for v, _ in found)
    day = min(d for v, d in found if v == top)
    return _day(day), top


def _range_words(values: list, fmt) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    return _(" (from %(low)s to %(high)s a day)") % {"low": fmt(low), "high": fmt(high)} if low != high else ""


def chart_views(dashboard: Dashboard) -> list[ChartView]:
    """The dashboard's charts: each with its summary and its data table."""
    points, now = dashboard.series, dashboard.current
    days = [_day(p.day) for p in points]
    n = len(points)
    best_sales = _best(points, lambda k: k.sales_micros)
    best_clicks = _best(points, lambda k: k.clicks)
    cpcs = [p.kpis.cpc_micros for p in points]
    roases = [p.kpis.roas for p in points]
    ctrs = [p.kpis.ctr for p in points]

    def table(*cells) -> list[list[str]]:
        return [[day, *(cell(p.kpis) for cell in cells)] for day, p in zip(days, points, strict=True)]

    return [
        ChartView("money", _("Spend and sales per day"),
                  _("In these %(days)s days you spent %(spend)s and made %(sales)s in sales (%(direct)s direct, "
                    "%(halo)s halo).") % {"days": n, "spend": format_money(now.spend_micros),
                                          "sales": format_money(now.sales_micros),
                                          "direct": format_money(now.direct_sales_micros),
                                          "halo": format_money(now.halo_sales_micros)}
                  + (" " + _("Most sales on %(day)s: %(amount)s.") % {"day": best_sales[0],
                                                                      "amount": format_money(best_sales[1])}
                     if best_sales else ""),
                  (_("Day"), _("Spend"), _("Direct sales"), _("Halo sales")),
                  table(lambda k: format_money(k.spend_micros), lambda k: format_money(k.direct_sales_micros),
                        lambda k: format_money(k.halo_sales_micros))),
        ChartView("traffic", _("Impressions and clicks per day"),
                  _("%(impressions)s impressions and %(clicks)s clicks in %(days)s days.")
                  % {"impressions": grouped(now.impressions), "clicks": grouped(now.clicks), "days": n}
                  + (" " + _("Most clicks on %(day)s: %(clicks)s.") % {"day": best_clicks[0],
                                                                       "clicks": grouped(best_clicks[1])}
                     if best_clicks else ""),
                  (_("Day"), _("Impressions"), _("Clicks")),
                  table(lambda k: grouped(k.impressions), lambda k: grouped(k.clicks))),
        ChartView("ctr", _("Click-through rate per day"),
                  _("%(ctr)s of impressions were clicked%(range)s.")
                  % {"ctr": percent(now.ctr, 2), "range": _range_words(ctrs, lambda v: percent(v, 2))},
                  (_("Day"), _("Click-through rate")), table(lambda k: percent(k.ctr, 2))),
        ChartView("cpc", _("Cost per click per day"),
                  _("A click cost %(cpc)s on average%(range)s.")
                  % {"cpc": money_or_dash(now.cpc_micros), "range": _range_words(cpcs, format_money)},
                  (_("Day"), _("Cost per click")), table(lambda k: money_or_dash(k.cpc_micros))),
        ChartView("roas", _("Return on ad spend per day"),
                  _("Every dollar spent brought %(roas)s in sales%(range)s.")
                  % {"roas": roas_text(now.roas), "range": _range_words(roases, roas_text)},
                  (_("Day"), _("Return on ad spend")), table(lambda k: roas_text(k.roas))),
    ]

def kpis_row(kpis: Kpis) -> dict[str, str]:
    """A listing-table row's formatted cells."""
    return {"ctr": percent(kpis.ctr, 2), "cpc": money_or_dash(kpis.cpc_micros), "roas": roas_text(kpis.roas)}
