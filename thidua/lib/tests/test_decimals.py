"""Tests for thidua.lib.decimals: Vietnamese decimal notation in and out, without floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, Inexact, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.lib.decimals import format_vietnamese_decimal, parse_vietnamese_decimal

finite_decimals = st.decimals(allow_nan=False, allow_infinity=False)
# What format_vietnamese_decimal writes: dot-grouped integer part, optional comma decimals.
VIETNAMESE_NUMBER = re.compile(r"-?[0-9]{1,3}(\.[0-9]{3})*(,[0-9]+)?")

# --- parsing


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7,5", "7.5"),
        ("7.5", "7.5"),  # dot decimal, from English keyboards and spreadsheets
        ("10", "10"),
        (" 12,25 ", "12.25"),
        ("-2,5", "-2.5"),
        ("0", "0"),
        ("0,05", "0.05"),
        ("1.234,5", "1234.5"),
        ("1.234.567,89", "1234567.89"),
        ("1.234", "1234"),  # a dot then exactly three digits is grouping, the Vietnamese reading
        ("12.345", "12345"),
        ("-1.234", "-1234"),
        ("1234,5", "1234.5"),  # grouping is optional
        ("0.125", "0.125"),  # "0." cannot start a group, so this dot is a decimal point
        ("1000.5", "1000.5"),  # four digits before the dot cannot be a group either
        ("1.2345", "1.2345"),
        ("7,50", "7.50"),
    ],
)
def test_parse_vietnamese_decimal_reads_vietnamese_and_dot_notation(typed: str, expected: str) -> None:
    parsed = parse_vietnamese_decimal(typed)
    assert parsed == Decimal(expected)
    assert isinstance(parsed, Decimal)


def test_parse_vietnamese_decimal_keeps_every_digit_a_float_would_lose() -> None:
    assert parse_vietnamese_decimal("0,1") + parse_vietnamese_decimal("0,2") == Decimal("0.3")
    assert parse_vietnamese_decimal("12345678901234567890,123456789") == Decimal(
        "12345678901234567890.123456789"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "nan",
        "NaN",
        "inf",
        "-Infinity",
        "1e3",
        "1E3",
        "bảy",
        "+7,5",
        "--7",
        "7,",
        ",5",
        ".5",
        "7.",
        "1,234.5",  # English grouping
        "1,234,5",
        "1.23,5",  # a group must have three digits
        "1.2345,6",
        "1.234.5",
        "0.123.456",  # a group cannot follow a leading 0
        "1 234,5",
        "7,5 điểm",
        "٧,٥",  # Arabic-Indic digits
    ],
)
def test_parse_vietnamese_decimal_rejects_anything_else_with_a_vietnamese_message(typed: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_vietnamese_decimal(typed)
    assert str(caught.value) == f"Không phải số hợp lệ: «{typed}»"


@given(st.text())
def test_parse_vietnamese_decimal_returns_a_finite_decimal_or_raises_value_error(typed: str) -> None:
    try:
        parsed = parse_vietnamese_decimal(typed)
    except ValueError as error:
        assert str(error).startswith("Không phải số hợp lệ: «")
    else:
        assert parsed.is_finite()


@given(finite_decimals)
def test_parse_vietnamese_decimal_reads_plain_comma_decimals(value: Decimal) -> None:
    plain = format(value, "f")
    assert parse_vietnamese_decimal(plain.replace(".", ",")) == value


# --- formatting


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("7.5", None, "7,5"),
        ("7.50", None, "7,5"),  # trailing zeros dropped
        ("10.0", None, "10"),
        ("10", None, "10"),
        ("0", None, "0"),
        ("0.000", None, "0"),
        ("-0", None, "0"),  # no "-0" in a score table
        ("-2.5", None, "-2,5"),
        ("1234.5", None, "1.234,5"),
        ("1234567.89", None, "1.234.567,89"),
        ("1000", None, "1.000"),
        ("999", None, "999"),
        ("100000", None, "100.000"),
        ("1E+3", None, "1.000"),  # exponent notation written out
        ("1.5E-7", None, "0,00000015"),
        ("7.5", 2, "7,50"),
        ("7.25", 1, "7,3"),  # half up
        ("7.35", 1, "7,4"),  # half up, not banker's rounding (which would give 7,4 here but 7,2 above)
        ("-7.25", 1, "-7,3"),  # half away from zero for negatives
        ("7.24", 1, "7,2"),
        ("9.995", 2, "10,00"),
        ("1234.5", 0, "1.235"),
        ("-0.001", 2, "0,00"),  # rounds to a negative zero: written without sign
        ("-0.005", 2, "-0,01"),
        ("3", 2, "3,00"),
    ],
)
def test_format_vietnamese_decimal_groups_with_dots_and_marks_decimals_with_a_comma(
    value: str, places: int | None, expected: str
) -> None:
    assert format_vietnamese_decimal(Decimal(value), places) == expected


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_format_vietnamese_decimal_refuses_values_that_are_not_numbers(value: str) -> None:
    with pytest.raises(ValueError, match="Không phải số hợp lệ"):
        format_vietnamese_decimal(Decimal(value))


def test_format_vietnamese_decimal_refuses_negative_places() -> None:
    with pytest.raises(ValueError, match="places"):
        format_vietnamese_decimal(Decimal("7.5"), -1)


def test_format_vietnamese_decimal_writes_numbers_longer_than_the_decimal_context_exactly() -> None:
    long_value = Decimal("1234567890123456789012345678901234567890.123456789")
    assert format_vietnamese_decimal(long_value, 2) == (
        "1.234.567.890.123.456.789.012.345.678.901.234.567.890,12"
    )
    huge = Decimal("1E+5000")  # beyond Python's 4300-digit int() conversion limit
    assert format_vietnamese_decimal(huge) == "100" + ".000" * 1666  # 5001 digits
    assert parse_vietnamese_decimal(format_vietnamese_decimal(huge)) == huge


# --- round trips


@given(finite_decimals)
def test_format_then_parse_gives_back_the_same_value(value: Decimal) -> None:
    written = format_vietnamese_decimal(value)
    assert VIETNAMESE_NUMBER.fullmatch(written)
    assert parse_vietnamese_decimal(written) == value


@given(finite_decimals, st.integers(min_value=0, max_value=6))
def test_format_with_places_then_parse_gives_back_the_rounded_value(value: Decimal, places: int) -> None:
    written = format_vietnamese_decimal(value, places)
    assert VIETNAMESE_NUMBER.fullmatch(written)
    decimals = written.partition(",")[2]
    assert len(decimals) == places
    with localcontext(prec=100):  # the default 28 digits cannot quantize the longest examples
        expected = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert parse_vietnamese_decimal(written) == expected


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_integers_round_trip_through_their_grouped_spelling(number: int) -> None:
    written = format_vietnamese_decimal(Decimal(number))
    assert "," not in written
    assert parse_vietnamese_decimal(written) == number


def test_format_vietnamese_decimal_rounds_even_when_the_caller_traps_inexact_results() -> None:
    with localcontext() as context:
        context.traps[Inexact] = True
        assert format_vietnamese_decimal(Decimal("7.25"), 1) == "7,3"
