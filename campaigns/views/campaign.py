"""The campaign page: status, this week's spend, pause/resume, budget change, listings.

Every form is a plain POST that redirects back (JavaScript off); with htmx the same POST
answers with the card it changed, swapped in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaigns import selectors, services
from campaigns.forms import BudgetChangeForm, PickerForm, SelectionForm
from campaigns.models import Campaign
from campaigns.services import CampaignError
from campaigns.views.common import own_campaign, picker_context
from campaigns.views.wizard import wizard_listings_context
from core import clock
from core.l10n import grouped
from core.money import format_money
from sellers.models import Listing
from sellers.portal import SellerRequest, htmx_target, is_htmx, render_page, safe_next, seller_required

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ENDED = gettext_lazy("This campaign has ended; start a new one to promote your closet again.")


def _local(moment):
    return moment.astimezone(clock.marketplace_tz())


def _detail_context(request: SellerRequest, campaign: Campaign, **extra) -> dict:
    url = reverse("campaigns:detail", args=[campaign.pk])
    context = picker_context(request, campaign, url, params=extra.pop("params", None),
                             error=extra.pop("picker_error", None), notice=extra.pop("picker_notice", None))
    overview = selectors.campaign_overview(campaign)
    context.update({
        "overview": overview, "campaign": campaign, "forecast": selectors.forecast_latest(campaign),
        "forecast_check": selectors.forecast_check_latest(campaign.pk),
        "budget_form": extra.pop("budget_form", None) or BudgetChangeForm(),
        "next_monday": _local(overview.week_end), "nav": "campaign",
    })
    context.update(extra)
    return context


@require_GET
@seller_required
def campaign_home(request: SellerRequest) -> HttpResponse:
    """/campaign/: the seller's campaign, or the onboarding wizard when none was launched."""
    if selectors.seller_needs_onboarding(request.seller):
        return redirect("campaigns:wizard_start")
    campaign = selectors.campaign_latest_for_seller(request.seller)
    if campaign is None:  # only drafts, all gone since: start again
        return redirect("campaigns:wizard_start")
    return redirect("campaigns:detail", campaign.pk)


@require_GET
@seller_required
def campaign_detail(request: SellerRequest, campaign_id: int) -> HttpResponse:
    campaign = own_campaign(request, campaign_id)
    if campaign.status == Campaign.Status.DRAFT:
        return redirect("campaigns:wizard_budget")
    if htmx_target(request) == "listing-picker":
        url = reverse("campaigns:detail", args=[campaign.pk])
        return render_page(request, "campaigns/campaign.html", "campaigns/_picker.html",
                           picker_context(request, campaign, url), url=request.get_full_path())
    return render_page(request, "campaigns/campaign.html", "campaigns/campaign.html",
                       _detail_context(request, campaign))


def _status_response(request: SellerRequest, campaign: Campaign, notice: StrOrPromise,
                     error: str | None = None) -> HttpResponse:
    if is_htmx(request):
        context = _detail_context(request, campaign, status_notice=notice, status_error=error)
        return render_page(request, "campaigns/campaign.html", "campaigns/_status.html", context)
    (messages.error if error else messages.success)(request, error or notice)
    return redirect("campaigns:detail", campaign.pk)


def _status_action(request: SellerRequest, campaign_id: int, action, notice: StrOrPromise) -> HttpResponse:
    campaign = own_campaign(request, campaign_id)
    try:
        action(campaign)
    except CampaignError as exc:
        return _status_response(request, campaign, "", exc.message)
    return _status_response(request, campaign, notice)


@require_POST
@seller_required
def campaign_pause(request: SellerRequest, campaign_id: int) -> HttpResponse:
    return _status_action(request, campaign_id, services.campaign_pause,
                          gettext_lazy("Paused: your listings are not promoted until you resume."))


