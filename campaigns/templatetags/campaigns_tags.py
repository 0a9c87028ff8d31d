from urllib.parse import urlencode

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The picker's two drop-down filters: (its label, its element id, its options' values and labels).
PICKER_FILTERS = {
    "status": (_("Status"), "picker-status",
               {"available": _("Available"), "sold": _("Sold"), "all": _("All")}),
    "chosen_filter": (_("Show"), "picker-chosen-filter",
                      {"any": _("Chosen or not"), "chosen": _("Chosen only"), "not_chosen": _("Not chosen only")}),
}


@register.simple_tag(takes_context=True)
def picker_href(context, page: int | None = None) -> str:
    """The picker's URL with its current filters and ``page`` (default: the current page)."""
    picker = context["picker"]
    params = {"q": picker.query, "status": picker.status, "chosen_filter": picker.chosen_filter,
              "page": page or picker.page}
    return f"{context['picker_url']}?{urlencode({k: v for k, v in params.items() if v not in ('', None)})}"


@register.inclusion_tag("campaigns/_picker_filter.html", takes_context=True)
def picker_filter(context, name: str) -> dict:
    """One of the picker's drop-down filters (``PICKER_FILTERS``), its current value selected."""
    label, element_id, options = PICKER_FILTERS[name]
    return {"name": name, "label": label, "id": element_id, "options": options.items(),
            "current": getattr(context["picker"], name)}


@register.filter(name="budget_level")
def budget_level(level: str) -> str:
    """A recommended budget level ("low", "high") in the reader's language."""
    from campaigns.forms import BUDGET_CHOICES

    return str(dict(BUDGET_CHOICES).get(level, level))


@register.filter(name="campaign_name")
def campaign_name(name: str) -> str:
    """A campaign's name as the seller reads it: the default name ("Promoted Closet", the
    product's) in their language, a name someone gave it as it is."""
    from django.utils.translation import gettext

    from campaigns.models import DEFAULT_CAMPAIGN_NAME

    return gettext("Promoted Closet") if name == DEFAULT_CAMPAIGN_NAME else name
