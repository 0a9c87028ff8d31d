"""The seller's alert preferences: one in-app and one email switch per kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from alerts.models import AlertPreference, Kind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CHANNELS = ("in_app", "email")


class AlertPreferenceForm(forms.ModelForm):
    class Meta:
        model = AlertPreference
        fields = [f"{kind}_{channel}" for kind in Kind.values for channel in CHANNELS]

    def rows(self) -> list[tuple[StrOrPromise, forms.BoundField, forms.BoundField]]:
        """(kind label, in-app field, email field) per kind, for a two-column table."""
        return [(label, self[f"{kind}_in_app"], self[f"{kind}_email"]) for kind, label in Kind.choices]