@require_POST
@seller_required
def campaign_resume(request: SellerRequest, campaign_id: int) -> HttpResponse:
    return _status_action(request, campaign_id, services.campaign_resume,
                          gettext_lazy("Resumed: your listings are promoted again."))


@require_POST
@seller_required
def campaign_budget(request: SellerRequest, campaign_id: int) -> HttpResponse:
    """Change the weekly budget: now in the first week, otherwise from next Monday."""
    campaign = own_campaign(request, campaign_id)
    form = BudgetChangeForm(request.POST)
    if form.is_valid() and campaign.status != Campaign.Status.ENDED:
        try:
            with transaction.atomic():
                change = services.campaign_budget_change(campaign, form.cleaned_data["weekly_budget"])
                campaign.refresh_from_db()
                services.budget_forecast_record(campaign, change.weekly_budget_micros)
        except CampaignError as exc:
            form.add_error("weekly_budget", exc.message)
        else:
            amount = format_money(change.weekly_budget_micros)
            if change.applies_now:
                notice = _("Your weekly budget is now %(amount)s.") % {"amount": amount}
            else:
                day = formats.date_format(_local(change.applies_from), _("j F"))
                notice = (_("Your weekly budget will be %(amount)s from Monday %(day)s.")
                          % {"amount": amount, "day": day})
            if is_htmx(request):
                context = _detail_context(request, campaign, budget_notice=notice)
                return render_page(request, "campaigns/campaign.html", "campaigns/_budget_card.html", context)
            messages.success(request, notice)
            return redirect("campaigns:detail", campaign.pk)
    elif campaign.status == Campaign.Status.ENDED:
        form.add_error(None, ENDED)
    context = _detail_context(request, campaign, budget_form=form)
    return render_page(request, "campaigns/campaign.html", "campaigns/_budget_card.html", context, status=400)


def _listings_page_response(request: SellerRequest, campaign: Campaign, *, error: StrOrPromise | None = None,
                            notice: StrOrPromise | None = None,
                            partial: str = "campaigns/_picker.html") -> HttpResponse:
    """After a listings change: the picker (htmx), the page again (error), or a redirect."""
    wizard = campaign.status == Campaign.Status.DRAFT
    base = reverse("campaigns:wizard_listings") if wizard else reverse("campaigns:detail", args=[campaign.pk])
    if is_htmx(request) or error:
        if wizard:
            context = wizard_listings_context(request, campaign, params=request.POST, error=error, notice=notice)
            full = "campaigns/wizard.html"
        else:
            context = _detail_context(request, campaign, params=request.POST, picker_error=error, picker_notice=notice)
            full = "campaigns/campaign.html"
        context["picker_url"] = base
        return render_page(request, full, partial, context, status=400 if error else 200)
    if notice:
        messages.success(request, notice)
    return redirect(safe_next(request, base))


@require_POST
@seller_required
def campaign_selection(request: SellerRequest, campaign_id: int) -> HttpResponse:
    """Whole closet, or chosen listings (switching starts with every available listing chosen)."""
    campaign = own_campaign(request, campaign_id)
    if campaign.status == Campaign.Status.ENDED:
        return _listings_page_response(request, campaign, error=ENDED, partial="campaigns/_listings_card.html")
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return _listings_page_response(request, campaign, error=_("Choose the whole closet or chosen listings."),
                                       partial="campaigns/_listings_card.html")
    selection = form.cleaned_data["selection"]
    try:
        if selection == Campaign.Selection.ALL:
            services.campaign_listings_set(campaign, Campaign.Selection.ALL)
            notice = _("Your whole closet is promoted; new listings join automatically.")
        elif campaign.selection == Campaign.Selection.CHOSEN:
            notice = _("Only your chosen listings are promoted.")
        else:
            ids = list(selectors.promoted_listings(campaign).values_list("pk", flat=True))
            services.campaign_listings_set(campaign, Campaign.Selection.CHOSEN, ids)
            notice = ngettext(
                "All %(count)s available listing is chosen: untick it if you do not want to promote it. "
                "New listings no longer join automatically.",
                "All %(count)s available listings are chosen: untick those you do not want to promote. "
                "New listings no longer join automatically.", len(ids)) % {"count": grouped(len(ids))}
    except CampaignError as exc:
        return _listings_page_response(request, campaign, error=exc.message, partial="campaigns/_listings_card.html")
    return _listings_page_response(request, campaign, notice=notice, partial="campaigns/_listings_card.html")


