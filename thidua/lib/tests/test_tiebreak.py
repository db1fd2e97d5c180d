"""The tie-break (thidua/lib/tiebreak.py): one rule for the ranking, nominations and elections.

DOMAIN.md, Voting: "higher final score → re-vote among the tied (round 2) → the women-share rule → refer
to the parent body", ordered and configurable; the women-share rule is NĐ 152/2025/NĐ-CP, Điều 4 khoản 6
(a collective with 70% women or more has priority).
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.lib.tiebreak import (
    DEFAULT_ORDER,
    WOMEN_SHARE_THRESHOLD,
    Step,
    Tied,
    Verdict,
    decide,
    parse_steps,
    percent_text,
)

D = Decimal
F = Fraction
FINAL, RUNOFF, WOMEN, REFER = Step.FINAL_SCORE, Step.RUNOFF, Step.WOMEN_SHARE, Step.REFER_PARENT
ALL_ORDERS = list(itertools.permutations(Step))


def tied(key: str, score: str | None = "90", share: Fraction | None = None, *more: str) -> Tied:
    parts = None if score is None else (D(score), *(D(m) for m in more))
    return Tied(key, name=key.upper(), score=parts, women_share=share)


# --- The decree's case --------------------------------------------------------------------------------


def test_two_organizations_tied_on_score_where_only_one_has_70_percent_women_pick_that_one() -> None:
    nghe_an, ha_tinh = tied("na", "90", F(72, 100)), tied("ht", "90", F(45, 100))
    decision = decide([ha_tinh, nghe_an], [FINAL, WOMEN, RUNOFF, REFER], places=1)
    assert (decision.verdict, decision.winners, decision.order) == (
        Verdict.DECIDED,
        ("na",),
        (("na",), ("ht",)),
    )
    assert "NĐ 152/2025/NĐ-CP, Điều 4 khoản 6" in decision.notes[-1]
    assert "NA được ưu tiên" in decision.notes[-1] and "NA (72%)" in decision.notes[-1]


@pytest.mark.parametrize(
    ("share", "has_priority"),
    [
        (F(7, 10), True),  # "từ 70% trở lên": the bound itself qualifies
        (F(6999, 10000), False),
        (F(2, 3), False),
        (F(1), True),
        (D("0.70"), True),  # a Decimal from the database is read exactly
    ],
)
def test_the_decree_s_70_percent_is_inclusive_and_exact(share: Fraction, has_priority: bool) -> None:
    decision = decide([tied("a", share=F(1, 2)), tied("b", share=share)], [WOMEN], places=1)
    assert (decision.verdict is Verdict.DECIDED) is has_priority
    assert decision.winners == (("b",) if has_priority else ())
    assert F(7, 10) == WOMEN_SHARE_THRESHOLD


@pytest.mark.parametrize("steps", ALL_ORDERS, ids=lambda s: ">".join(step.value for step in s))
@pytest.mark.parametrize("size", [2, 3, 4, 5])
def test_every_order_of_the_four_steps_on_a_tie_of_2_to_5_where_one_has_70_percent_women(
    steps: tuple[Step, ...], size: int
) -> None:
    # All equal on score; only the last one has 70% women. The first of runoff, women share and referral
    # in the regulation's order decides what happens; the score step finds them equal and passes on.
    candidates = [tied(f"c{i}", "88.5", F(3, 4) if i == size - 1 else F(1, 2)) for i in range(size)]
    decision = decide(candidates, steps, places=1)
    first = next(step for step in steps if step is not FINAL)
    if first is WOMEN:
        assert (decision.verdict, decision.winners) == (Verdict.DECIDED, (f"c{size - 1}",))
        assert decision.among == () and decision.places_left == 0
    else:
        everyone = tuple(c.key for c in candidates)
        expected = Verdict.RUNOFF if first is RUNOFF else Verdict.REFER_PARENT
        assert (decision.verdict, decision.winners, decision.among) == (expected, (), (everyone,))
        assert decision.places_left == 1


# --- Each step, as a table ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidates", "steps", "places", "runoff_held", "verdict", "order", "among"),
    [
        # The higher final score first.
        ([tied("a", "90"), tied("b", "94")], DEFAULT_ORDER, 1, False, Verdict.DECIDED, [["b"], ["a"]], []),
        # Equal totals: the agreement's work area, then fewer penalty points (the score's later parts).
        (
            [tied("a", "90", None, "30", "-1"), tied("b", "90", None, "30", "-0.5")],
            [FINAL],
            None,
            False,
            Verdict.DECIDED,
            [["b"], ["a"]],
            [],
        ),
        # Nothing tells them apart: the default order's re-vote.
        ([tied("a"), tied("b")], DEFAULT_ORDER, 1, False, Verdict.RUNOFF, [["a", "b"]], [["a", "b"]]),
        # The re-vote was held and tied again: the women-share rule, then the parent body.
        (
            [tied("a", share=F(4, 5)), tied("b", share=F(1, 5))],
            DEFAULT_ORDER,
            1,
            True,
            Verdict.DECIDED,
            [["a"], ["b"]],
            [],
        ),
        (
            [tied("a", share=F(4, 5)), tied("b", share=F(9, 10))],
            DEFAULT_ORDER,
            1,
            True,
            Verdict.REFER_PARENT,
            [["a", "b"]],
            [["a", "b"]],
        ),
        # A share not recorded: the step cannot judge, the next one decides.
        (
            [tied("a", share=F(4, 5)), tied("b")],
            [WOMEN, RUNOFF],
            1,
            False,
            Verdict.RUNOFF,
            [["a", "b"]],
            [["a", "b"]],
        ),
        # A score not settled: the same.
        (
            [tied("a", None), tied("b", "99")],
            [FINAL, REFER],
            1,
            False,
            Verdict.REFER_PARENT,
            [["a", "b"]],
            [["a", "b"]],
        ),
        # Referral first: the parent body decides at once.
        (
            [tied("a", "90"), tied("b", "94")],
            [REFER, FINAL],
            1,
            False,
            Verdict.REFER_PARENT,
            [["a", "b"]],
            [["a", "b"]],
        ),
        # Steps run out: the parent body.
        ([tied("a"), tied("b")], [FINAL], 1, False, Verdict.REFER_PARENT, [["a", "b"]], [["a", "b"]]),
        # Only the re-vote listed and already held: the parent body.
        ([tied("a"), tied("b")], [RUNOFF], 1, True, Verdict.REFER_PARENT, [["a", "b"]], [["a", "b"]]),
        # Three for two places: the score seats one, the other two re-vote for the last.
        (
            [tied("a", "90"), tied("b", "95"), tied("c", "90")],
            DEFAULT_ORDER,
            2,
            False,
            Verdict.RUNOFF,
            [["b"], ["a", "c"]],
            [["a", "c"]],
        ),
        # Three for one place: the score seats one; the two left tied behind it no longer matter.
        (
            [tied("a", "90"), tied("b", "95"), tied("c", "90")],
            DEFAULT_ORDER,
            1,
            False,
            Verdict.DECIDED,
            [["b"], ["a", "c"]],
            [],
        ),
        # The ranking (no places): every block still tied is voted on.
        (
            [tied("a", "90"), tied("b", "95"), tied("c", "90"), tied("d", "95")],
            DEFAULT_ORDER,
            None,
            False,
            Verdict.RUNOFF,
            [["b", "d"], ["a", "c"]],
            [["b", "d"], ["a", "c"]],
        ),
        # The women-share rule splits a block, the score the rest.
        (
            [tied("a", "90", F(1, 2)), tied("b", "80", F(7, 10)), tied("c", "95", F(1, 2))],
            [WOMEN, FINAL],
            None,
            False,
            Verdict.DECIDED,
            [["b"], ["c"], ["a"]],
            [],
        ),
    ],
)
def test_the_steps_are_taken_in_the_regulation_s_order(
    candidates: list[Tied],
    steps: list[Step],
    places: int | None,
    runoff_held: bool,
    verdict: Verdict,
    order: list[list[str]],
    among: list[list[str]],
) -> None:
    decision = decide(candidates, steps, places=places, runoff_held=runoff_held)
    assert decision.verdict is verdict
    assert decision.order == tuple(tuple(block) for block in order)
    assert decision.among == tuple(tuple(block) for block in among)


def test_the_notes_say_what_each_step_did_and_whose_figure_is_missing() -> None:
    decision = decide(
        [tied("na", "90", F(3, 4)), tied("ht", "90")], DEFAULT_ORDER, places=1, runoff_held=True
    )
    assert decision.notes == (
        "Điểm chốt cao hơn: bằng nhau — NA (90,00) = HT (90,00)",
        "Bỏ phiếu lại giữa các đơn vị bằng nhau (vòng 2): đã bỏ phiếu lại một lần, xét bước tiếp theo",
        "Ưu tiên tập thể có từ 70% nữ trở lên (NĐ 152/2025/NĐ-CP, Điều 4 khoản 6): chưa có tỷ lệ nữ của HT"
        " — bước này không xét được",
        "Đề nghị cấp trên xem xét: NA và HT",
    )


def test_a_score_is_shown_as_its_caller_writes_it() -> None:
    a = Tied("a", score=(D(90), D(30)), score_text="90,00; nhóm 3: 30,00")
    b = Tied("b", score=(D(90), D(20)))
    assert decide([a, b], [FINAL]).notes == ("Điểm chốt cao hơn: a (90,00; nhóm 3: 30,00) > b (90,00)",)


@pytest.mark.parametrize(
    ("share", "text"),
    [(F(7, 10), "70%"), (F(725, 1000), "72,5%"), (F(2, 3), "66,67%"), (F(0), "0%"), (F(1), "100%")],
)
def test_a_share_is_written_as_a_vietnamese_percentage(share: Fraction, text: str) -> None:
    assert percent_text(share) == text


# --- Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (["final_score", "bốc thăm"], "Không có bước xử lý khi bằng nhau «bốc thăm»."),
        (["runoff", "runoff"], "Mỗi bước xử lý khi bằng nhau chỉ được nêu một lần."),
    ],
)
def test_an_unknown_or_repeated_step_is_refused_in_vietnamese(steps: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_steps(steps)
    with pytest.raises(ValueError, match=message):
        decide([tied("a"), tied("b")], steps)


def test_a_share_of_women_outside_0_to_100_percent_or_given_as_a_float_is_refused() -> None:
    with pytest.raises(ValueError, match=r"Tỷ lệ nữ phải từ 0 đến 100%, không phải 120%\."):
        Tied("a", women_share=F(6, 5))
    with pytest.raises(TypeError, match="never float"):
        Tied("a", women_share=0.7)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("candidates", "places"),
    [
        ([tied("a")], None),  # one is no tie
        ([tied("a"), tied("a")], None),
        ([tied("a"), tied("b")], 2),  # two places for two tied: nothing to decide
        ([tied("a"), tied("b")], 0),
    ],
)
def test_a_tie_that_is_not_one_is_a_programming_error(candidates: list[Tied], places: int | None) -> None:
    with pytest.raises(ValueError):
        decide(candidates, places=places)


# --- Properties ---------------------------------------------------------------------------------------

SHARES = st.sampled_from([None, F(0), F(1, 2), F(6999, 10000), F(7, 10), F(3, 4), F(1)])
SCORES = st.sampled_from([None, ("90",), ("90", "30"), ("90", "25"), ("85",)])


Case = tuple[list[Tied], tuple[Step, ...], int | None, bool]


@st.composite
def ties(draw: st.DrawFn) -> Case:
    size = draw(st.integers(2, 5))
    candidates = [
        Tied(
            f"k{i}",
            score=None if (s := draw(SCORES)) is None else tuple(D(p) for p in s),
            women_share=draw(SHARES),
        )
        for i in range(size)
    ]
    steps = draw(st.sampled_from(ALL_ORDERS))
    places = draw(st.none() | st.integers(1, size - 1))
    return candidates, steps, places, draw(st.booleans())


@given(ties())
def test_every_candidate_has_exactly_one_place_in_the_order(case: Case) -> None:
    candidates, steps, places, held = case
    decision = decide(candidates, steps, places=places, runoff_held=held)
    flat = [key for block in decision.order for key in block]
    assert sorted(flat) == sorted(c.key for c in candidates)


@given(ties())
def test_a_decision_is_decided_or_names_whom_the_runoff_or_the_referral_is_among(case: Case) -> None:
    candidates, steps, places, held = case
    decision = decide(candidates, steps, places=places, runoff_held=held)
    assert (decision.verdict is Verdict.DECIDED) == (decision.among == ())
    assert all(block in decision.order and len(block) > 1 for block in decision.among)
    if held:
        assert decision.verdict is not Verdict.RUNOFF
    flat = [key for block in decision.order for key in block]
    if places is None:
        assert decision.winners == () and decision.places_left == 0
        still_tied = tuple(block for block in decision.order if len(block) > 1)
        assert decision.among == still_tied
    else:
        assert decision.winners == tuple(flat[: len(decision.winners)])
        if decision.verdict is Verdict.DECIDED:
            assert len(decision.winners) == places
        else:
            (block,) = decision.among
            assert len(decision.winners) + decision.places_left == places
            assert 0 < decision.places_left < len(block)
            assert flat[len(decision.winners) : len(decision.winners) + len(block)] == list(block)


@given(ties())
def test_the_decision_does_not_depend_on_the_order_the_tied_come_in(case: Case) -> None:
    candidates, steps, places, held = case
    forward = decide(candidates, steps, places=places, runoff_held=held)
    backward = decide(list(reversed(candidates)), steps, places=places, runoff_held=held)
    assert forward.verdict is backward.verdict
    assert [set(b) for b in forward.order] == [set(b) for b in backward.order]
    assert set(forward.winners) == set(backward.winners)
    assert [set(b) for b in forward.among] == [set(b) for b in backward.among]


@given(ties())
def test_the_first_step_never_puts_a_worse_fact_ahead(case: Case) -> None:
    candidates, steps, _, held = case
    by_key = {c.key: c for c in candidates}
    decision = decide(candidates, steps, places=None, runoff_held=held)
    flat = [by_key[key] for block in decision.order for key in block]
    if steps[0] is FINAL and all(c.score is not None for c in candidates):
        scores = [c.score for c in flat]
        assert scores == sorted(scores, key=lambda s: s or (), reverse=True)
    if steps[0] is WOMEN and all(c.women_share is not None for c in candidates):
        priority = [(c.women_share or 0) >= WOMEN_SHARE_THRESHOLD for c in flat]
        assert priority == sorted(priority, reverse=True)


@given(ties())
def test_candidates_equal_in_every_fact_are_never_told_apart(case: Case) -> None:
    candidates, steps, places, held = case
    same = [Tied(c.key, score=candidates[0].score, women_share=candidates[0].women_share) for c in candidates]
    decision = decide(same, steps, places=places, runoff_held=held)
    terminal = next(s for s in steps if s is REFER or (s is RUNOFF and not held))
    assert decision.verdict is (Verdict.RUNOFF if terminal is RUNOFF else Verdict.REFER_PARENT)
    assert decision.order == (tuple(c.key for c in same),)


@given(ties())
def test_listing_the_referral_last_changes_nothing(case: Case) -> None:
    candidates, steps, places, held = case
    without = tuple(s for s in steps if s is not REFER)
    assert decide(candidates, without, places=places, runoff_held=held) == decide(
        candidates, (*without, REFER), places=places, runoff_held=held
    )
