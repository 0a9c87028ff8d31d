"""The seller dashboard: KPI cards with their change, Plotly charts, range switched through htmx."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from analytics.presenters import chart_data, chart_views, kpi_cards
from analytics.ranges import PRESETS
from analytics.selectors.dashboard import dashboard_for_seller
from analytics.selectors.lift import lift_card_for_seller
from analytics.views.common import requested_range, seller_today
from auction.models import AuctionSettings
from campaigns.selectors import campaign_latest_for_seller
from sellers.portal import SellerRequest, render_page, seller_required


def attribution_note(end: dt.date, today: dt.date, window_days: int,
                     clicks_by_day: dict[dt.date, int]) -> str | None:
    """A note when the range holds clicks whose attribution window is still open (they can
    still earn sales); none for a range without such clicks."""
    open_from = today - dt.timedelta(days=window_days - 1)
    if end < open_from or not any(clicks for day, clicks in clicks_by_day.items() if day >= open_from):
        return None
    return ngettext(
        "Clicks since %(day)s can still earn sales: a purchase up to %(days)s day after a click is credited to it, "
        "so sales and ROAS for recent days may still grow.",
        "Clicks since %(day)s can still earn sales: a purchase up to %(days)s days after a click is credited to it, "
        "so sales and ROAS for recent days may still grow.", window_days,
    ) % {"day": formats.date_format(open_from, _("M j")), "days": window_days}


@require_GET
@seller_required
def dashboard(request: SellerRequest) -> HttpResponse:
    """The signed-in seller's dashboard for ``range=N`` or ``start``/``end`` (a bad range: 400 with the reason)."""
    days, error = requested_range(request)
    _, today = seller_today(request)
    data = dashboard_for_seller(request.seller, days)
    context = {
        "nav": "dashboard", "days": days, "error": error, "presets": PRESETS, "dashboard": data,
        "cards": kpi_cards(data), "charts": chart_data(data), "chart_views": chart_views(data),
        "campaign": campaign_latest_for_seller(request.seller),
        "today": today, "tz_name": str(days.tz), "lift": lift_card_for_seller(request.seller),
        "window_note": attribution_note(days.end, today, AuctionSettings.load().attribution_window_days,
                                        {point.day: point.kpis.clicks for point in data.series}),
        "export_url": f"{reverse('analytics:export')}?start={days.start.isoformat()}&end={days.end.isoformat()}",
        "listings_url": f"{reverse('analytics:listings')}?{days.query()}",
    }
    url = None if error else f"{reverse('analytics:dashboard')}?{days.query()}"
    return render_page(request, "analytics/dashboard.html", "analytics/_dashboard.html", context,
                       status=400 if error else 200, url=url)
