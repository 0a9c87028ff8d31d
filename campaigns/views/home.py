"""The seller's start page: their closet at a glance, or the Promoted Closet wizard on the
first sign-in (it reads campaigns, so it lives here rather than in sellers)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from campaigns.models import Campaign
from campaigns.selectors import seller_needs_onboarding
from sellers.portal import SellerRequest, seller_required
from sellers.selectors import closet_summary


@seller_required
def home(request: SellerRequest) -> HttpResponse:
    """The seller's start page: their closet at a glance."""
    seller = request.seller
    if seller_needs_onboarding(seller):  # first login: the Promoted Closet wizard
        return redirect("campaigns:wizard_start")
    campaign = Campaign.objects.filter(seller=seller).exclude(status=Campaign.Status.DRAFT).order_by("-id").first()
    return render(request, "sellers/home.html", {"seller": seller, "summary": closet_summary(seller),
                                                 "campaign": campaign})
