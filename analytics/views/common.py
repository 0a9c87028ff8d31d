"""Helpers of the analytics pages: the seller's time zone and today, the range a request asks for."""

from __future__ import annotations

import datetime as dt

from analytics.ranges import DayRange, RangeError, last_days, parse_range, seller_tz
from core import clock
from sellers.portal import SellerRequest


def seller_today(request: SellerRequest) -> tuple[dt.tzinfo, dt.date]:
    tz = seller_tz(request.seller)
    return tz, clock.now().astimezone(tz).date()


def requested_range(request: SellerRequest, *, default: int | None = 30) -> tuple[DayRange, RangeError | None]:
    """The range in the query string; on a bad one, the default range and the error to show."""
    tz, today = seller_today(request)
    try:
        return parse_range(request.GET, today=today, tz=tz, default=default), None
    except RangeError as exc:
        return last_days(default or 30, today=today, tz=tz), exc


def page_number(request: SellerRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except (TypeError, ValueError):
        return 1
