"""Seller sign-in (password and marketplace SSO) and the seller home page."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sellers.selectors import closet_summary, seller_for_user
from sellers.services import SsoError, seller_user_ensure, sso_token_consume


@never_cache
@require_GET
def sso_login(request, token: str):
    """Sign a seller in from a marketplace SSO link (one use, expiring)."""
    try:
        seller = sso_token_consume(token)
    except SsoError as exc:
        return render(request, "sellers/sso_error.html", {"message": str(exc)}, status=403)
    user = seller_user_ensure(seller)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(reverse("home"))


@login_required
def home(request):
    """The seller's start page: their closet at a glance."""
    seller = seller_for_user(request.user)
    if seller is None:
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "sellers/no_seller.html", status=403)
    from campaigns.selectors import seller_needs_onboarding

    if seller_needs_onboarding(seller):  # first login: the Promoted Closet wizard
        return redirect("campaigns:wizard_start")
    from campaigns.models import Campaign

    campaign = Campaign.objects.filter(seller=seller).exclude(status=Campaign.Status.DRAFT).order_by("-id").first()
    return render(request, "sellers/home.html", {"seller": seller, "summary": closet_summary(seller),
                                                 "campaign": campaign})
