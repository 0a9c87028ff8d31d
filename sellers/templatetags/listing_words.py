"""A listing's status and the results table's filters in the reader's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils.translation import gettext_lazy as _

from sellers.models import Listing

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()

FILTER_LABELS = {"all": _("All"), "available": _("Available"), "sold": _("Sold"), "promoted": _("Promoted")}


@register.filter(name="listing_status")
def listing_status(code: str) -> StrOrPromise:
    """{{ row.status|listing_status }} -> Available / Disponible."""
    return dict(Listing.Status.choices).get(code, code)


@register.filter(name="listing_filter")
def listing_filter(code: str) -> StrOrPromise:
    """{{ f|listing_filter }}: the label of one of the results table's filters."""
    return FILTER_LABELS.get(code, code)
