"""Finding the events sellers are told about, from the state other apps keep.

Each finder returns ``Event`` values whose ``key`` names the event once and for all, so a
finder may see the same event on every run: storing it (``alerts.services.alerts_raise``)
makes one alert. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Q, Sum
from django.db.models.functions import Cast

from alerts import rules
from alerts.models import Kind
from analytics.horizon import committed_horizons
from analytics.models import AttributionCredit, CampaignHourlyStat, Cancellation
from campaigns import budget
from campaigns.models import BudgetPeriod, Campaign, CampaignListing
from campaigns.services import ADMIN_LOG_PAUSED, ADMIN_LOG_RESUMED
from core import clock
from sellers.models import Listing

# How far back an exhausted budget is still news (this week and last).
BUDGET_LOOKBACK = dt.timedelta(days=14)
# A finished week is judged once its last hour has been folded and attributed.
ROAS_SETTLE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Event:
    seller_id: int
    kind: str
    key: str
    params: dict = field(default_factory=dict, compare=False)


def budget_spent_events(now: dt.datetime) -> list[Event]:
    """Budget weeks of the last two weeks whose budget ran out early (``rules.spent_early``).

    One event per budget period: a refund that lifts the exhaustion and a second
    exhaustion in the same week are the same news. Served by the week_start index.
    """
    rows = (BudgetPeriod.objects.filter(exhausted_at__isnull=False, week_start__gte=now - BUDGET_LOOKBACK,
                                        week_start__lte=now)
            .values_list("pk", "campaign_id", "campaign__seller_id", "week_end", "exhausted_at", "budget_micros"))
    return [Event(seller_id, Kind.BUDGET_SPENT, f"budget_spent:{pk}", {
        "campaign_id": campaign_id, "period_id": pk, "exhausted_at": exhausted_at.isoformat(),
        "week_end": week_end.isoformat(), "budget_micros": budget_micros,
    }) for pk, campaign_id, seller_id, week_end, exhausted_at, budget_micros in rows
        if exhausted_at is not None and rules.spent_early(exhausted_at, week_end)]


def empty_campaign_events(now: dt.datetime) -> list[Event]:
    """Active campaigns with no available listing to promote: one event per campaign and budget week
    (a closet still empty next week is told again, once)."""
    available_in_closet = Listing.objects.filter(seller_id=OuterRef("seller_id"), status=Listing.Status.AVAILABLE)
    available_chosen = CampaignListing.objects.filter(campaign=OuterRef("pk"),
                                                      listing__status=Listing.Status.AVAILABLE)
    week = budget.week_start(now, clock.marketplace_tz())
    empty = (Campaign.objects.filter(status=Campaign.Status.ACTIVE)
             .filter((Q(selection=Campaign.Selection.ALL) & ~Exists(available_in_closet))
                     | (Q(selection=Campaign.Selection.CHOSEN) & ~Exists(available_chosen)))
             .values_list("pk", "seller_id", "selection"))
    return [Event(seller_id, Kind.CAMPAIGN_STOPPED, f"campaign_stopped:empty:{pk}:{week:%Y-%m-%d}",
                  {"campaign_id": pk, "reason": "empty", "selection": selection})
            for pk, seller_id, selection in empty]


def admin_pause_events() -> list[Event]:
    """Paused campaigns whose last pause or resume in admin's action log is a pause.

    One event per logged pause (its LogEntry id). A seller's own pause is not logged there,
    so it raises nothing; an admin's later resume outranks an older pause.
    """
    paused_ids = (Campaign.objects.filter(status=Campaign.Status.PAUSED)
                  .annotate(object_key=Cast("pk", CharField())).values("object_key"))
    entries = (LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Campaign), action_flag=CHANGE,
                                       change_message__in=[ADMIN_LOG_PAUSED, ADMIN_LOG_RESUMED],
                                       object_id__in=paused_ids)
               .order_by("object_id", "-id").values_list("pk", "object_id", "change_message"))
    latest: dict[str, tuple[int, str]] = {}
    for pk, object_id, message in entries:
        if object_id is not None:
            latest.setdefault(object_id, (pk, message))
    pause_of = {int(object_id): pk for object_id, (pk, message) in latest.items() if message == ADMIN_LOG_PAUSED}
    if not pause_of:
        return []
    sellers = dict(Campaign.objects.filter(pk__in=list(pause_of)).values_list("pk", "seller_id"))
    return [Event(sellers[campaign_id], Kind.CAMPAIGN_STOPPED, f"campaign_stopped:paused:{entry_id}",
                  {"campaign_id": campaign_id, "reason": "paused_by_admin"})
            for campaign_id, entry_id in sorted(pause_of.items()) if campaign_id in sellers]


@dataclass(frozen=True)
class RefundScan:
    events: list[Event]
    upto: int | None  # the attribution credit id read up to (None: nothing final to read yet)


def refund_events(after_id: int) -> RefundScan:
    """Cancelled orders whose credits were reversed since credit id ``after_id``: one event per
    order and seller, with the sales taken back (micros).

    Reversals made because a late click moved the credit (the order stands) are not refunds
    and are skipped. Reads up to the committed horizon of the credits table, so a reversal
    committed late is read on a later run, never skipped.
    """
    upto = committed_horizons([AttributionCredit])[AttributionCredit]
    if upto is None or upto <= after_id:
        return RefundScan([], upto)
    rows = list(AttributionCredit.objects.filter(pk__gt=after_id, pk__lte=upto, reversal_of__isnull=False)
                .values_list("seller_id", "purchase_id", "purchase__order_id", "item_id", "campaign_id",
                             "amount_micros", "purchased_at"))
    cancelled = set(Cancellation.objects.filter(purchase_order_id__in={row[2] for row in rows})
                    .values_list("purchase_order_id", flat=True))
    taken: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    about: dict[tuple[int, int], dict] = {}
    for seller_id, purchase_id, order_id, item_id, campaign_id, amount, purchased_at in rows:
        if order_id not in cancelled:
            continue
        # An item credited, moved by a late click, then cancelled has two reversals: count it once.
        items = taken[(seller_id, purchase_id)]
        items[item_id] = max(items.get(item_id, 0), -amount)
        about[(seller_id, purchase_id)] = {"order_id": order_id, "campaign_id": campaign_id,
                                           "purchased_at": purchased_at.isoformat()}
    events = [Event(seller_id, Kind.REFUND, f"refund:{purchase_id}",
                    {**about[(seller_id, purchase_id)], "amount_micros": sum(items.values())})
              for (seller_id, purchase_id), items in sorted(taken.items())]
    return RefundScan(events, upto)


def last_finished_week(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) in UTC of the budget week before the one containing ``now``."""
    this_week = budget.week_start(now, clock.marketplace_tz())
    return budget.week_bounds(this_week - dt.timedelta(days=1), clock.marketplace_tz())


