"""Django admin for campaigns, budget periods, the ledger and the campaign settings.

Built for millions of ledger rows: id ordering (the primary key index), exact-match
searches on ids, no full counts, related rows selected in the same query, and refund
state annotated with EXISTS rather than looked up per row. Writes go through the
services so the same rules hold as for sellers (budget bounds, weekly cycle, refunds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from campaigns import services
from campaigns.models import BudgetForecast, BudgetPeriod, Campaign, CampaignSettings, LedgerEntry
from core import clock
from core.admin_utils import ConditionFilter, DollarsModelForm, LargeTableAdmin, ReadOnlyAdminMixin, dollars_field
from core.money import format_money, to_decimal, to_micros

RECENT_WEEKS_INLINE = 12


# The week's traffic curve is pacing's (auction/traffic.py, a layer above campaigns): the
# auction app plugs it in at start-up (auction/apps.py). (week start, now) -> share passed.
_traffic_share: Callable[[dt.datetime, dt.datetime], float] | None = None


def traffic_share_set(share: Callable[[dt.datetime, dt.datetime], float]) -> None:
    """Where "spent vs target" reads the share of the week's traffic passed."""
    global _traffic_share
    _traffic_share = share


class CampaignSettingsForm(DollarsModelForm[CampaignSettings]):
    min_weekly_budget = dollars_field("Minimum weekly budget")
    max_weekly_budget = dollars_field("Maximum weekly budget")
    micros_fields = {"min_weekly_budget": "min_weekly_budget_micros", "max_weekly_budget": "max_weekly_budget_micros"}
    low_high = ("min_weekly_budget", "max_weekly_budget", "The maximum must be at least the minimum.")

    class Meta:
        model = CampaignSettings
        fields: list[str] = []


@admin.register(CampaignSettings)
class CampaignSettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it; it cannot be added twice or deleted."""

    form = CampaignSettingsForm
    fieldsets = [(None, {"fields": ["min_weekly_budget", "max_weekly_budget"]})]

    def changelist_view(self, request, extra_context=None):
        settings_row = CampaignSettings.load()
        return HttpResponseRedirect(reverse("admin:campaigns_campaignsettings_change", args=[settings_row.pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BudgetPeriodInline(admin.TabularInline):
    """The campaign's last weeks, read-only: budget, spend, exhaustion (the pacing state)."""

    model = BudgetPeriod
    readonly_fields = ("week_start", "budget", "spent", "exhausted_at", "promoted_listings")
    fields = readonly_fields
    can_delete = False
    extra = 0
    max_num = 0
    show_change_link = True
    verbose_name_plural = f"budget weeks (last {RECENT_WEEKS_INLINE})"

    def get_queryset(self, request):
        since = clock.now() - dt.timedelta(weeks=RECENT_WEEKS_INLINE)
        return super().get_queryset(request).filter(week_start__gte=since).order_by("-week_start")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="budget")
    def budget(self, obj: BudgetPeriod) -> str:
        return format_money(obj.budget_micros) if obj.budget_micros is not None else "\u2013"

    @admin.display(description="spent")
    def spent(self, obj: BudgetPeriod) -> str:
        return format_money(obj.spent_micros) if obj.spent_micros is not None else "\u2013"