@require_POST
@seller_required
def campaign_listings(request: SellerRequest, campaign_id: int) -> HttpResponse:
    """Save the ticks of one picker page, or choose/remove every listing the filters match."""
    campaign = own_campaign(request, campaign_id)
    if campaign.status == Campaign.Status.ENDED:
        return _listings_page_response(request, campaign, error=ENDED)
    form = PickerForm(request.POST)
    if not form.is_valid():
        return _listings_page_response(request, campaign, error=_("Some chosen listings are not in your closet."))
    data = form.cleaned_data
    filters = {"query": data["q"], "status": data["status"] or "available",
               "chosen_filter": data["chosen_filter"] or "any"}
    add: list[int] = []
    remove: list[int] = []
    if data["action"] == "save":
        add, remove = data["chosen"], [i for i in data["shown"] if i not in set(data["chosen"])]
    elif data["action"] == "choose_matching":
        add = selectors.campaign_listing_ids_matching(campaign, **filters)
    else:
        remove = selectors.campaign_listing_ids_matching(campaign, **filters)
    try:
        chosen = services.campaign_listings_update(campaign, add=add, remove=remove)
    except CampaignError as exc:
        return _listings_page_response(request, campaign, error=exc.message)
    notice = ngettext("Saved: %(count)s listing chosen.", "Saved: %(count)s listings chosen.", chosen)
    return _listings_page_response(request, campaign, notice=notice % {"count": grouped(chosen)})


@require_POST
@seller_required
def campaign_listing_promote(request: SellerRequest, campaign_id: int, listing_id: int) -> HttpResponse:
    """The results table's promote toggle for one listing (``promote``: "1" or "0").

    With htmx it answers with the toggle's new state, or asks for a reload when the
    campaign switched from the whole closet to chosen listings (the page's other toggles
    and notes change too); without, it goes back to ``next``.
    """
    campaign = own_campaign(request, campaign_id)
    listing = get_object_or_404(Listing, pk=listing_id, seller=request.seller)
    back = safe_next(request, reverse("analytics:listings"))
    promote = request.POST.get("promote")
    if campaign.status == Campaign.Status.ENDED or promote not in ("0", "1"):
        error = ENDED if campaign.status == Campaign.Status.ENDED else _("Choose to promote the listing or not.")
        return _toggle_response(request, campaign, listing, back, error=error)
    try:
        switched = services.campaign_listing_promote(campaign, listing.pk, promote == "1")
    except CampaignError as exc:
        return _toggle_response(request, campaign, listing, back, error=exc.message)
    if switched:
        messages.success(request, _("“%(title)s” is no longer promoted. Your other available listings still "
                                    "are; new listings no longer join automatically (the campaign page can promote "
                                    "the whole closet again).") % {"title": listing.title})
        return HttpResponseClientRedirect(back) if is_htmx(request) else redirect(back)
    return _toggle_response(request, campaign, listing, back)


def _toggle_response(request: SellerRequest, campaign: Campaign, listing: Listing, back: str, *,
                     error: StrOrPromise | None = None) -> HttpResponse:
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(back)
    context = {"campaign": campaign, "row": {"listing_id": listing.pk, "status": listing.status},
               "promoted": selectors.listing_is_promoted(campaign, listing), "next_url": back, "toggle_error": error}
    # A 200 even with an error: htmx swaps no 4xx answer (see render_page), and the cell
    # carries the error in words.
    return render(request, "analytics/_promote_cell.html", context)
