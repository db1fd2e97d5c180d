"""The council's arithmetic: exact, on the whole council, never on those present."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.awards import rules

EIGHTY = Fraction(4, 5)


@pytest.mark.parametrize(
    ("threshold", "members", "needed"),
    [
        (EIGHTY, 7, 6),  # 5.6 → 6 (DOMAIN.md, Voting)
        (EIGHTY, 5, 4),  # exactly 4.0: 4 is enough (≥)
        (EIGHTY, 10, 8),
        (EIGHTY, 11, 9),  # 8.8 → 9
        (EIGHTY, 1, 1),
        (Fraction(9, 10), 7, 7),  # 6.3 → 7 (individual high titles, 90%)
        (Fraction(2, 3), 9, 6),
        (Fraction(2, 3), 10, 7),  # 6.67 → 7
        (Fraction(1), 7, 7),
        (Decimal("0.8"), 7, 6),  # a Decimal is exact too
        (1, 3, 3),
    ],
)
def test_votes_needed_is_the_ceiling_of_the_threshold_times_the_whole_council(
    threshold: Fraction, members: int, needed: int
) -> None:
    assert rules.votes_needed(threshold, members) == needed


def test_a_flag_needs_80_percent_of_the_whole_council_not_of_those_present() -> None:
    # 7 members, 5 present and all 5 in favour: 100% of those present, but 5 < 6 of the council.
    assert not rules.council_outcome(EIGHTY, members=7, votes=5).passed
    # One absent member's written vote makes 6: passes.
    assert rules.council_outcome(EIGHTY, members=7, votes=6).passed


def test_a_vote_exactly_on_the_threshold_passes() -> None:
    outcome = rules.council_outcome(EIGHTY, members=10, votes=8)
    assert outcome.passed and outcome.needed == 8 and outcome.share == EIGHTY


def test_a_float_threshold_is_refused_because_point_eight_is_not_four_fifths() -> None:
    with pytest.raises(TypeError, match="never float"):
        rules.votes_needed(0.8, 7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rules.votes_needed(True, 7)  # type: ignore[arg-type]


@pytest.mark.parametrize("threshold", [Fraction(0), Fraction(-1, 2), Fraction(6, 5)])
def test_a_threshold_outside_zero_to_one_is_refused(threshold: Fraction) -> None:
    with pytest.raises(ValueError, match="Ngưỡng Hội đồng"):
        rules.votes_needed(threshold, 7)


@pytest.mark.parametrize("members", [0, -3, True])
def test_a_council_without_members_is_refused_rather_than_passing_everything(members: int) -> None:
    with pytest.raises(ValueError):
        rules.votes_needed(EIGHTY, members)


@pytest.mark.parametrize("votes", [-1, 8])
def test_votes_outside_the_council_are_refused(votes: int) -> None:
    with pytest.raises(ValueError):
        rules.council_outcome(EIGHTY, members=7, votes=votes)


@given(
    numerator=st.integers(min_value=1, max_value=100),
    denominator=st.integers(min_value=1, max_value=100),
    members=st.integers(min_value=1, max_value=rules.MAX_COUNCIL),
)
def test_votes_needed_is_the_least_count_reaching_the_share(
    numerator: int, denominator: int, members: int
) -> None:
    threshold = Fraction(min(numerator, denominator), denominator)
    needed = rules.votes_needed(threshold, members)
    assert 1 <= needed <= members
    assert Fraction(needed, members) >= threshold
    assert Fraction(needed - 1, members) < threshold


@given(
    members=st.integers(min_value=1, max_value=rules.MAX_COUNCIL),
    data=st.data(),
)
def test_passing_is_monotone_in_votes(members: int, data: st.DataObject) -> None:
    votes = data.draw(st.integers(min_value=0, max_value=members))
    outcome = rules.council_outcome(EIGHTY, members=members, votes=votes)
    assert outcome.passed == (Fraction(votes, members) >= EIGHTY)
    if outcome.passed and votes < members:
        assert rules.council_outcome(EIGHTY, members=members, votes=votes + 1).passed


@pytest.mark.parametrize(
    ("members", "present", "votes", "expected"),
    [
        (7, 7, {"Ninh Bình — Cờ thi đua": 6}, []),
        (7, 5, {"Ninh Bình — Cờ thi đua": 7}, []),  # two written votes of absent members
        (None, 5, {"A": 1}, ["Tổng số thành viên Hội đồng phải là số nguyên dương."]),
        (0, 0, {"A": 0}, ["Tổng số thành viên Hội đồng phải là số nguyên dương."]),
        (501, 5, {"A": 1}, ["Tổng số thành viên Hội đồng (501) lớn bất thường; hãy kiểm tra lại."]),
        (7, None, {"A": 1}, ["Số thành viên có mặt phải là số nguyên không âm."]),
        (7, 8, {"A": 1}, ["Số thành viên có mặt (8) nhiều hơn tổng số thành viên Hội đồng (7)."]),
        (7, 7, {}, ["Hồ sơ không có đề nghị nào để Hội đồng bỏ phiếu."]),
        (
            7,
            7,
            {"Nghệ An — Bằng khen": None},
            ["Nghệ An — Bằng khen: số phiếu đồng ý phải là số nguyên không âm."],
        ),
        (
            7,
            6,
            {"Nghệ An — Bằng khen": 8},
            [
                "Nghệ An — Bằng khen: 8 phiếu đồng ý nhiều hơn tổng số thành viên Hội đồng (7), "
                "kể cả phiếu bằng văn bản của thành viên vắng mặt."
            ],
        ),
    ],
)
def test_council_vote_problems_name_the_field_or_the_proposal(
    members: int | None, present: int | None, votes: dict[str, int | None], expected: list[str]
) -> None:
    assert rules.council_vote_problems(members=members, present=present, votes=votes) == expected


@pytest.mark.parametrize(
    ("letter", "minutes", "proposals", "expected"),
    [
        (True, True, 1, []),
        (False, True, 1, ["Thiếu tờ trình đề nghị khen thưởng (văn bản loại TTr đã ban hành)."]),
        (True, False, 2, ["Thiếu biên bản hội nghị (văn bản loại BB đã ban hành)."]),
        (True, True, 0, ["Chưa có đề nghị khen thưởng nào (đơn vị và hình thức khen thưởng)."]),
        (
            False,
            False,
            0,
            [
                "Thiếu tờ trình đề nghị khen thưởng (văn bản loại TTr đã ban hành).",
                "Thiếu biên bản hội nghị (văn bản loại BB đã ban hành).",
                "Chưa có đề nghị khen thưởng nào (đơn vị và hình thức khen thưởng).",
            ],
        ),
    ],
)
def test_submission_needs_the_proposal_letter_the_minutes_and_a_proposal(
    letter: bool, minutes: bool, proposals: int, expected: list[str]
) -> None:
    assert (
        rules.submission_problems(
            has_proposal_letter=letter, has_minutes=minutes, proposals=proposals, missing_reports=()
        )
        == expected
    )


def test_submission_names_every_nominee_without_an_achievement_report() -> None:
    assert rules.submission_problems(
        has_proposal_letter=True,
        has_minutes=True,
        proposals=2,
        missing_reports=["Liên hiệp các Hội KH&KT tỉnh Nghệ An", "Liên hiệp các Hội KH&KT tỉnh Hà Tĩnh"],
    ) == [
        "Thiếu báo cáo thành tích của: Liên hiệp các Hội KH&KT tỉnh Nghệ An, "
        "Liên hiệp các Hội KH&KT tỉnh Hà Tĩnh (cán bộ thi đua của đơn vị tải lên trên trang hồ sơ)."
    ]


def test_the_parent_body_names_its_own_awards() -> None:
    assert (
        rules.parent_award_label("Cờ thi đua của cơ quan cấp trên", "Liên hiệp Hội Việt Nam")
        == "Cờ thi đua của Liên hiệp Hội Việt Nam"
    )
    assert rules.parent_award_label("Tập thể lao động xuất sắc", "X") == "Tập thể lao động xuất sắc"


# --- The parent body's overview (issue 16)


@pytest.mark.parametrize(
    ("status", "submitted", "voted", "state"),
    [
        ("draft", False, False, None),  # the group's own draft: not received
        ("draft", True, False, rules.DossierState.RETURNED),
        ("submitted", True, False, rules.DossierState.AWAITING_VOTE),
        ("submitted", True, True, rules.DossierState.AWAITING_DECISION),
        ("decided", True, True, rules.DossierState.DECIDED),
    ],
)
def test_a_received_dossier_stands_returned_waiting_for_the_council_or_the_decision_or_decided(
    status: str, submitted: bool, voted: bool, state: rules.DossierState | None
) -> None:
    assert rules.dossier_state(status, submitted=submitted, voted=voted) == state


def test_the_dossier_states_name_the_dossier_statuses_of_the_model() -> None:
    from thidua.awards.models import DossierStatus

    assert {s.value for s in DossierStatus} == {"draft", "submitted", "decided"}
    assert set(rules.DOSSIER_STATE_LABELS) == set(rules.DossierState)


def test_a_bar_is_as_long_as_its_value_against_the_largest_and_says_its_value_in_vietnamese() -> None:
    chart = rules.bar_chart([("Cụm 4", 3), ("Cụm 6", 1), ("Khối 2", 0)], unit="tập thể")
    assert [b.width for b in chart.bars] == ["400.0", "133.3", "0.0"]
    assert chart.bars[1].description == "Cụm 6: 1 tập thể"
    assert chart.bar_area == rules.CHART_BAR_AREA == 400
    scores = rules.bar_chart([("A", Decimal("12.5")), ("B", Decimal("-2"))], unit="điểm", scale=25)
    assert [b.width for b in scores.bars] == ["200.0", "0.0"] and scores.bars[0].value_text == "12,50"
    assert rules.bar_chart([], unit="điểm").bars == ()
    assert [b.width for b in rules.bar_chart([("A", 0)], unit="x").bars] == ["0.0"]


def test_a_work_areas_bar_is_as_long_as_its_points_against_its_own_maximum() -> None:
    chart = rules.bar_chart(
        [("Tổ chức", Decimal("12.75")), ("Nhiệm vụ", Decimal("21.25"))],
        unit="điểm bình quân",
        maxima=[Decimal("15.00"), Decimal("25.00")],
    )
    assert [b.width for b in chart.bars] == ["340.0", "340.0"]
    assert chart.bars[0].value_text == "12,75/15"
    assert chart.bars[1].description == "Nhiệm vụ: 21,25/25 điểm bình quân"


@given(st.lists(st.integers(min_value=-50, max_value=10_000), min_size=1, max_size=30))
def test_no_bar_is_longer_than_the_chart_or_negative(values: list[int]) -> None:
    chart = rules.bar_chart([(str(i), v) for i, v in enumerate(values)], unit="x")
    assert all(Decimal(0) <= Decimal(b.width) <= rules.CHART_BAR_AREA for b in chart.bars)


def test_the_score_table_averages_each_work_area_per_member_and_year_rounding_half_up() -> None:
    S = rules.CriterionGroupScore
    table = rules.score_table(
        [
            S(2023, "Xây dựng tổ chức", Decimal("100.25"), 7, Decimal(20)),  # 14.3214… → 14.32
            S(2023, "Tư vấn, phản biện", Decimal("10.5"), 4, Decimal(15)),  # 2.625 → 2.63
            S(2026, "Xây dựng tổ chức", Decimal("90"), 6, Decimal(25)),
            S(2026, "Không ai chấm", Decimal("0"), 0, Decimal(5)),  # no sheet: no row
        ]
    )
    assert table.years == (2023, 2026)
    assert table.rows == (
        ("Xây dựng tổ chức", (Decimal("14.32"), Decimal("15.00")), Decimal(25)),
        ("Tư vấn, phản biện", (Decimal("2.63"), None), Decimal(15)),
    )
