import math
import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from auction.models import AuctionHour, AuctionSettings, ListingAuctionDay, ModelVersion, ShopperPrice, ShopperTaste
from auction.parsing import MAX_SLOT_POSITION, MAX_SLOTS
from auction.position import DEFAULT_SLOT_POSITIONS, PositionCurve
from auction.predict import PLACEMENTS
from core.admin_utils import DollarsModelForm, LargeTableAdmin, ReadOnlyAdminMixin, dollars_field

# The form field holding each placement's default slot positions ("1, 5, 9, 13").
SLOT_POSITION_FIELDS = {placement: f"slot_positions_{placement}" for placement in PLACEMENTS}


class SlotPositionsField(forms.CharField):
    """Page positions typed as "1, 5, 9, 13", cleaned into a list of ints: 1 to MAX_SLOTS
    distinct ascending whole numbers in 1..MAX_SLOT_POSITION, the rule of the API's slotPositions."""

    def __init__(self, placement: str, **kwargs) -> None:
        self.placement = placement
        super().__init__(
            label=f"Slot positions: {placement}",
            error_messages={"required": f"Give the slot positions for {placement}, e.g. 1, 5, 9, 13."},
            help_text=f"Page positions of sponsored slots 1, 2, 3... on {placement} pages, e.g. 1, 5, 9, 13: "
                      f"1 to {MAX_SLOTS} distinct whole numbers from 1 to {MAX_SLOT_POSITION}, ascending.",
            **kwargs)

    def clean(self, value) -> list[int]:
        text = super().clean(value)
        name = f"Slot positions for {self.placement}"
        parts = [part for part in re.split(r"[\s,]+", text) if part]
        if not 1 <= len(parts) <= MAX_SLOTS:
            raise ValidationError(f"{name}: give 1 to {MAX_SLOTS} positions, not {len(parts)}.")
        positions: list[int] = []
        for part in parts:
            if not re.fullmatch(r"[+-]?[0-9]+", part):
                raise ValidationError(f'{name}: "{part}" is not a whole number.')
            position = int(part)
            if not 1 <= position <= MAX_SLOT_POSITION:
                raise ValidationError(f"{name}: {position} is not between 1 and {MAX_SLOT_POSITION}.")
            if positions and position <= positions[-1]:
                raise ValidationError(f"{name}: {position} comes after {positions[-1]}; positions must be "
                                      "distinct and ascending.")
            positions.append(position)
        return positions


