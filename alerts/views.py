"""The seller's alerts: the list under the header's bell, marking read, and preferences.

Marking read is a POST that redirects back (JavaScript off); with htmx it answers with the
alert (or the list) it changed and the bell's new count, swapped in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alerts import selectors, services
from alerts.forms import AlertPreferenceForm
from alerts.models import Alert, AlertPreference
from alerts.presenters import alert_text
from sellers.portal import SellerRequest, is_htmx, render_page, safe_next, seller_required


def _items(alerts) -> list[tuple[Alert, object]]:
    return [(alert, alert_text(alert)) for alert in alerts]


def _list_context(request: SellerRequest) -> dict:
    page = selectors.alerts_page(request.seller, request.GET.get("page"))
    return {"page": page, "items": _items(page.object_list), "nav": "alerts",
            "unread_alerts": selectors.unread_count(request.seller)}


@require_http_methods(["GET", "HEAD"])
@seller_required
def alert_list(request: SellerRequest) -> HttpResponse:
    """/alerts/: the seller's alerts, newest first, 20 a page."""
    return render(request, "alerts/list.html", _list_context(request))


@require_POST
@seller_required
def alert_read(request: SellerRequest, alert_id: int) -> HttpResponse:
    """Mark one of the seller's alerts read; any other id is a 404."""
    alert = get_object_or_404(Alert, pk=alert_id, seller=request.seller, in_app=True)
    services.alert_mark_read(alert)
    if is_htmx(request):
        return render(request, "alerts/_item.html", {
            "alert": alert, "text": alert_text(alert), "unread_alerts": selectors.unread_count(request.seller),
            "oob_bell": True})
    return redirect(safe_next(request, reverse("alerts:list")))


@require_POST
@seller_required
def alert_read_all(request: SellerRequest) -> HttpResponse:
    """Mark all the seller's alerts read."""
    services.alerts_mark_all_read(request.seller)
    if is_htmx(request):
        return render(request, "alerts/_list.html", {**_list_context(request), "oob_bell": True})
    return redirect(safe_next(request, reverse("alerts:list")))


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def alert_preferences(request: SellerRequest) -> HttpResponse:
    """/alerts/preferences/: which alerts the seller gets, in the app and by email."""
    preference = (AlertPreference.objects.filter(seller=request.seller).first()
                  or AlertPreference(seller=request.seller))
    form = AlertPreferenceForm(request.POST or None, instance=preference)
    context = {"form": form, "nav": "alerts", "has_email": bool(request.seller.email)}
    if request.method == "POST":
        if form.is_valid():
            services.alert_preference_save(form.instance)
            if not is_htmx(request):
                messages.success(request, _("Your alert preferences are saved."))
                return redirect("alerts:preferences")
            context["saved"] = True
        else:
            return render_page(request, "alerts/preferences.html", "alerts/_preferences.html", context, status=400)
    return render_page(request, "alerts/preferences.html", "alerts/_preferences.html", context)
