"""Vietnamese decimal numbers: "7,5" for seven and a half, "1.234,5" with dot thousands grouping.

Scores and amounts are ``Decimal`` end to end; a float would turn 7,1 into 7.0999999999999996447…
and make totals disagree with what people add up by hand. Stdlib only, importable without Django.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["format_vietnamese_decimal", "parse_vietnamese_decimal"]

# Every accepted spelling, as one anchored pattern per notation ([0-9] rather than \d, which also matches
# other scripts' digits). Vietnamese writes "1.234.567,89": dots group thousands, the comma marks decimals.
_VIETNAMESE = re.compile(r"(?P<sign>-?)(?P<int>[0-9]+)(?:,(?P<frac>[0-9]+))?")
_GROUPED = re.compile(r"(?P<sign>-?)(?P<int>[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,(?P<frac>[0-9]+))?")
# A dot as the decimal separator ("7.5") is accepted too, because English keyboards' numeric pads and
# spreadsheets in English locales produce it. It is tried after _GROUPED, so "1.234" reads as one thousand
# two hundred thirty-four, the Vietnamese reading, which is also what format_vietnamese_decimal writes.
_DOT_DECIMAL = re.compile(r"(?P<sign>-?)(?P<int>[0-9]+)\.(?P<frac>[0-9]+)")


def parse_vietnamese_decimal(value: str) -> Decimal:
    """Parse a number written the Vietnamese way, e.g. "7,5" → Decimal("7.5"), "1.234,5" → Decimal("1234.5").

    Also accepts "7.5" (dot decimal), integers and a leading minus, with surrounding whitespace.
    Caveat: a single dot followed by exactly three digits ("12.345") is thousands grouping, as in
    Vietnamese, never a decimal point. Everything else ("", "nan", "inf", "1e3", "1,234.5", ",5", "1 234")
    raises ``ValueError`` with a Vietnamese message that can be shown to the user as is.
    """
    text = value.strip()
    for pattern in (_VIETNAMESE, _GROUPED, _DOT_DECIMAL):
        if match := pattern.fullmatch(text):
            number = match["sign"] + match["int"].replace(".", "")
            if match["frac"]:
                number += "." + match["frac"]
            # Built from the matched ASCII digits only, so Decimal() cannot see "nan", "inf" or exponents.
            return Decimal(number)
    raise ValueError(f"Không phải số hợp lệ: «{value}»")


def format_vietnamese_decimal(value: Decimal, places: int | None = None) -> str:
    """Format ``value`` the Vietnamese way: Decimal("1234.5") → "1.234,5".

    With ``places=None`` the value is written exactly, without trailing zeros ("7,50" → "7,5", "10,0" →
    "10"). With ``places`` it is rounded half up, the rounding taught in Vietnamese schools and used in
    scoring rules (7,25 → "7,3" at one place), and padded to exactly that many decimals.
    A negative zero is written "0": "-0" would look like an error in a score table.
    """
    if not value.is_finite():
        raise ValueError(f"Không phải số hợp lệ: «{value}»")
    if places is not None:
        if places < 0:
            raise ValueError("places must be zero or more")
        # A context of our own: enough precision that quantize() never fails however long the number is,
        # and none of the caller's traps (an Inexact trap would turn every rounding into an exception).
        context = Context(prec=max(28, value.adjusted() + places + 2))
        value = value.quantize(Decimal(1).scaleb(-places, context), rounding=ROUND_HALF_UP, context=context)
    # format(..., "f") writes every digit exactly (no exponent, no rounding); str() could say "1E+3".
    digits = format(value.copy_abs(), "f")  # copy_abs(), not abs(): abs() rounds to the context precision
    integer, _, fraction = digits.partition(".")
    if places is None:
        fraction = fraction.rstrip("0")
    # Grouped by hand: going through int() would hit Python's 4300-digit conversion limit.
    head = len(integer) % 3 or 3
    grouped = ".".join([integer[:head], *(integer[i : i + 3] for i in range(head, len(integer), 3))])
    sign = "-" if value.is_signed() and any(ch != "0" for ch in integer + fraction) else ""
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"