class AuctionSettingsForm(DollarsModelForm[AuctionSettings]):
    """Money in dollars and cents for people; micros in the database. Slot positions as
    one "1, 5, 9, 13" field per placement; one JSON object in the database."""

    reserve_cpc = dollars_field("Reserve CPC ($)", help_text="Least a click may cost (whole cents).", max_digits=8)
    auto_max_cpc = dollars_field("Max automatic CPC ($)", help_text="Most an automatic bid may be (whole cents).",
                                 max_digits=8)
    micros_fields = {"reserve_cpc": "reserve_cpc_micros", "auto_max_cpc": "auto_max_cpc_micros"}
    low_high = ("reserve_cpc", "auto_max_cpc", "The max automatic CPC cannot be below the reserve CPC.")

    class Meta:
        model = AuctionSettings
        fields = ["relevance_floor", "gamma", "beta", "take_rate", "organic_top_k", "pricing", "least_bid_share",
                  "max_slots",
                  "max_winners_per_seller", "deadline_ms", "resolved_bid_lifetime_seconds",
                  "attribution_window_days", "halo_enabled", "click_dedup_minutes", "substitution_share",
                  "incrementality_margin", "holdout_share"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self._stored_slot_positions()
        for placement, name in SLOT_POSITION_FIELDS.items():
            positions = stored.get(placement) or DEFAULT_SLOT_POSITIONS
            self.initial.setdefault(name, ", ".join(str(p) for p in positions))

    def _stored_slot_positions(self) -> dict:
        stored = self.instance.slot_positions
        return dict(stored) if isinstance(stored, dict) else {}

    def save(self, commit=True):
        slot_positions = self._stored_slot_positions()
        for placement, name in SLOT_POSITION_FIELDS.items():
            slot_positions[placement] = self.cleaned_data[name]
        self.instance.slot_positions = slot_positions
        return super().save(commit)


# The placements are data (auction.predict.PLACEMENTS), so their fields are declared here
# rather than one by one in the class body; the admin's form factory finds them in
# declared_fields like any other declared field.
for _placement, _name in SLOT_POSITION_FIELDS.items():
    AuctionSettingsForm.base_fields[_name] = AuctionSettingsForm.declared_fields[_name] = SlotPositionsField(
        _placement)


@admin.register(AuctionSettings)
class AuctionSettingsAdmin(admin.ModelAdmin):
    """A singleton: the list goes straight to the one row; no add, no delete."""

    form = AuctionSettingsForm
    fieldsets = [
        ("Ranking", {"fields": ["relevance_floor", "gamma", "beta", "take_rate", "organic_top_k"]}),
        ("Bids and prices", {"fields": ["reserve_cpc", "auto_max_cpc", "pricing", "least_bid_share"]}),
        ("Limits", {"fields": ["max_slots", "max_winners_per_seller", "deadline_ms",
                               "resolved_bid_lifetime_seconds"]}),
        ("Clicks and attribution", {"fields": ["attribution_window_days", "halo_enabled", "click_dedup_minutes"]}),
        ("Incrementality", {"fields": ["substitution_share", "incrementality_margin", "holdout_share"]}),
        ("Page layout", {"fields": list(SLOT_POSITION_FIELDS.values()),
                         "description": AuctionSettings._meta.get_field("slot_positions").help_text}),
        (None, {"fields": ["updated_at"]}),
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        settings_row = AuctionSettings.load()
        return HttpResponseRedirect(reverse("admin:auction_auctionsettings_change", args=[settings_row.pk]))


@admin.register(ShopperTaste)
class ShopperTasteAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    """Read-only: what the auction knows of shoppers' tastes (written by searches and events)."""

    list_display = ["opaque_user_id", "taste", "first_at", "last_at"]
    search_fields = ["=opaque_user_id"]


@admin.register(ShopperPrice)
class ShopperPriceAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    """Read-only: shoppers' price levels (mean log price of what they click or buy)."""

    list_display = ["opaque_user_id", "events", "usual_price", "updated_at"]
    search_fields = ["=opaque_user_id"]

    @admin.display(description="Usual price ($)")
    def usual_price(self, obj: ShopperPrice) -> str:
        return f"{math.exp(obj.log_price_sum / obj.events):.2f}" if obj.events else "-"


@admin.register(ListingAuctionDay)
class ListingAuctionDayAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    """Read-only: written by the auction processes."""

    list_display = ["listing", "day", "candidate", "eligible", "won", "outranked", "not_incremental",
                    "budget_exhausted", "paced_out"]
    list_filter = ["day"]
    search_fields = ["=listing__marketplace_id"]
    raw_id_fields = ["listing"]
    list_select_related = ["listing"]


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    """Trained models with their held-out quality; training writes them, nobody edits them.

    Shows how each model was fitted (gradient boosting or segment rates, with both methods'
    held-out log loss) and, for click versions, the position curve learnt with it.
    """

    list_display = ["pk", "kind", "created_at", "active", "method", "auc", "baseline_auc", "log_loss",
                    "baseline_log_loss", "calibration_error", "rows_train", "curve_exponent", "curve_depth",
                    "train_seconds"]
    list_filter = ["kind", "active"]
    exclude = ["blob", "vocabulary", "position_curve"]
    readonly_fields = ["method", "methods_compared", "position_curve_table"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="held-out log loss by method")
    def methods_compared(self, obj: ModelVersion) -> str:
        methods = (obj.vocabulary or {}).get("methods") or {}
        # Sorted: PostgreSQL's jsonb does not keep the order the keys were written in.
        return ", ".join(f"{name} {figures['log_loss']:.4f}" for name, figures in sorted(methods.items())
                         if figures.get("log_loss") is not None) or "-"

    @staticmethod
    def _curve(obj: ModelVersion) -> dict:
        curve = obj.position_curve if isinstance(obj.position_curve, dict) else {}
        return curve if "exponent" in curve and "depth" in curve else {}

    @admin.display(description="curve exponent")
    def curve_exponent(self, obj: ModelVersion) -> str:
        curve = self._curve(obj)
        return f"{float(curve['exponent']):.3f}" if curve else "-"

    @admin.display(description="curve depth")
    def curve_depth(self, obj: ModelVersion) -> str:
        curve = self._curve(obj)
        return str(curve["depth"]) if curve else "-"

    @admin.display(description="position curve v(k)")
    def position_curve_table(self, obj: ModelVersion) -> str:
        """v(k) for k = 1..depth, with the organic impressions and clicks it was fitted on."""
        curve = PositionCurve.from_dict(self._curve(obj))
        if curve is None:
            return "-"
        stored = self._curve(obj)
        impressions, clicks = stored.get("impressions") or [], stored.get("clicks") or []

        def count(values: list, k: int) -> str:
            return str(values[k - 1]) if k <= len(values) else "-"

        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (k, f"{curve.at(k):.3f}", count(impressions, k), count(clicks, k)) for k in range(1, curve.depth + 1)))
        return format_html(
            "<p>v(k) = k<sup>-{}</sup> over {} positions ({})</p><table><thead><tr><th>position k</th>"
            "<th>v(k)</th><th>organic impressions</th><th>organic clicks</th></tr></thead><tbody>{}</tbody>"
            "</table>", f"{curve.exponent:.3f}", curve.depth, stored.get("source", ""), rows)


@admin.register(AuctionHour)
class AuctionHourAdmin(admin.ModelAdmin):
    """Auctions per hour: the traffic profile pacing follows."""

    list_display = ["hour", "auctions"]
    date_hierarchy = "hour"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
