from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from core.admin_utils import LargeTableAdmin
from core.money import format_money
from sellers.models import Listing, Seller, SsoToken


@admin.register(Seller)
class SellerAdmin(LargeTableAdmin):
    list_display = ["username", "marketplace_id", "email", "joined_at", "user", "created_at"]
    search_fields = ["=marketplace_id", "username", "email"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Listing)
class ListingAdmin(LargeTableAdmin):
    list_display = ["marketplace_id", "title", "seller_link", "brand", "category", "price", "condition",
                    "status", "updated_at"]
    list_filter = ["status", "condition"]
    # "=" keeps the id search an index lookup instead of a LIKE scan over a million rows.
    search_fields = ["=marketplace_id", "=seller__marketplace_id", "title"]
    autocomplete_fields = ["seller"]
    list_select_related = ["seller"]
    list_per_page = 50
    readonly_fields = ["created_at", "updated_at"]
    # A photo typed without a scheme is taken as https, the only one the catalog API accepts.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="price", ordering="price_micros")
    def price(self, obj: Listing) -> str:
        return format_money(obj.price_micros)

    @admin.display(description="seller", ordering="seller__username")
    def seller_link(self, obj: Listing):
        return format_html('<a href="../seller/{}/change/">{}</a>', obj.seller_id, obj.seller.username)


@admin.register(SsoToken)
class SsoTokenAdmin(admin.ModelAdmin):
    list_display = ["seller", "created_at", "expires_at", "used_at"]
    raw_id_fields = ["seller"]
    list_select_related = ["seller"]
    readonly_fields = ["nonce", "seller", "created_at", "expires_at", "used_at"]
    show_full_result_count = False
