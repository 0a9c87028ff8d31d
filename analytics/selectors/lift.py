"""What the ads added, as a seller and an admin read it (stored by ``analytics.services.lift``)."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.models import LiftEstimate
from auction.models import AuctionSettings
from closetads.money import format_money
from sellers.models import Seller


@dataclass(frozen=True)
class LiftCard:
    """The dashboard's "What your ads added" card."""

    measuring: bool  # the marketplace holds shoppers out (ghost ads are on)
    estimate: LiftEstimate | None

    @property
    def enough_data(self) -> bool:
        return self.estimate is not None and self.estimate.enough_data

    @property
    def sales_text(self) -> str:
        e = self.estimate
        return _signed(e.incremental_sales_micros) if e else ""

    @property
    def sales_range_text(self) -> str:
        e = self.estimate
        return f"{_signed(e.incremental_sales_low_micros)} to {_signed(e.incremental_sales_high_micros)}" if e else ""

    @property
    def orders_text(self) -> str:
        e = self.estimate
        return f"{e.incremental_orders:+.1f}" if e else ""

    @property
    def orders_range_text(self) -> str:
        e = self.estimate
        return f"{e.incremental_orders_low:+.1f} to {e.incremental_orders_high:+.1f}" if e else ""


def _signed(micros: int) -> str:
    return ("-" if micros < 0 else "+") + format_money(abs(micros))


def lift_card_for_seller(seller: Seller) -> LiftCard:
    estimate = LiftEstimate.objects.filter(key=f"{LiftEstimate.Scope.SELLER}:{seller.pk}").first()
    return LiftCard(measuring=AuctionSettings.load().holdout_share > 0, estimate=estimate)
