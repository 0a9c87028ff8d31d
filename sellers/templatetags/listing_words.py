"""A listing's status and the results table's filters in the reader's language."""

from django import template
from django.utils.translation import gettext_lazy as _

from sellers.models import Listing

register = template.Library()

FILTER_LABELS = {"all": _("All"), "available": _("Available"), "sold": _("Sold"), "promoted": _("Promoted")}


@register.filter(name="listing_status")
def listing_status(code: str) -> str:
    """{{ row.status|listing_status }} -> Available / Disponible."""
    return dict(Listing.Status.choices).get(code, code)


@register.filter(name="listing_filter")
def listing_filter(code: str) -> str:
    """{{ f|listing_filter }}: the label of one of the results table's filters."""
    return FILTER_LABELS.get(code, code)
