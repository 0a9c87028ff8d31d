from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

THUMB_PX = 44
_PLACEHOLDER = mark_safe('<span class="thumb thumb-none" aria-hidden="true"></span>')


@register.filter(name="thumbnail")
def thumbnail(image_url: str) -> str:
    """A listing's photo as a small square thumbnail: {{ listing.image_url|thumbnail }}.

    Decorative (empty alt): every page shows the listing's title next to it, which a
    screen reader would otherwise read twice. Fixed width and height so nothing shifts as
    it loads, lazy so a page of 25 rows fetches only what is on screen, and no referrer so
    the marketplace's image host does not learn the seller's page addresses. Without a
    photo, a neutral box of the same size keeps the rows aligned.
    """
    if not image_url:
        return _PLACEHOLDER
    return format_html('<img class="thumb" src="{}" alt="" width="{}" height="{}" loading="lazy" decoding="async" '
                       'referrerpolicy="no-referrer">', image_url, THUMB_PX, THUMB_PX)
