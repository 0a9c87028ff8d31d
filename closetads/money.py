"""Money as integer micros (1 unit of currency = 1,000,000 micros), never floats.

Decimal is used only at the edges: parsing what a person or the storefront typed, and
formatting for display. Charges are rounded to whole cents.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MICROS_PER_UNIT = 1_000_000
MICROS_PER_CENT = 10_000
# Large enough for any marketplace price or budget, small enough for a signed 64-bit column.
MAX_MICROS = 10**15


class MoneyError(ValueError):
    """A value that is not an amount of money; the message says why."""


_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?|[+-]?\.[0-9]+", re.ASCII)


def to_micros(amount: Decimal | str | int | float) -> int:
    """Parse an amount in currency units ("45.00", 45, Decimal("45")) into micros.

    Floats are accepted only because JSON numbers arrive as floats; they go through
    their shortest decimal representation, so 0.1 is exactly 100,000 micros.
    Raises MoneyError for anything that is not a finite number or has more than six
    decimal places.
    """
    if isinstance(amount, bool):
        raise MoneyError("must be a number, not a boolean")
    if isinstance(amount, str):
        amount = amount.strip()
        # ASCII digits only: Decimal() also reads other scripts' digits ("5\u0660" is 50),
        # exponents, underscores, "Infinity" and "NaN", none of which is a price.
        if not _DECIMAL.fullmatch(amount):
            raise MoneyError("must be a decimal number such as 45.00")
    if isinstance(amount, float):
        amount = repr(amount)
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise MoneyError("must be a decimal number such as 45.00") from None
    if not value.is_finite():
        raise MoneyError("must be a finite number")
    micros = value * MICROS_PER_UNIT
    if micros != micros.to_integral_value():
        raise MoneyError("has more than six decimal places")
    result = int(micros)
    if abs(result) > MAX_MICROS:
        raise MoneyError("is too large")
    return result


def to_decimal(micros: int) -> Decimal:
    """Micros as a Decimal amount in currency units (exact)."""
    return Decimal(micros) / MICROS_PER_UNIT


def log_dollars(micros: int) -> float:
    """Natural log of an amount in dollars, at least one cent: the scale on which prices are
    compared (model features, shoppers' price levels, the auction's price bands)."""
    return math.log(max(micros, MICROS_PER_CENT) / MICROS_PER_UNIT)


def round_to_cent(micros: int) -> int:
    """Round micros to a whole cent, halves away from zero."""
    cents = (Decimal(micros) / MICROS_PER_CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(cents) * MICROS_PER_CENT


def cents_floor(micros: int) -> int:
    """Round micros down to a whole cent (what a bid or price may never exceed)."""
    return (micros // MICROS_PER_CENT) * MICROS_PER_CENT


def format_money(micros: int, currency_symbol: str = "$") -> str:
    """A display string with two decimals and thousands separators: $1,234.50."""
    value = to_decimal(round_to_cent(micros))
    sign = "-" if value < 0 else ""
    return f"{sign}{currency_symbol}{abs(value):,.2f}"


def as_api_string(micros: int) -> str:
    """Micros as the API's decimal string with two decimals ("45.00")."""
    return f"{to_decimal(round_to_cent(micros)):.2f}"
