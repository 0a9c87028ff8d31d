"""CSV export of the daily per-listing table (rollups), in the seller's time zone."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from analytics.presenters import decimal_string
from analytics.selectors.dashboard import EXPORT_HEADER, export_rows
from analytics.views.common import requested_range
from sellers.models import Listing
from sellers.portal import seller_required


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@seller_required
def export_csv(request: HttpRequest) -> HttpResponse:
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
    writer = csv.writer(_Echo(), lineterminator="\n")

    def lines():
        yield writer.writerow(EXPORT_HEADER)
        for row in export_rows(request.seller, days, listing=listing):
            yield writer.writerow([
                row["day"].isoformat(), row["listing__marketplace_id"], row["impressions"], row["clicks"],
                decimal_string(row["spend_micros"]), row["direct_orders"], decimal_string(row["direct_sales_micros"]),
                row["halo_orders"], decimal_string(row["halo_sales_micros"]),
            ])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"closetads-{days.start.isoformat()}-{days.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
