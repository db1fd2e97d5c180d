from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.assessments import rules
from thidua.assessments.rules import Band, Candidate, CriterionSpec, Kind, ScoreError
from thidua.lib.tiebreak import DEFAULT_ORDER, Verdict

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
        (spec(Kind.FIXED, "7.50"), "8", "từ 0 đến 7,5."),  # written as the sheet asks numbers typed
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
            Candidate("a", D(90), tie_group_score=D(40)),
            Candidate("b", D(95)),
            Candidate("c", D(90), tie_group_score=D(45)),
            Candidate("d", D(80), penalty=D(1)),
            Candidate("e", D(80), penalty=D(1)),
        ],
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


@pytest.mark.parametrize(
    ("order", "ranks", "verdict"),
    [
        # DOMAIN.md's default: the score parts find them equal, the conference votes.
        (DEFAULT_ORDER, [("a", 1), ("b", 1), ("c", 3)], Verdict.RUNOFF),
        # Women share before the re-vote: Nghệ An's 72% has priority (NĐ 152/2025/NĐ-CP, Điều 4 khoản 6).
        (("final_score", "women_share", "runoff", "refer_parent"), [("b", 1), ("a", 2), ("c", 3)], None),
        # The parent body decides before anything else is tried.
        (("refer_parent", "final_score"), [("a", 1), ("b", 1), ("c", 3)], Verdict.REFER_PARENT),
    ],
)
def test_the_ranking_applies_the_regulation_s_tie_break_order_to_equal_totals(
    order: tuple[str, ...], ranks: list[tuple[str, int]], verdict: Verdict | None
) -> None:
    candidates = [
        Candidate("a", D(90), tie_group_score=D(30), women_share=Fraction(2, 5)),
        Candidate("b", D(90), tie_group_score=D(30), women_share=Fraction(18, 25)),
        Candidate("c", D(70), women_share=Fraction(9, 10)),  # alone on its total: no tie, whatever its share
    ]
    ranked = rules.rank(candidates, order)
    assert [(r.key, r.rank) for r in ranked] == ranks
    assert {r.key: r.verdict for r in ranked} == {"a": verdict, "b": verdict, "c": None}
    assert ranked[2].tie_notes == ()
    assert ranked[0].tie_notes == ranked[1].tie_notes != ()


def test_an_unknown_tie_break_step_is_refused_in_vietnamese() -> None:
    with pytest.raises(ValueError, match="Không có bước xử lý khi bằng nhau «lottery»"):
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


# The review form's rows: agreeing per row or all at once, typing only where the reviewer disagrees.

N = None


@pytest.mark.parametrize(
    ("self_points", "reviewed", "typed", "agree", "agree_all", "expected"),
    [
        # Nothing typed, nothing ticked: the row stays as it is (unreviewed), so partial saves work.
        ("5", N, N, False, False, N),
        # A tick takes the self score; so does «Đồng ý tất cả» on a row neither reviewed nor typed into.
        ("5", N, N, True, False, "5"),
        ("5", N, N, False, True, "5"),
        # A value typed anew wins over a tick left ticked, and over «Đồng ý tất cả».
        ("5", N, "4", True, False, "4"),
        ("5", N, "4", False, True, "4"),
        ("5", "5", "4", True, False, "4"),
        # Typing the self score is agreeing.
        ("5", N, "5", False, False, "5"),
        # A row already scored differently keeps its score unless ticked: then it takes the self score.
        ("5", "4", "4", False, False, "4"),
        ("5", "4", "4", False, True, "4"),
        ("5", "4", "4", True, False, "5"),
        # «Đồng ý tất cả» leaves a row already reviewed alone, even when its box is not sent.
        ("5", "4", N, False, True, N),
        # No self score (an unscored bonus): nothing to agree to, the reviewer types the points.
        (N, N, N, True, True, N),
        (N, N, "1", True, False, "1"),
    ],
)
def test_a_review_row_takes_the_typed_value_or_on_a_tick_the_self_score(
    self_points: str | None,
    reviewed: str | None,
    typed: str | None,
    agree: bool,
    agree_all: bool,
    expected: str | None,
) -> None:
    def d(value: str | None) -> Decimal | None:
        return None if value is None else D(value)

    assert rules.review_points(
        self_points=d(self_points), reviewed=d(reviewed), typed=d(typed), agree=agree, agree_all=agree_all
    ) == d(expected)


