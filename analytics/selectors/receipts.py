"""Attribution receipts: which sponsored click earned which credited order, read from live credits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analytics.models import AttributionCredit
from analytics.ranges import DayRange
from sellers.models import Seller

RECEIPTS_PER_PAGE = 25


@dataclass(frozen=True)
class Receipt:
    """One credited purchased item (money in micros, times in UTC)."""

    credit_id: int
    order_id: str
    purchased_at: dt.datetime
    kind: str
    bought_listing_id: int
    bought_marketplace_id: str
    bought_title: str
    bought_image_url: str
    clicked_listing_id: int
    clicked_marketplace_id: str
    clicked_title: str
    clicked_image_url: str
    clicked_at: dt.datetime
    placement: str
    sales_micros: int

    @property
    def days_before_purchase(self) -> float:
        return (self.purchased_at - self.clicked_at) / dt.timedelta(days=1)

    @property
    def time_before_purchase(self) -> str:
        return wait_words(self.purchased_at - self.clicked_at)

    @property
    def is_direct(self) -> bool:
        return self.kind == AttributionCredit.Kind.DIRECT


def wait_words(wait: dt.timedelta) -> str:
    """How long before the purchase the click came, as a seller reads it: "2 days",
    "1.5 days", "5 hours", "12 minutes", "under a minute" (never "0.0 days")."""
    minutes = wait / dt.timedelta(minutes=1)
    if minutes < 1:
        return _("under a minute")
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", int(minutes)) % {"count": int(minutes)}
    hours = minutes / 60
    if hours < 24:
        return ngettext("%(count)s hour", "%(count)s hours", int(hours)) % {"count": int(hours)}
    days = round(hours / 24, 1)
    if days == int(days):
        return ngettext("%(count)s day", "%(count)s days", int(days)) % {"count": int(days)}
    # 1.5 days: plural in both languages
    return ngettext("%(count)s day", "%(count)s days", 2) % {"count": formats.number_format(days, 1)}


def _live_credits(seller: Seller):
    return (AttributionCredit.objects
            .filter(seller_id=seller.pk, reversed_at__isnull=True, reversal_of__isnull=True)
            .select_related("purchase", "item__listing", "listing", "click"))


def _receipt(credit: AttributionCredit) -> Receipt:
    bought = credit.item.listing
    clicked = credit.listing
    return Receipt(
        credit_id=credit.pk, order_id=credit.purchase.order_id, purchased_at=credit.purchased_at,
        kind=credit.kind, bought_listing_id=credit.item.listing_id,
        bought_marketplace_id=bought.marketplace_id if bought else "", bought_title=bought.title if bought else "",
        bought_image_url=bought.image_url if bought else "",
        clicked_listing_id=credit.listing_id, clicked_marketplace_id=clicked.marketplace_id if clicked else "",
        clicked_title=clicked.title if clicked else "", clicked_image_url=clicked.image_url if clicked else "",
        clicked_at=credit.click.occurred_at,
        placement=credit.click.placement, sales_micros=credit.amount_micros)


def receipts_page(seller: Seller, days: DayRange, *, page: int = 1, per_page: int = RECEIPTS_PER_PAGE):
    """A page (Django Page of Receipt) of the seller's live credits for purchases in ``days``, newest first.

    Only ``seller``'s credits are read; served by the (seller, purchased_at) index.
    """
    start, end = days.utc_bounds()
    credits = _live_credits(seller).filter(purchased_at__gte=start, purchased_at__lt=end).order_by(
        "-purchased_at", "-id")
    result = Paginator(credits, per_page).get_page(page)
    result.object_list = [_receipt(c) for c in result.object_list]
    return result


def receipt_for_seller(seller: Seller, credit_id: int) -> Receipt | None:
    """One live credit of the seller, or None for any other id (another seller's, reversed, unknown)."""
    credit = _live_credits(seller).filter(pk=credit_id).first()
    return _receipt(credit) if credit is not None else None
