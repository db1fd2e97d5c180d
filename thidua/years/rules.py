"""The stages of an emulation year and what moves it from one to the next: pure rules, stdlib only.

The order follows the year of a cluster in DOMAIN.md ("The year of a cluster"): the agreement is drafted,
signed by every member's head and in force from 1 January; at year end members self-score, peers
cross-check and the secretariat settles; the year-end conference votes; the dossier goes to the parent
body; then the year is closed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Stage(StrEnum):
    DRAFTING = "drafting"
    SIGNING = "signing"
    IN_FORCE = "in_force"
    SELF_SCORING = "self_scoring"
    CROSS_CHECKING = "cross_checking"
    SETTLED = "settled"
    CONFERENCE = "conference"
    DOSSIER = "dossier"
    CLOSED = "closed"


ORDER: tuple[Stage, ...] = tuple(Stage)

LABELS: Mapping[Stage, str] = {
    Stage.DRAFTING: "Soạn giao ước",
    Stage.SIGNING: "Ký giao ước",
    Stage.IN_FORCE: "Giao ước có hiệu lực",
    Stage.SELF_SCORING: "Tự chấm điểm",
    Stage.CROSS_CHECKING: "Chấm chéo, giải trình",
    Stage.SETTLED: "Đã chốt điểm",
    Stage.CONFERENCE: "Hội nghị tổng kết",
    Stage.DOSSIER: "Hồ sơ đề nghị khen thưởng",
    Stage.CLOSED: "Đã tổng kết",
}

# The deadline field of EmulationYear that ends each stage; a stage without one has no deadline.
STAGE_DEADLINES: Mapping[Stage, str] = {
    Stage.SIGNING: "signing_due",
    Stage.SELF_SCORING: "self_scoring_due",
    Stage.CROSS_CHECKING: "review_due",
    Stage.SETTLED: "conference_date",
    Stage.CONFERENCE: "conference_date",
    Stage.DOSSIER: "dossier_due",
}


@dataclass(frozen=True)
class Gate:
    """Whether a stage's work is done, and if not what is missing and who must do it."""

    done: bool
    missing: tuple[str, ...] = ()
    who: str = ""


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    label: str
    state: str  # "done", "current" or "ahead"
    due: datetime.date | None
    late: bool
    gate: Gate | None = field(default=None)


def next_stage(stage: Stage) -> Stage | None:
    index = ORDER.index(stage)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def advance(stage: Stage, gate_of: Callable[[Stage], Gate]) -> tuple[Stage, Gate | None]:
    """Move on from `stage` while each stage's work is done. Returns the stage reached and the gate that
    holds it there (None once closed). A gate is asked only for the stage the year is at."""
    while True:
        following = next_stage(stage)
        if following is None:
            return stage, None
        gate = gate_of(stage)
        if not gate.done:
            return stage, gate
        stage = following


def stage_rows(
    current: Stage, deadlines: Mapping[str, datetime.date | None], gate: Gate | None, today: datetime.date
) -> list[StageRow]:
    """Every stage of the year in order: done, current (with its gate) or ahead, with its deadline; a
    stage is late when its deadline has passed and the year has not moved past it."""
    rows = []
    position = ORDER.index(current)
    for index, stage in enumerate(ORDER):
        due = deadlines.get(STAGE_DEADLINES[stage]) if stage in STAGE_DEADLINES else None
        state = "done" if index < position else "current" if index == position else "ahead"
        if current == Stage.CLOSED and stage == Stage.CLOSED:
            state = "done"
        late = state != "done" and due is not None and due < today
        rows.append(StageRow(stage, LABELS[stage], state, due, late, gate if state == "current" else None))
    return rows


