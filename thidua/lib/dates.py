"""Vietnamese date helpers: weekday names, portal and official-document formats, local "today", parsing.

Stdlib only, like the rest of ``thidua.lib``: usable from anywhere without Django.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from thidua.lib.text import nfc

__all__ = [
    "VIETNAM_TZ",
    "WEEKDAY_NAMES",
    "document_date",
    "document_date_line",
    "moment",
    "parse_vietnamese_date",
    "portal_date",
    "vietnam_today",
    "weekday_name",
]

# Vietnam has one time zone (UTC+7, no daylight saving); the IANA name keeps history correct for old dates.
VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Indexed by ``date.weekday()`` (Monday is 0). Vietnamese numbers the weekdays from Monday = "Thứ Hai"
# (the second day), Sunday being "Chủ Nhật"; capitalised the way news portals print them.
WEEKDAY_NAMES: tuple[str, ...] = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def weekday_name(day: date) -> str:
    """Vietnamese name of the weekday of ``day``: "Thứ Hai" … "Chủ Nhật"."""
    return WEEKDAY_NAMES[day.weekday()]


def moment(value: datetime) -> str:
    """The time of an action in Vietnam, as refusals and notices say it: "15:02 ngày 04/12/2026"."""
    return f"{value.astimezone(VIETNAM_TZ):%H:%M ngày %d/%m/%Y}"


def portal_date(day: date) -> str:
    """News-portal dateline, e.g. "Thứ Bảy, 13/04/2024" (always two-digit day and month)."""
    return f"{weekday_name(day)}, {day:%d/%m/%Y}"


def document_date(day: date) -> str:
    """Date of an administrative document, e.g. "ngày 08 tháng 12 năm 2023".

    Nghị định 30/2020/NĐ-CP về công tác văn thư, Phụ lục I (thể thức và kỹ thuật trình bày văn bản hành
    chính), "Địa danh và thời gian ban hành văn bản": days below 10 and months 1 and 2 take a leading
    zero, other months do not ("ngày 05 tháng 01 năm 2024", "ngày 10 tháng 3 năm 2024"). The zero is
    there so that nobody can turn day 1–9 into 11–29, or month 1–2 into 11–12, by writing a digit in front
    of it; months 3–9 need none since there is no month 13 and up.
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def document_date_line(place: str, day: date) -> str:
    """Place-and-date line of a document, e.g. "Ninh Bình, ngày 08 tháng 12 năm 2023".

    The place is NFC-normalized because it is often typed into a settings form, possibly decomposed.
    """
    return f"{nfc(place)}, {document_date(day)}"


def vietnam_today(now: datetime) -> date:
    """The calendar date in Vietnam at the instant ``now`` (2024-04-12 18:30 UTC is 13/04/2024 there).

    Raises ``ValueError`` for a naive datetime: without an offset it could be UTC (what servers log) or
    Vietnam time (what people type), and around midnight the two give different days.
    """
    if now.utcoffset() is None:
        raise ValueError("vietnam_today() needs an aware datetime: a naive one is ambiguous")
    return now.astimezone(VIETNAM_TZ).date()


# Day first with one separator used consistently ("13/04/2024", "13-4-2024", "13.04.2024"), or ISO
# year first with dashes ("2024-04-13", what <input type="date"> and spreadsheets export). [0-9], not \d:
# \d would also accept other scripts' digits.
_DAY_FIRST = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def parse_vietnamese_date(value: str) -> date:
    """Parse a date typed the Vietnamese way (day first) or in ISO form.

    Accepts "13/04/2024", "13/4/2024", "13-04-2024", "13.04.2024" and "2024-04-13", with surrounding
    whitespace. Anything else, including impossible dates such as 31/02/2024, raises ``ValueError`` with
    a Vietnamese message that can be shown to the user as is.
    """
    text = value.strip()
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.group(1), match.group(3), match.group(4)
    elif match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise _invalid_date(value)
    try:
        return date(int(year), int(month), int(day))
    except ValueError as error:  # 31/02, 00/01, month 13, year 0…
        raise _invalid_date(value) from error


def _invalid_date(value: str) -> ValueError:
    return ValueError(f"Ngày không hợp lệ: «{value}» (dùng dạng dd/mm/yyyy)")
