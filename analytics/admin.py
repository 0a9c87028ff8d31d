"""Admin for events, attribution and rollups: read-only views over tables with millions of rows.

Every changelist orders by id (the primary key index), never counts a whole table
(core.admin_utils.LargeTableAdmin: LargeTablePaginator, no full count), searches ids with "=" (an index
lookup, not LIKE), shows foreign keys as raw ids and selects related rows in one query.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from analytics.models import (
    AttributionCredit,
    Cancellation,
    Click,
    HourlyStat,
    Impression,
    LiftEstimate,
    MarketplaceOverview,
    Purchase,
    PurchaseItem,
    SellerIdentity,
    Watermark,
)
from auction.models import AuctionSettings
from core.admin_utils import ConditionFilter, LargeTableAdmin, ReadOnlyAdminMixin
from core.money import format_money


class _ReadOnlyAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    """Events are facts: they are looked at, never edited in admin."""

    list_per_page = 50
    ordering = ["-id"]


class SponsoredFilter(ConditionFilter):
    title = "kind"
    parameter_name = "sponsored"
    conditions = {"1": ("Sponsored", ~Q(auction_id="")), "0": ("Organic", Q(auction_id=""))}


def _price(obj) -> str:
    return "" if obj.price_micros is None else format_money(obj.price_micros)


@admin.register(Impression)
class ImpressionAdmin(_ReadOnlyAdmin):
    list_display = ["event_id", "occurred_at", "listing", "placement", "position", "campaign_id", "slot", "price"]
    list_filter = [SponsoredFilter, "placement"]
    search_fields = ["=event_id", "=opaque_user_id", "=auction_id"]
    list_select_related = ["listing"]
    raw_id_fields = ["listing", "campaign"]

    @admin.display(description="click price", ordering="price_micros")
    def price(self, obj: Impression) -> str:
        return _price(obj)


@admin.register(Click)
class ClickAdmin(_ReadOnlyAdmin):
    """Invalid clicks are reviewed here (filter by reason); a charge links to its ledger entry."""

    list_display = ["event_id", "occurred_at", "opaque_user_id", "listing", "campaign_id", "price", "charged",
                    "reason", "ledger_entry_id"]
    list_filter = ["reason", "charged", SponsoredFilter]
    search_fields = ["=event_id", "=opaque_user_id", "=auction_id", "=ledger_entry__id"]
    list_select_related = ["listing"]
    raw_id_fields = ["listing", "campaign", "seller"]
    exclude = ["ledger_entry"]
    readonly_fields = ["ledger"]

    @admin.display(description="price", ordering="price_micros")
    def price(self, obj: Click) -> str:
        return _price(obj)

    @admin.display(description="ledger entry")
    def ledger(self, obj: Click):
        """The charge (refunds point at the same click id in the ledger)."""
        if obj.ledger_entry_id is None:
            return "-"
        label = f"ledger entry #{obj.ledger_entry_id}"
        try:
            url = reverse("admin:campaigns_ledgerentry_change", args=[obj.ledger_entry_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)


class PurchaseItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PurchaseItem
    extra = 0
    raw_id_fields = ["listing", "seller"]
    fields = ["listing", "seller", "unit_price", "quantity"]
    readonly_fields = ["unit_price"]

    @admin.display(description="unit price")
    def unit_price(self, obj: PurchaseItem) -> str:
        return format_money(obj.unit_price_micros)


@admin.register(Purchase)
class PurchaseAdmin(_ReadOnlyAdmin):
    list_display = ["order_id", "occurred_at", "opaque_user_id", "received_at", "cancelled"]
    search_fields = ["=order_id", "=opaque_user_id"]
    inlines = [PurchaseItemInline]

    def get_queryset(self, request):
        # One EXISTS per listed row (50), served by the index on purchase_order_id.
        return super().get_queryset(request).annotate(
            is_cancelled=Exists(Cancellation.objects.filter(purchase_order_id=OuterRef("order_id"))))

    @admin.display(description="cancelled", boolean=True)
    def cancelled(self, obj: Purchase) -> bool:
        return obj.is_cancelled  # type: ignore[attr-defined]  # annotated by get_queryset


@admin.register(Cancellation)
class CancellationAdmin(_ReadOnlyAdmin):
    list_display = ["event_id", "purchase_order_id", "occurred_at"]
    search_fields = ["=event_id", "=purchase_order_id"]


class LiveFilter(ConditionFilter):
    title = "status"
    parameter_name = "status"
    conditions = {
        "live": ("Live credits", Q(reversed_at__isnull=True, reversal_of__isnull=True)),
        "reversed": ("Reversed credits", Q(reversed_at__isnull=False)),
        "reversal": ("Reversal rows", Q(reversal_of__isnull=False)),
    }


@admin.register(AttributionCredit)
class AttributionCreditAdmin(_ReadOnlyAdmin):
    list_display = ["id", "kind", "purchase", "item_id", "click", "campaign_id", "listing_id", "amount", "order_count",
                    "purchased_at", "reversed_at", "reversal_of_id"]
    list_filter = ["kind", LiveFilter]
    search_fields = ["=purchase__order_id", "=click__event_id", "=seller__marketplace_id"]
    list_select_related = ["purchase", "click"]
    raw_id_fields = ["item", "purchase", "click", "campaign", "listing", "seller", "reversal_of"]

    @admin.display(description="sales", ordering="amount_micros")
    def amount(self, obj: AttributionCredit) -> str:
        return format_money(obj.amount_micros)


@admin.register(HourlyStat)
class HourlyStatAdmin(_ReadOnlyAdmin):
    list_display = ["hour", "campaign_id", "listing_id", "impressions", "clicks", "charged_clicks", "spend",
                    "direct_orders", "halo_orders"]
    search_fields = ["=campaign__id", "=listing__marketplace_id"]

    @admin.display(description="spend", ordering="spend_micros")
    def spend(self, obj: HourlyStat) -> str:
        return format_money(obj.spend_micros)


@admin.register(Watermark)
class WatermarkAdmin(_ReadOnlyAdmin):
    list_display = ["name", "position", "updated_at"]
    ordering = ["name"]


@admin.register(SellerIdentity)
class SellerIdentityAdmin(LargeTableAdmin):
    """Which storefront user ids are sellers: their clicks on their own listings are free."""

    list_display = ["opaque_user_id", "seller", "created_at"]
    search_fields = ["=opaque_user_id", "=seller__marketplace_id"]
    autocomplete_fields = ["seller"]
    list_select_related = ["seller"]


@admin.register(LiftEstimate)
class LiftEstimateAdmin(_ReadOnlyAdmin):
    """What the ads added (ghost ads), as the periodic job ``lift`` last stored it: read-only."""

    list_display = ["key", "scope", "exposed_shoppers", "held_out_shoppers", "added_sales", "interval_90",
                    "lift_percent", "enough_data", "computed_at"]
    list_filter = ["scope"]
    search_fields = ["key", "category", "=seller__marketplace_id"]
    list_select_related = ["seller"]
    raw_id_fields = ["seller"]
    ordering = ["scope", "key"]

    @admin.display(description="sales added", ordering="incremental_sales_micros")
    def added_sales(self, obj: LiftEstimate) -> str:
        return format_money(obj.incremental_sales_micros)

    @admin.display(description="90% interval")
    def interval_90(self, obj: LiftEstimate) -> str:
        return _interval_text(obj)

    @admin.display(description="lift", ordering="lift")
    def lift_percent(self, obj: LiftEstimate) -> str:
        return _lift_text(obj)

    @admin.display(boolean=True, description="enough data")
    def enough_data(self, obj: LiftEstimate) -> bool:
        return obj.enough_data


def _interval_text(obj: LiftEstimate) -> str:
    return f"{format_money(obj.incremental_sales_low_micros)} to {format_money(obj.incremental_sales_high_micros)}"


def _lift_text(obj: LiftEstimate) -> str:
    if obj.lift is None:
        return "\u2013"
    high = "no upper bound" if obj.lift_high is None else f"{obj.lift_high:+.0%}"
    return f"{obj.lift:+.0%} ({obj.lift_low:+.0%} to {high})"


def _lift_line(obj: LiftEstimate) -> dict:
    """One line of the overview page's "What the ads added" tables."""
    return {"estimate": obj, "label": obj.category or obj.get_scope_display(),
            "sales": format_money(obj.incremental_sales_micros), "interval": _interval_text(obj),
            "lift": _lift_text(obj), "enough": obj.enough_data}


