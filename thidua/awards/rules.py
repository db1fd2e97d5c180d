"""The parent council's vote on a dossier and what a dossier needs before it is sent. Pure, stdlib only.

A flag needs at least 80% of the council's TOTAL membership, not of those present, and absent members
vote in writing (DOMAIN.md, Voting, "Parent council" [H for NĐ 98/2023; M for NĐ 152/2025]). The share
is the Regulation's (`council_threshold`), exact as a ``Fraction``: 80% of 7 is 28/5 = 5.6, so 6 votes
are needed, and a vote sitting exactly on the threshold passes (≥). Floats are refused: 0.8 is not 4/5
in binary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from thidua.lib.decimals import format_vietnamese_decimal

__all__ = [
    "BarChart",
    "CouncilOutcome",
    "CriterionGroupScore",
    "DossierState",
    "ScoreTable",
    "bar_chart",
    "council_outcome",
    "council_vote_problems",
    "dossier_state",
    "parent_award_label",
    "score_table",
    "submission_problems",
    "votes_needed",
]

# The largest council anyone will type in; a larger number is a typing mistake, said at once.
MAX_COUNCIL = 500


def _share(value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Fraction | int | Decimal):
        raise TypeError(
            f"council threshold: expected a Fraction, int or Decimal (never float), got {value!r}"
        )
    share = Fraction(value)
    if not 0 < share <= 1:
        raise ValueError(f"Ngưỡng Hội đồng phải lớn hơn 0 và không quá 100%, không phải {share}.")
    return share


def votes_needed(threshold: Fraction, members: int) -> int:
    """The fewest votes in favour that reach `threshold` of the council's `members` (≥): the ceiling of
    threshold × members, in integers. A council of 0 is refused rather than passing everything."""
    share = _share(threshold)
    if isinstance(members, bool) or not isinstance(members, int) or members <= 0:
        raise ValueError(f"the council must have at least one member, got {members!r}")
    # Integer ceiling of p/q × n: -(-p·n // q). No float anywhere.
    return -(-share.numerator * members // share.denominator)


@dataclass(frozen=True)
class CouncilOutcome:
    votes: int
    needed: int
    passed: bool
    share: Fraction  # votes / members, for display only: `passed` is decided on integers


def council_outcome(threshold: Fraction, *, members: int, votes: int) -> CouncilOutcome:
    needed = votes_needed(threshold, members)
    if votes < 0 or votes > members:
        raise ValueError(f"votes must lie between 0 and {members}, got {votes}")
    return CouncilOutcome(votes=votes, needed=needed, passed=votes >= needed, share=Fraction(votes, members))


def council_vote_problems(
    *, members: int | None, present: int | None, votes: Mapping[str, int | None]
) -> list[str]:
    """What is wrong with a council vote as typed, in Vietnamese, naming the field or the proposal.
    `votes` maps a proposal's label to its votes in favour (present members and written votes of
    absent members together)."""
    problems: list[str] = []
    if members is None or members <= 0:
        problems.append("Tổng số thành viên Hội đồng phải là số nguyên dương.")
    elif members > MAX_COUNCIL:
        problems.append(f"Tổng số thành viên Hội đồng ({members}) lớn bất thường; hãy kiểm tra lại.")
    if present is None or present < 0:
        problems.append("Số thành viên có mặt phải là số nguyên không âm.")
    elif members is not None and 0 < members < present:
        problems.append(
            f"Số thành viên có mặt ({present}) nhiều hơn tổng số thành viên Hội đồng ({members})."
        )
    if not votes:
        problems.append("Hồ sơ không có đề nghị nào để Hội đồng bỏ phiếu.")
    for label, count in votes.items():
        if count is None or count < 0:
            problems.append(f"{label}: số phiếu đồng ý phải là số nguyên không âm.")
        elif members is not None and 0 < members < count:
            problems.append(
                f"{label}: {count} phiếu đồng ý nhiều hơn tổng số thành viên Hội đồng ({members}), "
                "kể cả phiếu bằng văn bản của thành viên vắng mặt."
            )
    return problems


def submission_problems(
    *,
    has_proposal_letter: bool,
    has_minutes: bool,
    proposals: int,
    missing_reports: Sequence[str],
) -> list[str]:
    """Why a dossier cannot be sent yet (DOMAIN.md, "The year of a cluster" point 6: tờ trình, biên bản,
    vote results, achievement reports). The tờ trình and the minutes are required, at least one proposed
    award, and the achievement report of every proposed member (`missing_reports` names those without
    one): DOMAIN.md lists the reports among what the dossier holds and allows no dossier without them,
    and once sent the nominee can no longer upload, so a dossier sent without a report could only come
    back."""
    problems: list[str] = []
    if not has_proposal_letter:
        problems.append("Thiếu tờ trình đề nghị khen thưởng (văn bản loại TTr đã ban hành).")
    if not has_minutes:
        problems.append("Thiếu biên bản hội nghị (văn bản loại BB đã ban hành).")
    if proposals <= 0:
        problems.append("Chưa có đề nghị khen thưởng nào (đơn vị và hình thức khen thưởng).")
    if missing_reports:
        problems.append(
            f"Thiếu báo cáo thành tích của: {', '.join(missing_reports)} "
            "(cán bộ thi đua của đơn vị tải lên trên trang hồ sơ)."
        )
    return problems


def parent_award_label(label: str, parent_short_name: str) -> str:
    """ "Cờ thi đua của Liên hiệp Hội Việt Nam": the parent body names its own awards; the choice label
    says "cơ quan cấp trên" (as the nomination poll's title does)."""
    return label.replace("cơ quan cấp trên", parent_short_name)


# --- The parent body's overview (issue 16)


class DossierState(StrEnum):
    """Where a dossier the parent body received stands, as its staff see it: sent back, waiting for the
    council's vote, waiting for the decision, or decided. The values are the overview's filter words."""

    RETURNED = "tra-lai"
    AWAITING_VOTE = "cho-hoi-dong"
    AWAITING_DECISION = "cho-quyet-dinh"
    DECIDED = "da-quyet-dinh"


DOSSIER_STATE_LABELS: Mapping[DossierState, str] = {
    DossierState.RETURNED: "Đã trả lại, chờ cụm gửi lại",
    DossierState.AWAITING_VOTE: "Chờ Hội đồng bỏ phiếu",
    DossierState.AWAITING_DECISION: "Chờ quyết định khen thưởng",
    DossierState.DECIDED: "Đã có quyết định khen thưởng",
}


def dossier_state(status: str, *, submitted: bool, voted: bool) -> DossierState | None:
    """`status` is a DossierStatus value. A draft never sent is the group's own business (None); a draft
    that was sent is one the parent body returned (docs/decisions.md: "A returned dossier is a draft
    again")."""
    if status == "decided":
        return DossierState.DECIDED
    if status == "submitted":
        return DossierState.AWAITING_DECISION if voted else DossierState.AWAITING_VOTE
    return DossierState.RETURNED if submitted else None


# A horizontal bar chart drawn by the server (no script, nothing inline the CSP refuses): each bar is a
# row of the page, its label and value text at the page's own size whatever the screen's width, and only
# the bar itself a small SVG that stretches to the room left (awards/overview/chart.html). A bar's length
# is in the SVG's user units, out of CHART_BAR_AREA.
CHART_BAR_AREA = 400
CHART_BAR_HEIGHT = 16
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    description: str  # what a screen reader says for the bar
    width: str  # SVG user units out of CHART_BAR_AREA, one decimal


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    bar_area: int = CHART_BAR_AREA
    bar_height: int = CHART_BAR_HEIGHT


def _number_text(value: Decimal | int) -> str:
    return format_vietnamese_decimal(Decimal(value), None if isinstance(value, int) else 2)


def bar_chart(
    items: Sequence[tuple[str, Decimal | int]],
    *,
    unit: str,
    scale: Decimal | int | None = None,
    maxima: Sequence[Decimal | int] | None = None,
) -> BarChart:
    """One bar per (label, value), as long as the value against `scale` (default: the largest value), or
    against its own maximum when `maxima` gives one per item (a work area's points out of its maximum:
    12,72 of 15 is as full a bar as 21,30 of 25). A negative value (a penalty) draws no bar. Exact
    arithmetic, rounded for drawing only."""
    top = Decimal(scale) if scale is not None else max((Decimal(v) for _, v in items), default=Decimal(0))
    tops = [Decimal(m) for m in maxima] if maxima is not None else [top] * len(items)
    bars = []
    for (label, value), bound in zip(items, tops, strict=True):
        bound = bound if bound > 0 else Decimal(1)
        length = (max(Decimal(value), Decimal(0)) * CHART_BAR_AREA / bound).quantize(_TENTH, ROUND_HALF_UP)
        length = min(length, Decimal(CHART_BAR_AREA))
        text = _number_text(value)
        if maxima is not None:
            text = f"{text}/{format_vietnamese_decimal(bound)}"
        bars.append(
            Bar(
                label=label,
                value_text=text,
                description=f"{label}: {text} {unit}",
                width=format(length, "f"),
            )
        )
    return BarChart(bars=tuple(bars))


@dataclass(frozen=True)
class CriterionGroupScore:
    """The final points of one work area in one year, summed over every member's sheet that has them."""

    year: int
    title: str
    total: Decimal
    sheets: int
    max_points: Decimal


@dataclass(frozen=True)
class ScoreTable:
    """Work areas down, years across: the average final points per member, and the work area's maximum
    (the largest of the year's agreements, as groups may weigh it differently)."""

    years: tuple[int, ...]
    rows: tuple[tuple[str, tuple[Decimal | None, ...], Decimal], ...]  # title, averages by year, maximum


def snapshot_rows(scores: Sequence[CriterionGroupScore]) -> list[list[int | str]]:
    """The sums as the worker keeps them (awards.models.ScoreSnapshot.rows): JSON, decimals as strings so
    that no point is rounded on the way."""
    return [[s.year, s.title, str(s.total), s.sheets, str(s.max_points)] for s in scores]


def snapshot_scores(rows: Sequence[Sequence[Any]], *, up_to: int) -> list[CriterionGroupScore]:
    """The kept sums of every year up to `up_to`, read back from `snapshot_rows`."""
    return [
        CriterionGroupScore(
            year=int(year),
            title=str(title),
            total=Decimal(total),
            sheets=int(sheets),
            max_points=Decimal(top),
        )
        for year, title, total, sheets, top in rows
        if int(year) <= up_to
    ]


def score_table(scores: Sequence[CriterionGroupScore]) -> ScoreTable:
    """Pivot the work areas' sums into averages per member, rounded half up to two places (the scoring
    rule's rounding, thidua.lib.decimals). Work areas are matched by title across years and groups: an
    agreement copied to the next year keeps its titles (years.services.open_year)."""
    years = tuple(sorted({s.year for s in scores}))
    titles: dict[str, dict[int, Decimal]] = {}
    maximum: dict[str, Decimal] = {}
    for s in scores:
        if s.sheets <= 0:
            continue
        average = (s.total / s.sheets).quantize(Decimal("0.01"), ROUND_HALF_UP)
        titles.setdefault(s.title, {})[s.year] = average
        maximum[s.title] = max(maximum.get(s.title, Decimal(0)), s.max_points)
    rows = tuple(
        (title, tuple(by_year.get(y) for y in years), maximum[title]) for title, by_year in titles.items()
    )
    return ScoreTable(years=years, rows=rows)
