"""The seller portal's helpers, shared by every app's seller pages (campaigns, analytics,
alerts, sellers): the signed-in seller, partial-or-full rendering for htmx, a safe ``next``,
CSV downloads.

Below every app that has seller pages, and imports none of them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from sellers.models import Seller
from sellers.selectors import seller_for_user

View = Callable[..., HttpResponseBase]


class SellerRequest(HttpRequest):
    """The type of a request that ``seller_required`` let through: ``seller`` is the signed-in
    seller; ``htmx`` is django-htmx's (its middleware runs on every seller page)."""

    seller: Seller
    htmx: HtmxDetails


def seller_required(view: View) -> View:
    """Signed in as a seller: ``request.seller`` is set. Staff go to admin; others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        seller = seller_for_user(request.user)
        if seller is None:
            if request.user.is_staff:
                return redirect("admin:index")
            return render(request, "sellers/no_seller.html", status=403)
        request.seller = seller  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a boosted link, which wants it all)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def htmx_target(request: SellerRequest) -> str | None:
    """The id of the element an htmx request swaps, or None for a full-page request."""
    return request.htmx.target if is_htmx(request) else None


def render_page(request: HttpRequest, full: str, partial: str, context: dict[str, Any], *, status: int = 200,
                url: str | None = None) -> HttpResponse:
    """The whole page, or with htmx only the part it swaps.

    htmx does not swap 4xx answers, so a partial with form errors is a 200; the same
    errors in a full page (JavaScript off) are a 400.
    """
    if is_htmx(request):
        response = render(request, partial, context, status=200 if status < 500 else status)
        if url:
            push_url(response, url)
        return response
    return render(request, full, context, status=status)


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the form carried, if it is a path on this site; else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return default


class _Echo:
    """A file-like object whose write returns the line (for streaming csv.writer)."""

    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[Iterable[Any]], filename: str, *,
                 lineterminator: str = "\r\n") -> StreamingHttpResponse:
    """``rows`` streamed as a CSV download named ``filename`` (a busy week has thousands of lines)."""
    writer = csv.writer(_Echo(), lineterminator=lineterminator)
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
