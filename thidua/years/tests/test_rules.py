"""The year's stages and the text of next year's agreement: pure rules."""

from __future__ import annotations

import datetime

import pytest

from thidua.years.rules import (
    LABELS,
    ORDER,
    STAGE_DEADLINES,
    Gate,
    Stage,
    advance,
    binding_stages,
    in_force_from,
    late_stages,
    move_years_on,
    next_deadline,
    next_stage,
    scoring_refusal,
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


# --- What is late, for the parent body's overview (issue 16)

D = datetime.date
TODAY = D(2026, 12, 6)


@pytest.mark.parametrize(
    ("current", "deadlines", "late", "following"),
    [
        # Its own stage's deadline passed: late for it.
        (Stage.SELF_SCORING, {"self_scoring_due": D(2026, 12, 5)}, [Stage.SELF_SCORING], Stage.SELF_SCORING),
        # Due today is not late yet.
        (Stage.SELF_SCORING, {"self_scoring_due": TODAY}, [], Stage.SELF_SCORING),
        # A stage already past is never late, whatever its date.
        (
            Stage.CROSS_CHECKING,
            {"self_scoring_due": D(2026, 1, 1), "review_due": D(2027, 1, 1)},
            [],
            Stage.CROSS_CHECKING,
        ),
        # A stage ahead whose date has passed is late too: the year has not reached it in time.
        (Stage.DRAFTING, {"signing_due": D(2026, 1, 15)}, [Stage.SIGNING], Stage.SIGNING),
        # The conference date ends both the settled and the conference stages.
        (
            Stage.SETTLED,
            {"conference_date": D(2026, 12, 1)},
            [Stage.SETTLED, Stage.CONFERENCE],
            Stage.SETTLED,
        ),
        # No deadline, nothing late and no next deadline.
        (Stage.IN_FORCE, {}, [], None),
        # A closed year is late for nothing and has no deadline left.
        (Stage.CLOSED, {"dossier_due": D(2020, 1, 1)}, [], None),
    ],
)
def test_a_year_is_late_for_the_stages_whose_deadline_passed_before_it_moved_past_them(
    current: Stage, deadlines: dict[str, datetime.date], late: list[Stage], following: Stage | None
) -> None:
    assert [d.stage for d in late_stages(current, deadlines, TODAY)] == late
    found = next_deadline(current, deadlines)
    assert (found.stage if found else None) == following
    if found is not None:
        assert found.label == LABELS[found.stage]


def test_the_databases_rule_binds_each_deadline_at_exactly_the_stages_the_pure_rule_marks_late() -> None:
    """`binding_stages` is what the overview filters on in SQL; it must say what `late_stages` says."""
    long_ago = D(2000, 1, 1)
    for current in ORDER:
        for name in set(STAGE_DEADLINES.values()):
            pure = bool(late_stages(current, {name: long_ago}, TODAY))
            assert (current in binding_stages()[name]) == pure, (current, name)


@pytest.mark.parametrize(
    ("stage", "self_scoring", "refusal"),
    [
        (Stage.IN_FORCE, True, ""),
        (Stage.SELF_SCORING, True, ""),
        (Stage.CROSS_CHECKING, True, ""),
        (Stage.CROSS_CHECKING, False, ""),
        (Stage.SETTLED, True, "Điểm năm 2024 đã chốt; không tự chấm được nữa."),
        (Stage.DOSSIER, True, "Điểm năm 2024 đã chốt; không tự chấm được nữa."),
        (Stage.SETTLED, False, ""),
        (Stage.DOSSIER, False, ""),
        (Stage.CLOSED, True, "Năm 2024 đã tổng kết; không chấm điểm được nữa."),
        (Stage.CLOSED, False, "Năm 2024 đã tổng kết; không chấm điểm được nữa."),
    ],
)
def test_a_closed_year_takes_no_score_and_a_settled_one_no_self_score(
    stage: Stage, self_scoring: bool, refusal: str
) -> None:
    assert scoring_refusal(stage, 2024, self_scoring=self_scoring) == refusal


def test_the_audit_pages_stage_names_are_the_stages_own() -> None:
    from thidua.audit.labels import STAGE_LABELS

    stages = {stage.value: label for stage, label in LABELS.items()}
    assert stages == STAGE_LABELS