points_or_none = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2))


@given(points_or_none, points_or_none, points_or_none, st.booleans(), st.booleans())
def test_a_review_row_never_invents_a_score(
    self_points: Decimal | None, reviewed: Decimal | None, typed: Decimal | None, agree: bool, agree_all: bool
) -> None:
    result = rules.review_points(
        self_points=self_points, reviewed=reviewed, typed=typed, agree=agree, agree_all=agree_all
    )
    assert result in (typed, self_points)
    if typed is not None and typed != reviewed:
        assert result == typed


def row(
    code: str, kind: Kind = Kind.FIXED, points: str | None = "1", evidence: int = 0, required: bool = False
) -> rules.SheetRow:
    return rules.SheetRow(code, kind, None if points is None else D(points), evidence, required)


@pytest.mark.parametrize(
    ("rows", "scored", "unscored", "missing", "without", "ready"),
    [
        ([], 0, (), (), (), True),
        ([row("1.1", evidence=1), row("1.2", evidence=2, required=True)], 2, (), (), (), True),
        ([row("1.1")], 1, (), (), ("1.1",), True),
        ([row("1.1", points=None)], 0, ("1.1",), (), (), False),
        ([row("1.1", required=True)], 1, (), ("1.1",), (), False),
        ([row("1.1", points=None, required=True)], 0, ("1.1",), ("1.1",), (), False),
        # Bonus and penalty criteria may stay empty; an empty one is neither unscored nor without evidence.
        ([row("5.1", Kind.BONUS, None), row("5.2", Kind.PENALTY, None)], 0, (), (), (), True),
    ],
)
def test_the_submission_summary_says_what_is_locked_and_what_stops_it(
    rows: list[rules.SheetRow],
    scored: int,
    unscored: tuple[str, ...],
    missing: tuple[str, ...],
    without: tuple[str, ...],
    ready: bool,
) -> None:
    summary = rules.submission_summary(rows)
    assert (summary.criteria, summary.scored) == (len(rows), scored)
    assert (summary.unscored, summary.missing_evidence, summary.without_evidence) == (
        unscored,
        missing,
        without,
    )
    assert summary.ready is ready


@pytest.mark.parametrize(
    ("rows", "agreed", "disagreed", "unreviewed", "ready"),
    [
        ([], 0, (), (), True),
        ([("1.1", "5", "5"), ("1.2", "3", "2")], 1, ("1.2",), (), True),
        ([("1.1", "5", None)], 0, (), ("1.1",), False),
        # An unscored bonus reviewed at 0 differs from no score at all, as Score.disagrees says.
        ([("5.1", None, "0")], 0, ("5.1",), (), True),
    ],
)
def test_the_review_summary_counts_agreements_and_names_differences_and_gaps(
    rows: list[tuple[str, str | None, str | None]],
    agreed: int,
    disagreed: tuple[str, ...],
    unreviewed: tuple[str, ...],
    ready: bool,
) -> None:
    summary = rules.review_summary(
        [rules.ReviewRow(c, None if s is None else D(s), None if r is None else D(r)) for c, s, r in rows]
    )
    assert (summary.criteria, summary.agreed, summary.disagreed, summary.unreviewed) == (
        len(rows),
        agreed,
        disagreed,
        unreviewed,
    )
    assert summary.ready is ready


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ([(1, D("4.5"))], [(1, D("4.50"))], True),  # equal decimals digest alike
        ([(1, D("4.5"))], [(1, D("4.4"))], False),
        ([(1, None)], [(1, D(0))], False),  # no score is not a zero
        ([(1, "a"), (2, "b")], [(2, "b"), (1, "a")], False),  # order counts
        ([("1", "2")], [("12",)], False),  # cells do not run together
        ([], [], True),
    ],
)
def test_a_fingerprint_changes_exactly_when_the_rows_do(
    first: list[tuple[object, ...]], second: list[tuple[object, ...]], same: bool
) -> None:
    assert (rules.fingerprint(first) == rules.fingerprint(second)) is same
