from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core import changes, clock
from core.models import SCOPES, ApiKey, Heartbeat, hash_key


class ApiKeyForm(forms.ModelForm[ApiKey]):
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in SCOPES], widget=forms.CheckboxSelectMultiple,
        help_text="What the key may call: auctions, events, catalog.",
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "revoked_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    form = ApiKeyForm
    list_display = ["name", "prefix", "scope_list", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    @admin.display(description="scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if not change:
            raw = ApiKey.generate()
            obj.prefix = raw[:10]
            obj.key_hash = hash_key(raw)
            messages.warning(
                request, f"The new key is {raw} — copy it now: it is shown only once.",
            )
        super().save_model(request, obj, form, change)
        changes.bump(changes.API_KEYS)  # new scopes or a revocation apply at once

    def delete_model(self, request: HttpRequest, obj: ApiKey) -> None:
        super().delete_model(request, obj)
        changes.bump(changes.API_KEYS)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        super().delete_queryset(request, queryset)
        changes.bump(changes.API_KEYS)

    @admin.action(description="Revoke the selected keys now")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=clock.now())
        changes.bump(changes.API_KEYS)
        self.message_user(request, f"Revoked {count} key(s).")


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ["name", "beat_at"]
    readonly_fields = ["name", "beat_at"]
