from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.assessments import rules
from thidua.assessments.rules import Band, Candidate, CriterionSpec, Kind, ScoreError

D = Decimal


def spec(kind: Kind, max_points: str = "10", **extra: str) -> CriterionSpec:
    values = {k: D(v) for k, v in extra.items()}
    return CriterionSpec(code="1.1", kind=kind, max_points=D(max_points), group="1", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("criterion", "value", "expected"),
    [
        (spec(Kind.FIXED), "7.5", "7.5"),
        (spec(Kind.FIXED), "0", "0"),
        (spec(Kind.FIXED), "10", "10"),
        (spec(Kind.PASS_FAIL, "5"), "1", "5"),
        (spec(Kind.PASS_FAIL, "5"), "0", "0"),
        (spec(Kind.QUANTITATIVE, "10", target="20"), "15", "7.50"),
        (spec(Kind.QUANTITATIVE, "10", target="20"), "40", "10"),
        (spec(Kind.QUANTITATIVE, "10", target="3"), "1", "3.33"),
        (spec(Kind.QUANTITATIVE, "10", target="3"), "2", "6.67"),
        (spec(Kind.PER_OCCURRENCE, "6", points_per_unit="2"), "2", "4"),
        (spec(Kind.PER_OCCURRENCE, "6", points_per_unit="2"), "5", "6"),
        (spec(Kind.BONUS, "3"), "3", "3"),
        (spec(Kind.PENALTY, "5"), "2", "2"),
    ],
)
def test_points_follow_the_criterion_kind(criterion: CriterionSpec, value: str, expected: str) -> None:
    assert rules.points(criterion, D(value)) == D(expected)


@pytest.mark.parametrize(
    ("criterion", "value", "message"),
    [
        (spec(Kind.FIXED), "10.5", "từ 0 đến 10"),
        (spec(Kind.FIXED), "-1", "từ 0 đến 10"),
        (spec(Kind.PASS_FAIL), "0.5", "Đạt (1) hoặc Không đạt (0)"),
        (spec(Kind.PER_OCCURRENCE, points_per_unit="2"), "1.5", "số nguyên"),
        (spec(Kind.QUANTITATIVE), "3", "chưa có chỉ tiêu"),
        (spec(Kind.QUANTITATIVE, target="5"), "-3", "từ 0 trở lên"),
        (spec(Kind.BONUS, "3"), "4", "từ 0 đến 3"),
    ],
)
def test_values_outside_what_the_criterion_accepts_are_refused_in_vietnamese(
    criterion: CriterionSpec, value: str, message: str
) -> None:
    with pytest.raises(ScoreError, match=re.escape(message)):
        rules.points(criterion, D(value))


SPECS = [
    CriterionSpec("1.1", Kind.FIXED, D(10), group="1"),
    CriterionSpec("1.2", Kind.FIXED, D(10), group="1"),
    CriterionSpec("2.1", Kind.FIXED, D(20), group="2"),
    CriterionSpec("B.1", Kind.BONUS, D(3), group="B"),
    CriterionSpec("B.2", Kind.BONUS, D(3), group="B"),
    CriterionSpec("T.1", Kind.PENALTY, D(5), group="T"),
]


def test_the_total_adds_groups_and_bonus_and_subtracts_penalty() -> None:
    result = rules.total(SPECS, {"1.1": D(8), "1.2": D("9.5"), "2.1": D(15), "B.1": D(2), "T.1": D(1)})
    assert (result.base, result.bonus, result.penalty, result.total) == (D("32.5"), D(2), D(1), D("33.5"))
    assert result.by_group == {"1": D("17.5"), "2": D(15)}


def test_a_group_is_capped_at_its_maximum_and_bonus_at_the_bonus_cap() -> None:
    result = rules.total(
        SPECS, {"1.1": D(10), "1.2": D(10), "B.1": D(3), "B.2": D(3)}, group_max={"1": D(15)}, bonus_cap=D(4)
    )
    assert result.by_group["1"] == D(15)
    assert result.bonus == D(4)


def test_missing_scores_count_as_zero() -> None:
    assert rules.total(SPECS, {}).total == 0


