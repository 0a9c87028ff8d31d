"""Numbers as the reader's language writes them (the active language): 1,234.5 or 1.234,5.

Money has its own formatting in ``core.money``; these are for counts, ratios and
percentages built in Python (templates localise their own numbers).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format


def grouped(value: int | float | Decimal, places: int | None = None) -> str:
    """A number with thousands separators and ``places`` decimals: 12,345 / 12.345."""
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
