"""A tie on a poll's last seat goes through the regulation's tie-break (issue 15): the one rule of
thidua/lib/tiebreak.py, applied by the tally (thidua/conferences/rules.py). DOMAIN.md, Voting: "higher
final score → re-vote among the tied (round 2) → the women-share rule → refer to the parent body", one
list wherever a tie is decided; NĐ 152/2025/NĐ-CP, Điều 4 khoản 6 for the women-share rule."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.conferences.rules import BallotContent, PollSpec, TieRule, tally
from thidua.conferences.tests.test_tally_rules import ballots, ballots_for, poll_specs, spec
from thidua.lib.tiebreak import DEFAULT_ORDER, Step, Tied

F = Fraction
NAMES = ("Ninh Bình", "Nghệ An", "Hà Tĩnh")


def tied_vote(rule: TieRule | None, *, seats: int = 1) -> PollSpec:
    """A nomination among Ninh Bình (A), Nghệ An (B) and Hà Tĩnh (C)."""
    return replace(spec(seats=seats, labels=NAMES), tie_rule=rule)


def facts(**by_key: tuple[str | None, Fraction | None]) -> dict[str, Tied]:
    return {
        key: Tied(key, score=None if score is None else (Decimal(score),), women_share=share)
        for key, (score, share) in by_key.items()
    }


def test_a_regulation_whose_first_step_is_the_women_share_decides_a_nomination_tie_without_a_runoff() -> None:
    rule = TieRule((Step.WOMEN_SHARE, Step.RUNOFF), facts(A=("90", F(2, 5)), B=("90", F(18, 25))))
    result = tally(tied_vote(rule), ballots((4, "AB"), (3, "")))
    assert (result.elected, result.runoff, result.referred) == (("B",), (), ())
    by_key = {c.key: c for c in result.choices}
    assert by_key["B"].elected and by_key["B"].in_tie and not by_key["B"].tied_for_last_seat
    assert not by_key["A"].elected and by_key["A"].in_tie
    assert (
        "Nghệ An đạt 4/7 phiếu (57,14%), bằng phiếu, trúng theo thứ tự xử lý khi bằng nhau" in result.outcome
    )
    assert "Ninh Bình đạt 4/7 phiếu (57,14%), bằng phiếu, không trúng theo thứ tự xử lý khi bằng nhau" in (
        result.outcome
    )
    assert result.outcome.endswith(
        "Xử lý khi bằng nhau theo quy chế: Ưu tiên tập thể có từ 70% nữ trở lên (NĐ 152/2025/NĐ-CP, Điều 4 "
        "khoản 6): Nghệ An được ưu tiên — Ninh Bình (40%), Nghệ An (72%)."
    )
    assert "bỏ phiếu lại" not in result.outcome


def test_the_default_order_seats_the_higher_final_score_before_any_runoff() -> None:
    rule = TieRule(DEFAULT_ORDER, facts(A=("88.5", None), B=("91", None)))
    result = tally(tied_vote(rule), ballots((4, "AB"), (3, "")))
    assert (result.elected, result.runoff) == (("B",), ())
    assert "Điểm chốt cao hơn: Nghệ An (91,00) > Ninh Bình (88,50)" in result.outcome


def test_without_facts_the_default_order_keeps_today_s_runoff() -> None:
    result = tally(tied_vote(TieRule()), ballots((4, "AB"), (3, "")))
    assert (result.elected, result.runoff, result.referred) == ((), ("A", "B"), ())
    assert result.outcome.endswith(
        "Xử lý khi bằng nhau theo quy chế: Điểm chốt cao hơn: chưa có điểm chốt của Ninh Bình và Nghệ An — "
        "bước này không xét được. Cần bỏ phiếu lại giữa Ninh Bình và Nghệ An cho 1 suất còn lại."
    )
    legacy = tally(tied_vote(None), ballots((4, "AB"), (3, "")))
    assert (legacy.elected, legacy.runoff, legacy.tie_break) == ((), ("A", "B"), None)


def test_a_runoff_that_ties_again_goes_to_the_women_share_then_to_the_parent_body() -> None:
    both_above = TieRule(DEFAULT_ORDER, facts(A=(None, F(3, 4)), B=(None, F(4, 5))), runoff_held=True)
    result = tally(tied_vote(both_above), ballots((4, "AB"), (3, "")))
    assert (result.elected, result.runoff, result.referred) == ((), (), ("A", "B"))
    assert (result.open_seats, result.second_round) == (0, ())
    assert all(c.tied_for_last_seat and c.referred for c in result.choices if c.key in "AB")
    assert "Ninh Bình đạt 4/7 phiếu (57,14%), bằng phiếu, đề nghị cấp trên xem xét" in result.outcome
    assert "đã bỏ phiếu lại một lần" in result.outcome
    assert result.outcome.endswith("Đề nghị cấp trên xem xét: Ninh Bình và Nghệ An cho 1 suất còn lại.")

    one_above = replace(both_above, facts=facts(A=(None, F(3, 4)), B=(None, F(1, 2))))
    assert tally(tied_vote(one_above), ballots((4, "AB"), (3, ""))).elected == ("A",)


def test_a_tie_of_three_for_two_seats_seats_the_best_score_and_sends_the_other_two_to_a_runoff() -> None:
    rule = TieRule(DEFAULT_ORDER, facts(A=("90", None), B=("95", None), C=("90", None)))
    result = tally(tied_vote(rule, seats=2), ballots((5, "ABC"), (2, "")))
    assert (result.elected, result.runoff) == (("B",), ("A", "C"))
    assert result.outcome.endswith("Cần bỏ phiếu lại giữa Ninh Bình và Hà Tĩnh cho 1 suất còn lại.")


def test_a_tie_rule_with_an_unknown_step_is_refused() -> None:
    with pytest.raises(ValueError, match="Không có bước xử lý khi bằng nhau «bốc thăm»"):
        TieRule(("bốc thăm",))  # type: ignore[arg-type]


# --- Properties: every order of the four steps, any facts, any ballots ---------------------------------

SHARES = st.sampled_from([None, F(1, 2), F(7, 10), F(9, 10)])
SCORES = st.sampled_from([None, "88", "90"])


@st.composite
def polls_with_a_tie_rule(draw: st.DrawFn) -> tuple[PollSpec, list[BallotContent]]:
    poll = draw(poll_specs())
    rule = TieRule(
        draw(st.permutations(list(Step))),
        {
            key: Tied(
                key, score=None if (s := draw(SCORES)) is None else (Decimal(s),), women_share=draw(SHARES)
            )
            for key in poll.choices
        },
        draw(st.booleans()),
    )
    poll = replace(poll, tie_rule=rule)
    return poll, draw(ballots_for(poll))


@given(polls_with_a_tie_rule())
def test_the_tie_break_seats_no_more_than_the_seats_and_leaves_a_tie_to_one_way_only(
    case: tuple[PollSpec, list[BallotContent]],
) -> None:
    poll, cast = case
    result = tally(poll, cast)
    by_key = {c.key: c for c in result.choices}
    assert len(result.elected) <= poll.seats
    assert all(by_key[key].passes_threshold for key in (*result.elected, *result.runoff, *result.referred))
    assert not (result.runoff and result.referred)
    assert not set(result.elected) & (set(result.runoff) | set(result.referred))
    assert {c.key for c in result.choices if c.tied_for_last_seat} == set(result.runoff) | set(
        result.referred
    )
    assert {c.key for c in result.choices if c.referred} == set(result.referred)
    still = result.runoff or result.referred
    if still:
        assert len(result.elected) < poll.seats < len(result.elected) + len(still)
        assert len({by_key[key].votes for key in still}) == 1
        assert result.open_seats == 0 and result.second_round == ()
    if poll.tie_rule is not None and poll.tie_rule.runoff_held:
        assert result.runoff == ()
    if result.tie_break is not None:
        # Whoever the tie-break seated was tied on votes with those it did not.
        tied_votes = {by_key[key].votes for key in by_key if by_key[key].in_tie}
        assert len(tied_votes) == 1
