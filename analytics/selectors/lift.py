"""What the ads added, as a seller and an admin read it (stored by ``analytics.services.lift``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.utils.translation import gettext as _

from analytics.models import LiftEstimate
from auction.models import AuctionSettings
from core.l10n import grouped
from core.money import format_money
from sellers.models import Seller

T = TypeVar("T", int, float)


@dataclass(frozen=True)
class LiftCard:
    """The dashboard's "What your ads added" card: the estimate and its figures as shown."""

    measuring: bool  # the marketplace holds shoppers out (ghost ads are on)
    estimate: LiftEstimate | None
    sales_text: str = ""
    sales_range_text: str = ""
    orders_text: str = ""
    orders_range_text: str = ""

    @classmethod
    def of(cls, estimate: LiftEstimate | None, *, measuring: bool) -> LiftCard:
        """The card of ``estimate`` (None: nothing measured yet), its figures signed and grouped."""
        if estimate is None:
            return cls(measuring, None)
        e = estimate
        return cls(measuring, e,
                   sales_text=_signed_money(e.incremental_sales_micros),
                   sales_range_text=_range(_signed_money, e.incremental_sales_low_micros,
                                           e.incremental_sales_high_micros),
                   orders_text=_signed_number(e.incremental_orders),
                   orders_range_text=_range(_signed_number, e.incremental_orders_low, e.incremental_orders_high))

    @property
    def enough_data(self) -> bool:
        return self.estimate is not None and self.estimate.enough_data


def _range(signed: Callable[[T], str], low: T, high: T) -> str:
    return _("%(low)s to %(high)s") % {"low": signed(low), "high": signed(high)}


def _signed_number(value: float) -> str:
    return ("-" if value < 0 else "+") + grouped(abs(value), 1)


def _signed_money(micros: int) -> str:
    return ("-" if micros < 0 else "+") + format_money(abs(micros))


def lift_card_for_seller(seller: Seller) -> LiftCard:
    estimate = LiftEstimate.objects.filter(key=f"{LiftEstimate.Scope.SELLER}:{seller.pk}").first()
    return LiftCard.of(estimate, measuring=AuctionSettings.load().holdout_share > 0)
