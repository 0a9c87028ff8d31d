"""Helpers of the campaign pages: the seller's own campaign, the listing picker. The seller
portal's own helpers (``seller_required``, ``render_page``, htmx) are in sellers/portal.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from campaigns import selectors
from campaigns.forms import SelectionForm
from campaigns.models import Campaign
from core.validation import search_text
from sellers.portal import SellerRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def own_campaign(request: SellerRequest, campaign_id: int) -> Campaign:
    """The signed-in seller's campaign with this id; any other id is a 404."""
    return get_object_or_404(Campaign.objects.select_related("seller"), pk=campaign_id, seller=request.seller)


def picker_params(params) -> dict:
    """The listing picker's filters from a query string or a form, with safe defaults."""
    try:
        page = int(params.get("page") or 1)
    except (TypeError, ValueError):
        page = 1
    return {"query": search_text(params.get("q") or "").strip()[:100],
            "status": params.get("status") or "available", "chosen_filter": params.get("chosen_filter") or "any",
            "page": page}


def picker_context(request: SellerRequest, campaign: Campaign, base_url: str, *, params=None,
                   error: StrOrPromise | None = None, notice: StrOrPromise | None = None) -> dict:
    """What the listing picker partial needs (the campaign page and the wizard share it)."""
    filters = picker_params(params if params is not None else request.GET)
    return {
        "campaign": campaign, "picker": selectors.campaign_listing_page(campaign, **filters),
        "picker_url": base_url, "picker_error": error, "picker_notice": notice,
        "selection_form": SelectionForm(initial={"selection": campaign.selection}),
    }
