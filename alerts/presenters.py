"""What an alert says: title, one short paragraph and the page that helps, from its params.

Rendered when shown or emailed rather than stored as text, so wording can improve without
rewriting old alerts. Times are in the marketplace time zone, the one budget weeks run in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from alerts.models import Alert, Kind
from closetads import clock
from closetads.money import format_money


@dataclass(frozen=True)
class AlertText:
    title: str
    body: str
    url: str
    action: str


def _local(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).astimezone(clock.marketplace_tz())


def _span(delta: dt.timedelta) -> str:
    days, hours = delta.days, delta.seconds // 3600
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours or not days:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts)


def _budget_spent(p: dict) -> AlertText:
    at, end = _local(p["exhausted_at"]), _local(p["week_end"])
    return AlertText(
        f"Your budget ran out on {at:%A} at {at:%H:%M}",
        f"Your weekly budget of {format_money(p['budget_micros'])} was spent by {at:%A %-d %B, %H:%M}, "
        f"{_span(end - at)} before the budget week ended. Your listings were not promoted after that. "
        "A higher weekly budget keeps them promoted until Monday.",
        reverse("campaigns:detail", args=[p["campaign_id"]]), "Change the budget")


def _low_roas(p: dict) -> AlertText:
    week = _local(p["week_start"])
    return AlertText(
        f"Last week's return on ad spend was {p['roas']:.1f}x",
        f"In the week of {week:%-d %B} your ads brought {format_money(p['sales_micros'])} of sales for "
        f"{format_money(p['spend_micros'])} spent ({p['roas']:.1f}x), under half your usual {p['usual_roas']:.1f}x "
        f"(the median of your {p['weeks']} weeks before). Check which listings sell in your results.",
        reverse("analytics:listings"), "See your listings' results")


def _campaign_stopped(p: dict) -> AlertText:
    url = reverse("campaigns:detail", args=[p["campaign_id"]])
    if p["reason"] == "paused_by_admin":
        return AlertText(
            "The marketplace paused your campaign",
            "The marketplace's team paused your Promoted Closet: your listings are not promoted and your "
            "budget is not spent. Contact the marketplace's support to know why and when it can resume.",
            url, "See your campaign")
    return AlertText(
        "Your campaign has nothing left to promote",
        "Every listing your Promoted Closet promotes is sold or removed, so it has stopped showing. "
        "Add listings (or promote your whole closet) to start again.",
        url, "Choose listings")


def _refund(p: dict) -> AlertText:
    bought = _local(p["purchased_at"])
    return AlertText(
        "A sale credited to your ads was cancelled",
        f"Order {p['order_id']} of {bought:%-d %B} ({format_money(p['amount_micros'])}), credited to your "
        "Promoted Closet, was cancelled: it no longer counts in your sales and return on ad spend.",
        reverse("analytics:receipts"), "See your credited sales")


_TEXTS = {Kind.BUDGET_SPENT: _budget_spent, Kind.LOW_ROAS: _low_roas, Kind.CAMPAIGN_STOPPED: _campaign_stopped,
          Kind.REFUND: _refund}


def alert_text(alert: Alert) -> AlertText:
    """Title, body, link and link label of an alert."""
    return _TEXTS[alert.kind](alert.params)
