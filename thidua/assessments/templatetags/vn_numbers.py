"""Template filters for numbers written the Vietnamese way ("94,50", "1.234,00")."""

from __future__ import annotations

from decimal import Decimal

from django import template

from thidua.lib.decimals import format_vietnamese_decimal

register = template.Library()

MISSING = "—"


@register.filter
def vn_decimal(value: Decimal | int | None, places: int = 2) -> str:
    """`{{ total|vn_decimal }}` → "94,50"; `{{ x|vn_decimal:1 }}` for one place. None (no figure) → "—".

    Scores are Decimal end to end; an int is accepted for counts and axis ticks. Anything else is a
    template bug, so it raises rather than printing a float's approximation.
    """
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"vn_decimal expects a Decimal or an int, not {type(value).__name__}")
    return format_vietnamese_decimal(Decimal(value), int(places))
