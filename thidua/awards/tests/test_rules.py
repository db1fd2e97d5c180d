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
        rules.submission_problems(has_proposal_letter=letter, has_minutes=minutes, proposals=proposals)
        == expected
    )


def test_the_parent_body_names_its_own_awards() -> None:
    assert (
        rules.parent_award_label("Cờ thi đua của cơ quan cấp trên", "Liên hiệp Hội Việt Nam")
        == "Cờ thi đua của Liên hiệp Hội Việt Nam"
    )
    assert rules.parent_award_label("Tập thể lao động xuất sắc", "X") == "Tập thể lao động xuất sắc"
