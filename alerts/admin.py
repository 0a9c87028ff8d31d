from django.contrib import admin

from alerts.models import Alert, AlertPreference
from core.admin_utils import LargeTableAdmin, ReadOnlyAdminMixin


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, LargeTableAdmin):
    """Read-only: alerts are raised by the periodic job, never typed in."""

    list_display = ["id", "created_at", "seller", "kind", "key", "in_app", "read_at", "email_to", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["=seller__marketplace_id", "=key"]
    list_select_related = ["seller"]
    ordering = ["-id"]


@admin.register(AlertPreference)
class AlertPreferenceAdmin(admin.ModelAdmin):
    list_display = ["seller", "updated_at"]
    search_fields = ["=seller__marketplace_id", "seller__username"]
    list_select_related = ["seller"]
    raw_id_fields = ["seller"]
