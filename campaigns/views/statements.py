"""Weekly statements: one line per budget week (charges, refunds, net), a week's detail
with a line per day, and CSV downloads of both.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaigns import selectors
from core import clock
from core.money import as_api_string
from sellers.portal import SellerRequest, csv_response, seller_required

WEEKS_PER_PAGE = 52


def _own_statement(request: SellerRequest, period_id: int):
    """The signed-in seller's statement of this budget week; any other id is a 404."""
    detail = selectors.statement_detail_for_seller(request.seller, period_id)
    if detail is None:
        raise Http404("No such statement.")
    return detail


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: neutralise names.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _local_date(moment) -> str:
    return moment.astimezone(clock.marketplace_tz()).date().isoformat()


@require_GET
@seller_required
def statement_list(request: SellerRequest) -> HttpResponse:
    lines = selectors.statement_lines_for_seller(request.seller)
    page = Paginator(lines, WEEKS_PER_PAGE).get_page(request.GET.get("page"))
    totals = {
        "charges": sum(line.charges_micros for line in lines),
        "refunds": sum(line.refunds_micros for line in lines),
        "net": sum(line.net_micros for line in lines),
    }
    return render(request, "campaigns/statements.html", {"page": page, "totals": totals, "nav": "statements"})


@require_GET
@seller_required
def statement_detail(request: SellerRequest, period_id: int) -> HttpResponse:
    detail = _own_statement(request, period_id)
    return render(request, "campaigns/statement_detail.html", {"detail": detail, "nav": "statements"})


@require_GET
@seller_required
def statement_list_csv(request: SellerRequest) -> StreamingHttpResponse:
    """Every week of the seller's statements as CSV, amounts in dollars with two decimals."""
    lines = selectors.statement_lines_for_seller(request.seller)

    def rows():
        yield ["week_start", "week_end", "campaign", "budget", "charges", "refunds", "adjustments", "net",
               "charged_clicks", "refunded_clicks"]
        for line in lines:
            yield [_local_date(line.week_start), _local_date(line.week_end), _cell(line.campaign_name),
                   as_api_string(line.budget_micros), as_api_string(line.charges_micros),
                   as_api_string(line.refunds_micros), as_api_string(line.adjustments_micros),
                   as_api_string(line.net_micros), line.charged_clicks, line.refunded_clicks]

    return csv_response(rows(), f"closetads-statements-{request.seller.marketplace_id}.csv")


@require_GET
@seller_required
def statement_detail_csv(request: SellerRequest, period_id: int) -> StreamingHttpResponse:
    """One week's ledger entries as CSV (streamed: a busy week has thousands of clicks)."""
    detail = _own_statement(request, period_id)
    tz = clock.marketplace_tz()

    def rows():
        yield ["time", "kind", "amount", "click_id", "note"]
        for created_at, kind, amount, click_id, note in selectors.statement_entries(detail.period):
            yield [created_at.astimezone(tz).isoformat(), kind, as_api_string(amount),
                   "" if click_id is None else click_id, _cell(note)]

    return csv_response(rows(), f"closetads-statement-{_local_date(detail.period.week_start)}.csv")
