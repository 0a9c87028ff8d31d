from django import template

from core.money import format_money

register = template.Library()


@register.filter(name="money")
def money(micros: int | str | None) -> str:
    """Micros as a currency string: {{ listing.price_micros|money }} -> $45.00."""
    if micros is None or micros == "":
        return "\u2013"  # en dash: no value
    return format_money(int(micros))
