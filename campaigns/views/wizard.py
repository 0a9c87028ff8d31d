"""Onboarding wizard: closet summary, weekly budget, listings, review and launch.

The budget step creates the campaign as a draft; the next steps edit that draft, so the
wizard keeps its state in the database (any step can be reloaded, JavaScript or not) and
launching is one call. With htmx each step answers with the next step's part and pushes
its URL; without, it redirects to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from campaigns import budget, selectors, services
from campaigns.forms import MoneyField, SelectionForm, WizardBudgetForm
from campaigns.models import Campaign
from campaigns.recommendation import Recommendation, budget_forecast, budget_recommend
from campaigns.services import CampaignError
from campaigns.views.common import picker_context
from core import clock
from core.money import format_money_input
from sellers.portal import SellerRequest, htmx_target, is_htmx, render_page, seller_required
from sellers.selectors import closet_summary

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

STEPS = (("start", gettext_lazy("Your closet")), ("budget", gettext_lazy("Weekly budget")),
         ("listings", gettext_lazy("Listings")), ("review", gettext_lazy("Review and launch")))


def _draft(seller) -> Campaign | None:
    return Campaign.objects.filter(seller=seller, status=Campaign.Status.DRAFT).first()


def _guarded_draft(seller) -> Campaign:
    """The draft that ``_guard(request, needs_draft=True)`` has just seen (a 404 if it went since)."""
    draft = _draft(seller)
    if draft is None:
        raise Http404
    return draft


def _has_launched_campaign(seller) -> bool:
    return Campaign.objects.filter(seller=seller, status__in=[Campaign.Status.ACTIVE, Campaign.Status.PAUSED]).exists()


def _levels(recommendation: Recommendation) -> dict[str, int]:
    return {o.level: o.weekly_budget_micros for o in recommendation.options}


def _budget_initial(draft: Campaign | None, levels: dict[str, int]) -> dict:
    if draft is None:
        return {"budget_choice": "recommended"}
    initial: dict = {}
    level = next((name for name, amount in levels.items() if amount == draft.weekly_budget_micros), None)
    if level:
        initial["budget_choice"] = level
    else:
        initial.update(budget_choice="own", weekly_budget=format_money_input(draft.weekly_budget_micros))
    return initial


def wizard_listings_context(request: SellerRequest, draft: Campaign, *, params=None,
                            error: StrOrPromise | None = None, notice: StrOrPromise | None = None) -> dict:
    """The listings step (the picker's POSTs re-render it through the campaign views)."""
    context = picker_context(request, draft, reverse("campaigns:wizard_listings"), params=params, error=error,
                             notice=notice)
    context.update({"step": "listings", "steps": STEPS, "draft": draft, "nav": "campaign",
                    "promoted_count": selectors.promoted_listings(draft).count()})
    return context


def _step_context(request: SellerRequest, step: str, **extra) -> dict:
    seller = request.seller
    draft = _draft(seller)
    context: dict[str, Any] = {"step": step, "steps": STEPS, "draft": draft, "nav": "campaign"}
    if step == "start":
        context["summary"] = closet_summary(seller)
    elif step == "budget":
        recommendation = budget_recommend(seller)
        levels = _levels(recommendation)
        context["recommendation"] = recommendation
        context["form"] = extra.pop("form", None) or WizardBudgetForm(
            initial=_budget_initial(draft, levels), levels=levels)
    elif step == "listings":
        # ``error``/``notice`` in extra are about the selection form, not the picker.
        context.update(wizard_listings_context(request, _guarded_draft(seller)))
    elif step == "review":
        draft = _guarded_draft(seller)
        now = clock.now()
        start, end = budget.week_bounds(now, clock.marketplace_tz())
        context.update({
            "forecast": budget_forecast(seller, draft.weekly_budget_micros, draft),
            "promoted_count": selectors.promoted_listings(draft).count(),
            "first_week_budget": budget.prorated_budget(draft.weekly_budget_micros, now, start, end),
            "next_monday": end.astimezone(clock.marketplace_tz()),
        })
    context.update(extra)
    return context


def _step_response(request: SellerRequest, step: str, *, status: int = 200, **extra) -> HttpResponse:
    url = reverse(f"campaigns:wizard_{step}")
    return render_page(request, "campaigns/wizard.html", "campaigns/_wizard.html",
                       _step_context(request, step, **extra), status=status, url=url)


def _go(request: SellerRequest, step: str) -> HttpResponse:
    """To the next step: its part with htmx, a redirect without."""
    if is_htmx(request):
        return _step_response(request, step)
    return redirect(f"campaigns:wizard_{step}")


def _guard(request: SellerRequest, needs_draft: bool) -> HttpResponse | None:
    if _has_launched_campaign(request.seller):
        return redirect("campaigns:home")
    if needs_draft and _draft(request.seller) is None:
        return redirect("campaigns:wizard_budget")
    return None


@require_GET
@seller_required
def wizard_start(request: SellerRequest) -> HttpResponse:
    """Step 1: the closet at a glance."""
    return _guard(request, False) or _step_response(request, "start")


@require_http_methods(["GET", "POST"])
@seller_required
def wizard_budget(request: SellerRequest) -> HttpResponse:
    """Step 2: the recommended budget first (with its forecast), or the seller's own amount.

    The first POST creates the draft campaign (whole closet); later ones change it.
    """
    if (refused := _guard(request, False)) is not None:
        return refused
    if request.method == "GET":
        return _step_response(request, "budget")
    levels = _levels(budget_recommend(request.seller))
    form = WizardBudgetForm(request.POST, levels=levels)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                draft = _draft(request.seller)
                if draft is None:
                    services.campaign_create(request.seller, weekly_budget_micros=data["weekly_budget_micros"])
                else:
                    services.campaign_budget_change(draft, data["weekly_budget_micros"])
        except CampaignError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _go(request, "listings")
    return _step_response(request, "budget", status=400, form=form)


@require_GET
@seller_required
def wizard_forecast(request: SellerRequest) -> HttpResponse:
    """The forecast for the amount being typed (htmx asks as the seller types)."""
    field = MoneyField(required=True)
    context: dict = {}
    try:
        amount = field.clean(request.GET.get("weekly_budget", ""))
        services.weekly_budget_check(amount)
    except CampaignError as exc:
        context["forecast_error"] = exc.message
    except ValidationError as exc:
        context["forecast_error"] = " ".join(exc.messages)
    else:
        context["forecast"] = budget_forecast(request.seller, amount)
    return render(request, "campaigns/_forecast_own.html", context)


@require_http_methods(["GET", "POST"])
@seller_required
def wizard_listings(request: SellerRequest) -> HttpResponse:
    """Step 3: the whole closet (default) or chosen listings."""
    if (refused := _guard(request, True)) is not None:
        return refused
    draft = _guarded_draft(request.seller)
    if request.method == "GET":
        if htmx_target(request) == "listing-picker":
            return render_page(request, "campaigns/wizard.html", "campaigns/_picker.html",
                               wizard_listings_context(request, draft), url=request.get_full_path())
        return _step_response(request, "listings")
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _step_response(request, "listings", status=400, error=_("Choose the whole closet or chosen listings."))
    selection = form.cleaned_data["selection"]
    # "pick": the radio buttons switch at once (htmx), showing or hiding the picker.
    picking = request.POST.get("action") == "pick"
    try:
        if selection == Campaign.Selection.ALL:
            services.campaign_listings_set(draft, Campaign.Selection.ALL)
            if picking:
                return _step_response(request, "listings")
        elif draft.selection != Campaign.Selection.CHOSEN:
            # A closet can hold a thousand listings: the picker starts with none ticked.
            services.campaign_listings_set(draft, Campaign.Selection.CHOSEN, [])
            notice = None if picking else _("Tick the listings to promote below, then press Next: review.")
            return _step_response(request, "listings", notice=notice)
        elif picking:
            return _step_response(request, "listings")
        elif not selectors.promoted_listings(draft).exists():
            return _step_response(request, "listings", status=400,
                                  error=_("Tick at least one available listing below, or promote your whole closet."))
    except CampaignError as exc:
        return _step_response(request, "listings", status=400, error=exc.message)
    return _go(request, "review")


@require_http_methods(["GET", "POST"])
@seller_required
def wizard_review(request: SellerRequest) -> HttpResponse:
    """Step 4: what will be promoted, for how much, and what it is likely to buy; launch."""
    if (refused := _guard(request, True)) is not None:
        return refused
    if request.method == "GET":
        return _step_response(request, "review")
    draft = _guarded_draft(request.seller)
    try:
        with transaction.atomic():
            services.campaign_launch(draft)
            services.budget_forecast_record(draft)
    except CampaignError as exc:
        return _step_response(request, "review", status=400, error=exc.message)
    messages.success(request, _("Your Promoted Closet is live."))
    target = reverse("campaigns:detail", args=[draft.pk])
    return HttpResponseClientRedirect(target) if is_htmx(request) else redirect(target)
