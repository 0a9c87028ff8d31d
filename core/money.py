"""Money as integer micros (1 unit of currency = 1,000,000 micros), never floats.

Decimal is used only at the edges: parsing what a person or the storefront typed, and
formatting for display. Charges are rounded to whole cents.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation

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


@dataclass(frozen=True)
class MoneyStyle:
    """How one language writes an amount: its separators and where the currency symbol goes."""

    decimal: str
    group: str
    pattern: str  # {sign}, {symbol}, {amount}
    # "1.234" in Spanish: 1234 by the language's rule, 1.234 by the decimal point this language
    # also accepts for amounts typed on an English keyboard; refused rather than guessed.
    lone_group_is_ambiguous: bool = False


# Spanish as Spain writes it: "1.234,50 $" (a no-break space before the symbol).
MONEY_STYLES = {
    "en": MoneyStyle(decimal=".", group=",", pattern="{sign}{symbol}{amount}"),
    "es": MoneyStyle(decimal=",", group=".", pattern="{sign}{amount}\u00a0{symbol}",
                     lone_group_is_ambiguous=True),
}


def money_style(language: str | None = None) -> MoneyStyle:
    """The style of ``language`` (default: the active one), English for any other."""
    language = (language or translation.get_language() or "en").split("-")[0].lower()
    return MONEY_STYLES.get(language, MONEY_STYLES["en"])


def format_money(micros: int, currency_symbol: str = "$", language: str | None = None) -> str:
    """A display string with two decimals and thousands separators in the active language
    (or ``language``): $1,234.50 in English, 1.234,50 $ in Spanish."""
    value = to_decimal(round_to_cent(micros))
    style = money_style(language)
    amount = f"{abs(value):,.2f}".replace(",", "\0").replace(".", style.decimal).replace("\0", style.group)
    return style.pattern.format(sign="-" if value < 0 else "", symbol=currency_symbol, amount=amount)


class AmbiguousMoney(MoneyError):
    """Typed text that reads as two different amounts (such as 1.234 in Spanish)."""


def _grouped(text: str, group: str) -> str | None:
    """``text`` without its thousands separators if every group after the first has three
    digits (1,234,567), else None."""
    head, *groups = text.split(group)
    if not head.isdigit() or len(head) > 3 or not groups or any(len(g) != 3 or not g.isdigit() for g in groups):
        return None
    return head + "".join(groups)


def parse_money_input(text: str, language: str | None = None, currency_symbol: str = "$") -> int:
    """What a person typed as an amount (in the active language, or ``language``) into micros.

    Reads the language's own separators ("1.234,50" or "25,50" in Spanish, "1,234.50" in
    English), and the other decimal mark where it cannot be a thousands separator ("25.50"
    in Spanish, "25,5" in English). Text that reads two ways ("1.234" in Spanish: 1234 or
    1.234?) raises AmbiguousMoney; anything else that is not a plain amount raises MoneyError
    (the rules of ``to_micros`` apply: ASCII digits only, no exponent, NaN or underscores).
    """
    style = money_style(language)
    text = text.strip().removeprefix(currency_symbol).removesuffix(currency_symbol).strip()
    sign = ""
    if text[:1] in "+-" and text:
        sign, text = text[0], text[1:].lstrip()
    other = "," if style.decimal == "." else "."
    marks = [c for c in text if c in ".,"]
    if not marks:
        plain = text
    elif len(set(marks)) == 2:
        # Both marks: the last one is the decimal mark, the other groups thousands.
        decimal = marks[-1]
        group = "." if decimal == "," else ","
        whole, _, fraction = text.rpartition(decimal)
        digits = _grouped(whole, group)
        if digits is None or marks.count(decimal) != 1:
            raise MoneyError("not an amount")
        plain = f"{digits}.{fraction}"
    elif marks.count(marks[0]) > 1:
        digits = _grouped(text, marks[0])  # 1.234.567: only thousands separators
        if digits is None:
            raise MoneyError("not an amount")
        plain = digits
    elif marks[0] == style.decimal:
        plain = text.replace(style.decimal, ".")
    else:
        whole, _, fraction = text.partition(other)
        if len(fraction) != 3:
            plain = f"{whole}.{fraction}"  # 25.50 in Spanish, 25,5 in English: only a decimal mark reads so
        elif style.lone_group_is_ambiguous:
            raise AmbiguousMoney("reads as two amounts")
        else:
            plain = whole + fraction if whole.isdigit() and len(whole) <= 3 else f"{whole}?"  # 1,234 in English
    return to_micros(sign + plain)


def as_api_string(micros: int) -> str:
    """Micros as the API's decimal string with two decimals ("45.00")."""
    return f"{to_decimal(round_to_cent(micros)):.2f}"


def format_money_input(micros: int, language: str | None = None) -> str:
    """An amount as a person would type it back into a form: two decimals, the language's
    decimal mark, no symbol or thousands separator ("1234.50", "1234,50")."""
    return f"{to_decimal(round_to_cent(micros)):.2f}".replace(".", money_style(language).decimal)
