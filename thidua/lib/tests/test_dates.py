"""Tests for thidua.lib.dates: weekday names, portal and document dates, Vietnam's today, parsing."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.lib.dates import (
    VIETNAM_TZ,
    WEEKDAY_NAMES,
    document_date,
    document_date_line,
    parse_vietnamese_date,
    portal_date,
    vietnam_today,
    weekday_name,
)

# Years with four digits: the formats (and the parser) are dd/mm/yyyy.
four_digit_years = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))

# --- weekday names and the portal date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 4, 8), "Thứ Hai, 08/04/2024"),
        (date(2024, 4, 9), "Thứ Ba, 09/04/2024"),
        (date(2024, 4, 10), "Thứ Tư, 10/04/2024"),
        (date(2024, 4, 11), "Thứ Năm, 11/04/2024"),
        (date(2024, 4, 12), "Thứ Sáu, 12/04/2024"),
        (date(2024, 4, 13), "Thứ Bảy, 13/04/2024"),
        (date(2024, 4, 14), "Chủ Nhật, 14/04/2024"),
        (date(2023, 12, 18), "Thứ Hai, 18/12/2023"),
        (date(2025, 1, 1), "Thứ Tư, 01/01/2025"),
    ],
)
def test_portal_date_names_every_weekday_like_the_news_portal(day: date, expected: str) -> None:
    assert portal_date(day) == expected


def test_weekday_names_run_from_thu_hai_on_monday_to_chu_nhat_on_sunday() -> None:
    monday = date(2024, 4, 8)
    assert [weekday_name(monday + timedelta(days=n)) for n in range(7)] == list(WEEKDAY_NAMES)
    assert WEEKDAY_NAMES[0] == "Thứ Hai"
    assert WEEKDAY_NAMES[-1] == "Chủ Nhật"


def test_weekday_names_are_stored_composed() -> None:
    assert all(unicodedata.is_normalized("NFC", name) for name in WEEKDAY_NAMES)


@given(four_digit_years)
def test_portal_date_always_pads_day_and_month_and_parses_back(day: date) -> None:
    weekday, _, numeric = portal_date(day).partition(", ")
    assert weekday == WEEKDAY_NAMES[day.weekday()]
    assert re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{4}", numeric)
    assert parse_vietnamese_date(numeric) == day


# --- document dates (Nghị định 30/2020/NĐ-CP)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 5), "ngày 05 tháng 01 năm 2024"),  # month 1 padded
        (date(2024, 2, 15), "ngày 15 tháng 02 năm 2024"),  # month 2 padded
        (date(2024, 3, 10), "ngày 10 tháng 3 năm 2024"),  # from month 3 on, no zero
        (date(2025, 8, 1), "ngày 01 tháng 8 năm 2025"),
        (date(2024, 9, 9), "ngày 09 tháng 9 năm 2024"),  # day 9 padded, month 9 not
        (date(2024, 10, 10), "ngày 10 tháng 10 năm 2024"),  # day 10 is not
        (date(2023, 11, 30), "ngày 30 tháng 11 năm 2023"),
        (date(2023, 12, 8), "ngày 08 tháng 12 năm 2023"),
        (date(2023, 12, 31), "ngày 31 tháng 12 năm 2023"),
        (date(2024, 2, 29), "ngày 29 tháng 02 năm 2024"),
    ],
)
def test_document_date_pads_days_below_10_and_months_1_and_2_only(day: date, expected: str) -> None:
    assert document_date(day) == expected


@given(four_digit_years)
def test_document_date_follows_the_leading_zero_rule_for_every_day(day: date) -> None:
    match = re.fullmatch(r"ngày ([0-9]+) tháng ([0-9]+) năm ([0-9]+)", document_date(day))
    assert match is not None
    day_text, month_text, year_text = match.groups()
    assert len(day_text) == 2
    assert len(month_text) == (2 if day.month <= 2 else len(str(day.month)))
    assert date(int(year_text), int(month_text), int(day_text)) == day


@pytest.mark.parametrize("place", ["Ninh Bình", "Ninh Bi\u0300nh"])
def test_document_date_line_puts_the_composed_place_before_the_date(place: str) -> None:
    line = document_date_line(place, date(2023, 12, 8))
    assert line == "Ninh Bình, ngày 08 tháng 12 năm 2023"
    assert unicodedata.is_normalized("NFC", line)


# --- today in Vietnam


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2024, 4, 12, 18, 30, tzinfo=UTC), date(2024, 4, 13)),
        (datetime(2024, 4, 12, 16, 59, 59, tzinfo=UTC), date(2024, 4, 12)),
        (datetime(2024, 4, 12, 17, 0, tzinfo=UTC), date(2024, 4, 13)),  # midnight in Hà Nội
        (datetime(2024, 4, 13, 0, 30, tzinfo=VIETNAM_TZ), date(2024, 4, 13)),
        (datetime(2024, 4, 12, 12, 0, tzinfo=timezone(timedelta(hours=-7))), date(2024, 4, 13)),
        (datetime(2023, 12, 31, 17, 0, tzinfo=UTC), date(2024, 1, 1)),  # year boundary
    ],
)
def test_vietnam_today_gives_the_calendar_date_in_vietnam(now: datetime, expected: date) -> None:
    assert vietnam_today(now) == expected


def test_vietnam_today_refuses_a_naive_datetime_because_the_day_would_be_a_guess() -> None:
    with pytest.raises(ValueError, match="naive"):
        vietnam_today(datetime(2024, 4, 12, 18, 30))


@given(
    st.datetimes(
        min_value=datetime(1976, 1, 1),  # UTC+7 without daylight saving ever since (UTC+8 before mid-1975)
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), VIETNAM_TZ]),
    )
)
def test_vietnam_today_is_the_utc_date_seven_hours_later(now: datetime) -> None:
    utc = now.astimezone(UTC)
    assert vietnam_today(now) == (utc + timedelta(hours=7)).date()


# --- parsing


@pytest.mark.parametrize(
    "typed",
    [
        "13/04/2024",
        "13/4/2024",
        "2024-04-13",
        "2024-4-13",
        "13-04-2024",
        "13.04.2024",
        "13.4.2024",
        " 13/04/2024 ",
    ],
)
def test_parse_vietnamese_date_reads_day_first_and_iso_dates(typed: str) -> None:
    assert parse_vietnamese_date(typed) == date(2024, 4, 13)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "hôm nay",
        "31/02/2024",  # no such day
        "29/02/2023",  # not a leap year
        "00/01/2024",
        "13/13/2024",
        "32/01/2024",
        "0000-01-01",  # year 0 does not exist
        "13/04/24",  # two-digit year: which century?
        "13/04-2024",  # mixed separators
        "2024/04/13",  # year first is only read in ISO form
        "13 04 2024",
        "04/13/2024",  # American month first
        "١٣/٠٤/٢٠٢٤",  # Arabic-Indic digits
        "13/04/2024 10:00",
    ],
)
def test_parse_vietnamese_date_rejects_anything_else_with_a_vietnamese_message(typed: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_vietnamese_date(typed)
    assert str(caught.value) == f"Ngày không hợp lệ: «{typed}» (dùng dạng dd/mm/yyyy)"


@given(four_digit_years, st.sampled_from(["/", "-", "."]))
def test_parse_vietnamese_date_reads_back_every_day_first_spelling(day: date, separator: str) -> None:
    padded = separator.join([f"{day.day:02d}", f"{day.month:02d}", f"{day.year}"])
    bare = separator.join([str(day.day), str(day.month), str(day.year)])
    assert parse_vietnamese_date(padded) == day
    assert parse_vietnamese_date(bare) == day


@given(four_digit_years)
def test_parse_vietnamese_date_reads_back_iso_dates(day: date) -> None:
    assert parse_vietnamese_date(day.isoformat()) == day


@given(st.text())
def test_parse_vietnamese_date_returns_a_date_or_raises_value_error_for_any_text(typed: str) -> None:
    try:
        parsed = parse_vietnamese_date(typed)
    except ValueError as error:
        assert str(error).startswith("Ngày không hợp lệ: «")
    else:
        assert isinstance(parsed, date)