def test_the_maximum_excludes_bonus_and_penalty() -> None:
    assert rules.maximum(SPECS) == D(40)
    assert rules.maximum(SPECS, {"1": D(15)}) == D(35)


BANDS = [
    Band(D(90), "Xuất sắc"),
    Band(D(75), "Tốt"),
    Band(D(50), "Hoàn thành"),
    Band(D(0), "Không hoàn thành"),
]


@pytest.mark.parametrize(
    ("score", "label"),
    [
        ("100", "Xuất sắc"),
        ("90", "Xuất sắc"),
        ("89.99", "Tốt"),
        ("75", "Tốt"),
        ("50", "Hoàn thành"),
        ("0", "Không hoàn thành"),
    ],
)
def test_bands_are_reached_at_their_minimum_share_of_the_maximum(score: str, label: str) -> None:
    assert rules.band(D(score), D(100), BANDS) == label


def test_no_band_without_a_maximum_or_below_every_band() -> None:
    assert rules.band(D(5), D(0), BANDS) is None
    assert rules.band(D(5), D(100), [Band(D(50), "Đạt")]) is None


def test_ranking_shares_a_rank_only_when_every_tie_break_is_equal() -> None:
    ranked = rules.rank(
        [
            Candidate("a", D(90), {"1": D(40)}, D(0)),
            Candidate("b", D(95)),
            Candidate("c", D(90), {"1": D(45)}, D(0)),
            Candidate("d", D(80), {}, D(1)),
            Candidate("e", D(80), {}, D(1)),
        ],
        ["final_total", "group:1", "fewer_penalty"],
    )
    assert [(r.key, r.rank, r.tied_for_conference) for r in ranked] == [
        ("b", 1, False),
        ("c", 2, False),
        ("a", 3, False),
        ("d", 4, True),
        ("e", 4, True),
    ]


def test_fewer_penalty_points_break_a_tie_in_totals() -> None:
    ranked = rules.rank([Candidate("a", D(80), penalty=D(2)), Candidate("b", D(80), penalty=D(1))])
    assert [r.key for r in ranked] == ["b", "a"]


def test_an_unknown_tie_break_step_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown tie-break"):
        rules.rank([Candidate("a", D(1)), Candidate("b", D(1))], ["lottery"])


amounts = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(
    st.lists(
        st.tuples(st.text("abcdefgh", min_size=1, max_size=3), amounts, amounts),
        max_size=12,
        unique_by=lambda t: t[0],
    )
)
def test_a_ranking_is_a_permutation_and_never_puts_a_lower_total_ahead(
    rows: list[tuple[str, Decimal, Decimal]],
) -> None:
    candidates = [Candidate(k, total, penalty=p) for k, total, p in rows]
    ranked = rules.rank(candidates)
    assert sorted(r.key for r in ranked) == sorted(c.key for c in candidates)
    totals = [r.total for r in ranked]
    assert totals == sorted(totals, reverse=True)
    assert rules.rank(list(reversed(candidates))) == ranked  # deterministic whatever the input order


@given(st.dictionaries(st.sampled_from([s.code for s in SPECS]), amounts))
def test_a_total_never_exceeds_the_maximum_plus_the_bonus_cap(raw: dict[str, Decimal]) -> None:
    by_code = {s.code: s for s in SPECS}
    earned = {code: min(value, by_code[code].max_points) for code, value in raw.items()}
    result = rules.total(SPECS, earned, bonus_cap=D(4))
    assert result.total <= rules.maximum(SPECS) + D(4)
    assert result.total >= -D(5)


@pytest.mark.parametrize("size", range(0, 10))
def test_the_rotation_proposes_nobody_reviewing_itself_and_no_pairs_from_three_members(size: int) -> None:
    members = [f"m{i}" for i in range(size)]
    for shift in range(0, 12):
        rotation = rules.reviewer_rotation(members, shift)
        if size < 2:
            assert rotation == {}
            continue
        assert sorted(rotation) == sorted(members)  # everyone is reviewed
        assert sorted(rotation.values()) == sorted(members)  # everyone reviews once
        assert all(reviewed != reviewer for reviewed, reviewer in rotation.items())
        if size >= 3:
            assert all(rotation[reviewer] != reviewed for reviewed, reviewer in rotation.items())
