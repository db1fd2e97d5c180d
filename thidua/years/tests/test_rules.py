"""The year's stages and the text of next year's agreement: pure rules."""

from __future__ import annotations

import datetime

import pytest

from thidua.years.rules import (
    ORDER,
    Gate,
    Stage,
    advance,
    in_force_from,
    move_years_on,
    next_stage,
    stage_rows,
)

TZ = datetime.timezone(datetime.timedelta(hours=7))


def test_the_stages_run_from_drafting_the_agreement_to_the_closed_year() -> None:
    assert [s.value for s in ORDER] == [
        "drafting",
        "signing",
        "in_force",
        "self_scoring",
        "cross_checking",
        "settled",
        "conference",
        "dossier",
        "closed",
    ]
    assert next_stage(Stage.DOSSIER) == Stage.CLOSED
    assert next_stage(Stage.CLOSED) is None


@pytest.mark.parametrize(
    ("start", "done", "reached"),
    [
        (Stage.DRAFTING, set(), Stage.DRAFTING),
        (Stage.DRAFTING, {Stage.DRAFTING}, Stage.SIGNING),
        (Stage.DRAFTING, {Stage.DRAFTING, Stage.SIGNING, Stage.IN_FORCE}, Stage.SELF_SCORING),
        (Stage.SETTLED, set(ORDER), Stage.CLOSED),
        (Stage.CLOSED, set(), Stage.CLOSED),
        # A later stage's work done early does not jump over an earlier stage still waiting.
        (Stage.SIGNING, {Stage.SELF_SCORING, Stage.CONFERENCE}, Stage.SIGNING),
    ],
)
def test_a_year_moves_on_while_each_stage_is_done_and_stops_at_the_first_that_is_not(
    start: Stage, done: set[Stage], reached: Stage
) -> None:
    asked: list[Stage] = []

    def gate_of(stage: Stage) -> Gate:
        asked.append(stage)
        return Gate(done=stage in done, missing=() if stage in done else ("thiếu",), who="Thường trực cụm")

    stage, gate = advance(start, gate_of)
    assert stage == reached
    assert (gate is None) == (reached == Stage.CLOSED)
    assert asked == list(
        ORDER[ORDER.index(start) : ORDER.index(reached) + (0 if reached == Stage.CLOSED else 1)]
    )


def test_the_stage_list_marks_done_current_and_ahead_and_what_is_late() -> None:
    gate = Gate(done=False, missing=("Ninh Bình chưa nộp bản tự chấm.",), who="Cán bộ thi đua")
    rows = stage_rows(
        Stage.SELF_SCORING,
        {"signing_due": datetime.date(2026, 1, 20), "self_scoring_due": datetime.date(2026, 11, 30)},
        gate,
        datetime.date(2026, 12, 4),
    )
    states = {r.stage: r.state for r in rows}
    assert states[Stage.SIGNING] == "done" and states[Stage.SELF_SCORING] == "current"
    assert states[Stage.CONFERENCE] == "ahead"
    current = next(r for r in rows if r.state == "current")
    assert current.late and current.gate == gate
    assert not next(r for r in rows if r.stage == Stage.SIGNING).late  # done on time or not, it is done


def test_a_closed_year_shows_every_stage_done() -> None:
    rows = stage_rows(Stage.CLOSED, {}, None, datetime.date(2026, 12, 4))
    assert {r.state for r in rows} == {"done"}


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        (datetime.datetime(2026, 12, 8, 10, 0, tzinfo=TZ), datetime.datetime(2027, 1, 1, tzinfo=TZ)),
        (datetime.datetime(2027, 3, 5, 9, 0, tzinfo=TZ), datetime.datetime(2027, 3, 5, 9, 0, tzinfo=TZ)),
    ],
)
def test_an_agreement_binds_from_1_january_of_its_year_or_from_a_later_signing(
    signed: datetime.datetime, expected: datetime.datetime
) -> None:
    assert in_force_from(2027, signed) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoàn thành xuất sắc nhiệm vụ năm 2026", "hoàn thành xuất sắc nhiệm vụ năm 2027"),
        ("tăng so với năm 2025", "tăng so với năm 2026"),
        ("theo Luật Thi đua, khen thưởng 06/2022/QH15", "theo Luật Thi đua, khen thưởng 06/2022/QH15"),
        ("Nghị định 152/2025/NĐ-CP", "Nghị định 152/2025/NĐ-CP"),
        ("có hiệu lực từ 01/01/2024", "có hiệu lực từ 01/01/2024"),
        ("thành lập năm 1983", "thành lập năm 1983"),
        ("mã 12026", "mã 12026"),
    ],
)
def test_next_years_agreement_moves_the_years_its_text_names_but_not_laws_or_dates(
    text: str, expected: str
) -> None:
    assert move_years_on(text, source_year=2026) == expected
