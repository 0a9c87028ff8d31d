"""Helpers shared by the seller pages: the signed-in seller, partial-or-full rendering."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import push_url

from campaigns import selectors
from campaigns.forms import SelectionForm
from campaigns.models import Campaign
from core.validation import search_text
from sellers.selectors import seller_for_user


def seller_required(view):
    """Signed in as a seller: ``request.seller`` is set. Staff go to admin; others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seller = seller_for_user(request.user)
        if seller is None:
            if request.user.is_staff:
                return redirect("admin:index")
            return render(request, "sellers/no_seller.html", status=403)
        request.seller = seller
        return view(request, *args, **kwargs)

    return wrapper


def own_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """The signed-in seller's campaign with this id; any other id is a 404."""
    return get_object_or_404(Campaign.objects.select_related("seller"), pk=campaign_id, seller=request.seller)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted


def htmx_target(request: HttpRequest) -> str | None:
    return request.htmx.target if is_htmx(request) else None


def render_page(request: HttpRequest, full: str, partial: str, context: dict, *, status: int = 200,
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


def picker_params(params) -> dict:
    """The listing picker's filters from a query string or a form, with safe defaults."""
    try:
        page = int(params.get("page") or 1)
    except (TypeError, ValueError):
        page = 1
    return {"query": search_text(params.get("q") or "").strip()[:100],
            "status": params.get("status") or "available", "chosen_filter": params.get("chosen_filter") or "any",
            "page": page}


def picker_context(request: HttpRequest, campaign: Campaign, base_url: str, *, params=None,
                   error: str | None = None, notice: str | None = None) -> dict:
    """What the listing picker partial needs (the campaign page and the wizard share it)."""
    filters = picker_params(params if params is not None else request.GET)
    return {
        "campaign": campaign, "picker": selectors.campaign_listing_page(campaign, **filters),
        "picker_url": base_url, "picker_error": error, "picker_notice": notice,
        "selection_form": SelectionForm(initial={"selection": campaign.selection}),
    }