@admin.register(MarketplaceOverview)
class MarketplaceOverviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A page, not a table: marketplace totals, top sellers and the invalid-click share over 7/30/90 days."""

    PERIODS = (7, 30, 90)

    def changelist_view(self, request, extra_context=None):
        from django.template.response import TemplateResponse

        from analytics.presenters import percent, roas_text
        from analytics.selectors.overview import marketplace_overview
        from core import clock

        try:
            days = int(request.GET.get("days") or 30)
        except ValueError:
            days = 30
        days = days if days in self.PERIODS else 30
        end = clock.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        overview = marketplace_overview(end - dt.timedelta(days=days), end)
        share = overview.invalid_click_share
        context = {
            **self.admin_site.each_context(request), "title": "Marketplace overview", "opts": self.model._meta,
            "overview": overview, "days": days, "periods": self.PERIODS,
            "invalid_share": "\u2013" if share is None else percent(Decimal(str(share))),
            "roas": roas_text(overview.totals.roas), "ctr": percent(overview.totals.ctr, 2),
            "sellers": [(line, roas_text(line.kpis.roas)) for line in overview.top_sellers],
            "lift_rows": [_lift_line(e) for e in LiftEstimate.objects.filter(
                scope__in=[LiftEstimate.Scope.NET, LiftEstimate.Scope.MARKETPLACE]).order_by("-scope")],
            "lift_categories": [_lift_line(e) for e in LiftEstimate.objects.filter(
                scope=LiftEstimate.Scope.CATEGORY).order_by("-incremental_sales_micros")[:50]],
            "holdout_share": AuctionSettings.load().holdout_share,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "analytics/admin_overview.html", context)