def scoring_refusal(stage: Stage, year: int, *, self_scoring: bool) -> str:
    """Why a year's score sheets no longer take a change, or "" while they do. A closed year (đã tổng
    kết, or archived by the parent body after a year kept on paper) is history: nothing is scored in it.
    A member's own sheet (`self_scoring`: start, self-scores, evidence, submit, reopen) also stops once the
    scores are settled: from then on the ranking is the year's result, and the conference nominates from
    it."""
    if stage == Stage.CLOSED:
        return f"Năm {year} đã tổng kết; không chấm điểm được nữa."
    if self_scoring and ORDER.index(stage) >= ORDER.index(Stage.SETTLED):
        return f"Điểm năm {year} đã chốt; không tự chấm được nữa."
    return ""


def in_force_from(year: int, signed_at: datetime.datetime) -> datetime.datetime:
    """An agreement binds its own year: signed before 1 January of that year (at the previous year-end
    conference, DOMAIN.md step 1), it is in force from that day; signed later, from the signing."""
    start = datetime.datetime(year, 1, 1, tzinfo=signed_at.tzinfo)
    return max(start, signed_at)


# A year standing alone in prose: not part of a number, a date (01/01/2024) or a citation
# (06/2022/QH15, 152/2025/NĐ-CP).
_YEAR = re.compile(r"(?<![\d/.\-])((?:19|20)\d\d)(?![\d/])")


def move_years_on(text: str, *, source_year: int, years: int = 1) -> str:
    """Next year's agreement copied from this year's: "nhiệm vụ năm 2026" becomes "nhiệm vụ năm 2027",
    and so does any year near the source's ("so với năm 2025"). Dates and legal citations keep their
    years: a law does not move."""

    def shift(match: re.Match[str]) -> str:
        value = int(match.group(1))
        if source_year - 5 <= value <= source_year + 1:
            return str(value + years)
        return match.group(1)

    return _YEAR.sub(shift, text)


# --- What is late, for a parent body's overview of all its groups (issue 16)


@dataclass(frozen=True)
class Deadline:
    stage: Stage
    due: datetime.date

    @property
    def label(self) -> str:
        return LABELS[self.stage]


def late_stages(
    current: Stage, deadlines: Mapping[str, datetime.date | None], today: datetime.date
) -> tuple[Deadline, ...]:
    """The stages of the year that are late, with their deadlines: exactly those `stage_rows` marks late
    (a deadline passed and the year not moved past its stage), so the overview and the year's own page
    never disagree."""
    return tuple(
        Deadline(row.stage, row.due)
        for row in stage_rows(current, deadlines, None, today)
        if row.late and row.due is not None
    )


def next_deadline(current: Stage, deadlines: Mapping[str, datetime.date | None]) -> Deadline | None:
    """The first deadline still ahead of the year's work, in the order of the stages: its current stage's,
    else the nearest stage after it that has one; None once no stage left has a deadline."""
    if current == Stage.CLOSED:
        return None
    for stage in ORDER[ORDER.index(current) :]:
        field_name = STAGE_DEADLINES.get(stage)
        due = deadlines.get(field_name) if field_name else None
        if due is not None:
            return Deadline(stage, due)
    return None


def binding_stages() -> Mapping[str, tuple[Stage, ...]]:
    """For each deadline field, the stages a year may stand at while that deadline still binds it: the
    stages up to the last one it ends. A year at one of them whose date in that field has passed is late
    (the same rule as `stage_rows`, put so that a database can filter and count on it)."""
    last: dict[str, int] = {}
    for stage, field_name in STAGE_DEADLINES.items():
        last[field_name] = max(last.get(field_name, -1), ORDER.index(stage))
    return {field_name: ORDER[: index + 1] for field_name, index in last.items()}


def moved_on(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes the 28th in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def deadlines_moved_on(deadlines: Mapping[str, object], years: int) -> dict[str, object]:
    """Last year's deadlines as this year's suggestion: each date the same day `years` later; other
    settings (the reminder's days) as they were."""
    return {
        name: moved_on(value, years) if isinstance(value, datetime.date) else value
        for name, value in deadlines.items()
    }
