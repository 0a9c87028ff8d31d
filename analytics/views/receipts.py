"""Attribution receipts: every credited order with the click that earned it."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analytics.ranges import PRESETS
from analytics.selectors.receipts import receipt_for_seller, receipts_page
from analytics.views.common import page_number, requested_range, seller_today
from sellers.portal import SellerRequest, render_page, seller_required


@require_GET
@seller_required
def receipt_list(request: SellerRequest) -> HttpResponse:
    """The seller's credited orders in the range, newest first (a bad range: 400 with the reason)."""
    days, error = requested_range(request)
    page = receipts_page(request.seller, days, page=page_number(request))
    context = {"nav": "receipts", "days": days, "error": error, "presets": PRESETS, "page": page,
               "query": days.query(), "tz_name": str(days.tz)}
    return render_page(request, "analytics/receipts.html", "analytics/_receipts.html", context,
                       status=400 if error else 200)


@require_GET
@seller_required
def receipt_detail(request: SellerRequest, credit_id: int) -> HttpResponse:
    """One receipt; another seller's (or a reversed credit) is a 404."""
    receipt = receipt_for_seller(request.seller, credit_id)
    if receipt is None:
        raise Http404("No such receipt.")
    tz, _ = seller_today(request)
    return render(request, "analytics/receipt.html", {"nav": "receipts", "receipt": receipt, "tz_name": str(tz)})