class CampaignAdminForm(forms.ModelForm):
    weekly_budget = dollars_field("Weekly budget")
    max_cpc = dollars_field("Maximum cost per click (manual bidding)", required=False)

    class Meta:
        model = Campaign
        fields = ["name", "bidding"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weekly_budget"].initial = to_decimal(self.instance.weekly_budget_micros)
        self.fields["weekly_budget"].help_text = (
            "In dollars. After the campaign's first week a change applies from next Monday, as for the seller.")
        if self.instance.max_cpc_micros:
            self.fields["max_cpc"].initial = to_decimal(self.instance.max_cpc_micros)

    def clean(self):
        data = super().clean()
        budget = data.get("weekly_budget")
        if budget is not None:
            try:
                services.weekly_budget_check(to_micros(budget), "weekly_budget")
            except services.CampaignError as exc:
                self.add_error("weekly_budget", exc.message)
        if data.get("bidding") == Campaign.Bidding.MANUAL and not data.get("max_cpc"):
            self.add_error("max_cpc", "Manual bidding needs a maximum cost per click.")
        return data


@admin.register(Campaign)
class CampaignAdmin(LargeTableAdmin):
    form = CampaignAdminForm
    list_display = ["id", "seller_link", "name", "status", "weekly_budget", "next_budget", "bidding", "selection",
                    "pacing_multiplier", "pacing_throttle", "launched_at"]
    list_filter = ["status", "bidding", "selection"]
    search_fields = ["=id", "=seller__marketplace_id", "seller__username"]
    list_select_related = ["seller"]
    raw_id_fields = ["seller"]
    ordering = ["-id"]
    list_per_page = 50
    readonly_fields = ["seller", "status", "selection", "next_budget", "next_weekly_budget_from", "max_cpc_display",
                       "pacing_multiplier", "pacing_throttle", "spent_vs_target", "launched_at", "created_at",
                       "updated_at"]
    fieldsets = [
        (None, {"fields": ["seller", "name", "status", "selection"]}),
        ("Budget and bidding", {"fields": ["weekly_budget", "next_budget", "next_weekly_budget_from", "bidding",
                                           "max_cpc", "max_cpc_display"]}),
        ("Pacing (set every minute by the pacing controller)",
         {"fields": ["pacing_multiplier", "pacing_throttle", "spent_vs_target"]}),
        ("History", {"fields": ["launched_at", "created_at", "updated_at"]}),
    ]
    inlines = [BudgetPeriodInline]
    actions = ["pause_selected", "resume_selected", "end_selected"]

    def has_add_permission(self, request):
        return False  # sellers create campaigns (wizard), operations use `manage.py promote`

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger keeps them; end a campaign instead

    @admin.display(description="seller", ordering="seller__username")
    def seller_link(self, obj: Campaign):
        url = reverse("admin:sellers_seller_change", args=[obj.seller_id])
        return format_html('<a href="{}">{}</a>', url, obj.seller.username)

    @admin.display(description="this week: spent vs target")
    def spent_vs_target(self, obj: Campaign) -> str:
        """Spend so far against the ideal curve (the budget times the week's traffic passed)."""
        now = clock.now()
        period = obj.periods.filter(week_start__lte=now, week_end__gt=now).first()
        if period is None:
            return "no budget period this week yet"
        if _traffic_share is None:
            return "no traffic curve (the auction app is not installed)"
        target = int(period.budget_micros * _traffic_share(period.week_start, now))
        return (f"{format_money(period.spent_micros)} spent, target {format_money(target)} "
                f"of {format_money(period.budget_micros)}")

    @admin.display(description="weekly budget", ordering="weekly_budget_micros")
    def weekly_budget(self, obj: Campaign) -> str:
        return format_money(obj.weekly_budget_micros)

    @admin.display(description="next week's budget")
    def next_budget(self, obj: Campaign) -> str:
        return format_money(obj.next_weekly_budget_micros) if obj.next_weekly_budget_micros else "\u2013"

    @admin.display(description="current maximum CPC")
    def max_cpc_display(self, obj: Campaign) -> str:
        return format_money(obj.max_cpc_micros) if obj.max_cpc_micros else "\u2013"

    def save_model(self, request, obj: Campaign, form, change):
        data = form.cleaned_data
        budget = to_micros(data["weekly_budget"])
        max_cpc = to_micros(data["max_cpc"]) if data.get("max_cpc") else None
        Campaign.objects.filter(pk=obj.pk).update(name=obj.name, updated_at=clock.now())
        if budget != obj.weekly_budget_micros or obj.next_weekly_budget_micros:
            result = services.campaign_budget_change(obj, budget)
            if not result.applies_now:
                when = result.applies_from.astimezone(clock.marketplace_tz())
                self.message_user(request, f"The new budget applies from {when:%A %d %B %Y} (next budget week).")
        if "bidding" in form.changed_data or "max_cpc" in form.changed_data:
            obj.refresh_from_db()
            services.campaign_bidding_set(obj, data["bidding"], max_cpc)

    def _each(self, request, queryset, service, verb: str) -> None:
        """Apply ``service`` to each campaign and log each change under ``verb`` (who did it, in
        admin's history; the seller alerts read the pauses from there)."""
        done, refused = 0, 0
        for campaign in queryset.select_related("seller"):
            try:
                service(campaign)
                done += 1
            except services.CampaignError:
                refused += 1
                continue
            self.log_change(request, campaign, verb)
        level = messages.WARNING if refused else messages.SUCCESS
        self.message_user(request, f"{verb} {done} campaign(s); {refused} could not be.", level)

    @admin.action(description="Pause the selected campaigns", permissions=["change"])
    def pause_selected(self, request, queryset):
        self._each(request, queryset, services.campaign_pause, services.ADMIN_LOG_PAUSED)

    @admin.action(description="Resume the selected campaigns", permissions=["change"])
    def resume_selected(self, request, queryset):
        self._each(request, queryset, services.campaign_resume, services.ADMIN_LOG_RESUMED)

    @admin.action(description="End the selected campaigns", permissions=["change"])
    def end_selected(self, request, queryset):
        self._each(request, queryset, services.campaign_end, services.ADMIN_LOG_ENDED)


class ExhaustedFilter(ConditionFilter):
    title = "budget used up"
    parameter_name = "exhausted"
    conditions = {"yes": ("Yes", Q(exhausted_at__isnull=False)), "no": ("No", Q(exhausted_at__isnull=True))}


@admin.register(BudgetPeriod)
class BudgetPeriodAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    list_display = ["id", "campaign", "week_start", "budget", "spent", "remaining", "exhausted_at",
                    "promoted_listings"]
    list_filter = [ExhaustedFilter]
    search_fields = ["=campaign__id", "=campaign__seller__marketplace_id"]
    list_select_related = ["campaign__seller"]
    ordering = ["-id"]
    list_per_page = 100

    @admin.display(description="budget", ordering="budget_micros")
    def budget(self, obj: BudgetPeriod) -> str:
        return format_money(obj.budget_micros)

    @admin.display(description="spent", ordering="spent_micros")
    def spent(self, obj: BudgetPeriod) -> str:
        return format_money(obj.spent_micros)

    @admin.display(description="left")
    def remaining(self, obj: BudgetPeriod) -> str:
        return format_money(obj.remaining_micros)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    """The ledger: read-only; charges can be refunded (a refund entry, budget restored)."""

    list_display = ["id", "created_at", "kind", "amount", "campaign", "period_week", "click_id", "refunded",
                    "note"]
    list_filter = ["kind"]
    search_fields = ["=id", "=click_id", "=campaign__id", "=campaign__seller__marketplace_id"]
    list_select_related = ["campaign__seller", "period"]
    ordering = ["-id"]
    list_per_page = 100
    actions = ["refund_selected"]

    def get_queryset(self, request):
        refunds = LedgerEntry.objects.filter(refund_of=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_refunded=Exists(refunds))

    def has_refund_permission(self, request) -> bool:
        return request.user.has_perm("campaigns.change_ledgerentry")

    @admin.display(description="amount", ordering="amount_micros")
    def amount(self, obj: LedgerEntry) -> str:
        return format_money(obj.amount_micros)

    @admin.display(description="week", ordering="period__week_start")
    def period_week(self, obj: LedgerEntry) -> str:
        return f"{obj.period.week_start.astimezone(clock.marketplace_tz()):%Y-%m-%d}"

    @admin.display(description="refunded", boolean=True)
    def refunded(self, obj: LedgerEntry) -> bool | None:
        if obj.kind != LedgerEntry.Kind.CHARGE:
            return None
        return obj.is_refunded  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.action(description="Refund the selected charges", permissions=["refund"])
    def refund_selected(self, request, queryset):
        refunded = already = 0
        charges = queryset.filter(kind=LedgerEntry.Kind.CHARGE)
        skipped = queryset.count() - charges.count()
        for entry_id in charges.values_list("pk", flat=True):
            result = services.charge_refund(entry_id, note=f"Refunded in admin by {request.user.get_username()}")
            if result.refunded:
                refunded += 1
            else:
                already += 1
        parts = [f"Refunded {refunded} charge(s)."]
        if already:
            parts.append(f"{already} already refunded.")
        if skipped:
            parts.append(f"{skipped} selected entries are not charges.")
        self.message_user(request, " ".join(parts), messages.SUCCESS if refunded else messages.WARNING)


@admin.register(BudgetForecast)
class BudgetForecastAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    list_display = ["id", "campaign", "created_at", "budget", "method", "history_weeks", "clicks", "sales"]
    list_filter = ["method"]
    search_fields = ["=campaign__id", "=campaign__seller__marketplace_id"]
    list_select_related = ["campaign__seller"]
    ordering = ["-id"]

    @admin.display(description="weekly budget")
    def budget(self, obj: BudgetForecast) -> str:
        return format_money(obj.weekly_budget_micros)

    @admin.display(description="clicks")
    def clicks(self, obj: BudgetForecast) -> str:
        return f"{obj.clicks_low}\u2013{obj.clicks_high}"

    @admin.display(description="sales")
    def sales(self, obj: BudgetForecast) -> str:
        return f"{obj.sales_low}\u2013{obj.sales_high}"
