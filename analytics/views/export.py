"""CSV export of the daily per-listing table (rollups), in the seller's time zone."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from analytics.presenters import decimal_string
from analytics.selectors.dashboard import EXPORT_HEADER, export_rows
from analytics.views.common import requested_range
from sellers.models import Listing
from sellers.portal import SellerRequest, csv_response, seller_required


@require_GET
@seller_required
def export_csv(request: SellerRequest) -> HttpResponse | StreamingHttpResponse:
    """``/analytics/export.csv?start=YYYY-MM-DD&end=YYYY-MM-DD[&listing=<marketplace id>]``.

    Both dates included, in the seller's time zone; money as decimal strings. A bad range
    is a 400 with the reason in plain text; another seller's listing is a 404.
    """
    days, error = requested_range(request, default=None)
    if error is not None:
        return HttpResponse(f"{error.field}: {error.message}\n", status=400, content_type="text/plain; charset=utf-8")
    listing = None
    if request.GET.get("listing"):
        listing = get_object_or_404(Listing, marketplace_id=request.GET["listing"], seller=request.seller)

    def rows():
        yield EXPORT_HEADER
        for row in export_rows(request.seller, days, listing=listing):
            yield [
                row["day"].isoformat(), row["listing__marketplace_id"], row["impressions"], row["clicks"],
                decimal_string(row["spend_micros"]), row["direct_orders"], decimal_string(row["direct_sales_micros"]),
                row["halo_orders"], decimal_string(row["halo_sales_micros"]),
            ]

    return csv_response(rows(), f"closetads-{days.start.isoformat()}-{days.end.isoformat()}.csv", lineterminator="\n")
