"""Registry rules: pure, stdlib only (a test enforces it)."""

from __future__ import annotations

import dataclasses
import datetime
from bisect import bisect_right
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from thidua.lib.decimals import format_vietnamese_decimal

FIRST_YEAR = 2000
# How far ahead a membership may be planned: next year's agreement is signed at this year's conference.
YEARS_AHEAD = 2


def name_index_on(valid_froms: Sequence[datetime.date], day: datetime.date) -> int | None:
    """Index of the name in force on `day`, given the sorted start dates of an organization's names.

    Before its first name took effect the organization is known by that first name: a document dated
    earlier still has to print something.
    """
    if not valid_froms:
        return None
    index = bisect_right(list(valid_froms), day) - 1
    return max(index, 0)


def reference_day(year: int, ended_on: datetime.date | None) -> datetime.date:
    """The day whose name stands for a whole emulation year: its last day, or the last day the
    organization existed if it ended (was merged) during that year."""
    last = datetime.date(year, 12, 31)
    if ended_on is not None and ended_on <= last:
        return max(ended_on - datetime.timedelta(days=1), datetime.date(year, 1, 1))
    return last


def is_active_in_year(year: int, ended_on: datetime.date | None) -> bool:
    """An organization merged away on or before 1 January of a year cannot be a member that year."""
    return ended_on is None or ended_on > datetime.date(year, 1, 1)


def year_in_range(year: int, today: datetime.date) -> bool:
    return FIRST_YEAR <= year <= today.year + YEARS_AHEAD


def fraction_words(value: Fraction) -> str:
    """1/2 → "1/2 (50%)", 2/3 → "2/3 (66,67%)": exact fraction first, percentage to read."""
    percent = value * 100
    if percent.denominator == 1:
        shown = str(percent.numerator)
    else:
        exact = Decimal(percent.numerator) / Decimal(percent.denominator)
        shown = str(exact.quantize(Decimal("0.01"))).replace(".", ",")
    return f"{value.numerator}/{value.denominator} ({shown}%)"


def suggest_rotation(
    members: Sequence[str], headed_years: dict[str, list[int]], current_deputy: str | None
) -> tuple[str | None, str | None]:
    """Suggest next year's head and deputy: the deputy moves up (DOMAIN.md, Rotation [L]); the deputy
    slot goes to the member that has gone longest without heading (never headed first, then oldest
    last term, ties in the given order). The vote decides; this only suggests."""
    if not members:
        return None, None
    head = current_deputy if current_deputy in members else None

    def waited(member: str) -> tuple[int, int]:
        years = headed_years.get(member, [])
        return (0 if not years else 1, max(years) if years else 0)

    rest = [m for m in members if m != head]
    ordered = sorted(rest, key=lambda m: (waited(m), members.index(m)))
    if head is None:
        head = ordered[0] if ordered else None
        ordered = ordered[1:]
    deputy = ordered[0] if ordered else None
    return head, deputy


def women_percent_problem(percent: Decimal) -> str | None:
    """Why `percent` cannot be an organization's share of women, in Vietnamese; None when it can. A share
    is from 0 to 100% (NĐ 152/2025/NĐ-CP, Điều 4 khoản 6 judges it against 70%), written with at most two
    decimals, as the database keeps it: a third would be silently rounded, and 69,995% must not become 70%."""
    if not percent.is_finite() or not 0 <= percent <= 100:
        shown = format_vietnamese_decimal(percent) if percent.is_finite() else str(percent)
        return f"Tỷ lệ nữ (%) phải từ 0 đến 100, không phải {shown}."
    exponent = percent.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return "Tỷ lệ nữ (%) chỉ ghi tối đa hai chữ số thập phân, ví dụ 72,5."
    return None


# --- Officeholders: who holds a position of an organization on a day -----------------------------------

# One holder at a time (a second chairman while the first is in office is a typing mistake); an
# organization may have several vice-chairmen and emulation officers at once.
SOLE_POSITIONS = frozenset({"chairman", "acting_chairman", "office_chief"})


@dataclasses.dataclass(frozen=True)
class Term:
    """One person's term in one position: from ``started_on`` to ``ended_on``, both days included; an
    open term (``ended_on`` None) runs on. ``key`` tells terms apart (a row number or a primary key)."""

    key: object
    full_name: str
    position: str
    started_on: datetime.date
    ended_on: datetime.date | None = None

    def covers(self, day: datetime.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


def term_dates_problem(started_on: datetime.date, ended_on: datetime.date | None) -> str | None:
    if ended_on is not None and ended_on < started_on:
        return f"Ngày thôi giữ chức ({ended_on:%d/%m/%Y}) trước ngày bắt đầu ({started_on:%d/%m/%Y})."
    return None


def _overlap(a: Term, b: Term) -> bool:
    a_end = a.ended_on or datetime.date.max
    b_end = b.ended_on or datetime.date.max
    return a.started_on <= b_end and b.started_on <= a_end


def overlapping_terms(terms: Sequence[Term]) -> list[tuple[Term, Term]]:
    """Pairs of terms that cannot both stand: two holders of a sole position on a common day, or one
    person holding one position twice over a common day. Each pair once, in the order given."""
    pairs = []
    for index, first in enumerate(terms):
        for second in terms[index + 1 :]:
            if first.position != second.position or not _overlap(first, second):
                continue
            same_person = first.full_name.casefold() == second.full_name.casefold()
            if first.position in SOLE_POSITIONS or same_person:
                pairs.append((first, second))
    return pairs


def holder_on(terms: Sequence[Term], position: str, day: datetime.date) -> Term | None:
    """Who holds ``position`` on ``day``: the term covering it (the latest begun, were several to)."""
    covering = [t for t in terms if t.position == position and t.covers(day)]
    return max(covering, key=lambda t: t.started_on) if covering else None


def head_on(terms: Sequence[Term], day: datetime.date) -> tuple[Term, bool] | None:
    """Who heads the organization on ``day`` and whether they act (quyền): the chairman in office, else
    the acting chairman (NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.8.b: an acting head signs "Q. CHỦ TỊCH");
    None when neither is recorded for that day."""
    chairman = holder_on(terms, "chairman", day)
    if chairman is not None:
        return chairman, False
    acting = holder_on(terms, "acting_chairman", day)
    return (acting, True) if acting is not None else None
