"""Weekly statements: one line per budget week (charges, refunds, net), a week's detail
with a line per day, and CSV downloads of both.
"""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaigns import selectors
from core import clock
from core.money import as_api_string
from sellers.portal import seller_required

WEEKS_PER_PAGE = 52


class _Echo:
    """A file-like object whose write returns the line (for streaming csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: neutralise names.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _local_date(moment) -> str:
    return moment.astimezone(clock.marketplace_tz()).date().isoformat()


@require_GET
@seller_required
def statement_list(request: HttpRequest) -> HttpResponse:
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
def statement_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    detail = selectors.statement_detail_for_seller(request.seller, period_id)
    if detail is None:
        raise Http404("No such statement.")
    return render(request, "campaigns/statement_detail.html", {"detail": detail, "nav": "statements"})


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@seller_required
def statement_list_csv(request: HttpRequest) -> StreamingHttpResponse:
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

    return _csv_response(rows(), f"closetads-statements-{request.seller.marketplace_id}.csv")


@require_GET
@seller_required
def statement_detail_csv(request: HttpRequest, period_id: int) -> StreamingHttpResponse:
    """One week's ledger entries as CSV (streamed: a busy week has thousands of clicks)."""
    detail = selectors.statement_detail_for_seller(request.seller, period_id)
    if detail is None:
        raise Http404("No such statement.")
    tz = clock.marketplace_tz()

    def rows():
        yield ["time", "kind", "amount", "click_id", "note"]
        for created_at, kind, amount, click_id, note in selectors.statement_entries(detail.period):
            yield [created_at.astimezone(tz).isoformat(), kind, as_api_string(amount),
                   "" if click_id is None else click_id, _cell(note)]

    return _csv_response(rows(), f"closetads-statement-{_local_date(detail.period.week_start)}.csv")