def low_roas_events(now: dt.datetime) -> list[Event]:
    """Sellers whose last finished week returned well below their usual (``rules.low_return``).

    Empty until the week has settled (``ROAS_SETTLE`` after it ended). Spend and sales
    (direct + halo) come from the campaign x hour rollups: one aggregate query per week
    over the campaigns of the sellers who ran last week.
    """
    start, end = last_finished_week(now)
    if now < end + ROAS_SETTLE:
        return []
    seller_ids = set(BudgetPeriod.objects.filter(week_start=start).values_list("campaign__seller_id", flat=True))
    if not seller_ids:
        return []
    seller_of = dict(Campaign.objects.filter(seller_id__in=seller_ids).values_list("pk", "seller_id"))
    weeks = [(start, end)]
    for _ in range(rules.LOW_ROAS_WEEKS):
        weeks.append(budget.week_bounds(weeks[-1][0] - dt.timedelta(days=1), clock.marketplace_tz()))
    returns: dict[int, list[rules.WeekReturn]] = {seller_id: [] for seller_id in seller_ids}
    for week_start, week_end in weeks:
        totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for campaign_id, spend, direct, halo in (
                CampaignHourlyStat.objects.filter(campaign_id__in=list(seller_of), hour__gte=week_start,
                                                  hour__lt=week_end)
                .values("campaign_id").annotate(spend=Sum("spend_micros"), direct=Sum("direct_sales_micros"),
                                                halo=Sum("halo_sales_micros"))
                .order_by().values_list("campaign_id", "spend", "direct", "halo")):
            seller_totals = totals[seller_of[campaign_id]]
            seller_totals[0] += spend or 0
            seller_totals[1] += (direct or 0) + (halo or 0)
        for seller_id in seller_ids:
            spend, sales = totals.get(seller_id, (0, 0))
            returns[seller_id].append(rules.WeekReturn(spend, sales))
    events = []
    for seller_id, (last, *earlier) in sorted(returns.items()):
        low = rules.low_return(last, earlier)
        if low is not None:
            events.append(Event(seller_id, Kind.LOW_ROAS, f"low_roas:{start:%Y-%m-%d}", {
                "week_start": start.isoformat(), "roas": round(low.roas, 2), "usual_roas": round(low.usual_roas, 2),
                "weeks": low.weeks, "spend_micros": last.spend_micros, "sales_micros": last.sales_micros}))
    return events
