"""What an alert says: title, one short paragraph and the page that helps, from its params.

Rendered when shown or emailed rather than stored as text, so wording can improve without
rewriting old alerts. Times are in the marketplace time zone, the one budget weeks run in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.models import Alert, Kind
from core import clock
from core.l10n import grouped
from core.money import format_money


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
    if not days:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    day_words = ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    if not hours:
        return day_words
    return _("%(days)s %(hours)s") % {
        "days": day_words, "hours": ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}}


def _date(moment: dt.datetime, pattern: str) -> str:
    return formats.date_format(moment, pattern)


def _budget_spent(p: dict) -> AlertText:
    at, end = _local(p["exhausted_at"]), _local(p["week_end"])
    return AlertText(
        _("Your budget ran out on %(weekday)s at %(time)s") % {"weekday": _date(at, "l"), "time": _date(at, "H:i")},
        _("Your weekly budget of %(budget)s was spent by %(when)s, %(span)s before the budget week ended. Your "
          "listings were not promoted after that. A higher weekly budget keeps them promoted until Monday.")
        % {"budget": format_money(p["budget_micros"]), "when": _date(at, _("l j F, H:i")), "span": _span(end - at)},
        reverse("campaigns:detail", args=[p["campaign_id"]]), _("Change the budget"))


def _low_roas(p: dict) -> AlertText:
    week = _local(p["week_start"])
    roas = {"roas": grouped(p["roas"], 1), "usual": grouped(p["usual_roas"], 1)}
    return AlertText(
        _("Last week's return on ad spend was %(roas)sx") % roas,
        ngettext(
            "In the week of %(week)s your ads brought %(sales)s of sales for %(spend)s spent (%(roas)sx), under half "
            "your usual %(usual)sx (the median of your %(weeks)s week before). Check which listings sell in your "
            "results.",
            "In the week of %(week)s your ads brought %(sales)s of sales for %(spend)s spent (%(roas)sx), under half "
            "your usual %(usual)sx (the median of your %(weeks)s weeks before). Check which listings sell in your "
            "results.", p["weeks"])
        % {**roas, "week": _date(week, _("j F")), "sales": format_money(p["sales_micros"]),
           "spend": format_money(p["spend_micros"]), "weeks": p["weeks"]},
        reverse("analytics:listings"), _("See your listings' results"))


def _campaign_stopped(p: dict) -> AlertText:
    url = reverse("campaigns:detail", args=[p["campaign_id"]])
    if p["reason"] == "paused_by_admin":
        return AlertText(
            _("The marketplace paused your campaign"),
            _("The marketplace's team paused your Promoted Closet: your listings are not promoted and your "
              "budget is not spent. Contact the marketplace's support to know why and when it can resume."),
            url, _("See your campaign"))
    return AlertText(
        _("Your campaign has nothing left to promote"),
        _("Every listing your Promoted Closet promotes is sold or removed, so it has stopped showing. "
          "Add listings (or promote your whole closet) to start again."),
        url, _("Choose listings"))


def _refund(p: dict) -> AlertText:
    bought = _local(p["purchased_at"])
    return AlertText(
        _("A sale credited to your ads was cancelled"),
        _("Order %(order)s of %(day)s (%(amount)s), credited to your Promoted Closet, was cancelled: it no longer "
          "counts in your sales and return on ad spend.")
        % {"order": p["order_id"], "day": _date(bought, _("j F")), "amount": format_money(p["amount_micros"])},
        reverse("analytics:receipts"), _("See your credited sales"))


_TEXTS: dict[str, Callable[[dict], AlertText]] = {
    Kind.BUDGET_SPENT: _budget_spent, Kind.LOW_ROAS: _low_roas, Kind.CAMPAIGN_STOPPED: _campaign_stopped,
    Kind.REFUND: _refund,
}


def alert_text(alert: Alert) -> AlertText:
    """Title, body, link and link label of an alert, in the active language."""
    return _TEXTS[alert.kind](alert.params)
